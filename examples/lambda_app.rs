//! The example webhook app as an AWS Lambda function (`lambda_http`): the same webhook
//! routes as the other example apps, verified by `twilio_auth::lambda::verify`.
//!
//! ```text
//! cargo lambda build --release --example lambda_app --features lambda   # deploy it, or:
//! TWILIO_AUTH_TOKEN=... cargo lambda watch --example lambda_app --features lambda
//! ```
//!
//! Environment: `TWILIO_AUTH_TOKEN` (required) and the other `TWILIO_*`/`WEBHOOK_*` variables
//! of the example apps' contract (see `examples/axum_app.rs`). Set `TWILIO_WEBHOOK_BASE_URL`
//! to the scheme and host Twilio calls (`https://abc123.execute-api.us-east-1.amazonaws.com`,
//! `https://hooks.example.com`), without the stage or base path, which come from the event;
//! without it, the URL is `https://` + `Host`.
//!
//! Routes, matched on the end of the path, so that the function answers the same under a
//! stage (`/prod/voice`), a custom domain's base path (`/hooks/voice`) or at the root:
//! `POST …/voice` (form → TwiML), `GET …/status` (parameters in the query), `POST …/events`
//! (JSON, signed with `bodySHA256`), `POST …/basic/voice` (HTTP Basic, then the signature)
//! and `POST …/digest/voice` (Digest, then the signature). A refused request gets the
//! verifier's short answer (403, 401 with challenges, 413) and a log line with the reason.
//! Each time a handler runs it logs one line with a `handler` field naming it.
//!
//! Report-only mode: `POST …/report-only/voice` and `POST …/report-only/basic/voice` (HTTP
//! Basic still enforced) go through `twilio_auth::lambda::verify_report_only`: a request
//! with a wrong or missing signature reaches the handler, marked `Unverified`, and the
//! TwiML says which it got; the function warns at start-up for both routes.
//!
//! Replay protection (built with the `replay` feature, `--features lambda,replay`):
//! `POST …/replay/voice`, `POST …/replay/flaky` (the first delivery of each `CallSid`
//! fails with a 500) and `POST …/replay/digest/voice` (Digest, then the signature) go
//! through `twilio_auth::lambda::replay::handle_once`; `GET …/replay/count` reports the
//! handlers' runs. The store is Redis with `REDIS_URL` (feature `redis`), else memory.

#[path = "support/mod.rs"]
mod support;

use std::process::ExitCode;

use lambda_http::http::StatusCode;
use lambda_http::http::header::CONTENT_TYPE;
use lambda_http::{Body, Error, Request, Response, service_fn};
use support::{IncomingCall, StatusCallback, greeting_twiml, init_logging};
use twilio_auth::lambda::policy::{HttpAuth, RoutePolicy};
use twilio_auth::{Config, ENV_BODY_LIMIT};

/// The routes, longest first: `(path suffix, method, policy, handler name)`.
const ROUTES: &[(&str, &str, RoutePolicy, &str)] = &[
    (
        "/report-only/basic/voice",
        "POST",
        RoutePolicy::HttpAuthThenSignature(HttpAuth::Basic),
        "report_only_voice",
    ),
    (
        "/report-only/voice",
        "POST",
        RoutePolicy::Signature,
        "report_only_voice",
    ),
    #[cfg(feature = "replay")]
    (
        "/replay/digest/voice",
        "POST",
        RoutePolicy::HttpAuthThenSignature(HttpAuth::Digest),
        "replay_digest",
    ),
    #[cfg(feature = "replay")]
    (
        "/replay/voice",
        "POST",
        RoutePolicy::Signature,
        "replay_voice",
    ),
    #[cfg(feature = "replay")]
    (
        "/replay/flaky",
        "POST",
        RoutePolicy::Signature,
        "replay_flaky",
    ),
    #[cfg(feature = "replay")]
    (
        "/replay/count",
        "GET",
        RoutePolicy::Signature,
        "replay_count",
    ),
    (
        "/basic/voice",
        "POST",
        RoutePolicy::HttpAuthThenSignature(HttpAuth::Basic),
        "basic_voice",
    ),
    (
        "/digest/voice",
        "POST",
        RoutePolicy::HttpAuthThenSignature(HttpAuth::Digest),
        "digest_voice",
    ),
    ("/voice", "POST", RoutePolicy::Signature, "voice"),
    ("/status", "GET", RoutePolicy::Signature, "status"),
    ("/events", "POST", RoutePolicy::Signature, "events"),
];

/// Routes, verifies and answers one request.
async fn handle(config: &Config, mut req: Request) -> Result<Response<Body>, Error> {
    let path = req.uri().path().to_owned();
    let Some(&(_, method, policy, handler)) = ROUTES
        .iter()
        .find(|(suffix, ..)| path == *suffix || path.ends_with(suffix))
    else {
        return Ok(text(StatusCode::NOT_FOUND, "Not Found\n"));
    };
    if req.method().as_str() != method {
        return Ok(text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed\n"));
    }
    if handler == "report_only_voice" {
        return Ok(
            match twilio_auth::lambda::verify_report_only(config, &mut req, policy) {
                Ok(unverified) => report_only_voice(unverified.is_none(), &req),
                Err(rejection) => rejection.into_response(),
            },
        );
    }
    #[cfg(feature = "replay")]
    if let Some(which) = handler.strip_prefix("replay_") {
        return replay_routes::handle(config, which, req, policy).await;
    }
    if let Err(rejection) = twilio_auth::lambda::verify(config, &mut req, policy) {
        return Ok(rejection.into_response());
    }
    // Only verified requests get here; `req.body()` is the decoded body that was verified.
    Ok(match handler {
        "status" => status(&req),
        "events" => events(&req),
        voice => answer(voice, &req),
    })
}

/// `POST …/voice` (and the HTTP-auth variants): answers the call with TwiML.
fn answer(handler: &str, req: &Request) -> Response<Body> {
    let call: IncomingCall = match serde_urlencoded::from_bytes(req.body()) {
        Ok(call) => call,
        Err(_) => {
            return text(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Failed to deserialize the form body\n",
            );
        }
    };
    tracing::info!(handler, call_sid = %call.call_sid, "incoming call");
    with_type("text/xml", greeting_twiml(&call.from, &call.call_sid))
}

/// `POST …/report-only/voice` (and `…/report-only/basic/voice`): says whether the request
/// was verified.
fn report_only_voice(verified: bool, req: &Request) -> Response<Body> {
    let Ok(call) = serde_urlencoded::from_bytes::<IncomingCall>(req.body()) else {
        return text(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Failed to deserialize the form body\n",
        );
    };
    tracing::info!(handler = "report_only_voice", verified, call_sid = %call.call_sid, "incoming call");
    with_type(
        "text/xml",
        support::report_only_twiml(verified, &call.call_sid),
    )
}

/// The replay-protected routes (feature `replay`): the rows of `tests/e2e/lambda.rs`.
#[cfg(feature = "replay")]
mod replay_routes {
    use super::support::replay::{self, Handler};
    use super::*;

    /// Answers `…/replay/<which>`: the count, or the handler behind the guard.
    pub async fn handle(
        config: &Config,
        which: &str,
        req: Request,
        policy: RoutePolicy,
    ) -> Result<Response<Body>, Error> {
        let handler = match which {
            "count" => return Ok(with_type("application/json", replay::counts_json())),
            "digest" => Handler::Digest,
            "flaky" => Handler::Flaky,
            _ => Handler::Voice,
        };
        let guard = replay::guard();
        twilio_auth::lambda::replay::handle_once(config, &guard, req, policy, |req| async move {
            Ok(run(handler, &req).await)
        })
        .await
    }

    async fn run(handler: Handler, req: &Request) -> Response<Body> {
        let Ok(call) = serde_urlencoded::from_bytes::<IncomingCall>(req.body()) else {
            return text(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Failed to deserialize the form body\n",
            );
        };
        replay::ran(handler, &call.call_sid);
        match handler {
            Handler::Voice => tokio::time::sleep(replay::VOICE_DELAY).await,
            Handler::Flaky if replay::first_delivery(&call.call_sid) => {
                return text(StatusCode::INTERNAL_SERVER_ERROR, "temporary failure\n");
            }
            _ => {}
        }
        with_type("text/xml", greeting_twiml(&call.from, &call.call_sid))
    }
}

/// `GET …/status`: a status callback; Twilio signed the URL with its query.
fn status(req: &Request) -> Response<Body> {
    let callback: StatusCallback = match serde_urlencoded::from_str(req.uri().query().unwrap_or(""))
    {
        Ok(callback) => callback,
        Err(_) => {
            return text(
                StatusCode::BAD_REQUEST,
                "Failed to deserialize the query string\n",
            );
        }
    };
    tracing::info!(handler = "status", call_sid = %callback.call_sid, status = %callback.call_status, "call status");
    text(
        StatusCode::OK,
        &format!(
            "status {} for {}\n",
            callback.call_status, callback.call_sid
        ),
    )
}

/// `POST …/events`: a JSON event; Twilio signed the URL carrying `bodySHA256`.
fn events(req: &Request) -> Response<Body> {
    let Ok(event) = serde_json::from_slice::<serde_json::Value>(req.body()) else {
        return text(StatusCode::BAD_REQUEST, "Failed to parse the JSON body\n");
    };
    let kind = event
        .get("type")
        .and_then(|t| t.as_str())
        .unwrap_or("unknown");
    tracing::info!(handler = "events", %kind, "event");
    let mut response = with_type(
        "application/json",
        serde_json::json!({ "received": kind }).to_string(),
    );
    *response.status_mut() = StatusCode::OK;
    response
}

fn with_type(content_type: &'static str, body: String) -> Response<Body> {
    let mut response = Response::new(Body::from(body));
    response.headers_mut().insert(
        CONTENT_TYPE,
        content_type.parse().expect("a valid content type"),
    );
    response
}

fn text(status: StatusCode, body: &str) -> Response<Body> {
    let mut response = with_type("text/plain; charset=utf-8", body.to_owned());
    *response.status_mut() = status;
    response
}

/// The configuration from the environment, with the apps' 64 KiB body limit by default.
fn config() -> Result<Config, String> {
    let mut builder = Config::builder_from_env().map_err(|e| e.to_string())?;
    if std::env::var(ENV_BODY_LIMIT).map_or(true, |v| v.is_empty()) {
        builder = builder.body_limit(support::DEFAULT_BODY_LIMIT);
    }
    builder.build().map_err(|e| e.to_string())
}

#[tokio::main]
async fn main() -> ExitCode {
    init_logging("info");
    let config = match config() {
        Ok(config) => config,
        Err(message) => return support::config_error(&message),
    };
    support::log_config(&config);
    for route in ["/report-only/voice", "/report-only/basic/voice"] {
        twilio_auth::lambda::warn_report_only(route);
    }
    #[cfg(feature = "replay")]
    match support::replay::init_from_env() {
        Ok(store) => tracing::info!(store, "replay protection on …/replay/*"),
        Err(message) => return support::config_error(&message),
    }
    let config = &config;
    match lambda_http::run(service_fn(move |req| handle(config, req))).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: the Lambda runtime stopped: {e}");
            ExitCode::FAILURE
        }
    }
}
