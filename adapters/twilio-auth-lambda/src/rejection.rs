//! A refused webhook as a Lambda response (SPEC §5): the status the core chose, a short
//! plain-text body, one `WWW-Authenticate` header per challenge, and the core's log line as
//! a `tracing` event at the core's level, with a note when the front door's event could not
//! carry the URL Twilio signed.

use std::fmt;

use lambda_http::http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use lambda_http::http::{HeaderValue, StatusCode};
use lambda_http::{Body, Response};
use twilio_auth_core::{LogLevel, Rejection, RejectionStatus};

/// A request that failed verification.
///
/// ```
/// use twilio_auth_core::{Rejection, RejectionReason};
/// use twilio_auth_lambda::TwilioRejection;
///
/// let response = TwilioRejection::from(Rejection::new(RejectionReason::MissingSignature)).into_response();
/// assert_eq!(response.status(), 403);
/// assert_eq!(response.headers()["content-type"], "text/plain; charset=utf-8");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwilioRejection {
    rejection: Rejection,
    note: Option<Box<str>>,
}

impl From<Rejection> for TwilioRejection {
    fn from(rejection: Rejection) -> Self {
        TwilioRejection {
            rejection,
            note: None,
        }
    }
}

impl TwilioRejection {
    pub(crate) fn with_note(rejection: Rejection, note: String) -> Self {
        TwilioRejection {
            rejection,
            note: Some(note.into_boxed_str()),
        }
    }

    /// The core's rejection: reason, status, candidate URLs, challenges.
    pub fn rejection(&self) -> &Rejection {
        &self.rejection
    }

    /// What the log line adds about the front door (a REST v1 or ALB event whose query
    /// string could not be rebuilt), if anything.
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    /// The response: the rejection's status (400, 401, 403 or 413), a `text/plain` body that
    /// says no more than the status, one `WWW-Authenticate` header per challenge. Logs the
    /// core's line for the rejection (with the note), at the core's level.
    pub fn into_response(self) -> Response<Body> {
        self.log();
        let rejection = self.rejection;
        let mut response = Response::new(Body::from(rejection.body()));
        *response.status_mut() = status_code(rejection.http_status());
        response.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        for challenge in rejection.challenges() {
            if let Ok(value) = HeaderValue::from_str(challenge) {
                response.headers_mut().append(WWW_AUTHENTICATE, value);
            }
        }
        response
    }

    fn log(&self) {
        twilio_auth_core::metrics::refused(&self.rejection);
        let event = self.rejection.log_event();
        let note = self
            .note
            .as_deref()
            .map_or(String::new(), |n| format!("; {n}"));
        match event.level() {
            LogLevel::Debug => tracing::debug!("{event}{note}"),
            LogLevel::Warn => tracing::warn!("{event}{note}"),
            LogLevel::Error => tracing::error!("{event}{note}"),
        }
    }
}

impl fmt::Display for TwilioRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.rejection.fmt(f)?;
        if let Some(note) = &self.note {
            write!(f, "; {note}")?;
        }
        Ok(())
    }
}

impl std::error::Error for TwilioRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.rejection)
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
