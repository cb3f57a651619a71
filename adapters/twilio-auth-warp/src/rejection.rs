//! A refused webhook in warp's two currencies: a [`Reject`] that filters fail with, and a
//! [`Reply`] that a sealed route answers with (SPEC §5: the status the core chose, a short
//! plain-text body, the `WWW-Authenticate` challenges). Every refusal is logged with
//! `tracing` when it is made (the core's line, at the core's level), so it is seen even
//! when it never becomes a response.

use std::fmt;

use twilio_auth_core::{KeyLookup, LogLevel, Rejection, RejectionStatus};
use warp::http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use warp::http::{HeaderValue, StatusCode};
use warp::reject::Reject;
use warp::reply::{Reply, Response};

/// Why the adapter refused a request: the core's verdict, or a genuine request whose body
/// or query is not what the route takes.
///
/// As a [`Reply`] it carries its [`status`](Self::status) (400, 401, 403 or 413; 503 when
/// the route's key resolver failed; 500 only when another filter read the body before this
/// adapter could), a `text/plain` body that
/// says no more than the status, and one `WWW-Authenticate` header per challenge. As a
/// [`Reject`] it is what the building-block filters ([`form`](crate::form),
/// [`json`](crate::json), …) fail with; [`recover`](crate::recover) and
/// [`seal`](crate::seal) turn it back into that reply.
///
/// ```
/// use twilio_auth_core::{Rejection, RejectionReason};
/// use twilio_auth_warp::TwilioRejection;
/// use warp::Reply;
///
/// let response = TwilioRejection::from(Rejection::new(RejectionReason::MissingSignature)).into_response();
/// assert_eq!(response.status(), 403);
/// assert_eq!(response.headers()["content-type"], "text/plain; charset=utf-8");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwilioRejection {
    kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// Verification failed, or the body is over the limit.
    Refused(Rejection),
    /// A verified request whose body or query does not deserialize (or a body that broke
    /// off): 400.
    Malformed(String),
    /// Another filter took the body first, so it cannot be verified: a bug in the route.
    BodyTaken,
    /// The key store failed to answer for the key the request names: 503, fail closed.
    KeyStoreUnavailable,
}

impl TwilioRejection {
    /// The core refused the request: its log line is written now, at the core's level, and
    /// the refusal counted.
    pub(crate) fn refused(rejection: Rejection) -> Self {
        twilio_auth_core::metrics::refused(&rejection);
        let event = rejection.log_event();
        match event.level() {
            LogLevel::Debug => tracing::debug!("{event}"),
            LogLevel::Warn => tracing::warn!("{event}"),
            LogLevel::Error => tracing::error!("{event}"),
        }
        TwilioRejection {
            kind: Kind::Refused(rejection),
        }
    }

    /// A request the route cannot take: `what` went wrong, because of `error`.
    pub(crate) fn malformed(what: &str, error: impl fmt::Display) -> Self {
        let why = format!("{what}: {error}");
        tracing::warn!(status = 400, reason = %why, "rejected a Twilio webhook: {why}");
        TwilioRejection {
            kind: Kind::Malformed(why),
        }
    }

    /// The body was taken by a filter before this adapter's.
    pub(crate) fn body_taken() -> Self {
        tracing::error!(
            status = 500,
            "rejected a Twilio webhook: another filter read the request body before twilio-auth \
             could verify it; put twilio-auth's filter before any body filter"
        );
        TwilioRejection {
            kind: Kind::BodyTaken,
        }
    }

    /// The key resolver failed for `lookup`: logged now at `ERROR` (the key asked for and
    /// the store's error, never a secret), and counted.
    pub(crate) fn key_store_unavailable(
        lookup: &KeyLookup,
        error: &(dyn std::error::Error + Send + Sync),
    ) -> Self {
        tracing::error!(
            status = 503,
            "twilio-auth: refused a webhook: the key resolver failed for {lookup}: {error}"
        );
        twilio_auth_core::metrics::key_store_unavailable();
        TwilioRejection {
            kind: Kind::KeyStoreUnavailable,
        }
    }

    /// The status the request is answered with.
    pub fn status(&self) -> StatusCode {
        match &self.kind {
            Kind::Refused(rejection) => match rejection.http_status() {
                RejectionStatus::BadRequest => StatusCode::BAD_REQUEST,
                RejectionStatus::Unauthorized => StatusCode::UNAUTHORIZED,
                RejectionStatus::Forbidden => StatusCode::FORBIDDEN,
                RejectionStatus::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            },
            Kind::Malformed(_) => StatusCode::BAD_REQUEST,
            Kind::BodyTaken => StatusCode::INTERNAL_SERVER_ERROR,
            Kind::KeyStoreUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The core's verdict, when verification is what refused the request (`None` for a
    /// genuine request the route could not deserialize).
    pub fn rejection(&self) -> Option<&Rejection> {
        match &self.kind {
            Kind::Refused(rejection) => Some(rejection),
            Kind::Malformed(_) | Kind::BodyTaken | Kind::KeyStoreUnavailable => None,
        }
    }

    /// The response body: short, and no more telling than the status.
    fn body(&self) -> &'static str {
        match &self.kind {
            Kind::Refused(rejection) => rejection.body(),
            Kind::Malformed(_) => "Bad Request\n",
            Kind::BodyTaken => "Internal Server Error\n",
            Kind::KeyStoreUnavailable => twilio_auth_core::KEY_STORE_UNAVAILABLE_BODY,
        }
    }
}

impl From<Rejection> for TwilioRejection {
    fn from(rejection: Rejection) -> Self {
        TwilioRejection::refused(rejection)
    }
}

impl fmt::Display for TwilioRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Refused(rejection) => rejection.fmt(f),
            Kind::Malformed(why) => write!(f, "{why} (400)"),
            Kind::BodyTaken => {
                f.write_str("the request body was read before it was verified (500)")
            }
            Kind::KeyStoreUnavailable => f.write_str("the webhook key store is unavailable (503)"),
        }
    }
}

impl std::error::Error for TwilioRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.rejection().map(|r| r as _)
    }
}

impl Reject for TwilioRejection {}

impl Reply for TwilioRejection {
    fn into_response(self) -> Response {
        let mut response = Response::new(self.body().into());
        *response.status_mut() = self.status();
        let headers = response.headers_mut();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        for challenge in self.rejection().map_or(&[][..], Rejection::challenges) {
            if let Ok(value) = HeaderValue::from_str(challenge) {
                headers.append(WWW_AUTHENTICATE, value);
            }
        }
        response
    }
}

/// Answers a [`TwilioRejection`] with its reply; any other rejection is passed on
/// unchanged, so a path or method that did not match still lets warp try the next route.
///
/// Use it with [`Filter::recover`](warp::Filter::recover). On the whole app, it keeps
/// refusals from becoming warp's default 500. On one route, before any `.or()`, it is what
/// [`seal`](crate::seal) does: a refusal is answered there and never reaches a sibling
/// route — see the crate documentation for why that matters.
///
/// ```
/// use warp::Filter;
///
/// # let config = twilio_auth_core::Config::builder().auth_token("12345").build().unwrap();
/// let voice = warp::post()
///     .and(warp::path!("voice"))
///     .and(twilio_auth_warp::bytes(config))
///     .map(|body: bytes::Bytes| format!("{} bytes", body.len()))
///     .recover(twilio_auth_warp::recover);
/// ```
pub async fn recover(rejection: warp::Rejection) -> Result<Response, warp::Rejection> {
    match rejection.find::<TwilioRejection>() {
        Some(refusal) => Ok(refusal.clone().into_response()),
        None => Err(rejection),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use twilio_auth_core::RejectionReason;
    use twilio_auth_core::http_auth::HttpAuthFailureReason;

    #[test]
    fn reply_has_status_type_body_and_challenges() {
        let rejection = Rejection::new(RejectionReason::HttpAuth(
            HttpAuthFailureReason::MissingCredentials,
        ))
        .with_challenges(vec![
            "Basic realm=\"Twilio\"".into(),
            "Digest realm=\"Twilio\"".into(),
        ]);
        let response = TwilioRejection::from(rejection).into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let challenges: Vec<_> = response
            .headers()
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .collect();
        assert_eq!(
            challenges,
            ["Basic realm=\"Twilio\"", "Digest realm=\"Twilio\""]
        );
        let too_large = Rejection::new(RejectionReason::BodyTooLarge { limit: 10 });
        assert_eq!(
            TwilioRejection::from(too_large).into_response().status(),
            StatusCode::PAYLOAD_TOO_LARGE
        );
        let malformed = TwilioRejection::malformed("bad form", "missing field `CallSid`");
        assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
        assert!(malformed.rejection().is_none());
        assert_eq!(
            malformed.to_string(),
            "bad form: missing field `CallSid` (400)"
        );
    }
}
