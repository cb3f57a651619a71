//! The four statuses a refusal is answered with (SPEC §5), as a type: an adapter converts
//! it to its framework's status and needs no fallback for a value the core never gives.

use std::fmt;

/// The HTTP status of a [`Rejection`](crate::Rejection): there are exactly four.
///
/// ```
/// use twilio_auth_core::{Rejection, RejectionReason, RejectionStatus};
///
/// let rejection = Rejection::new(RejectionReason::MissingSignature);
/// assert_eq!(rejection.http_status(), RejectionStatus::Forbidden);
/// assert_eq!(rejection.http_status().code(), 403);
/// assert_eq!(rejection.status(), 403);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RejectionStatus {
    /// `400 Bad Request`: no usable URL (no or an invalid `Host`).
    BadRequest,
    /// `401 Unauthorized`: HTTP Basic/Digest authentication failed (with challenges).
    Unauthorized,
    /// `403 Forbidden`: the signature or body hash does not verify.
    Forbidden,
    /// `413 Payload Too Large`: the body is over the configured limit.
    PayloadTooLarge,
}

impl RejectionStatus {
    /// The numeric status code.
    pub const fn code(self) -> u16 {
        match self {
            RejectionStatus::BadRequest => 400,
            RejectionStatus::Unauthorized => 401,
            RejectionStatus::Forbidden => 403,
            RejectionStatus::PayloadTooLarge => 413,
        }
    }

    /// The standard reason phrase (`Forbidden`).
    pub const fn reason_phrase(self) -> &'static str {
        match self {
            RejectionStatus::BadRequest => "Bad Request",
            RejectionStatus::Unauthorized => "Unauthorized",
            RejectionStatus::Forbidden => "Forbidden",
            RejectionStatus::PayloadTooLarge => "Payload Too Large",
        }
    }
}

impl From<RejectionStatus> for u16 {
    fn from(status: RejectionStatus) -> u16 {
        status.code()
    }
}

impl fmt::Display for RejectionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code(), self.reason_phrase())
    }
}
