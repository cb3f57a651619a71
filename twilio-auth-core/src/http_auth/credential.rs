//! A configured user name and password, and the constant-time comparison against them.

use std::fmt;

use sha2::{Digest, Sha256};
use subtle::{Choice, ConstantTimeEq};

/// One accepted user name and password pair.
///
/// Configure several pairs to rotate a password without downtime: the old and the new pair are
/// both accepted until the webhook URLs are updated. The password never appears in `Debug`.
///
/// # Examples
///
/// ```
/// use twilio_auth_core::http_auth::Credential;
///
/// let credential = Credential::new("twilio", "correct horse battery staple");
/// assert_eq!(credential.user(), "twilio");
/// assert!(!format!("{credential:?}").contains("horse"));
/// ```
#[derive(Clone)]
pub struct Credential {
    user: String,
    password: String,
}

impl Credential {
    /// A user name and password pair. Validity (non-empty, no `:` in the user name) is checked by
    /// [`HttpAuthConfigBuilder::build`](super::HttpAuthConfigBuilder::build).
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            user: user.into(),
            password: password.into(),
        }
    }

    /// The user name.
    pub fn user(&self) -> &str {
        &self.user
    }

    pub(crate) fn password(&self) -> &str {
        &self.password
    }

    /// Whether `user` is this credential's user name, in time independent of where they differ
    /// and of their lengths (both sides are hashed first).
    pub(crate) fn user_matches(&self, user: &str) -> Choice {
        hashed_eq(&self.user, user)
    }

    /// Whether `password` is this credential's password, in the same constant-time way.
    pub(crate) fn password_matches(&self, password: &str) -> Choice {
        hashed_eq(&self.password, password)
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("user", &self.user)
            .field("password", &"***")
            .finish()
    }
}

/// Comparing fixed-size hashes hides the length of the secret, which `ct_eq` on the raw bytes
/// would reveal by returning early on a length mismatch.
fn hashed_eq(expected: &str, received: &str) -> Choice {
    let expected = Sha256::digest(expected.as_bytes());
    let received = Sha256::digest(received.as_bytes());
    expected.as_slice().ct_eq(received.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_only_exact_values() {
        let credential = Credential::new("user", "pass");
        assert!(bool::from(credential.user_matches("user")));
        assert!(!bool::from(credential.user_matches("User")));
        assert!(!bool::from(credential.user_matches("user ")));
        assert!(bool::from(credential.password_matches("pass")));
        assert!(!bool::from(credential.password_matches("")));
        assert!(!bool::from(credential.password_matches("pass\0")));
    }

    #[test]
    fn debug_redacts_password() {
        let shown = format!("{:?}", Credential::new("user", "s3cr3t"));
        assert!(shown.contains("user") && shown.contains("***"), "{shown}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
    }
}
