//! The example webhook app for warp: what a user of `#[twilio_signed]` writes with warp,
//! and a server that the end-to-end suite (`tests/e2e.rs`) talks to over real HTTP.
//!
//! ```text
//! TWILIO_AUTH_TOKEN=... cargo run --example warp_app --features warp
//! ```
//!
//! It keeps the contract of every framework's example app (see `examples/axum_app.rs`):
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `PORT` | port on `127.0.0.1`; `0` picks a free one | `3000` |
//! | `TWILIO_AUTH_TOKEN` | the Auth Token (required) | — |
//! | `TWILIO_AUTH_TOKEN_SECONDARY` | a second token, during rotation | none |
//! | `TWILIO_WEBHOOK_BASE_URL` | the public base URL Twilio calls | `http://127.0.0.1:$PORT` (the bound port) |
//! | `TWILIO_TRUST_FORWARDED_HEADERS` | `true`: no default base URL; the URL comes from `X-Forwarded-*`/`Forwarded`, else `Host` with `http` | `false` |
//! | `TWILIO_BODY_LIMIT` | largest body in bytes (413 above, chunked or not) | `65536` |
//! | `WEBHOOK_USER`, `WEBHOOK_PASSWORD` | the HTTP Basic/Digest credentials (both, or neither) | none |
//! | `WEBHOOK_REALM` | the HTTP authentication realm | `twilio-webhooks` |
//! | `TWILIO_DIGEST_NONCE_SECRET` | key of the Digest nonces (16+ bytes; share it between instances) | random at start-up |
//! | `TWILIO_DIGEST_NONCE_LIFETIME_SECS` | how long a Digest nonce is accepted, in seconds (≥ 1); then `stale=true` | `300` |
//! | `RUST_LOG` | log filter (logs go to stderr) | `info` |
//!
//! Routes: `POST /voice` (form → TwiML), `GET /status` (parameters in the query),
//! `POST /events` (JSON, signed with `bodySHA256`), `POST /api/voice` (the voice route
//! mounted under the prefix `/api`, which is part of the signed URL), and the voice handler
//! behind HTTP authentication: `POST /basic/voice` (Basic, then the signature) and
//! `POST /digest/voice` (Digest with SHA-256 or MD5, then the signature). Those two answer a
//! request without valid credentials with `401` and the challenges, and a request with
//! valid credentials but a bad signature with `403`. Without `WEBHOOK_USER`/`WEBHOOK_PASSWORD`
//! the app still starts, warns once, and answers every request to these two routes with
//! `401`.
//!
//! When ready it prints exactly one line on stdout, `listening on http://127.0.0.1:PORT`;
//! a configuration error prints `error: …` on stderr and exits with status 2.

use std::net::SocketAddr;
use std::process::ExitCode;

use serde::Deserialize;
use tracing_subscriber::EnvFilter;
use twilio_auth::http_auth::{HttpAuthConfig, NonceSecret};
use twilio_auth::warp::{Form, Json, Query, twilio_signed};
use twilio_auth::{Config, ConfigBuilder, PublicUrlPolicy};
use warp::{Filter, Reply};

/// Default body limit of the example app: Twilio's webhooks are a few KiB.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// How long a Digest nonce is accepted, in seconds; read by the app (the core's `from_env`
/// does not know it).
pub const ENV_DIGEST_NONCE_LIFETIME: &str = "TWILIO_DIGEST_NONCE_LIFETIME_SECS";

/// The form Twilio posts when a call comes in (only the fields this app uses; serde
/// ignores the other thirty).
#[derive(Debug, Deserialize)]
pub struct IncomingCall {
    #[serde(rename = "CallSid")]
    pub call_sid: String,
    #[serde(rename = "From", default)]
    pub from: String,
}

/// A call status callback, sent as a GET with its parameters in the query.
#[derive(Debug, Deserialize)]
pub struct StatusCallback {
    #[serde(rename = "CallSid")]
    pub call_sid: String,
    #[serde(rename = "CallStatus", default)]
    pub call_status: String,
}

/// `POST /voice` (and `/api/voice`): answers the call with TwiML.
#[twilio_signed(post, path = "voice")]
pub async fn voice(Form(call): Form<IncomingCall>) -> impl Reply {
    answer(&call)
}

/// `POST /basic/voice`: HTTP Basic authentication (a 401 challenge first), then the
/// signature.
#[twilio_signed(post, path = "basic/voice", http_auth = "basic")]
pub async fn basic_voice(Form(call): Form<IncomingCall>) -> impl Reply {
    answer(&call)
}

/// `POST /digest/voice`: HTTP Digest authentication, then the signature.
#[twilio_signed(post, path = "digest/voice", http_auth = "digest")]
pub async fn digest_voice(Form(call): Form<IncomingCall>) -> impl Reply {
    answer(&call)
}

/// `GET /status`: a status callback; Twilio signed the URL with its query.
#[twilio_signed(get, path = "status")]
pub async fn status(Query(callback): Query<StatusCallback>) -> impl Reply {
    tracing::info!(call_sid = %callback.call_sid, status = %callback.call_status, "call status");
    format!(
        "status {} for {}\n",
        callback.call_status, callback.call_sid
    )
}

/// `POST /events`: a JSON event; Twilio signed the URL carrying `bodySHA256`.
#[twilio_signed(post, path = "events")]
pub async fn events(Json(event): Json<serde_json::Value>) -> impl Reply {
    let kind = event
        .get("type")
        .and_then(|t| t.as_str())
        .unwrap_or("unknown")
        .to_owned();
    tracing::info!(%kind, "event");
    warp::reply::json(&serde_json::json!({ "received": kind }))
}

/// The TwiML answer to a call.
fn answer(call: &IncomingCall) -> impl Reply + use<> {
    tracing::info!(call_sid = %call.call_sid, "incoming call");
    let twiml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <Response><Say>Hello {}, your call {} is verified.</Say></Response>",
        xml_escape(&call.from),
        xml_escape(&call.call_sid),
    );
    warp::reply::with_header(twiml, "content-type", "text/xml")
}

/// The complete app. Each `*_filter` is a sealed route: once its method and path match,
/// it answers every request itself, so the order of the `.or()`s is only about routing.
pub fn routes(
    config: Config,
) -> impl Filter<Extract = (impl Reply,), Error = warp::Rejection> + Clone {
    voice_filter(config.clone())
        .or(status_filter(config.clone()))
        .or(events_filter(config.clone()))
        // The prefix that `warp::path("api")` matches is still part of the signed URL.
        .or(warp::path("api").and(voice_filter(config.clone())))
        .or(basic_voice_filter(config.clone()))
        .or(digest_voice_filter(config))
}

/// Reads the configuration from the environment (see the module documentation).
/// `port` is the port actually bound, for the default public base URL.
pub fn config_from_env(port: u16) -> Result<Config, String> {
    let body_limit = match std::env::var("TWILIO_BODY_LIMIT") {
        Ok(v) if !v.is_empty() => v
            .parse::<usize>()
            .map_err(|_| format!("TWILIO_BODY_LIMIT={v:?} is not a number of bytes"))?,
        _ => DEFAULT_BODY_LIMIT,
    };
    let mut builder = Config::builder_from_env()
        .map_err(|e| e.to_string())?
        .body_limit(body_limit);
    if let Some(http_auth) = http_auth_with_lifetime_from_env()? {
        builder = builder.http_auth(http_auth);
    }
    with_local_default(builder, port).map_err(|e| e.to_string())
}

/// With `TWILIO_DIGEST_NONCE_LIFETIME_SECS` set, the HTTP authentication settings that
/// `Config::builder_from_env` reads (`WEBHOOK_USER`, `WEBHOOK_PASSWORD`, `WEBHOOK_REALM`,
/// `TWILIO_DIGEST_NONCE_SECRET`), built again with that nonce lifetime; `None` when the
/// variable or the credentials are unset (the core's settings then stand as they are).
pub fn http_auth_with_lifetime_from_env() -> Result<Option<HttpAuthConfig>, String> {
    use twilio_auth::{
        DEFAULT_REALM, ENV_DIGEST_NONCE_SECRET, ENV_WEBHOOK_PASSWORD, ENV_WEBHOOK_REALM,
        ENV_WEBHOOK_USER,
    };
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let Some(lifetime) = var(ENV_DIGEST_NONCE_LIFETIME) else {
        return Ok(None);
    };
    let lifetime = lifetime
        .parse::<u64>()
        .ok()
        .filter(|&secs| secs > 0)
        .ok_or_else(|| {
            format!(
                "{ENV_DIGEST_NONCE_LIFETIME}={lifetime:?} is not a number of seconds (1 or more)"
            )
        })?;
    let (Some(user), Some(password)) = (var(ENV_WEBHOOK_USER), var(ENV_WEBHOOK_PASSWORD)) else {
        return Ok(None);
    };
    let realm = var(ENV_WEBHOOK_REALM).unwrap_or_else(|| DEFAULT_REALM.to_owned());
    let mut http_auth = HttpAuthConfig::builder(realm)
        .credential(user, password)
        .nonce_lifetime(std::time::Duration::from_secs(lifetime));
    if let Some(secret) = var(ENV_DIGEST_NONCE_SECRET) {
        let secret = NonceSecret::new(secret.into_bytes())
            .map_err(|e| format!("{ENV_DIGEST_NONCE_SECRET}: {e}"))?;
        http_auth = http_auth.nonce_secret(secret);
    }
    http_auth
        .build()
        .map(Some)
        .map_err(|e| format!("HTTP authentication: {e}"))
}

/// Completes the URL policy the core read from the environment: without a configured base
/// URL, a direct (unproxied) app is reached at `http://127.0.0.1:PORT`; behind a trusted
/// proxy the URL comes from the forwarded headers, else from `Host` over plain `http`.
pub fn with_local_default(
    builder: ConfigBuilder,
    port: u16,
) -> Result<Config, twilio_auth::ConfigError> {
    let config = builder.clone().build()?;
    match config.url_policy() {
        PublicUrlPolicy::BaseUrl(_) => Ok(config),
        PublicUrlPolicy::FromRequest {
            trust_forwarded: true,
            ..
        } => builder.default_scheme("http").build(),
        PublicUrlPolicy::FromRequest { .. } => builder
            .public_base_url(format!("http://127.0.0.1:{port}"))
            .build(),
    }
}

fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn port_from_env() -> Result<u16, String> {
    match std::env::var("PORT") {
        Ok(v) if !v.is_empty() => v
            .parse()
            .map_err(|_| format!("PORT={v:?} is not a port number")),
        _ => Ok(3000),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();

    let port = match port_from_env() {
        Ok(port) => port,
        Err(message) => return config_error(&message),
    };
    // Bind first: with PORT=0 the default public URL needs the port the OS picked.
    let listener =
        match tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await {
            Ok(listener) => listener,
            Err(e) => return config_error(&format!("cannot listen on 127.0.0.1:{port}: {e}")),
        };
    let port = match listener.local_addr() {
        Ok(addr) => addr.port(),
        Err(e) => return config_error(&format!("cannot read the bound address: {e}")),
    };
    let config = match config_from_env(port) {
        Ok(config) => config,
        Err(message) => return config_error(&message),
    };
    tracing::info!(?config, "twilio-auth configured");
    if config.http_auth().is_none() {
        tracing::warn!(
            "WEBHOOK_USER and WEBHOOK_PASSWORD are not set: /basic/voice and /digest/voice \
             refuse every request with 401"
        );
    }

    // The one machine-readable line: harnesses wait for it and read the port from it.
    println!("listening on http://127.0.0.1:{port}");
    warp::serve(routes(config))
        .incoming(listener)
        .graceful(async {
            // An error here means no signal handler could be installed: run until killed.
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        })
        .run()
        .await;
    ExitCode::SUCCESS
}

fn config_error(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}
