//! The example webhook app for axum: what a user of `#[twilio_signed]` writes, and the
//! server that the demo and the end-to-end suite (`tests/e2e.rs`) talk to over real HTTP.
//!
//! ```text
//! TWILIO_AUTH_TOKEN=... cargo run --example axum_app --features axum
//! ```
//!
//! Every framework's example app (`axum_app`, later `rocket_app`, `warp_app`) keeps this
//! contract, because the end-to-end table runs unchanged against each of them:
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `PORT` | port on `127.0.0.1`; `0` picks a free one | `3000` |
//! | `TWILIO_AUTH_TOKEN` | the Auth Token (required) | — |
//! | `TWILIO_AUTH_TOKEN_SECONDARY` | a second token, during rotation | none |
//! | `TWILIO_WEBHOOK_BASE_URL` | the public base URL Twilio calls | `http://127.0.0.1:$PORT` (the bound port) |
//! | `TWILIO_TRUST_FORWARDED_HEADERS` | `true`: no default base URL; the URL comes from `X-Forwarded-*`/`Forwarded`, else `Host` with `http` | `false` |
//! | `TWILIO_BODY_LIMIT` | largest body in bytes (413 above) | `65536` |
//! | `RUST_LOG` | log filter (logs go to stderr) | `info` |
//!
//! Routes: `POST /voice` (form → TwiML), `GET /status` (parameters in the query),
//! `POST /events` (JSON, signed with `bodySHA256`), and `POST /api/voice` (the voice
//! handler under `Router::nest`, whose prefix is part of the signed URL).
//!
//! When ready it prints exactly one line on stdout, `listening on http://127.0.0.1:PORT`;
//! a configuration error prints `error: …` on stderr and exits with status 2.

use std::net::SocketAddr;
use std::process::ExitCode;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Form, FromRef, Json, Query};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde::Deserialize;
use tracing_subscriber::EnvFilter;
use twilio_auth::{Config, ConfigBuilder, PublicUrlPolicy, twilio_signed};

/// Default body limit of the example app: Twilio's webhooks are a few KiB.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// The application's state; `#[twilio_signed]` finds the verifier's configuration in it
/// through `FromRef`.
#[derive(Clone, FromRef)]
pub struct AppState {
    /// The verifier's configuration.
    pub twilio: Config,
}

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

/// `POST /voice`: answers the call with TwiML.
#[twilio_signed(state = AppState)]
pub async fn voice(Form(call): Form<IncomingCall>) -> impl IntoResponse {
    tracing::info!(call_sid = %call.call_sid, "incoming call");
    let twiml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <Response><Say>Hello {}, your call {} is verified.</Say></Response>",
        xml_escape(&call.from),
        xml_escape(&call.call_sid),
    );
    ([(header::CONTENT_TYPE, "text/xml")], twiml)
}

/// `GET /status`: a status callback; Twilio signed the URL with its query.
#[twilio_signed(state = AppState)]
pub async fn status(Query(callback): Query<StatusCallback>) -> impl IntoResponse {
    tracing::info!(call_sid = %callback.call_sid, status = %callback.call_status, "call status");
    format!(
        "status {} for {}\n",
        callback.call_status, callback.call_sid
    )
}

/// `POST /events`: a JSON event; Twilio signed the URL carrying `bodySHA256`.
#[twilio_signed(state = AppState)]
pub async fn events(Json(event): Json<serde_json::Value>) -> impl IntoResponse {
    let kind = event
        .get("type")
        .and_then(|t| t.as_str())
        .unwrap_or("unknown")
        .to_owned();
    tracing::info!(%kind, "event");
    Json(serde_json::json!({ "received": kind }))
}

/// The app's routes, without state or limits: the part another framework's app mirrors.
pub fn routes() -> Router<AppState> {
    // `/api/voice` proves that the prefix `nest` strips before routing is still part of
    // the URL the signature is checked against.
    let api = Router::new().route("/voice", post(voice));
    Router::new()
        .route("/voice", post(voice))
        .route("/status", get(status))
        .route("/events", post(events))
        .nest("/api", api)
}

/// The complete app: routes, the verifier's configuration, and the body limit (axum's
/// `DefaultBodyLimit`, which the adapter honours, set to the configuration's limit).
pub fn app(config: Config) -> Router {
    let limit = config.body_limit();
    routes()
        .layer(DefaultBodyLimit::max(limit))
        .with_state(AppState { twilio: config })
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
    let builder = Config::builder_from_env()
        .map_err(|e| e.to_string())?
        .body_limit(body_limit);
    with_local_default(builder, port).map_err(|e| e.to_string())
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

/// Serves `app` on `listener` until Ctrl-C.
pub async fn serve(listener: tokio::net::TcpListener, app: Router) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            // An error here means no signal handler could be installed: run until killed.
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        })
        .await
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

    // The one machine-readable line: harnesses wait for it and read the port from it.
    println!("listening on http://127.0.0.1:{port}");
    match serve(listener, app(config)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: server failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn config_error(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}
