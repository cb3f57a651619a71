//! A refused HTTP authentication: the reason (for the log) and the challenges (for the client).

use std::fmt;

use super::authorization::MalformedAuthorization;

/// HTTP status of every [`HttpAuthFailure`]: `401 Unauthorized`.
///
/// Malformed headers get a 401 too, not a 400: a 401 carries the challenges, so a client that
/// sent something unreadable can still retry correctly, and the client learns nothing about why.
pub const UNAUTHORIZED: u16 = 401;

/// Why HTTP authentication failed. Meant for logs and metrics; it never contains the header, the
/// user name or a password.
///
/// The client is not told the reason: every failure is the same 401 with challenges. In
/// particular [`UnknownUser`](Self::UnknownUser) and [`WrongPassword`](Self::WrongPassword) are
/// both just "bad credentials" to the client (see [`is_bad_credentials`](Self::is_bad_credentials)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpAuthFailureReason {
    /// No `Authorization` header: the normal first request of a Twilio webhook.
    MissingCredentials,
    /// The header or the credentials inside it could not be read.
    Malformed(MalformedAuthorization),
    /// A scheme other than the route's (e.g. Basic on a Digest-only route, or `Bearer`).
    WrongScheme,
    /// The user name is not configured.
    UnknownUser,
    /// The user exists but the password (Basic) or the Digest `response` is wrong.
    WrongPassword,
    /// Correct Digest credentials on an expired nonce; the challenges carry `stale=true`.
    StaleNonce,
    /// The Digest nonce was not issued by this secret for this realm (forged, tampered, from
    /// another deployment, or stamped too far in the future).
    BadNonce,
    /// The Digest `realm` is not ours.
    RealmMismatch,
    /// The Digest `uri` differs from the request target.
    UriMismatch,
    /// The Digest `opaque` is not ours.
    OpaqueMismatch,
    /// A Digest `algorithm` other than MD5, MD5-sess, SHA-256 or SHA-256-sess.
    UnsupportedAlgorithm,
    /// Digest `qop` missing (RFC 2069 style) or other than `auth`.
    UnsupportedQop,
    /// Valid Digest credentials whose `(nonce, nc)` pair a replay store had already seen:
    /// a replayed `Authorization` header. Never returned by
    /// [`HttpAuthConfig::check`](super::HttpAuthConfig::check), which keeps no state; a replay
    /// guard (`twilio-auth-replay`) reports it.
    ReplayedNonce,
}

impl HttpAuthFailureReason {
    /// Whether the credentials were readable but wrong (unknown user or wrong password).
    pub fn is_bad_credentials(self) -> bool {
        matches!(self, Self::UnknownUser | Self::WrongPassword)
    }
}

impl fmt::Display for HttpAuthFailureReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingCredentials => f.write_str("no Authorization header"),
            Self::Malformed(problem) => write!(f, "malformed Authorization header: {problem}"),
            Self::WrongScheme => f.write_str("authentication scheme not accepted on this route"),
            Self::UnknownUser => f.write_str("unknown user"),
            Self::WrongPassword => f.write_str("wrong password or Digest response"),
            Self::StaleNonce => {
                f.write_str("Digest nonce expired (challenged again with stale=true)")
            }
            Self::BadNonce => f.write_str("Digest nonce not issued by this server"),
            Self::RealmMismatch => f.write_str("Digest realm does not match"),
            Self::UriMismatch => f.write_str("Digest uri does not match the request target"),
            Self::OpaqueMismatch => f.write_str("Digest opaque does not match"),
            Self::UnsupportedAlgorithm => f.write_str("unsupported Digest algorithm"),
            Self::UnsupportedQop => f.write_str("Digest qop missing or not \"auth\""),
            Self::ReplayedNonce => {
                f.write_str("Digest nonce count already used (replayed Authorization)")
            }
        }
    }
}

/// A refused request: answer it with [`status`](Self::status) (401) and one `WWW-Authenticate`
/// header per entry of [`challenges`](Self::challenges), in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpAuthFailure {
    reason: HttpAuthFailureReason,
    challenges: Vec<String>,
}

impl HttpAuthFailure {
    pub(crate) fn new(reason: HttpAuthFailureReason, challenges: Vec<String>) -> Self {
        Self { reason, challenges }
    }

    /// Why the request was refused (for the log).
    pub fn reason(&self) -> HttpAuthFailureReason {
        self.reason
    }

    /// The `WWW-Authenticate` values to send, one header each, in preference order.
    pub fn challenges(&self) -> &[String] {
        &self.challenges
    }

    /// The HTTP status to answer with; always [`UNAUTHORIZED`].
    pub fn status(&self) -> u16 {
        UNAUTHORIZED
    }

    /// Whether the Digest challenges carry `stale=true`.
    pub fn is_stale(&self) -> bool {
        self.reason == HttpAuthFailureReason::StaleNonce
    }
}

impl fmt::Display for HttpAuthFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP authentication failed: {}", self.reason)
    }
}

impl std::error::Error for HttpAuthFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.reason {
            HttpAuthFailureReason::Malformed(problem) => Some(problem),
            _ => None,
        }
    }
}
