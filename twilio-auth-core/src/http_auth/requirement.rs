//! Which HTTP authentication schemes a route requires.

/// The HTTP authentication a route requires before its signature is checked.
///
/// # Examples
///
/// ```
/// use twilio_auth_core::http_auth::HttpAuthRequirement;
///
/// assert!(HttpAuthRequirement::Either.allows_basic());
/// assert!(HttpAuthRequirement::Either.allows_digest());
/// assert!(!HttpAuthRequirement::None.is_required());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum HttpAuthRequirement {
    /// No HTTP authentication; any `Authorization` header is ignored.
    #[default]
    None,
    /// Basic only (RFC 7617).
    Basic,
    /// Digest only (RFC 7616).
    Digest,
    /// Basic or Digest, whichever the client sends; challenges offer Digest first.
    Either,
}

impl HttpAuthRequirement {
    /// Whether any credentials are required.
    pub fn is_required(self) -> bool {
        self != Self::None
    }

    /// Whether Basic credentials are accepted.
    pub fn allows_basic(self) -> bool {
        matches!(self, Self::Basic | Self::Either)
    }

    /// Whether Digest credentials are accepted.
    pub fn allows_digest(self) -> bool {
        matches!(self, Self::Digest | Self::Either)
    }
}
