//! Report-only mode: verification runs, a refused signature is logged (with its candidate
//! URLs and hints) and counted, and the request goes on to the handler marked
//! [`Unverified`]. This is how a team finds its URL problems (a TLS proxy, a tunnel, a
//! stripped prefix) on real traffic before it enforces. Never the default: an adapter turns
//! it on per route or per layer, and warns at start-up ([`STARTUP_WARNING`]).
//!
//! Only the signature is reported rather than enforced. HTTP authentication (`401`), the
//! body limits (`413`) and requests whose URL cannot be rebuilt (`400`) are refused as
//! usual: [`Unverified::admit`] hands those back.
//!
//! ```
//! use twilio_auth_core::{Config, Signer, Unverified, WebhookRequest};
//! use twilio_auth_core::policy::RoutePolicy;
//!
//! let config = Config::builder()
//!     .auth_token("12345")
//!     .public_base_url("https://example.com")
//!     .build()?;
//! let forged = Signer::new("not-the-token").sign_url("https://example.com/voice");
//! let headers = [("X-Twilio-Signature", forged.as_str())];
//! let req = WebhookRequest::new("POST", "/voice").headers(&headers);
//!
//! let rejection = config.verify_with(&req, RoutePolicy::Signature).unwrap_err();
//! let unverified = Unverified::admit(rejection).expect("a signature refusal is reported");
//! assert!(unverified.to_string().starts_with("report-only: let through a Twilio webhook"));
//! assert_eq!(unverified.rejection().status(), 403);
//! # Ok::<(), twilio_auth_core::ConfigError>(())
//! ```

use std::fmt;

use crate::outcome::Rejection;
use crate::status::RejectionStatus;

/// The words every report-only line starts with.
pub const REPORT_ONLY_LOG_PREFIX: &str =
    "report-only: let through a Twilio webhook that enforcement would refuse";

/// What an adapter logs (at `WARN`) when it sets up a route or layer in report-only mode.
pub const STARTUP_WARNING: &str = "twilio-auth report-only mode: signatures are checked and \
     refusals logged, but requests with a wrong or missing signature reach the handler, marked \
     Unverified (HTTP authentication and body limits are still enforced); turn it off once the \
     log shows no refusal";

/// A request let through in report-only mode, and the refusal enforcement would have
/// answered. Adapters put it where the handler can see it (the request's extensions),
/// instead of the `Verified` an accepted request gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unverified {
    rejection: Rejection,
}

impl Unverified {
    /// `Ok` when report-only mode may let this refusal through (a refused signature,
    /// `403`); the refusal itself otherwise (HTTP authentication, body limits, a URL that
    /// cannot be rebuilt), to be answered as usual.
    pub fn admit(rejection: Rejection) -> Result<Unverified, Rejection> {
        match rejection.http_status() {
            RejectionStatus::Forbidden => Ok(Unverified { rejection }),
            _ => Err(rejection),
        }
    }

    /// The refusal enforcement would have answered: its reason, status, candidate URLs
    /// and hints.
    pub fn rejection(&self) -> &Rejection {
        &self.rejection
    }
}

/// The log line: [`REPORT_ONLY_LOG_PREFIX`], then the refusal as its own log line gives it.
impl fmt::Display for Unverified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{REPORT_ONLY_LOG_PREFIX}: {}", self.rejection)?;
        for hint in self.rejection.hints() {
            write!(f, "; hint: {hint}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RejectionReason;
    use crate::http_auth::HttpAuthFailureReason;

    #[test]
    fn only_signature_refusals_are_let_through() {
        for reason in [
            RejectionReason::MissingSignature,
            RejectionReason::SignatureMismatch,
            RejectionReason::BodyHashMismatch,
            RejectionReason::UnsignedBody,
        ] {
            assert!(
                Unverified::admit(Rejection::new(reason.clone())).is_ok(),
                "{reason:?}"
            );
        }
        for reason in [
            RejectionReason::HttpAuth(HttpAuthFailureReason::MissingCredentials),
            RejectionReason::HttpAuth(HttpAuthFailureReason::WrongPassword),
            RejectionReason::HttpAuthNotConfigured,
            RejectionReason::BodyTooLarge { limit: 10 },
            RejectionReason::MissingHost,
            RejectionReason::InvalidUrl,
        ] {
            assert!(
                Unverified::admit(Rejection::new(reason.clone())).is_err(),
                "{reason:?}"
            );
        }
    }

    #[test]
    fn the_line_names_the_mode_and_the_reason() {
        let unverified =
            Unverified::admit(Rejection::new(RejectionReason::MissingSignature)).unwrap();
        assert_eq!(
            unverified.to_string(),
            format!("{REPORT_ONLY_LOG_PREFIX}: missing X-Twilio-Signature header (403)")
        );
    }
}
