//! The example webhook app for Rocket: what a user of `#[twilio_signed]` writes, and the
//! server that the end-to-end suite (`tests/e2e.rs`) talks to over real HTTP.
//!
//! ```text
//! TWILIO_AUTH_TOKEN=... cargo run --example rocket_app --features rocket
//! ```
//!
//! It keeps the contract of every example app (see `examples/axum_app.rs`): the same
//! environment variables (`PORT`, `TWILIO_AUTH_TOKEN`, `TWILIO_AUTH_TOKEN_SECONDARY`,
//! `TWILIO_WEBHOOK_BASE_URL`, `TWILIO_TRUST_FORWARDED_HEADERS`, `TWILIO_BODY_LIMIT`,
//! `WEBHOOK_USER`, `WEBHOOK_PASSWORD`, `WEBHOOK_REALM`, `TWILIO_DIGEST_NONCE_SECRET`,
//! `TWILIO_DIGEST_NONCE_LIFETIME_SECS`, `RUST_LOG`), the same routes and answers, one
//! `listening on http://127.0.0.1:PORT` line on stdout when ready, `error: …` on stderr
//! with exit status 2 for a configuration error, and one log line with a `handler` field
//! each time a handler runs. Rocket's own messages go to stderr too,
//! through the same log filter.
//!
//! Routes: `POST /voice` (form → TwiML), `GET /status` (parameters in the query),
//! `POST /events` (JSON, signed with `bodySHA256`), `POST /api/voice` (the voice route
//! mounted again under `/api`, a prefix that is part of the signed URL), `POST /basic/voice`
//! (HTTP Basic, then the signature) and `POST /digest/voice` (HTTP Digest, then the
//! signature). Without `WEBHOOK_USER`/`WEBHOOK_PASSWORD` the app still starts, and those two
//! answer every request with `401`. WebSockets (`rocket_ws`), verified before the upgrade:
//! `GET /media` (Media Streams), `GET /relay` (ConversationRelay) and `GET /basic/media`
//! (Media Streams behind HTTP Basic), as in `examples/axum_app.rs`.
//!
//! Report-only mode (for rolling out; the app warns about it at launch, once per route):
//! `POST /report-only/voice` and `POST /report-only/basic/voice` (HTTP Basic first, still
//! enforced) take a `ReportOnly<Form<IncomingCall>>` data guard, which lets a request with a
//! wrong or missing signature through to the handler; it answers `unverified call <CallSid>`
//! (`verified call …` otherwise), and the refusal enforcement would have answered is logged
//! as `report-only: let through …`.
//!
//! Replay protection (built with the `replay` feature, e.g. `--features rocket,redis`), as in
//! `examples/axum_app.rs`: the fairing carries the guard (`TwilioAuth::fairing(config)
//! .replay(guard)`) and the routes `POST /replay/voice` (the voice handler, taking 100 ms),
//! `POST /replay/flaky` (answers `500` the first time this instance sees a `CallSid`, then
//! `200`) and `POST /replay/digest/voice` (Digest, then the signature) opt in with the
//! `ReplayGuarded` policy, and `POST /replay/attribute/voice` through
//! `#[twilio_signed(replay = true)]`: a duplicate of a completed request gets `200` with an
//! empty body, one still in flight `409`, a replayed Digest `Authorization` `401`, and a
//! store fault `503`. `GET /replay/count` (unprotected, for the tests) answers how many
//! times each of those handlers ran in this instance, as JSON. The guard's store is Redis
//! when `REDIS_URL` is set (needs the `redis` feature), else in memory.
//!
//! `TWILIO_BODY_LIMIT` sets Rocket's `form`, `json`, `string` and `bytes` limits and the
//! verifier's body limit alike.

#[path = "support/mod.rs"]
mod support;

use std::io::Write as _;
use std::net::{Ipv4Addr, TcpListener};
use std::process::ExitCode;
use support::{
    MediaSession, Step, config_error, config_from_env, greeting_twiml, init_logging, log_config,
    port_from_env, relay_reply,
};

use rocket::data::{ByteUnit, Limits};
use rocket::error::ErrorKind;
use rocket::fairing::AdHoc;
use rocket::form::{Form, FromForm};
use rocket::futures::{SinkExt, StreamExt};
use rocket::http::ContentType;
use rocket::serde::json::{Json, Value, json};
use rocket::{Build, Rocket, get, post, routes};
use rocket_ws::{Channel, Message, WebSocket};
use twilio_auth::Config;
use twilio_auth::rocket::policy::Basic;
use twilio_auth::rocket::{ReportOnly, TwilioAuth, TwilioSignature, twilio_signed};

/// The form Twilio posts when a call comes in (only the fields this app uses; Rocket's
/// lenient form parsing ignores the other thirty).
#[derive(Debug, FromForm)]
pub struct IncomingCall {
    #[field(name = "CallSid")]
    pub call_sid: String,
    #[field(name = "From", default = String::new())]
    pub from: String,
}

/// A call status callback, sent as a GET with its parameters in the query.
#[derive(Debug, FromForm)]
pub struct StatusCallback {
    #[field(name = "CallSid")]
    pub call_sid: String,
    #[field(name = "CallStatus", default = String::new())]
    pub call_status: String,
}

/// `POST /voice` (and `/api/voice`): answers the call with TwiML.
#[twilio_signed]
#[post("/voice", data = "<call>")]
pub fn voice(call: Form<IncomingCall>) -> (ContentType, String) {
    answer("voice", &call)
}

/// `POST /basic/voice`: HTTP Basic authentication (401 with a challenge, then Twilio's
/// retry), then the signature.
#[twilio_signed(http_auth = "basic")]
#[post("/basic/voice", data = "<call>")]
pub fn basic_voice(call: Form<IncomingCall>) -> (ContentType, String) {
    answer("basic_voice", &call)
}

/// `POST /digest/voice`: HTTP Digest authentication, then the signature.
#[twilio_signed(http_auth = "digest")]
#[post("/digest/voice", data = "<call>")]
pub fn digest_voice(call: Form<IncomingCall>) -> (ContentType, String) {
    answer("digest_voice", &call)
}

/// `POST /report-only/voice`: the voice handler in report-only mode. It says whether the
/// request was verified: a forged or unsigned one gets here too, and the refusal
/// enforcement would have answered is in the log.
#[post("/report-only/voice", data = "<call>")]
pub fn report_only_voice(call: ReportOnly<Form<IncomingCall>>) -> (ContentType, String) {
    report_only_answer(call.is_verified(), &call)
}

/// `POST /report-only/basic/voice`: the same after HTTP Basic authentication, which stays
/// enforced (`401` without the right credentials, and no handler).
#[post("/report-only/basic/voice", data = "<call>")]
pub fn report_only_basic_voice(
    call: ReportOnly<Form<IncomingCall>, Basic>,
) -> (ContentType, String) {
    report_only_answer(call.is_verified(), &call)
}

fn report_only_answer(verified: bool, call: &IncomingCall) -> (ContentType, String) {
    tracing::info!(handler = "report_only_voice", verified, call_sid = %call.call_sid, "incoming call");
    (
        ContentType::XML,
        support::report_only_twiml(verified, &call.call_sid),
    )
}

/// `GET /status`: a status callback; Twilio signed the URL with its query.
#[twilio_signed]
#[get("/status?<callback..>")]
pub fn status(callback: StatusCallback) -> String {
    tracing::info!(handler = "status", call_sid = %callback.call_sid, status = %callback.call_status, "call status");
    format!(
        "status {} for {}\n",
        callback.call_status, callback.call_sid
    )
}

/// `POST /events`: a JSON event; Twilio signed the URL carrying `bodySHA256`.
#[twilio_signed]
#[post("/events", data = "<event>")]
pub fn events(event: Json<Value>) -> Json<Value> {
    received(&event)
}

/// The answer to a verified event.
fn received(event: &Value) -> Json<Value> {
    let kind = event
        .get("type")
        .and_then(|t| t.as_str())
        .unwrap_or("unknown")
        .to_owned();
    tracing::info!(handler = "events", %kind, "event");
    Json(json!({ "received": kind }))
}

/// `/any/voice` under every method Rocket routes (Rocket has no any-method route, so one
/// route per method): the voice handler where a body may come with any method.
macro_rules! any_voice {
    ($($name:ident: $method:ident),*) => {$(
        #[doc = concat!("`", stringify!($method), " /any/voice`: the voice handler.")]
        #[twilio_signed]
        #[rocket::route($method, uri = "/any/voice", data = "<call>")]
        pub fn $name(call: Form<IncomingCall>) -> (ContentType, String) {
            answer("any_voice", &call)
        }
    )*};
}
any_voice!(any_voice_get: GET, any_voice_post: POST, any_voice_put: PUT, any_voice_delete: DELETE, any_voice_patch: PATCH, any_voice_options: OPTIONS);

/// `GET /any/events`: the events handler under GET (Event Streams sinks may deliver so).
#[twilio_signed]
#[get("/any/events", data = "<event>")]
pub fn any_events_get(event: Json<Value>) -> Json<Value> {
    received(&event)
}

/// `GET|POST /guarded`: the header guard `TwilioSignature`, written by hand, beside
/// Rocket's own form data guard. A request guard cannot read the body, so it refuses any
/// request that carries one: the form below is only ever empty.
#[post("/guarded?<callback..>", data = "<form>")]
pub fn guarded(
    callback: StatusCallback,
    _signed: TwilioSignature,
    form: Option<Form<IncomingCall>>,
) -> String {
    let read = form.map_or_else(|| "none".to_owned(), |f| f.call_sid.clone());
    tracing::info!(handler = "guarded", call_sid = %callback.call_sid, body = %read, "guarded");
    format!("guarded {} body {read}\n", callback.call_sid)
}

/// `GET /guarded`: the same guard on a GET.
#[get("/guarded?<callback..>")]
pub fn guarded_get(callback: StatusCallback, _signed: TwilioSignature) -> String {
    tracing::info!(handler = "guarded", call_sid = %callback.call_sid, "guarded");
    format!("guarded {}\n", callback.call_sid)
}

/// `GET /media`: a Media Streams WebSocket (`<Connect><Stream url="wss://…/media">`). The
/// handshake is verified before the handler runs; a refused one never gets a `101`.
#[twilio_signed]
#[get("/media")]
pub fn media(ws: WebSocket) -> Channel<'static> {
    tracing::info!(handler = "media", "media stream handshake");
    let mut session = MediaSession::default();
    converse(ws, move |text| session.on_text(text))
}

/// `GET /relay`: a ConversationRelay WebSocket (`<ConversationRelay url="wss://…/relay">`).
#[twilio_signed]
#[get("/relay")]
pub fn relay(ws: WebSocket) -> Channel<'static> {
    tracing::info!(handler = "relay", "conversation relay handshake");
    converse(ws, relay_reply)
}

/// `GET /basic/media`: the Media Streams WebSocket behind HTTP Basic authentication.
#[twilio_signed(http_auth = "basic")]
#[get("/basic/media")]
pub fn basic_media(ws: WebSocket) -> Channel<'static> {
    tracing::info!(handler = "basic_media", "media stream handshake");
    let mut session = MediaSession::default();
    converse(ws, move |text| session.on_text(text))
}

/// Answers each text message of a WebSocket with `on_text`'s step.
fn converse(
    ws: WebSocket,
    mut on_text: impl FnMut(&str) -> Step + Send + 'static,
) -> Channel<'static> {
    ws.channel(move |mut stream| {
        Box::pin(async move {
            while let Some(Ok(message)) = stream.next().await {
                let text = match message {
                    Message::Text(text) => text,
                    Message::Close(_) => break,
                    _ => continue,
                };
                match on_text(&text) {
                    Step::Continue => {}
                    Step::Reply(reply) => stream.send(Message::Text(reply)).await?,
                    Step::Close => {
                        stream.close(None).await?;
                        break;
                    }
                }
            }
            Ok(())
        })
    })
}

fn answer(handler: &str, call: &IncomingCall) -> (ContentType, String) {
    tracing::info!(handler, call_sid = %call.call_sid, "incoming call");
    let twiml = greeting_twiml(&call.from, &call.call_sid);
    (ContentType::XML, twiml)
}

/// The complete app on `127.0.0.1:port`: routes, the verifier's configuration (managed by
/// the `TwilioAuth` fairing), Rocket's limits set to the configuration's body limit, and
/// the ready line once the socket is bound.
pub fn app(config: Config, port: u16) -> Rocket<Build> {
    let limit = ByteUnit::from(config.body_limit());
    let fairing = TwilioAuth::fairing(config);
    #[cfg(feature = "replay")]
    let fairing = fairing.replay(support::replay::guard());
    let limits = Limits::default()
        .limit("form", limit)
        .limit("json", limit)
        .limit("string", limit)
        .limit("bytes", limit);
    let rocket_config = rocket::Config {
        address: Ipv4Addr::LOCALHOST.into(),
        port,
        limits,
        cli_colors: false,
        ..rocket::Config::default()
    };
    let rocket = rocket::custom(rocket_config)
        .attach(fairing)
        .attach(AdHoc::on_liftoff("ready line", |rocket| {
            Box::pin(async move {
                // The one machine-readable line: harnesses wait for it and read the port.
                let mut stdout = std::io::stdout().lock();
                let _ = writeln!(
                    stdout,
                    "listening on http://127.0.0.1:{}",
                    rocket.config().port
                );
                let _ = stdout.flush();
            })
        }))
        .mount(
            "/",
            routes![
                voice,
                status,
                events,
                basic_voice,
                digest_voice,
                any_voice_get,
                any_voice_post,
                any_voice_put,
                any_voice_delete,
                any_voice_patch,
                any_voice_options,
                any_events_get,
                guarded,
                guarded_get,
                media,
                relay,
                basic_media,
                report_only_voice,
                report_only_basic_voice
            ],
        )
        .mount("/api", routes![voice]);
    #[cfg(feature = "replay")]
    let rocket = rocket.mount("/", replay_routes::routes());
    rocket
}

/// The replay-protected routes (feature `replay`): the shared rows of `tests/replay.rs`.
#[cfg(feature = "replay")]
pub mod replay_routes {
    use rocket::form::Form;
    use rocket::http::{ContentType, Status};
    use rocket::{Route, get, post, routes};
    use twilio_auth::rocket::policy::{Digest, ReplayGuarded};
    use twilio_auth::rocket::{Verified, twilio_signed};

    use super::IncomingCall;
    use super::support::greeting_twiml;
    use super::support::replay::{self, Handler};

    /// `/replay/voice`, `/replay/flaky`, `/replay/digest/voice` (their `ReplayGuarded`
    /// policy asks the fairing's guard), `/replay/attribute/voice` (the attribute writes
    /// that policy), and the `/replay/count` of handler runs.
    pub fn routes() -> Vec<Route> {
        routes![voice, flaky, digest_voice, attribute_voice, count]
    }

    #[post("/replay/voice", data = "<call>")]
    async fn voice(call: Verified<Form<IncomingCall>, ReplayGuarded>) -> (ContentType, String) {
        replay::ran(Handler::Voice, &call.call_sid);
        rocket::tokio::time::sleep(replay::VOICE_DELAY).await;
        greet(&call)
    }

    #[post("/replay/flaky", data = "<call>")]
    fn flaky(call: Verified<Form<IncomingCall>, ReplayGuarded>) -> (Status, (ContentType, String)) {
        replay::ran(Handler::Flaky, &call.call_sid);
        if replay::first_delivery(&call.call_sid) {
            return (
                Status::InternalServerError,
                (ContentType::Plain, "temporary failure\n".to_owned()),
            );
        }
        (Status::Ok, greet(&call))
    }

    #[post("/replay/digest/voice", data = "<call>")]
    fn digest_voice(
        call: Verified<Form<IncomingCall>, ReplayGuarded<Digest>>,
    ) -> (ContentType, String) {
        replay::ran(Handler::Digest, &call.call_sid);
        greet(&call)
    }

    /// `POST /replay/attribute/voice`: the same guard, through `#[twilio_signed(replay = true)]`.
    #[twilio_signed(replay = true)]
    #[post("/replay/attribute/voice", data = "<call>")]
    fn attribute_voice(call: Form<IncomingCall>) -> (ContentType, String) {
        replay::ran(Handler::Attribute, &call.call_sid);
        greet(&call)
    }

    #[get("/replay/count")]
    fn count() -> (ContentType, String) {
        (ContentType::JSON, replay::counts_json())
    }

    fn greet(call: &IncomingCall) -> (ContentType, String) {
        (ContentType::XML, greeting_twiml(&call.from, &call.call_sid))
    }
}

/// A free port on `127.0.0.1`. Rocket 0.5 binds its own listener only after ignition, when
/// managed state (and so the default public URL, which names the port) is frozen; so with
/// `PORT=0` the app asks the OS for a port first, and retries if another process takes it
/// before Rocket binds it.
fn free_port() -> Result<u16, String> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|e| format!("cannot find a free port on 127.0.0.1: {e}"))
}

/// How many times a `PORT=0` app tries another port when the one it found was taken.
const BIND_ATTEMPTS: usize = 3;

#[rocket::main]
async fn main() -> ExitCode {
    // Installed before Rocket's logger, it also receives Rocket's `log` messages, so they go
    // to stderr like everything else and stdout keeps only the ready line.
    init_logging("info");

    let requested = match port_from_env() {
        Ok(port) => port,
        Err(message) => return config_error(&message),
    };
    #[cfg(feature = "replay")]
    match support::replay::init_from_env() {
        Ok(store) => tracing::info!(store, "replay protection on /replay/*"),
        Err(message) => return config_error(&message),
    }
    for attempt in 1..=BIND_ATTEMPTS {
        let port = match requested {
            0 => match free_port() {
                Ok(port) => port,
                Err(message) => return config_error(&message),
            },
            port => port,
        };
        let config = match config_from_env(port) {
            Ok(config) => config,
            Err(message) => return config_error(&message),
        };
        log_config(&config);
        let error = match app(config, port).launch().await {
            Ok(_) => return ExitCode::SUCCESS,
            Err(error) => error,
        };
        // (Inspecting the kind marks the error as handled: Rocket panics on an unhandled one.)
        if matches!(error.kind(), ErrorKind::Bind(_)) && requested == 0 && attempt < BIND_ATTEMPTS {
            tracing::warn!("port {port} was taken before Rocket could bind it; trying another");
            continue;
        }
        eprintln!("error: the server failed: {error}");
        return ExitCode::FAILURE;
    }
    ExitCode::FAILURE
}
