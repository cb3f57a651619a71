//! A refused webhook as an axum response (SPEC §5): the status the core chose, a short
//! plain-text body, the `WWW-Authenticate` challenges, and the core's log line as a
//! `tracing` event at the core's level.

use std::fmt;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use twilio_auth_core::Rejection;

/// A request that failed verification.
///
/// As a response it carries the rejection's status (400, 401, 403 or 413), a
/// `text/plain` body that says no more than the status, and one `WWW-Authenticate` header
/// per challenge. Turning it into a response emits the core's
/// [`log_event`](Rejection::log_event) as a `tracing` event: a warning with the reason, the
/// candidate URLs that were tried and hints about the likely cause — the answer to "why is
/// my valid request refused?" —, a debug event for Twilio's expected first request without
/// credentials, an error when the route requires HTTP authentication that the
/// configuration lacks.
///
/// ```
/// use axum::response::IntoResponse;
/// use twilio_auth_axum::TwilioRejection;
/// use twilio_auth_core::{Rejection, RejectionReason};
///
/// let response = TwilioRejection::from(Rejection::new(RejectionReason::MissingSignature)).into_response();
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

impl IntoResponse for TwilioRejection {
    /// The tower layer's answer (status, text body, challenges, log line), with axum's body.
    fn into_response(self) -> Response {
        twilio_auth_tower::TwilioRejection(self.0)
            .into_response()
            .map(Body::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;
    use axum::http::header::WWW_AUTHENTICATE;
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
