//! The result of a successful HTTP authentication.

use std::fmt;

use super::digest::DigestAlgorithm;

/// Who was authenticated, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authenticated {
    user: String,
    scheme: HttpAuthScheme,
    nonce_use: Option<DigestNonceUse>,
}

impl Authenticated {
    pub(crate) fn new(user: String, scheme: HttpAuthScheme) -> Self {
        Self {
            user,
            scheme,
            nonce_use: None,
        }
    }

    pub(crate) fn with_nonce_use(mut self, nonce_use: DigestNonceUse) -> Self {
        self.nonce_use = Some(nonce_use);
        self
    }

    /// For Digest, the `(nonce, nc)` pair this request used: the hook for a store that
    /// refuses the same pair twice (`twilio-auth-replay`). The nonces themselves are
    /// stateless, so without such a store a captured Digest request replays until its
    /// nonce expires.
    pub fn nonce_use(&self) -> Option<&DigestNonceUse> {
        self.nonce_use.as_ref()
    }

    /// The user name the client logged in with.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The scheme (and, for Digest, algorithm) used.
    pub fn scheme(&self) -> HttpAuthScheme {
        self.scheme
    }
}

/// An HTTP authentication scheme as used by a client.
///
/// # Examples
///
/// ```
/// use twilio_auth_core::http_auth::{DigestAlgorithm, HttpAuthScheme};
///
/// assert_eq!(HttpAuthScheme::Digest(DigestAlgorithm::Sha256).to_string(), "Digest SHA-256");
/// assert_eq!(HttpAuthScheme::Basic.to_string(), "Basic");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HttpAuthScheme {
    /// RFC 7617 Basic.
    Basic,
    /// RFC 7616 Digest with the algorithm the client chose.
    Digest(DigestAlgorithm),
}

impl fmt::Display for HttpAuthScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Basic => f.write_str("Basic"),
            Self::Digest(algorithm) => write!(f, "Digest {algorithm}"),
        }
    }
}

/// The Digest nonce and nonce count (`nc`) an authenticated request used. A client sends
/// each `(nonce, nc)` pair once; seeing one again means the `Authorization` header was
/// replayed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DigestNonceUse {
    /// The server nonce, as received.
    pub nonce: String,
    /// The nonce count, eight hex digits as received (`00000001`).
    pub nc: String,
    /// When the nonce was issued, in unix seconds.
    pub issued_at: u64,
    /// Until when (unix seconds) the nonce is accepted: its lifetime plus the clock skew
    /// allowed between instances. A store need not remember the pair any longer.
    pub accepted_until: u64,
}
