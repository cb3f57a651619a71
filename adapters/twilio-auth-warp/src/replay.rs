//! [`protect`]: the replay guard between a verified request and its handler (feature
//! `replay`).

use std::future::Future;

use twilio_auth_replay::{Admission, ReplayGuard, RequestFacts, Ticket};
use warp::http::header::CONTENT_TYPE;
use warp::http::{HeaderValue, StatusCode};
use warp::reply::{Reply, Response};
use warp::{Filter, Rejection as WarpRejection};

use crate::filters::seal;
use crate::rejection::TwilioRejection;
use crate::report_only::Reported;
use crate::request::VerifiedRequest;

/// Runs `handler` on what `verified` extracts, once per signed request: the `guard` is asked
/// after verification succeeded and before the handler, and told the handler's final
/// status. The route is [sealed](crate::seal): every refusal is answered on it.
///
/// `verified` is the route's method and path filters, then [`request`](crate::request) /
/// [`request_with`](crate::request_with) (the handler gets the [`VerifiedRequest`]) or
/// [`report_only`](crate::report_only) (it gets the [`Reported`] request; one let through
/// unverified skips the guard: it carries nothing signed to key on).
///
/// - A fresh request runs the handler; a `2xx` answer marks it done for the guard's window,
///   anything else releases it, so that Twilio's retry of a failed delivery is processed.
/// - A duplicate of a completed request is answered as the guard says (`200`, empty body,
///   by default), one still in flight `409`; the handler does not run.
/// - A replayed Digest `Authorization` (its `(nonce, nc)` used before) gets `401` with fresh
///   `WWW-Authenticate` challenges, like any failed login.
/// - The store down or slow: `503` (fail-closed), unless the guard is `fail_open`.
///
/// ```
/// use twilio_auth_replay::ReplayGuard;
/// use twilio_auth_warp::{FromVerified, Form, VerifiedRequest};
/// use warp::Filter;
///
/// #[derive(serde::Deserialize)]
/// struct IncomingCall {
///     #[serde(rename = "CallSid")]
///     call_sid: String,
/// }
///
/// async fn voice(request: VerifiedRequest) -> Result<String, twilio_auth_warp::TwilioRejection> {
///     let Form(call) = Form::<IncomingCall>::from_verified(&request)?;
///     Ok(format!("<Response><Say>{}</Say></Response>", call.call_sid))
/// }
///
/// # fn app(config: twilio_auth_core::Config) -> impl Filter<Extract = (warp::reply::Response,), Error = warp::Rejection> + Clone {
/// let guard = ReplayGuard::memory();
/// let voice = twilio_auth_warp::protect(
///     guard,
///     warp::post()
///         .and(warp::path!("voice"))
///         .and(twilio_auth_warp::request(config)),
///     voice,
/// );
/// // A duplicate of a processed POST /voice is answered by `voice`, never by this one.
/// voice.or(warp::path!("voice").map(|| warp::reply::Reply::into_response("fallback")))
///     .unify()
/// # }
/// ```
pub fn protect<F, V, H, Fut, R>(
    guard: ReplayGuard,
    verified: F,
    handler: H,
) -> impl Filter<Extract = (Response,), Error = WarpRejection> + Clone
where
    F: Filter<Extract = (V,), Error = WarpRejection> + Clone + Send + Sync + 'static,
    V: Checked + Send + 'static,
    H: Fn(V) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = R> + Send + 'static,
    R: Reply,
{
    let route = verified.then(move |request: V| {
        let (guard, handler) = (guard.clone(), handler.clone());
        async move {
            let ticket = match request.verified_request() {
                Some(verified) => match admit(&guard, verified).await {
                    Ok(ticket) => Some(ticket),
                    Err(refusal) => return refusal,
                },
                // Let through unverified (report-only): nothing signed to key on.
                None => None,
            };
            let response = handler(request).await.into_response();
            if let Some(ticket) = ticket {
                ticket.finish(response.status().as_u16()).await;
            }
            response
        }
    });
    seal(route)
}

/// What a route given to [`protect`] extracts: a request that went through verification,
/// [`VerifiedRequest`] or [`Reported`].
pub trait Checked: sealed::Sealed {
    /// The verified request the guard judges; `None` for one let through unverified.
    fn verified_request(&self) -> Option<&VerifiedRequest>;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for crate::VerifiedRequest {}
    impl Sealed for crate::Reported {}
}

impl Checked for VerifiedRequest {
    fn verified_request(&self) -> Option<&VerifiedRequest> {
        Some(self)
    }
}

impl Checked for Reported {
    fn verified_request(&self) -> Option<&VerifiedRequest> {
        Reported::verified_request(self)
    }
}

/// Asks `guard` about `request`: the ticket to finish with the handler's status, or the
/// answer to a refused request.
pub(crate) async fn admit(
    guard: &ReplayGuard,
    request: &VerifiedRequest,
) -> Result<Ticket, Response> {
    let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok());
    let facts = RequestFacts {
        method: request.method().as_str(),
        signature: header("x-twilio-signature"),
        query: request.query(),
        content_type: header("content-type"),
        body: request.body(),
        verified: request.verified(),
        idempotency_token: header("i-twilio-idempotency-token"),
    };
    match guard.admit(&facts).await {
        Admission::Proceed(ticket) => Ok(ticket),
        Admission::Refuse(refusal) => {
            let (config, policy) = &request.route;
            if let Some(rejection) = refusal.login_rejection(config, *policy) {
                return Err(TwilioRejection::refused(rejection).into_response());
            }
            let status =
                StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let mut response = Response::new(refusal.body.into());
            *response.status_mut() = status;
            response.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            Err(response)
        }
    }
}
