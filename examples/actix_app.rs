//! The example webhook app for actix-web: what a user of `#[twilio_signed]` writes with
//! actix-web, and a server that the end-to-end suite (`tests/e2e.rs`) talks to over real
//! HTTP.
//!
//! ```text
//! TWILIO_AUTH_TOKEN=... cargo run --example actix_app --features actix
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
//! | `TWILIO_TRUST_FORWARDED_HEADERS` | `x-forwarded` or `forwarded`: no default base URL; the URL comes from that header family (its last value), else `Host` with `http` | `false` |
//! | `TWILIO_ACCOUNT_TOKENS`, `TWILIO_SHARED_KEYS`, `TWILIO_SHARED_KEYS_ONLY` | sub-account tokens and SharedKeys (see the README's configuration table) | none |
//! | `TWILIO_BODY_LIMIT` | largest body in bytes (413 above, chunked or not) | `65536` |
//! | `WEBHOOK_USER`, `WEBHOOK_PASSWORD` | the HTTP Basic/Digest credentials (both, or neither) | none |
//! | `WEBHOOK_REALM` | the HTTP authentication realm | `twilio-webhooks` |
//! | `TWILIO_DIGEST_NONCE_SECRET` | key of the Digest nonces (16+ bytes; share it between instances) | random at start-up |
//! | `TWILIO_DIGEST_NONCE_LIFETIME_SECS` | how long a Digest nonce is accepted, in seconds (≥ 1); then `stale=true` | `300` |
//! | `RUST_LOG` | log filter (logs go to stderr) | `info` |
//!
//! Routes: `POST /voice` (form → TwiML), `GET /status` (parameters in the query),
//! `POST /events` (JSON, signed with `bodySHA256`), `POST /api/voice` (the voice handler in
//! `web::scope("/api")`, whose prefix is part of the signed URL), and the voice handler
//! behind HTTP authentication: `POST /basic/voice` (Basic, then the signature) and
//! `POST /digest/voice` (Digest with SHA-256 or MD5, then the signature). Those two answer a
//! request without valid credentials with `401` and the challenges, and a request with
//! valid credentials but a bad signature with `403`. Without `WEBHOOK_USER`/`WEBHOOK_PASSWORD`
//! the app still starts, warns once, and answers every request to these two routes with
//! `401`.
//!
//! Method and body binding: `/any/voice` and `/any/events` serve the voice and events
//! handlers under every method (`web::resource(…).to(…)`), and `GET|POST /guarded` is a
//! handler that reads no body, protected by the `TwilioSignature` guard written by hand; it
//! answers `guarded <CallSid of the query>`. (A `web::Form` after the guard sees no body:
//! the guard took it.)
//!
//! WebSockets (`actix-ws`), verified before the upgrade: `GET /media` (Media Streams),
//! `GET /relay` (ConversationRelay) and `GET /basic/media` (Media Streams behind HTTP
//! Basic), as in `examples/axum_app.rs`.
//!
//! Report-only mode (see `examples/axum_app.rs`): `POST /report-only/voice` and
//! `POST /report-only/basic/voice` (HTTP Basic still enforced), scopes wrapped by
//! `TwilioAuth::new(config).report_only()`.
//!
//! Replay protection (built with the `replay` feature, e.g. `--features actix,redis`; see
//! `examples/axum_app.rs`): `POST /replay/voice` and `POST /replay/flaky` in a scope
//! wrapped by `TwilioAuth::new(config).replay(guard)`, `POST /replay/digest/voice` in one
//! that asks for Digest first, and `GET /replay/count`; the guard's store is Redis when
//! `REDIS_URL` is set, else memory.
//!
//! When ready it prints exactly one line on stdout, `listening on http://127.0.0.1:PORT`;
//! a configuration error prints `error: …` on stderr and exits with status 2.
//! Each time a handler runs it logs one line with a `handler` field naming it (the
//! contract's handler line).

#[path = "support/mod.rs"]
mod support;

use std::process::ExitCode;
use support::{
    IncomingCall, MediaSession, StatusCallback, Step, announce, bind_and_configure, greeting_twiml,
    init_logging, log_config, relay_reply,
};

use actix_web::{App, HttpMessage, HttpRequest, HttpResponse, HttpServer, get, post, web};
use futures_util::StreamExt;
use twilio_auth::actix::policy::HttpAuth;
use twilio_auth::actix::{TwilioAuth, TwilioSignature};
use twilio_auth::{Config, Unverified, twilio_signed};

/// `POST /voice`: answers the call with TwiML.
#[twilio_signed]
#[post("/voice")]
pub async fn voice(call: web::Form<IncomingCall>) -> HttpResponse {
    answer("voice", &call)
}

/// The voice handler without a route attribute, registered with `web::resource` under
/// `/api/voice` (a scope's prefix is part of the signed URL) and `/any/voice` (any method).
#[twilio_signed]
pub async fn voice_resource(call: web::Form<IncomingCall>) -> HttpResponse {
    answer("voice", &call)
}

/// `POST /basic/voice`: the same, behind HTTP Basic authentication (then the signature).
#[twilio_signed(http_auth = "basic")]
#[post("/basic/voice")]
pub async fn basic_voice(call: web::Form<IncomingCall>) -> HttpResponse {
    answer("basic_voice", &call)
}

/// `POST /digest/voice`: the same, behind HTTP Digest authentication (then the signature).
#[twilio_signed(http_auth = "digest")]
#[post("/digest/voice")]
pub async fn digest_voice(call: web::Form<IncomingCall>) -> HttpResponse {
    answer("digest_voice", &call)
}

/// `POST /report-only/voice` and `POST /report-only/basic/voice`: the voice handler in a
/// scope wrapped by the `TwilioAuth` middleware in report-only mode (the second after HTTP
/// Basic, which stays enforced); says whether the request was verified.
pub async fn report_only_voice(req: HttpRequest, call: web::Form<IncomingCall>) -> HttpResponse {
    let verified = req.extensions().get::<Unverified>().is_none();
    tracing::info!(handler = "report_only_voice", verified, call_sid = %call.call_sid, "incoming call");
    let twiml = support::report_only_twiml(verified, &call.call_sid);
    HttpResponse::Ok().content_type("text/xml").body(twiml)
}

/// The replay-protected routes (feature `replay`): the shared rows of `tests/replay.rs`.
#[cfg(feature = "replay")]
mod replay_routes {
    use super::support::replay::{self, Handler};
    use super::*;

    /// `/replay/count`, then the scopes behind the guard (the more specific first).
    pub fn register(app: &mut web::ServiceConfig, config: &Config) {
        let guard = replay::guard();
        app.route("/replay/count", web::get().to(count))
            .service(
                web::scope("/replay/digest")
                    .wrap(
                        TwilioAuth::new(config.clone())
                            .http_auth(HttpAuth::Digest)
                            .replay(guard.clone()),
                    )
                    .route("/voice", web::post().to(digest_voice)),
            )
            .service(
                web::scope("/replay")
                    .wrap(TwilioAuth::new(config.clone()).replay(guard))
                    .route("/voice", web::post().to(voice))
                    .route("/flaky", web::post().to(flaky)),
            );
    }

    async fn voice(call: web::Form<IncomingCall>) -> HttpResponse {
        replay::ran(Handler::Voice, &call.call_sid);
        tokio::time::sleep(replay::VOICE_DELAY).await;
        greet(&call)
    }

    async fn flaky(call: web::Form<IncomingCall>) -> HttpResponse {
        replay::ran(Handler::Flaky, &call.call_sid);
        if replay::first_delivery(&call.call_sid) {
            return HttpResponse::InternalServerError().body("temporary failure\n");
        }
        greet(&call)
    }

    async fn digest_voice(call: web::Form<IncomingCall>) -> HttpResponse {
        replay::ran(Handler::Digest, &call.call_sid);
        greet(&call)
    }

    async fn count() -> HttpResponse {
        HttpResponse::Ok()
            .content_type("application/json")
            .body(replay::counts_json())
    }

    fn greet(call: &IncomingCall) -> HttpResponse {
        HttpResponse::Ok()
            .content_type("text/xml")
            .body(greeting_twiml(&call.from, &call.call_sid))
    }
}

/// The TwiML that greets a verified call.
fn answer(handler: &str, call: &IncomingCall) -> HttpResponse {
    tracing::info!(handler, call_sid = %call.call_sid, "incoming call");
    HttpResponse::Ok()
        .content_type("text/xml")
        .body(greeting_twiml(&call.from, &call.call_sid))
}

/// `GET|HEAD /status`: a status callback; Twilio signed the URL with its query.
/// (Registered with `web::resource`, whose routes answer another method with `405`.)
#[twilio_signed]
pub async fn status(callback: web::Query<StatusCallback>) -> HttpResponse {
    tracing::info!(handler = "status", call_sid = %callback.call_sid, status = %callback.call_status, "call status");
    HttpResponse::Ok().body(format!(
        "status {} for {}\n",
        callback.call_status, callback.call_sid
    ))
}

/// `POST /events` (and `/any/events`, any method): a JSON event; Twilio signed the URL
/// carrying `bodySHA256`.
#[twilio_signed]
pub async fn events(event: web::Json<serde_json::Value>) -> HttpResponse {
    let kind = event
        .get("type")
        .and_then(|t| t.as_str())
        .unwrap_or("unknown")
        .to_owned();
    tracing::info!(handler = "events", %kind, "event");
    HttpResponse::Ok().json(serde_json::json!({ "received": kind }))
}

/// `GET|POST /guarded`: a handler that reads no body, behind the guard written by hand.
/// The guard takes and verifies the body, so the form after it never sees one.
pub async fn guarded(
    _: TwilioSignature,
    callback: web::Query<StatusCallback>,
    form: Option<web::Form<IncomingCall>>,
) -> HttpResponse {
    let read = form.map_or_else(|| "none".to_owned(), |f| f.call_sid.clone());
    tracing::info!(handler = "guarded", call_sid = %callback.call_sid, body = %read, "guarded");
    HttpResponse::Ok().body(format!("guarded {}\n", callback.call_sid))
}

/// `GET /media`: a Media Streams WebSocket (`<Connect><Stream url="wss://…/media">`). The
/// handshake is verified before the handler runs (a refused one never gets a `101`); the
/// payload handed on is the WebSocket's, for `actix_ws::handle`.
#[twilio_signed]
#[get("/media")]
pub async fn media(req: HttpRequest, body: web::Payload) -> actix_web::Result<HttpResponse> {
    tracing::info!(handler = "media", "media stream handshake");
    upgrade(&req, body, media_session())
}

/// `GET /relay`: a ConversationRelay WebSocket (`<ConversationRelay url="wss://…/relay">`).
#[twilio_signed]
#[get("/relay")]
pub async fn relay(req: HttpRequest, body: web::Payload) -> actix_web::Result<HttpResponse> {
    tracing::info!(handler = "relay", "conversation relay handshake");
    upgrade(&req, body, relay_reply)
}

/// `GET /basic/media`: the Media Streams WebSocket behind HTTP Basic authentication.
#[twilio_signed(http_auth = "basic")]
#[get("/basic/media")]
pub async fn basic_media(req: HttpRequest, body: web::Payload) -> actix_web::Result<HttpResponse> {
    tracing::info!(handler = "basic_media", "media stream handshake");
    upgrade(&req, body, media_session())
}

/// A Media Streams session's answer to each message.
fn media_session() -> impl FnMut(&str) -> Step + 'static {
    let mut session = MediaSession::default();
    move |text: &str| session.on_text(text)
}

/// Takes the upgrade (`101`) and answers each text message with `on_text`'s step.
fn upgrade(
    req: &HttpRequest,
    body: web::Payload,
    mut on_text: impl FnMut(&str) -> Step + 'static,
) -> actix_web::Result<HttpResponse> {
    let (response, mut session, mut stream) = actix_ws::handle(req, body)?;
    actix_web::rt::spawn(async move {
        while let Some(Ok(message)) = stream.next().await {
            let text = match message {
                actix_ws::Message::Text(text) => text,
                actix_ws::Message::Close(_) => break,
                _ => continue,
            };
            match on_text(&text) {
                Step::Continue => {}
                Step::Reply(reply) => {
                    if session.text(reply).await.is_err() {
                        return;
                    }
                }
                Step::Close => break,
            }
        }
        let _ = session.close(None).await;
    });
    Ok(response)
}

/// The app's routes and configuration: the verifier's `Config` in the app data, and
/// actix's own body limits (form, JSON, raw payload) set to the configuration's limit.
pub fn app(
    config: Config,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let limit = config.body_limit();
    #[cfg(feature = "replay")]
    let config_for_replay = config.clone();
    // Report-only scopes (the more specific first: a scope that matches does not fall
    // through to the next).
    let report_only_basic = web::scope("/report-only/basic")
        .wrap(
            TwilioAuth::new(config.clone())
                .http_auth(HttpAuth::Basic)
                .report_only(),
        )
        .route("/voice", web::post().to(report_only_voice));
    let report_only = web::scope("/report-only")
        .wrap(TwilioAuth::new(config.clone()).report_only())
        .route("/voice", web::post().to(report_only_voice));
    let app = App::new()
        .app_data(config)
        .app_data(web::FormConfig::default().limit(limit))
        .app_data(web::JsonConfig::default().limit(limit))
        .app_data(web::PayloadConfig::new(limit))
        .service(voice)
        .service(
            web::resource("/status")
                .route(web::get().to(status))
                .route(web::head().to(status)),
        )
        .service(basic_voice)
        .service(digest_voice)
        .route("/events", web::post().to(events))
        .service(web::resource("/any/voice").to(voice_resource))
        .service(web::resource("/any/events").to(events))
        .service(
            web::resource("/guarded")
                .route(web::get().to(guarded))
                .route(web::post().to(guarded)),
        )
        .service(web::scope("/api").route("/voice", web::post().to(voice_resource)))
        .service(media)
        .service(relay)
        .service(basic_media)
        .service(report_only_basic)
        .service(report_only);
    #[cfg(feature = "replay")]
    let app = app.configure(|app| replay_routes::register(app, &config_for_replay));
    app
}

#[actix_web::main]
async fn main() -> ExitCode {
    init_logging("info");
    let (listener, config, port) = match bind_and_configure().await {
        Ok(bound) => bound,
        Err(code) => return code,
    };
    #[cfg(feature = "replay")]
    match support::replay::init_from_env() {
        Ok(store) => tracing::info!(store, "replay protection on /replay/*"),
        Err(message) => return support::config_error(&message),
    }
    log_config(&config);
    let listener = match listener.into_std() {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("error: cannot hand the listener to actix-web: {e}");
            return ExitCode::FAILURE;
        }
    };
    let server = HttpServer::new(move || app(config.clone()))
        .shutdown_timeout(1)
        .listen(listener);
    let server = match server {
        Ok(server) => server.run(),
        Err(e) => {
            eprintln!("error: cannot listen on 127.0.0.1:{port}: {e}");
            return ExitCode::FAILURE;
        }
    };
    announce(port);
    match server.await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: server failed: {e}");
            ExitCode::FAILURE
        }
    }
}
