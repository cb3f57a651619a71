//! The replay guard for Lambda functions (feature `replay`): [`handle_once`] verifies a
//! request, asks the guard, runs the handler and records its status; [`admit`] is the
//! guard step alone, for functions that verify and answer in their own way.
//!
//! On Lambda the guard's store is what makes it work: each concurrent invocation may run in
//! another execution environment, so give the guard a
//! [`RedisStore`](twilio_auth_replay::RedisStore) (feature `redis`) shared by all of them;
//! the in-memory store only sees the invocations of one warm environment.

use std::future::Future;

use lambda_http::http::StatusCode;
use lambda_http::http::header::CONTENT_TYPE;
use lambda_http::{Body, Request, Response};
use twilio_auth_core::{Config, RoutePolicy, Verified};
use twilio_auth_replay::{Admission, ReplayGuard, RequestFacts, Ticket};

use crate::rejection::TwilioRejection;
use crate::verify::verify;

/// Verifies `req` (see [`verify`]), asks `guard` whether it was processed before, and only
/// then runs `handler` on it; the handler's status is recorded (2xx: done for the guard's
/// window; anything else, or an `Err`: released, so that Twilio's retry is processed).
///
/// A refused request gets the verifier's answer (403, 401, 413); a duplicate the guard's
/// (`200` with an empty body for a completed one, `409` while it is still running, `401`
/// with fresh challenges for a replayed Digest `Authorization`, `503` when the store is
/// down), and the handler does not run.
///
/// ```no_run
/// use lambda_http::{Body, Error, Request, Response, service_fn};
/// use twilio_auth_core::{Config, RoutePolicy};
/// use twilio_auth_replay::ReplayGuard;
///
/// async fn voice(req: Request) -> Result<Response<Body>, Error> {
///     // Runs once per signed request, whatever Twilio or an attacker resends.
///     Ok(Response::new(Body::from("<Response/>")))
/// }
///
/// # async fn run() -> Result<(), Error> {
/// let config = Config::from_env()?;
/// let guard = ReplayGuard::memory(); // RedisStore in production: see the module docs
/// lambda_http::run(service_fn(|req: Request| {
///     twilio_auth_lambda::replay::handle_once(&config, &guard, req, RoutePolicy::Signature, voice)
/// }))
/// .await
/// # }
/// ```
pub async fn handle_once<F, Fut, E>(
    config: &Config,
    guard: &ReplayGuard,
    mut req: Request,
    policy: RoutePolicy,
    handler: F,
) -> Result<Response<Body>, E>
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = Result<Response<Body>, E>>,
{
    if let Err(rejection) = verify(config, &mut req, policy) {
        return Ok(rejection.into_response());
    }
    let ticket = match admit(guard, config, &req, policy).await {
        Ok(ticket) => ticket,
        Err(refusal) => return Ok(refusal),
    };
    let answer = handler(req).await;
    let status = answer
        .as_ref()
        .map_or(500, |response| response.status().as_u16());
    ticket.finish(status).await;
    answer
}

/// Asks `guard` about `req`, which [`verify`] accepted (its [`Verified`] is in the
/// extensions): the [`Ticket`] to [finish](Ticket::finish) with the handler's status, or
/// the response to answer instead of running the handler.
///
/// A request that was not verified first is refused with `503` and an error in the log:
/// there is nothing signed to recognise it by.
pub async fn admit(
    guard: &ReplayGuard,
    config: &Config,
    req: &Request,
    policy: RoutePolicy,
) -> Result<Ticket, Response<Body>> {
    let Some(verified) = req.extensions().get::<Verified>() else {
        tracing::error!(
            "twilio-auth replay: a request reached the guard without being verified first \
             (call twilio_auth_lambda::verify before admit); refused"
        );
        return Err(text(
            StatusCode::SERVICE_UNAVAILABLE,
            "Service unavailable\n",
        ));
    };
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let body: &[u8] = req.body().as_ref();
    let facts = RequestFacts {
        method: req.method().as_str(),
        signature: header("x-twilio-signature"),
        query: req.uri().query(),
        content_type: header("content-type"),
        body,
        verified,
        idempotency_token: header("i-twilio-idempotency-token"),
    };
    match guard.admit(&facts).await {
        Admission::Proceed(ticket) => Ok(ticket),
        Admission::Refuse(refusal) => match refusal.login_rejection(config, policy) {
            Some(rejection) => Err(TwilioRejection::from(rejection).into_response()),
            None => {
                let status =
                    StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
                Err(text(status, refusal.body))
            }
        },
    }
}

fn text(status: StatusCode, body: &'static str) -> Response<Body> {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    if let Ok(value) = "text/plain; charset=utf-8".parse() {
        response.headers_mut().insert(CONTENT_TYPE, value);
    }
    response
}
