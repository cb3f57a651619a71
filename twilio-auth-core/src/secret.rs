//! A secret string (Auth Token, SharedKey secret, password) that never shows itself in
//! `Debug` or `Display`, so a logged configuration or error cannot leak it.

use std::fmt;

/// A secret value: its bytes are reachable only through [`Secret::expose`].
///
/// ```
/// use twilio_auth_core::Secret;
///
/// let token = Secret::new("12345");
/// assert_eq!(format!("{token:?}"), "Secret(***)");
/// assert_eq!(token.to_string(), "***");
/// assert_eq!(token.expose(), "12345");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Box<str>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into().into_boxed_str())
    }

    /// The secret itself. Call it only where the value is used as a key.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string (never a valid key).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}
