//! A refused webhook as an axum response (SPEC §5): the status the core chose, a short
//! plain-text body, the `WWW-Authenticate` challenges, and a `tracing` event with the reason.

use std::fmt;

use axum::http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use twilio_auth_core::{Rejection, RejectionReason};

/// A request that failed verification.
///
/// As a response it carries the rejection's status (400, 401, 403 or 413), a
/// `text/plain` body that says no more than the status, and one `WWW-Authenticate` header
/// per challenge. Turning it into a response emits a `tracing` warning with the reason and
/// the candidate URLs that were tried — the answer to "why is my valid request refused?" —
/// or an error when the route requires HTTP authentication that the configuration lacks
/// ([`RejectionReason::HttpAuthNotConfigured`]).
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
    fn into_response(self) -> Response {
        let rejection = self.0;
        if *rejection.reason() == RejectionReason::HttpAuthNotConfigured {
            // Not the client's fault but a deployment mistake, and every request to the
            // route fails the same way: say so loudly.
            tracing::error!(
                status = rejection.status(),
                reason = %rejection.reason(),
                "rejected a Twilio webhook: this route requires HTTP Basic/Digest \
                 authentication, but the configuration has no credentials (set WEBHOOK_USER \
                 and WEBHOOK_PASSWORD, or ConfigBuilder::http_auth); every request to it is \
                 refused with 401",
            );
        } else {
            // The core has already taken any password out of the candidate URLs.
            tracing::warn!(
                status = rejection.status(),
                reason = %rejection.reason(),
                candidate_urls = ?rejection.candidate_urls(),
                "rejected a Twilio webhook: {}",
                rejection.reason(),
            );
        }
        // The core only produces 400/401/403/413; anything else would be a bug, and a
        // refusal must never turn into a success or a 500.
        let status = StatusCode::from_u16(rejection.status())
            .ok()
            .filter(|s| s.is_client_error())
            .unwrap_or(StatusCode::FORBIDDEN);
        let mut response = (
            status,
            [(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            )],
            rejection.body(),
        )
            .into_response();
        for challenge in rejection.challenges() {
            if let Ok(value) = HeaderValue::from_str(challenge) {
                response.headers_mut().append(WWW_AUTHENTICATE, value);
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
