//! A refused webhook as an actix-web response (SPEC §5): the status the core chose, a short
//! plain-text body and the `WWW-Authenticate` challenges. The core's log line is written
//! once, when the rejection is made ([`TwilioRejection::logged`]).

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, HeaderValue, WWW_AUTHENTICATE};
use actix_web::{HttpResponse, ResponseError};
use twilio_auth_core::{KeyLookup, LogLevel, Rejection, RejectionStatus};

/// A request that failed verification.
///
/// As an actix-web error ([`ResponseError`]) it answers with the rejection's status (400,
/// 401, 403 or 413), a `text/plain` body that says no more than the status, and one
/// `WWW-Authenticate` header per challenge. The adapter logs the core's
/// [`log_event`](Rejection::log_event) as a `tracing` event when it refuses a request: a
/// warning with the reason, the candidate URLs that were tried and hints about the likely
/// cause, a debug event for Twilio's expected first request without credentials, an error
/// when the route requires HTTP authentication that the configuration lacks.
///
/// ```
/// use actix_web::ResponseError;
/// use twilio_auth_actix::TwilioRejection;
/// use twilio_auth_core::{Rejection, RejectionReason};
///
/// let rejection = TwilioRejection::from(Rejection::new(RejectionReason::MissingSignature));
/// let response = rejection.error_response();
/// assert_eq!(response.status(), 403);
/// assert_eq!(response.headers().get("content-type").unwrap(), "text/plain; charset=utf-8");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwilioRejection(pub Rejection);

impl TwilioRejection {
    /// `rejection`, after writing its log line at the core's level and counting it.
    pub(crate) fn logged(rejection: Rejection) -> Self {
        twilio_auth_core::metrics::refused(&rejection);
        let event = rejection.log_event();
        match event.level() {
            LogLevel::Debug => tracing::debug!("{event}"),
            LogLevel::Warn => tracing::warn!("{event}"),
            LogLevel::Error => tracing::error!("{event}"),
        }
        TwilioRejection(rejection)
    }
}

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

impl ResponseError for TwilioRejection {
    fn status_code(&self) -> StatusCode {
        match self.0.http_status() {
            RejectionStatus::BadRequest => StatusCode::BAD_REQUEST,
            RejectionStatus::Unauthorized => StatusCode::UNAUTHORIZED,
            RejectionStatus::Forbidden => StatusCode::FORBIDDEN,
            RejectionStatus::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        ));
        for challenge in self.0.challenges() {
            if let Ok(value) = HeaderValue::from_str(challenge) {
                response.append_header((WWW_AUTHENTICATE, value));
            }
        }
        response.body(self.0.body())
    }
}

/// A request refused because the key store failed: `503` (fail closed), with an error in
/// the log naming the key asked for (an `AccountSid` or SharedKey id, never a secret).
#[derive(Debug)]
pub(crate) struct KeyStoreUnavailable;

impl KeyStoreUnavailable {
    pub(crate) fn logged(
        lookup: &KeyLookup,
        error: &(dyn std::error::Error + Send + Sync),
    ) -> Self {
        tracing::error!(
            status = 503,
            "twilio-auth: refused a webhook: the key resolver failed for {lookup}: {error}"
        );
        twilio_auth_core::metrics::key_store_unavailable();
        KeyStoreUnavailable
    }
}

impl fmt::Display for KeyStoreUnavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("webhook key store unavailable")
    }
}

impl ResponseError for KeyStoreUnavailable {
    fn status_code(&self) -> StatusCode {
        StatusCode::SERVICE_UNAVAILABLE
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code())
            .insert_header((
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            ))
            .body(twilio_auth_core::KEY_STORE_UNAVAILABLE_BODY)
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
        let response = TwilioRejection(rejection).error_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let challenges: Vec<_> = response
            .headers()
            .get_all(WWW_AUTHENTICATE)
            .map(|v| v.to_str().unwrap())
            .collect();
        assert_eq!(
            challenges,
            ["Basic realm=\"Twilio\"", "Digest realm=\"Twilio\""]
        );

        let response = TwilioRejection(Rejection::new(RejectionReason::BodyTooLarge { limit: 10 }))
            .error_response();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
}
