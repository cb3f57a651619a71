//! The replay guard between verification and the inner service (feature `replay`).

use bytes::Bytes;
use http::request::Parts;
use http::{Response, StatusCode};
use http_body_util::Full;
use twilio_auth_core::{Config, RoutePolicy, Verified};
use twilio_auth_replay::{Admission, ReplayGuard, RequestFacts, Ticket};

use crate::rejection::{TwilioRejection, plain_text};

/// Asks `guard` about a request that passed verification (its [`Verified`] is in the
/// extensions): the ticket to finish with the inner service's status, or the refusal.
pub(crate) async fn admit(
    guard: &ReplayGuard,
    config: &Config,
    policy: RoutePolicy,
    parts: &Parts,
    body: &Bytes,
) -> Result<Ticket, Response<Full<Bytes>>> {
    let Some(verified) = parts.extensions.get::<Verified>() else {
        // verify_parts always leaves it; nothing to key on otherwise.
        return Err(plain_text(
            StatusCode::SERVICE_UNAVAILABLE,
            Bytes::from_static(b"Service unavailable\n"),
        ));
    };
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let facts = RequestFacts {
        method: parts.method.as_str(),
        signature: header("x-twilio-signature"),
        query: parts.uri.query(),
        content_type: header("content-type"),
        body,
        verified,
        idempotency_token: header("i-twilio-idempotency-token"),
    };
    match guard.admit(&facts).await {
        Admission::Proceed(ticket) => Ok(ticket),
        Admission::Refuse(refusal) => match refusal.login_rejection(config, policy) {
            Some(rejection) => Err(TwilioRejection(rejection).into_response()),
            None => {
                let status =
                    StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
                Err(plain_text(
                    status,
                    Bytes::from_static(refusal.body.as_bytes()),
                ))
            }
        },
    }
}
