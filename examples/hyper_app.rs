//! The example webhook app for hyper 1 and tower: no web framework, only hyper, hyper-util,
//! a small router written here, and `twilio_auth::tower::TwilioAuthLayer` in front of each
//! route. It is the server the end-to-end suite (`tests/e2e.rs`) talks to over real HTTP.
//!
//! ```text
//! TWILIO_AUTH_TOKEN=... cargo run --example hyper_app --features tower
//! ```
//!
//! It keeps the contract of every framework's example app (environment, routes, the ready
//! line, the handler log lines: see `examples/axum_app.rs`). Routes: `POST /voice` and
//! `POST /api/voice` (form → TwiML), `GET /status` (parameters in the query; `HEAD` too),
//! `POST /events` (JSON, signed with `bodySHA256`), `POST /basic/voice` (HTTP Basic, then
//! the signature), `POST /digest/voice` (Digest, then the signature), `/any/voice` and
//! `/any/events` under every method, and `GET|POST /guarded`, a handler that reads no body
//! (the layer still reads and verifies it: a body nobody signed is refused). An unknown path
//! is a `404`, a known path with another method a `405`, both before any verification.
//! WebSockets: `GET /media` (Media Streams), `GET /relay` (ConversationRelay) and
//! `GET /basic/media` (Media Streams behind HTTP Basic): the layer verifies the handshake,
//! then the handler answers `101` and takes hyper's upgrade (`tokio-tungstenite`).
//!
//! Report-only mode (see `examples/axum_app.rs`): `POST /report-only/voice` and
//! `POST /report-only/basic/voice` (HTTP Basic still enforced) let a request with a wrong or
//! missing signature through, marked `Unverified`; the handler says which it got.
//!
//! Replay protection (built with the `replay` feature, e.g. `--features tower,redis`; see
//! `examples/axum_app.rs`): `POST /replay/voice`, `POST /replay/flaky` and
//! `POST /replay/digest/voice` behind `TwilioAuthLayer::new(config).replay(guard)`, and
//! `GET /replay/count`; the guard's store is Redis when `REDIS_URL` is set, else memory.
//!
//! Each route is its handler behind its own layer (the policy differs per route: the two
//! HTTP-auth routes have `.http_auth(…)`); the layer hands the handler the verified bytes as
//! a `Full<Bytes>` body.

#[path = "support/mod.rs"]
mod support;

use std::convert::Infallible;
use std::process::ExitCode;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Either, Full};
use hyper::body::Incoming;
use hyper::header::{ALLOW, CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn as hyper_service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use support::{
    IncomingCall, MediaSession, StatusCallback, Step, announce, bind_and_configure, greeting_twiml,
    init_logging, log_config, relay_reply,
};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Message, Role};
use tower::util::BoxCloneSyncService;
use tower::{ServiceBuilder, ServiceExt, service_fn};
use twilio_auth::tower::policy::HttpAuth;
use twilio_auth::tower::{ResponseBody, TwilioAuthLayer};
use twilio_auth::{Config, Unverified};

/// What a handler receives: the request with the verified bytes as its body.
type Verified = Request<Full<Bytes>>;
/// What the app answers with: a handler's body or a refusal's.
type Answer = Response<ResponseBody<Full<Bytes>>>;
/// A route: its handler behind its layer.
type Route = BoxCloneSyncService<Request<Incoming>, Answer, Infallible>;

/// `POST /voice`: answers the call with TwiML. Like a framework's form extractor, it reads
/// the query for `GET`/`HEAD` (on `/any/voice`) and the form body otherwise.
async fn voice(req: Verified) -> Response<Full<Bytes>> {
    answer("voice", req).await
}

/// `POST /basic/voice`: the same, behind HTTP Basic authentication.
async fn basic_voice(req: Verified) -> Response<Full<Bytes>> {
    answer("basic_voice", req).await
}

/// `POST /digest/voice`: the same, behind HTTP Digest authentication.
async fn digest_voice(req: Verified) -> Response<Full<Bytes>> {
    answer("digest_voice", req).await
}

/// `POST /report-only/voice` (and `/report-only/basic/voice`): the voice handler behind a
/// layer in report-only mode; says whether the request was verified.
async fn report_only_voice(req: Verified) -> Response<Full<Bytes>> {
    let verified = req.extensions().get::<Unverified>().is_none();
    let call: IncomingCall = match form_of(req).await {
        Ok(call) => call,
        Err(bad) => return bad.response(),
    };
    tracing::info!(handler = "report_only_voice", verified, call_sid = %call.call_sid, "incoming call");
    let twiml = support::report_only_twiml(verified, &call.call_sid);
    with_type("text/xml", StatusCode::OK, twiml)
}

/// The replay-protected handlers (feature `replay`): the shared rows of `tests/replay.rs`.
#[cfg(feature = "replay")]
mod replay_handlers {
    use super::support::replay::{self, Handler};
    use super::*;

    /// `POST /replay/voice`: counted, then slow enough for duplicates to find it in flight.
    pub async fn voice(req: Verified) -> Response<Full<Bytes>> {
        counted(Handler::Voice, req, |_| false).await
    }

    /// `POST /replay/flaky`: the first delivery of each `CallSid` fails with a 500.
    pub async fn flaky(req: Verified) -> Response<Full<Bytes>> {
        counted(Handler::Flaky, req, replay::first_delivery).await
    }

    /// `POST /replay/digest/voice`: Digest, then the signature, then the guard.
    pub async fn digest_voice(req: Verified) -> Response<Full<Bytes>> {
        counted(Handler::Digest, req, |_| false).await
    }

    /// `GET /replay/count`: each handler's runs, as JSON.
    pub fn count() -> Response<Full<Bytes>> {
        with_type("application/json", StatusCode::OK, replay::counts_json())
    }

    async fn counted(
        handler: Handler,
        req: Verified,
        fails: fn(&str) -> bool,
    ) -> Response<Full<Bytes>> {
        let call: IncomingCall = match form_of(req).await {
            Ok(call) => call,
            Err(bad) => return bad.response(),
        };
        replay::ran(handler, &call.call_sid);
        if matches!(handler, Handler::Voice) {
            tokio::time::sleep(replay::VOICE_DELAY).await;
        }
        if fails(&call.call_sid) {
            return text(StatusCode::INTERNAL_SERVER_ERROR, "temporary failure\n");
        }
        let twiml = greeting_twiml(&call.from, &call.call_sid);
        with_type("text/xml", StatusCode::OK, twiml)
    }
}

/// The TwiML that greets a verified call.
async fn answer(handler: &str, req: Verified) -> Response<Full<Bytes>> {
    let call: IncomingCall = match form_of(req).await {
        Ok(call) => call,
        Err(bad) => return bad.response(),
    };
    tracing::info!(handler, call_sid = %call.call_sid, "incoming call");
    let twiml = greeting_twiml(&call.from, &call.call_sid);
    with_type("text/xml", StatusCode::OK, twiml)
}

/// `GET /status`: a status callback; Twilio signed the URL with its query.
async fn status(req: Verified) -> Response<Full<Bytes>> {
    let callback: StatusCallback = match query_of(&req) {
        Ok(callback) => callback,
        Err(bad) => return bad.response(),
    };
    tracing::info!(handler = "status", call_sid = %callback.call_sid, status = %callback.call_status, "call status");
    text(
        StatusCode::OK,
        format!(
            "status {} for {}\n",
            callback.call_status, callback.call_sid
        ),
    )
}

/// `POST /events`: a JSON event; Twilio signed the URL carrying `bodySHA256`.
async fn events(req: Verified) -> Response<Full<Bytes>> {
    if !has_type(&req, "application/json") {
        return text(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Expected request with `Content-Type: application/json`\n",
        );
    }
    let body = req.into_body().collect().await.map(|c| c.to_bytes());
    let event: serde_json::Value = match body.map(|b| serde_json::from_slice(&b)) {
        Ok(Ok(event)) => event,
        _ => return text(StatusCode::BAD_REQUEST, "Failed to parse the JSON body\n"),
    };
    let kind = event
        .get("type")
        .and_then(|t| t.as_str())
        .unwrap_or("unknown")
        .to_owned();
    tracing::info!(handler = "events", %kind, "event");
    let json = serde_json::json!({ "received": kind }).to_string();
    with_type("application/json", StatusCode::OK, json)
}

/// `GET|POST /guarded`: a handler that reads no body; the layer in front of it verified the
/// body anyway, so a body nobody signed never gets here.
async fn guarded(req: Verified) -> Response<Full<Bytes>> {
    let callback: StatusCallback = match query_of(&req) {
        Ok(callback) => callback,
        Err(bad) => return bad.response(),
    };
    tracing::info!(handler = "guarded", call_sid = %callback.call_sid, "guarded");
    text(StatusCode::OK, format!("guarded {}\n", callback.call_sid))
}

/// Input a handler could not read (after verification: the bytes were signed, but are not
/// what the route takes).
enum BadInput {
    FormType,
    Form,
    Query,
}

impl BadInput {
    fn response(self) -> Response<Full<Bytes>> {
        match self {
            BadInput::FormType => text(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Form requests must have `Content-Type: application/x-www-form-urlencoded`\n",
            ),
            BadInput::Form => text(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Failed to deserialize the form body\n",
            ),
            BadInput::Query => text(
                StatusCode::BAD_REQUEST,
                "Failed to deserialize the query string\n",
            ),
        }
    }
}

/// The form a handler reads: the query for `GET`/`HEAD`, else the body (which must say it is
/// a form), decoded as browsers do (lossily).
async fn form_of<T: serde::de::DeserializeOwned>(req: Verified) -> Result<T, BadInput> {
    if req.method() == Method::GET || req.method() == Method::HEAD {
        return query_of(&req);
    }
    if !has_type(&req, "application/x-www-form-urlencoded") {
        return Err(BadInput::FormType);
    }
    let body = req.into_body().collect().await.map(|c| c.to_bytes());
    match body.map(|b| serde_urlencoded::from_bytes(&b)) {
        Ok(Ok(form)) => Ok(form),
        _ => Err(BadInput::Form),
    }
}

/// The parameters of the query string.
fn query_of<T: serde::de::DeserializeOwned>(req: &Verified) -> Result<T, BadInput> {
    serde_urlencoded::from_str(req.uri().query().unwrap_or("")).map_err(|_| BadInput::Query)
}

/// Whether the request's `Content-Type` is `mime` (parameters aside).
fn has_type(req: &Verified, mime: &str) -> bool {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(mime))
}

fn with_type(
    content_type: &'static str,
    status: StatusCode,
    body: String,
) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        content_type.parse().expect("a valid content type"),
    );
    response
}

/// `GET /media`: a Media Streams WebSocket (`<Connect><Stream url="wss://…/media">`). The
/// layer verified the handshake before this runs; a refused one never gets a `101`.
async fn media(req: Verified) -> Response<Full<Bytes>> {
    tracing::info!(handler = "media", "media stream handshake");
    upgrade(req, media_session())
}

/// `GET /relay`: a ConversationRelay WebSocket (`<ConversationRelay url="wss://…/relay">`).
async fn relay(req: Verified) -> Response<Full<Bytes>> {
    tracing::info!(handler = "relay", "conversation relay handshake");
    upgrade(req, relay_reply)
}

/// `GET /basic/media`: the Media Streams WebSocket behind HTTP Basic authentication.
async fn basic_media(req: Verified) -> Response<Full<Bytes>> {
    tracing::info!(handler = "basic_media", "media stream handshake");
    upgrade(req, media_session())
}

/// A Media Streams session's answer to each message.
fn media_session() -> impl FnMut(&str) -> Step + Send + 'static {
    let mut session = MediaSession::default();
    move |text: &str| session.on_text(text)
}

/// Answers the handshake with `101` (RFC 6455 §4.2.2), then, on the upgraded connection,
/// each text message with `on_text`'s step. The layer keeps the request's extensions, so
/// hyper's upgrade is still there.
fn upgrade(
    mut req: Verified,
    mut on_text: impl FnMut(&str) -> Step + Send + 'static,
) -> Response<Full<Bytes>> {
    let key = req
        .headers()
        .get("sec-websocket-key")
        .map(|k| derive_accept_key(k.as_bytes()));
    let version = req.headers().get("sec-websocket-version");
    let (Some(accept), Some(b"13")) = (key, version.map(HeaderValue::as_bytes)) else {
        return text(StatusCode::BAD_REQUEST, "expected a WebSocket handshake\n");
    };
    let on_upgrade = hyper::upgrade::on(&mut req);
    tokio::spawn(async move {
        let upgraded = match on_upgrade.await {
            Ok(upgraded) => upgraded,
            Err(e) => {
                tracing::warn!("WebSocket upgrade failed: {e}");
                return;
            }
        };
        let mut socket =
            WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
        while let Some(Ok(message)) = socket.next().await {
            let text = match message {
                Message::Text(text) => text,
                Message::Close(_) => break,
                _ => continue,
            };
            match on_text(text.as_str()) {
                Step::Continue => {}
                Step::Reply(reply) => {
                    if socket.send(Message::Text(reply.into())).await.is_err() {
                        return;
                    }
                }
                Step::Close => break,
            }
        }
        let _ = socket.close(None).await;
    });
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert("upgrade", HeaderValue::from_static("websocket"));
    headers.insert("connection", HeaderValue::from_static("upgrade"));
    if let Ok(accept) = HeaderValue::from_str(&accept) {
        headers.insert("sec-websocket-accept", accept);
    }
    response
}

fn text(status: StatusCode, body: impl Into<String>) -> Response<Full<Bytes>> {
    with_type("text/plain; charset=utf-8", status, body.into())
}

/// `handler` behind `layer`, as a route.
fn route<H, F>(layer: TwilioAuthLayer, handler: H) -> Route
where
    H: Fn(Verified) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Response<Full<Bytes>>> + Send + 'static,
{
    let service = ServiceBuilder::new()
        .layer(layer)
        .service(service_fn(move |req| {
            let handler = handler.clone();
            async move { Ok::<_, Infallible>(handler(req).await) }
        }));
    BoxCloneSyncService::new(service)
}

/// Every route of the app, each behind its own layer.
pub struct Routes {
    voice: Route,
    basic_voice: Route,
    digest_voice: Route,
    status: Route,
    events: Route,
    guarded: Route,
    media: Route,
    relay: Route,
    basic_media: Route,
    report_only_voice: Route,
    report_only_basic_voice: Route,
    #[cfg(feature = "replay")]
    replay_voice: Route,
    #[cfg(feature = "replay")]
    replay_flaky: Route,
    #[cfg(feature = "replay")]
    replay_digest_voice: Route,
}

impl Routes {
    pub fn new(config: &Config) -> Routes {
        let signature = || TwilioAuthLayer::new(config.clone());
        #[cfg(feature = "replay")]
        let replayed = || signature().replay(support::replay::guard());
        Routes {
            voice: route(signature(), voice),
            basic_voice: route(signature().http_auth(HttpAuth::Basic), basic_voice),
            digest_voice: route(signature().http_auth(HttpAuth::Digest), digest_voice),
            status: route(signature(), status),
            events: route(signature(), events),
            guarded: route(signature(), guarded),
            media: route(signature(), media),
            relay: route(signature(), relay),
            basic_media: route(signature().http_auth(HttpAuth::Basic), basic_media),
            report_only_voice: route(signature().report_only(), report_only_voice),
            report_only_basic_voice: route(
                signature().http_auth(HttpAuth::Basic).report_only(),
                report_only_voice,
            ),
            #[cfg(feature = "replay")]
            replay_voice: route(replayed(), replay_handlers::voice),
            #[cfg(feature = "replay")]
            replay_flaky: route(replayed(), replay_handlers::flaky),
            #[cfg(feature = "replay")]
            replay_digest_voice: route(
                replayed().http_auth(HttpAuth::Digest),
                replay_handlers::digest_voice,
            ),
        }
    }

    /// The route for `req`'s path and method, or why there is none.
    fn find(&self, req: &Request<Incoming>) -> Result<&Route, NoRoute> {
        let only = |route, methods: &[Method], allow: &'static str| {
            if methods.contains(req.method()) {
                Ok(route)
            } else {
                Err(NoRoute::MethodNotAllowed(allow))
            }
        };
        match req.uri().path() {
            "/voice" | "/api/voice" => only(&self.voice, &[Method::POST], "POST"),
            "/basic/voice" => only(&self.basic_voice, &[Method::POST], "POST"),
            "/digest/voice" => only(&self.digest_voice, &[Method::POST], "POST"),
            "/status" => only(&self.status, &[Method::GET, Method::HEAD], "GET,HEAD"),
            "/events" => only(&self.events, &[Method::POST], "POST"),
            "/guarded" => only(
                &self.guarded,
                &[Method::GET, Method::HEAD, Method::POST],
                "GET,HEAD,POST",
            ),
            "/media" => only(&self.media, &[Method::GET], "GET"),
            "/relay" => only(&self.relay, &[Method::GET], "GET"),
            "/basic/media" => only(&self.basic_media, &[Method::GET], "GET"),
            "/report-only/voice" => only(&self.report_only_voice, &[Method::POST], "POST"),
            "/report-only/basic/voice" => {
                only(&self.report_only_basic_voice, &[Method::POST], "POST")
            }
            #[cfg(feature = "replay")]
            "/replay/voice" => only(&self.replay_voice, &[Method::POST], "POST"),
            #[cfg(feature = "replay")]
            "/replay/flaky" => only(&self.replay_flaky, &[Method::POST], "POST"),
            #[cfg(feature = "replay")]
            "/replay/digest/voice" => only(&self.replay_digest_voice, &[Method::POST], "POST"),
            "/any/voice" => Ok(&self.voice),
            "/any/events" => Ok(&self.events),
            _ => Err(NoRoute::NotFound),
        }
    }

    /// Routes `req` and answers it.
    pub async fn call(self: Arc<Self>, req: Request<Incoming>) -> Result<Answer, Infallible> {
        #[cfg(feature = "replay")]
        if req.uri().path() == "/replay/count" {
            return Ok(replay_handlers::count().map(Either::Left));
        }
        match self.find(&req) {
            Ok(route) => route.clone().oneshot(req).await,
            Err(no_route) => Ok(no_route.answer()),
        }
    }
}

/// Why the router found no route: answered by the router itself, before any verification.
enum NoRoute {
    NotFound,
    /// With the methods the path has (the `Allow` header).
    MethodNotAllowed(&'static str),
}

impl NoRoute {
    fn answer(self) -> Answer {
        let response = match self {
            NoRoute::NotFound => text(StatusCode::NOT_FOUND, "Not Found\n"),
            NoRoute::MethodNotAllowed(allow) => {
                let mut response = text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed\n");
                response
                    .headers_mut()
                    .insert(ALLOW, HeaderValue::from_static(allow));
                response
            }
        };
        response.map(Either::Left)
    }
}

/// Serves `routes` on `listener` until Ctrl-C, one task per connection (HTTP/1.1 with
/// keep-alive).
pub async fn serve(listener: tokio::net::TcpListener, routes: Routes) -> std::io::Result<()> {
    let routes = Arc::new(routes);
    let shutdown = async {
        // An error here means no signal handler could be installed: run until killed.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    tokio::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!("accept failed: {e}");
                    continue;
                }
            },
            () = &mut shutdown => return Ok(()),
        };
        let routes = Arc::clone(&routes);
        tokio::spawn(async move {
            let service = hyper_service_fn(move |req| Arc::clone(&routes).call(req));
            if let Err(e) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades()
                .await
            {
                tracing::debug!("connection ended with an error: {e}");
            }
        });
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
    let routes = Routes::new(&config);
    announce(port);
    match serve(listener, routes).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: server failed: {e}");
            ExitCode::FAILURE
        }
    }
}
