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
//! `POST /events` (JSON, signed with `bodySHA256`), `POST /api/voice` (the voice route
//! mounted under the prefix `/api`, which is part of the signed URL), and the voice handler
//! behind HTTP authentication: `POST /basic/voice` (Basic, then the signature) and
//! `POST /digest/voice` (Digest with SHA-256 or MD5, then the signature). Those two answer a
//! request without valid credentials with `401` and the challenges, and a request with
//! valid credentials but a bad signature with `403`. Without `WEBHOOK_USER`/`WEBHOOK_PASSWORD`
//! the app still starts, warns once, and answers every request to these two routes with
//! `401`.
//!
//! Method and body binding: `/any/voice` and `/any/events` serve the voice and events
//! handlers under every method, and `GET|POST /guarded` is a handler that reads no body
//! behind the `signed` filter; it answers `guarded <CallSid of the query>`.
//!
//! WebSockets (`warp::ws()` after the `signed` filter, so the handshake is verified before
//! the upgrade): `GET /media` (Media Streams), `GET /relay` (ConversationRelay) and
//! `GET /basic/media` (Media Streams behind HTTP Basic), as in `examples/axum_app.rs`.
//!
//! Report-only mode (for rolling out; the app warns about it at start-up, once per route):
//! `POST /report-only/voice` and `POST /report-only/basic/voice` (HTTP Basic first, still
//! enforced) are the `report_only` filter, which lets a request with a wrong or missing
//! signature through to the handler; it answers `unverified call <CallSid>` (`verified call
//! …` otherwise), and the refusal enforcement would have answered is logged as
//! `report-only: let through …`.
//!
//! Replay protection (built with the `replay` feature, e.g. `--features warp,redis`; see
//! `examples/axum_app.rs`): `POST /replay/voice` (the voice handler, taking 100 ms),
//! `POST /replay/flaky` (`500` the first time this instance sees a `CallSid`, then `200`) and
//! `POST /replay/digest/voice` (Digest, then the signature), each a route given to
//! `twilio_auth::warp::protect(guard, …)`, and `POST /replay/attribute/voice`
//! (`#[twilio_signed(post, path = "replay/attribute/voice", replay = guard())]`): a
//! duplicate of a completed request gets `200` with an empty body, one still in flight
//! `409`, a replayed Digest `Authorization` `401` with fresh challenges, and a store fault
//! `503`. `GET /replay/count` (unprotected, for the tests) answers how many times each of
//! those handlers ran in this instance, as JSON. The guard's store is Redis when `REDIS_URL`
//! is set (needs the `redis` feature), else memory.
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

use futures_util::{SinkExt, StreamExt};
use twilio_auth::RoutePolicy;
use twilio_auth::policy::{Basic, Policy as _};
use warp::ws::{Message, WebSocket, Ws};

use twilio_auth::Config;
use twilio_auth::policy::HttpAuth;
use twilio_auth::warp::{Form, Json, Query, Reported, TwilioRejection, twilio_signed};
use warp::{Filter, Reply};

/// `POST /voice` (and `/api/voice`): answers the call with TwiML.
#[twilio_signed(post, path = "voice")]
pub async fn voice(Form(call): Form<IncomingCall>) -> impl Reply {
    answer("voice", &call)
}

/// `POST /basic/voice`: HTTP Basic authentication (a 401 challenge first), then the
/// signature.
#[twilio_signed(post, path = "basic/voice", http_auth = "basic")]
pub async fn basic_voice(Form(call): Form<IncomingCall>) -> impl Reply {
    answer("basic_voice", &call)
}

/// `POST /digest/voice`: HTTP Digest authentication, then the signature.
#[twilio_signed(post, path = "digest/voice", http_auth = "digest")]
pub async fn digest_voice(Form(call): Form<IncomingCall>) -> impl Reply {
    answer("digest_voice", &call)
}

/// `GET /status`: a status callback; Twilio signed the URL with its query.
#[twilio_signed(get, path = "status")]
pub async fn status(Query(callback): Query<StatusCallback>) -> impl Reply {
    tracing::info!(handler = "status", call_sid = %callback.call_sid, status = %callback.call_status, "call status");
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
    tracing::info!(handler = "events", %kind, "event");
    warp::reply::json(&serde_json::json!({ "received": kind }))
}

/// `/any/voice`, every method: the voice handler on a route that does not filter methods.
#[twilio_signed(path = "any/voice")]
pub async fn any_voice(Form(call): Form<IncomingCall>) -> impl Reply {
    answer("any_voice", &call)
}

/// `/any/events`, every method: the events handler on a route that does not filter methods.
#[twilio_signed(path = "any/events")]
pub async fn any_events(json: Json<serde_json::Value>) -> impl Reply {
    events(json).await
}

/// `GET|POST /guarded`: a handler that reads no body, built from the building blocks: the
/// `signed` filter reads and verifies the body, so a body nobody signed is refused.
pub fn guarded_filter(
    config: Config,
) -> impl Filter<Extract = (warp::reply::Response,), Error = warp::Rejection> + Clone {
    let route = warp::path("guarded")
        .and(warp::path::end())
        .and(warp::get().or(warp::post()).unify())
        .and(twilio_auth::warp::signed(config))
        .and(warp::query::<StatusCallback>())
        .map(|callback: StatusCallback| {
            tracing::info!(handler = "guarded", call_sid = %callback.call_sid, "guarded");
            warp::reply::Reply::into_response(format!("guarded {}\n", callback.call_sid))
        });
    twilio_auth::warp::seal(route)
}

/// `GET /media`: a Media Streams WebSocket (`<Connect><Stream url="wss://…/media">`), built
/// from the building blocks: the `signed` filter verifies the handshake before `warp::ws()`
/// takes the upgrade, so a refused one never gets a `101`.
pub fn media_filter(
    config: Config,
) -> impl Filter<Extract = (warp::reply::Response,), Error = warp::Rejection> + Clone {
    let path = warp::path("media").and(warp::path::end());
    websocket(path, config, "media", RoutePolicy::Signature, media_session)
}

/// `GET /relay`: a ConversationRelay WebSocket (`<ConversationRelay url="wss://…/relay">`).
pub fn relay_filter(
    config: Config,
) -> impl Filter<Extract = (warp::reply::Response,), Error = warp::Rejection> + Clone {
    let path = warp::path("relay").and(warp::path::end());
    websocket(path, config, "relay", RoutePolicy::Signature, || {
        relay_reply
    })
}

/// `GET /basic/media`: the Media Streams WebSocket behind HTTP Basic authentication.
pub fn basic_media_filter(
    config: Config,
) -> impl Filter<Extract = (warp::reply::Response,), Error = warp::Rejection> + Clone {
    let path = warp::path!("basic" / "media");
    websocket(path, config, "basic_media", Basic::ROUTE, media_session)
}

/// A Media Streams session's answer to each message.
fn media_session() -> impl FnMut(&str) -> Step + Send + 'static {
    let mut session = MediaSession::default();
    move |text: &str| session.on_text(text)
}

/// `GET` on `path`, verified as `policy` demands, then upgraded; each text message is
/// answered by the session that `start` makes. Sealed: a refusal is answered here.
fn websocket<P, S, F>(
    path: P,
    config: Config,
    handler: &'static str,
    policy: RoutePolicy,
    start: S,
) -> impl Filter<Extract = (warp::reply::Response,), Error = warp::Rejection> + Clone
where
    P: Filter<Extract = (), Error = warp::Rejection> + Clone + Send + Sync + 'static,
    S: Fn() -> F + Clone + Send + Sync + 'static,
    F: FnMut(&str) -> Step + Send + 'static,
{
    let route = path
        .and(warp::get())
        .and(twilio_auth::warp::signed_with(config, policy))
        .and(warp::ws())
        .map(move |ws: Ws| {
            tracing::info!(handler, "WebSocket handshake");
            let on_text = start();
            let upgrade = ws.on_upgrade(move |socket| converse(socket, on_text));
            warp::reply::Reply::into_response(upgrade)
        });
    twilio_auth::warp::seal(route)
}

/// Answers each text message of a WebSocket with `on_text`'s step.
async fn converse(mut socket: WebSocket, mut on_text: impl FnMut(&str) -> Step) {
    while let Some(Ok(message)) = socket.next().await {
        if message.is_close() {
            break;
        }
        let Ok(text) = message.to_str() else {
            continue;
        };
        match on_text(text) {
            Step::Continue => {}
            Step::Reply(reply) => {
                if socket.send(Message::text(reply)).await.is_err() {
                    break;
                }
            }
            Step::Close => {
                let _ = socket.close().await;
                break;
            }
        }
    }
}

/// `POST /report-only/voice` and `POST /report-only/basic/voice`: the voice handler behind
/// the `report_only` filter (the second after HTTP Basic, which stays enforced). It says
/// whether the request was verified: a forged or unsigned one gets here too, and the refusal
/// enforcement would have answered is in the log.
pub fn report_only_voice_filter<P>(
    path: P,
    config: Config,
    policy: RoutePolicy,
) -> impl Filter<Extract = (warp::reply::Response,), Error = warp::Rejection> + Clone
where
    P: Filter<Extract = (), Error = warp::Rejection> + Clone + Send + Sync + 'static,
{
    let route = path
        .and(warp::post())
        .and(twilio_auth::warp::report_only(config, policy))
        .map(report_only_voice);
    twilio_auth::warp::seal(route)
}

/// The report-only voice handler: `verified call …` or `unverified call …`.
fn report_only_voice(request: Reported) -> Result<impl Reply, TwilioRejection> {
    let call: IncomingCall = request.form()?;
    let verified = request.is_verified();
    tracing::info!(handler = "report_only_voice", verified, call_sid = %call.call_sid, "incoming call");
    let twiml = support::report_only_twiml(verified, &call.call_sid);
    Ok(warp::reply::with_header(twiml, "content-type", "text/xml"))
}

/// The TwiML answer to a call.
fn answer(handler: &str, call: &IncomingCall) -> impl Reply + use<> {
    tracing::info!(handler, call_sid = %call.call_sid, "incoming call");
    let twiml = greeting_twiml(&call.from, &call.call_sid);
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
        .or(digest_voice_filter(config.clone()))
        .or(any_voice_filter(config.clone()))
        .or(any_events_filter(config.clone()))
        .or(guarded_filter(config.clone()))
        .or(media_filter(config.clone()))
        .or(relay_filter(config.clone()))
        .or(basic_media_filter(config.clone()))
        .or(report_only_voice_filter(
            warp::path!("report-only" / "voice"),
            config.clone(),
            RoutePolicy::Signature,
        ))
        .or(report_only_voice_filter(
            warp::path!("report-only" / "basic" / "voice"),
            config.clone(),
            RoutePolicy::HttpAuthThenSignature(HttpAuth::Basic),
        ))
        .or(replay_routes::routes(config))
}

/// The replay-protected routes (feature `replay`), each through `twilio_auth::warp::protect`:
/// the shared rows of `tests/replay.rs`.
#[cfg(feature = "replay")]
mod replay_routes {
    use twilio_auth::policy::HttpAuth;
    use twilio_auth::warp::{Form, FromVerified, TwilioRejection, VerifiedRequest, protect};
    use twilio_auth::{Config, RoutePolicy};
    use warp::http::StatusCode;
    use warp::reply::Response;
    use warp::{Filter, Reply};

    use super::support::replay::{self, Handler};
    use super::support::{IncomingCall, greeting_twiml};

    /// `/replay/voice`, `/replay/flaky`, `/replay/digest/voice` behind the guard,
    /// `/replay/attribute/voice` (`#[twilio_signed(replay = …)]`), and the `/replay/count` of
    /// handler runs.
    pub fn routes(
        config: Config,
    ) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
        let guard = replay::guard();
        let signed =
            |policy| warp::post().and(twilio_auth::warp::request_with(config.clone(), policy));
        let digest = RoutePolicy::HttpAuthThenSignature(HttpAuth::Digest);
        protect(
            guard.clone(),
            warp::path!("replay" / "voice").and(signed(RoutePolicy::Signature)),
            voice,
        )
        .or(protect(
            guard.clone(),
            warp::path!("replay" / "flaky").and(signed(RoutePolicy::Signature)),
            flaky,
        ))
        .unify()
        .or(protect(
            guard,
            warp::path!("replay" / "digest" / "voice").and(signed(digest)),
            digest_voice,
        ))
        .unify()
        .or(attribute_voice_filter(config))
        .unify()
        .or(warp::path!("replay" / "count").and(warp::get()).map(count))
        .unify()
    }

    /// `POST /replay/attribute/voice`: the same guard, through the attribute.
    #[twilio_auth::twilio_signed(post, path = "replay/attribute/voice", replay = replay::guard())]
    pub async fn attribute_voice(Form(call): Form<IncomingCall>) -> impl Reply {
        replay::ran(Handler::Attribute, &call.call_sid);
        twiml(&call)
    }

    /// `POST /replay/voice`: counted, then slow enough for duplicates to find it in flight.
    async fn voice(request: VerifiedRequest) -> Result<Response, TwilioRejection> {
        let call = counted(Handler::Voice, &request)?;
        tokio::time::sleep(replay::VOICE_DELAY).await;
        Ok(twiml(&call))
    }

    /// `POST /replay/flaky`: the first delivery of each `CallSid` fails with a 500.
    async fn flaky(request: VerifiedRequest) -> Result<Response, TwilioRejection> {
        let call = counted(Handler::Flaky, &request)?;
        Ok(if replay::first_delivery(&call.call_sid) {
            warp::reply::with_status("temporary failure\n", StatusCode::INTERNAL_SERVER_ERROR)
                .into_response()
        } else {
            twiml(&call)
        })
    }

    /// `POST /replay/digest/voice`: Digest, then the signature, then the guard.
    async fn digest_voice(request: VerifiedRequest) -> Result<Response, TwilioRejection> {
        counted(Handler::Digest, &request).map(|call| twiml(&call))
    }

    /// The call of `request`, its run of `handler` counted and logged.
    fn counted(
        handler: Handler,
        request: &VerifiedRequest,
    ) -> Result<IncomingCall, TwilioRejection> {
        let Form(call) = Form::<IncomingCall>::from_verified(request)?;
        replay::ran(handler, &call.call_sid);
        Ok(call)
    }

    fn twiml(call: &IncomingCall) -> Response {
        let twiml = greeting_twiml(&call.from, &call.call_sid);
        warp::reply::with_header(twiml, "content-type", "text/xml").into_response()
    }

    /// `GET /replay/count`: each handler's runs, as JSON.
    fn count() -> Response {
        warp::reply::with_header(replay::counts_json(), "content-type", "application/json")
            .into_response()
    }
}

/// Without the `replay` feature there are no replay routes: a filter that matches nothing.
#[cfg(not(feature = "replay"))]
mod replay_routes {
    use twilio_auth::Config;
    use warp::Filter;

    pub fn routes(
        _config: Config,
    ) -> impl Filter<Extract = (warp::reply::Response,), Error = warp::Rejection> + Clone {
        warp::any()
            .and_then(|| async { Err::<warp::reply::Response, _>(warp::reject::not_found()) })
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
    match support::replay::init_from_env() {
        Ok(store) => tracing::info!(store, "replay protection on /replay/*"),
        Err(message) => return support::config_error(&message),
    }
    log_config(&config);
    announce(port);
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
