//! A refused webhook as an `http` response (SPEC §5): the status the core chose, a short
//! plain-text body, one `WWW-Authenticate` header per challenge, and the core's log line as
//! a `tracing` event at the core's level.

use std::fmt;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderValue, Response, StatusCode};
use http_body_util::Full;
use twilio_auth_core::{LogLevel, Rejection, RejectionStatus};

use crate::body::BodyError;

/// A request that failed verification.
///
/// [`into_response`](Self::into_response) gives the rejection's status (400, 401, 403 or
/// 413), a `text/plain` body that says no more than the status, and one `WWW-Authenticate`
/// header per challenge, and emits the core's [`log_event`](Rejection::log_event) as a
/// `tracing` event: a warning with the reason, the candidate URLs that were tried and hints
/// about the likely cause, a debug event for Twilio's expected first request without
/// credentials, an error when the route requires HTTP authentication that the configuration
/// lacks.
///
/// ```
/// use twilio_auth_core::{Rejection, RejectionReason};
/// use twilio_auth_tower::TwilioRejection;
///
/// let response = TwilioRejection(Rejection::new(RejectionReason::MissingSignature)).into_response();
/// assert_eq!(response.status(), 403);
/// assert_eq!(response.headers()["content-type"], "text/plain; charset=utf-8");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwilioRejection(pub Rejection);

impl From<Rejection> for TwilioRejection {
    fn from(rejection: Rejection) -> Self {
        TwilioRejection(rejection)
    }
}

impl fmt::Display for TwilioRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for TwilioRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

impl TwilioRejection {
    /// The response for this rejection; logs the core's line for it.
    pub fn into_response(self) -> Response<Full<Bytes>> {
        let rejection = self.0;
        log(&rejection);
        let mut response = plain_text(
            status_code(rejection.http_status()),
            Bytes::from_static(rejection.body().as_bytes()),
        );
        for challenge in rejection.challenges() {
            if let Ok(value) = HeaderValue::from_str(challenge) {
                response.headers_mut().append(WWW_AUTHENTICATE, value);
            }
        }
        response
    }
}

/// The answer to a body that could not be read: the limit's 413 from the core, or a 400
/// for a body that failed (a malformed chunk; a client that went away never reads it).
pub(crate) fn body_error_response(error: BodyError) -> Response<Full<Bytes>> {
    match error {
        BodyError::TooLarge(rejection) => TwilioRejection(rejection).into_response(),
        BodyError::Unreadable(error) => {
            tracing::warn!(
                status = 400,
                "refused a webhook whose body could not be read: {error}"
            );
            plain_text(
                StatusCode::BAD_REQUEST,
                Bytes::from_static(b"Bad Request: the request body could not be read\n"),
            )
        }
    }
}

pub(crate) fn plain_text(status: StatusCode, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// Writes the core's log line for `rejection`, at the core's level, and counts it.
fn log(rejection: &Rejection) {
    twilio_auth_core::metrics::refused(rejection);
    let event = rejection.log_event();
    match event.level() {
        LogLevel::Debug => tracing::debug!("{event}"),
        LogLevel::Warn => tracing::warn!("{event}"),
        LogLevel::Error => tracing::error!("{event}"),
    }
}

/// The core's status as `http`'s.
fn status_code(status: RejectionStatus) -> StatusCode {
    match status {
        RejectionStatus::BadRequest => StatusCode::BAD_REQUEST,
        RejectionStatus::Unauthorized => StatusCode::UNAUTHORIZED,
        RejectionStatus::Forbidden => StatusCode::FORBIDDEN,
        RejectionStatus::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use twilio_auth_core::RejectionReason;
    use twilio_auth_core::http_auth::HttpAuthFailureReason;

    #[test]
    fn response_has_status_type_body_and_challenges() {
        let rejection = Rejection::new(RejectionReason::HttpAuth(
            HttpAuthFailureReason::MissingCredentials,
        ))
        .with_challenges(vec![
            "Basic realm=\"Twilio\"".into(),
            "Digest realm=\"Twilio\"".into(),
        ]);
        let response = TwilioRejection(rejection).into_response();
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

        let response = TwilioRejection(Rejection::new(RejectionReason::BodyTooLarge { limit: 10 }))
            .into_response();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
}
