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
//! | `TWILIO_TRUST_FORWARDED_HEADERS` | `x-forwarded` or `forwarded`: no default base URL; the URL comes from that header family (its last value), else `Host` with `http` | `false` |
//! | `TWILIO_ACCOUNT_TOKENS`, `TWILIO_SHARED_KEYS`, `TWILIO_SHARED_KEYS_ONLY` | sub-account tokens and SharedKeys (see the README's configuration table) | none |
//! | `TWILIO_BODY_LIMIT` | largest body in bytes (413 above) | `65536` |
//! | `WEBHOOK_USER`, `WEBHOOK_PASSWORD` | the HTTP Basic/Digest credentials (both, or neither) | none |
//! | `WEBHOOK_REALM` | the HTTP authentication realm | `twilio-webhooks` |
//! | `TWILIO_DIGEST_NONCE_SECRET` | key of the Digest nonces (16+ bytes; share it between instances) | random at start-up |
//! | `TWILIO_DIGEST_NONCE_LIFETIME_SECS` | how long a Digest nonce is accepted, in seconds (≥ 1); then `stale=true` | `300` |
//! | `RUST_LOG` | log filter (logs go to stderr) | `info` |
//!
//! Routes: `POST /voice` (form → TwiML), `GET /status` (parameters in the query),
//! `POST /events` (JSON, signed with `bodySHA256`), `POST /api/voice` (the voice
//! handler under `Router::nest`, whose prefix is part of the signed URL), and the voice
//! handler behind HTTP authentication: `POST /basic/voice` (Basic, then the signature) and
//! `POST /digest/voice` (Digest with SHA-256 or MD5, then the signature). Those two answer a
//! request without valid credentials with `401` and the challenges (`WWW-Authenticate:
//! Basic realm="…", charset="UTF-8"`, resp. one `Digest … algorithm=SHA-256` and one
//! `Digest … algorithm=MD5` header), and a request with valid credentials but a bad signature
//! with `403`. Twilio signs the URL without the `user:pass@` of the webhook URL, so the
//! signature is checked against the same URL as on the other routes. Without
//! `WEBHOOK_USER`/`WEBHOOK_PASSWORD` the app still starts (the other routes need no
//! credentials), warns once at start-up, and answers every request to these two routes with
//! `401` and an error in the log.
//!
//! Method and body binding (every byte a handler reads is signed): `/any/voice` and
//! `/any/events` serve the voice and events handlers under every method (`any(…)`), and
//! `GET|POST /guarded` is a handler that reads no body, protected by the header guard
//! `TwilioSignature` written by hand; it answers `guarded <CallSid of the query>`.
//!
//! WebSockets (the handshake is verified before any upgrade): `GET /media` (Media Streams:
//! reads `connected` and `start`, answers a `mark`, closes on `stop`), `GET /relay`
//! (ConversationRelay: answers `setup` and each `prompt` with a `text` message), and
//! `GET /basic/media` (Media Streams behind HTTP Basic authentication).
//!
//! Report-only mode (for rolling out; the app warns about it at start-up): `POST
//! /report-only/voice` and `POST /report-only/basic/voice` (HTTP Basic first, still
//! enforced) let a request with a wrong or missing signature through to the handler, which
//! answers `unverified call <CallSid>` (`verified call …` otherwise); the refusal
//! enforcement would have answered is logged as `report-only: let through …`.
//!
//! When ready it prints exactly one line on stdout, `listening on http://127.0.0.1:PORT`;
//! a configuration error prints `error: …` on stderr and exits with status 2.
//!
//! Replay protection (built with the `replay` feature, e.g. `--features axum,redis`): the
//! routes `POST /replay/voice` (the voice handler, taking 100 ms), `POST /replay/flaky`
//! (answers `500` the first time this instance sees a `CallSid`, then `200`, so a retry of a
//! failed delivery must be processed again) and `POST /replay/digest/voice` (Digest, then the
//! signature) sit behind `TwilioAuthLayer::new(config).replay(guard)`, and
//! `POST /replay/attribute/voice` behind `#[twilio_signed(state = AppState, replay = guard())]`: a duplicate of a
//! completed request gets `200` with an empty body, one still in flight `409`, a replayed
//! Digest `Authorization` `401`, and a store fault `503`. `GET /replay/count` (unprotected,
//! for the tests) answers how many times each of those handlers ran in this instance, as
//! JSON. The guard's store is Redis when `REDIS_URL` is set (needs the `redis` feature; the
//! app starts even while Redis is down, and answers `503` until it is back), else in memory.
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `REDIS_URL` | the Redis shared by every instance (`redis://127.0.0.1:6379/`) | none: an in-memory store |
//!
//! Each time a handler runs it logs one `INFO` line with a `handler` field naming it
//! (`handler="voice"`, `"basic_voice"`, `"digest_voice"`, `"status"`, `"events"`, `"media"`,
//! `"relay"`, `"basic_media"`, `"report_only_voice"`), and no
//! other line has that field: the end-to-end suite counts these lines to prove which requests
//! reached a handler and which were refused before it.

#[path = "support/mod.rs"]
pub mod support;

use std::process::ExitCode;
use support::{
    IncomingCall, MediaSession, StatusCallback, Step, announce, bind_and_configure, greeting_twiml,
    init_logging, log_config, relay_reply,
};

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{DefaultBodyLimit, Form, FromRef, Json, Query};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Extension, Router};
use twilio_auth::axum::policy::HttpAuth;
use twilio_auth::axum::{TwilioAuthLayer, TwilioSignature};
use twilio_auth::{Config, Unverified, twilio_signed};

/// The application's state; `#[twilio_signed]` finds the verifier's configuration in it
/// through `FromRef`.
#[derive(Clone, FromRef)]
pub struct AppState {
    /// The verifier's configuration.
    pub twilio: Config,
}

/// `POST /voice`: answers the call with TwiML.
#[twilio_signed(state = AppState)]
pub async fn voice(Form(call): Form<IncomingCall>) -> impl IntoResponse {
    answer("voice", &call)
}

/// `POST /basic/voice`: the same, behind HTTP Basic authentication (then the signature).
#[twilio_signed(state = AppState, http_auth = "basic")]
pub async fn basic_voice(Form(call): Form<IncomingCall>) -> impl IntoResponse {
    answer("basic_voice", &call)
}

/// `POST /digest/voice`: the same, behind HTTP Digest authentication (then the signature).
#[twilio_signed(state = AppState, http_auth = "digest")]
pub async fn digest_voice(Form(call): Form<IncomingCall>) -> impl IntoResponse {
    answer("digest_voice", &call)
}

/// `POST /report-only/voice` and `POST /report-only/basic/voice`: the voice handler behind a
/// `TwilioAuthLayer` in report-only mode (the second after HTTP Basic, which stays
/// enforced). It says whether the request was verified: a forged or unsigned one gets here
/// too, marked `Unverified`, and the refusal enforcement would have answered is in the log.
pub async fn report_only_voice(
    unverified: Option<Extension<Unverified>>,
    Form(call): Form<IncomingCall>,
) -> impl IntoResponse {
    let verified = unverified.is_none();
    tracing::info!(handler = "report_only_voice", verified, call_sid = %call.call_sid, "incoming call");
    let twiml = support::report_only_twiml(verified, &call.call_sid);
    ([(header::CONTENT_TYPE, "text/xml")], twiml)
}

/// The TwiML that greets a verified call.
fn answer(handler: &str, call: &IncomingCall) -> impl IntoResponse + use<> {
    tracing::info!(handler, call_sid = %call.call_sid, "incoming call");
    let twiml = greeting_twiml(&call.from, &call.call_sid);
    ([(header::CONTENT_TYPE, "text/xml")], twiml)
}

/// `GET /status`: a status callback; Twilio signed the URL with its query.
#[twilio_signed(state = AppState)]
pub async fn status(Query(callback): Query<StatusCallback>) -> impl IntoResponse {
    tracing::info!(handler = "status", call_sid = %callback.call_sid, status = %callback.call_status, "call status");
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
    tracing::info!(handler = "events", %kind, "event");
    Json(serde_json::json!({ "received": kind }))
}

/// `GET|POST /guarded`: a handler that reads no body, behind the header guard. The guard
/// reads and verifies the body anyway, so a body nobody signed is refused.
pub async fn guarded(
    Query(callback): Query<StatusCallback>,
    _: TwilioSignature,
) -> impl IntoResponse {
    tracing::info!(handler = "guarded", call_sid = %callback.call_sid, "guarded");
    format!("guarded {}\n", callback.call_sid)
}

/// `GET /media`: a Media Streams WebSocket (`<Connect><Stream url="wss://…/media">`). The
/// handshake is verified before the handler runs; a refused one never gets a `101`.
#[twilio_signed(state = AppState)]
pub async fn media(ws: WebSocketUpgrade) -> Response {
    tracing::info!(handler = "media", "media stream handshake");
    let mut session = MediaSession::default();
    ws.on_upgrade(move |socket| converse(socket, move |text| session.on_text(text)))
}

/// `GET /relay`: a ConversationRelay WebSocket (`<ConversationRelay url="wss://…/relay">`).
#[twilio_signed(state = AppState)]
pub async fn relay(ws: WebSocketUpgrade) -> Response {
    tracing::info!(handler = "relay", "conversation relay handshake");
    ws.on_upgrade(|socket| converse(socket, relay_reply))
}

/// `GET /basic/media`: the Media Streams WebSocket behind HTTP Basic authentication.
#[twilio_signed(state = AppState, http_auth = "basic")]
pub async fn basic_media(ws: WebSocketUpgrade) -> Response {
    tracing::info!(handler = "basic_media", "media stream handshake");
    let mut session = MediaSession::default();
    ws.on_upgrade(move |socket| converse(socket, move |text| session.on_text(text)))
}

/// Answers each text message of a WebSocket with `on_text`'s step.
async fn converse(mut socket: WebSocket, mut on_text: impl FnMut(&str) -> Step) {
    while let Some(Ok(message)) = socket.recv().await {
        let text = match message {
            Message::Text(text) => text,
            Message::Close(_) => break,
            _ => continue,
        };
        match on_text(text.as_str()) {
            Step::Continue => {}
            Step::Reply(reply) => {
                if socket.send(Message::Text(reply.into())).await.is_err() {
                    break;
                }
            }
            Step::Close => {
                let _ = socket.send(Message::Close(None)).await;
                break;
            }
        }
    }
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
        .route("/basic/voice", post(basic_voice))
        .route("/digest/voice", post(digest_voice))
        .route("/any/voice", any(voice))
        .route("/any/events", any(events))
        .route("/guarded", get(guarded).post(guarded))
        .route("/media", get(media))
        .route("/relay", get(relay))
        .route("/basic/media", get(basic_media))
        .nest("/api", api)
}

/// The complete app: routes, the verifier's configuration, and the body limit (axum's
/// `DefaultBodyLimit`, which the adapter honours, set to the configuration's limit).
pub fn app(config: Config) -> Router {
    let limit = config.body_limit();
    // Report-only routes: a layer per route (`route_layer`: not on the 405 and 404
    // answers), so that the rest of the app stays enforcing.
    let report_only = Router::new()
        .route(
            "/report-only/voice",
            post(report_only_voice).route_layer(TwilioAuthLayer::new(config.clone()).report_only()),
        )
        .route(
            "/report-only/basic/voice",
            post(report_only_voice).route_layer(
                TwilioAuthLayer::new(config.clone())
                    .http_auth(HttpAuth::Basic)
                    .report_only(),
            ),
        );
    let router = routes().merge(report_only);
    #[cfg(feature = "replay")]
    let router = router.merge(replay_routes::routes(&config));
    router
        .layer(DefaultBodyLimit::max(limit))
        .with_state(AppState { twilio: config })
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

/// The replay-protected routes (feature `replay`).
#[cfg(feature = "replay")]
pub mod replay_routes {
    use axum::Router;
    use axum::extract::Form;
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    use axum::routing::{get, post};
    use twilio_auth::Config;
    use twilio_auth::axum::TwilioAuthLayer;
    use twilio_auth::policy::HttpAuth;

    use super::AppState;
    use super::support::replay::{self, Handler};
    use super::support::{IncomingCall, greeting_twiml};

    pub use replay::{guard, init_from_env};

    /// `/replay/voice`, `/replay/flaky`, `/replay/digest/voice` behind the guard, and the
    /// `/replay/count` of handler runs.
    pub fn routes(config: &Config) -> Router<AppState> {
        let guard = guard();
        let layer = TwilioAuthLayer::new(config.clone()).replay(guard.clone());
        let digest = TwilioAuthLayer::new(config.clone())
            .http_auth(HttpAuth::Digest)
            .replay(guard);
        Router::new()
            .route("/replay/voice", post(voice).layer(layer.clone()))
            .route("/replay/flaky", post(flaky).layer(layer))
            .route("/replay/digest/voice", post(digest_voice).layer(digest))
            .route("/replay/attribute/voice", post(attribute_voice))
            .route("/replay/count", get(count))
    }

    async fn voice(Form(call): Form<IncomingCall>) -> impl IntoResponse {
        replay::ran(Handler::Voice, &call.call_sid);
        tokio::time::sleep(replay::VOICE_DELAY).await;
        twiml(&call)
    }

    async fn flaky(Form(call): Form<IncomingCall>) -> axum::response::Response {
        replay::ran(Handler::Flaky, &call.call_sid);
        if replay::first_delivery(&call.call_sid) {
            (StatusCode::INTERNAL_SERVER_ERROR, "temporary failure\n").into_response()
        } else {
            twiml(&call).into_response()
        }
    }

    /// `POST /replay/attribute/voice`: the same guard, through the attribute.
    #[twilio_auth::twilio_signed(state = AppState, replay = guard())]
    pub async fn attribute_voice(Form(call): Form<IncomingCall>) -> impl IntoResponse {
        replay::ran(Handler::Attribute, &call.call_sid);
        twiml(&call)
    }

    async fn digest_voice(Form(call): Form<IncomingCall>) -> impl IntoResponse {
        replay::ran(Handler::Digest, &call.call_sid);
        twiml(&call)
    }

    fn twiml(call: &IncomingCall) -> impl IntoResponse + use<> {
        let twiml = greeting_twiml(&call.from, &call.call_sid);
        ([(header::CONTENT_TYPE, "text/xml")], twiml)
    }

    async fn count() -> impl IntoResponse {
        (
            [(header::CONTENT_TYPE, "application/json")],
            replay::counts_json(),
        )
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    init_logging("info");
    let (listener, config, port) = match bind_and_configure().await {
        Ok(bound) => bound,
        Err(code) => return code,
    };
    #[cfg(feature = "replay")]
    match replay_routes::init_from_env() {
        Ok(store) => tracing::info!(store, "replay protection on /replay/*"),
        Err(message) => return support::config_error(&message),
    }
    log_config(&config);
    announce(port);
    match serve(listener, app(config)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: server failed: {e}");
            ExitCode::FAILURE
        }
    }
}
