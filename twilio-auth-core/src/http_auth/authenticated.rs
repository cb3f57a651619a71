//! The result of a successful HTTP authentication.

use std::fmt;

use super::digest::DigestAlgorithm;

/// Who was authenticated, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authenticated {
    user: String,
    scheme: HttpAuthScheme,
}

impl Authenticated {
    pub(crate) fn new(user: String, scheme: HttpAuthScheme) -> Self {
        Self { user, scheme }
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
