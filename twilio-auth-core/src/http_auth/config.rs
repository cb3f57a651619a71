//! Configuration of HTTP authentication: realm, accepted credentials and the Digest nonce policy.

use std::fmt;
use std::time::Duration;

use super::credential::Credential;
use super::nonce::NonceSecret;

/// How long a Digest nonce is accepted unless configured otherwise: five minutes.
pub const DEFAULT_NONCE_LIFETIME: Duration = Duration::from_secs(300);

/// Validated HTTP Basic/Digest settings for a verifier; build it with [`HttpAuthConfig::builder`].
///
/// `Debug` shows the realm, the user names and the nonce lifetime; passwords and the nonce secret
/// are printed as `***`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use twilio_auth_core::http_auth::{HttpAuthConfig, NonceSecret};
///
/// let config = HttpAuthConfig::builder("Twilio webhooks")
///     .credential("twilio", "new-Pa55word")
///     .credential("twilio", "old-Pa55word") // accepted until every URL is updated
///     .nonce_secret(NonceSecret::new(b"shared by all instances, 16+ bytes".to_vec())?)
///     .nonce_lifetime(Duration::from_secs(120))
///     .build()?;
/// assert_eq!(config.realm(), "Twilio webhooks");
/// let shown = format!("{config:?}");
/// assert!(!shown.contains("Pa55word") && !shown.contains("shared by"));
/// # Ok::<(), twilio_auth_core::http_auth::HttpAuthConfigError>(())
/// ```
#[derive(Clone, Debug)]
pub struct HttpAuthConfig {
    realm: String,
    credentials: Vec<Credential>,
    nonce_secret: NonceSecret,
    nonce_lifetime: Duration,
}

impl HttpAuthConfig {
    /// Starts a configuration for `realm`, the protection space named in every challenge.
    pub fn builder(realm: impl Into<String>) -> HttpAuthConfigBuilder {
        HttpAuthConfigBuilder {
            realm: realm.into(),
            credentials: Vec::new(),
            nonce_secret: None,
            nonce_lifetime: DEFAULT_NONCE_LIFETIME,
        }
    }

    /// The realm sent in challenges and required in Digest credentials.
    pub fn realm(&self) -> &str {
        &self.realm
    }

    /// The accepted credentials, in configuration order.
    pub fn credentials(&self) -> &[Credential] {
        &self.credentials
    }

    /// How long a Digest nonce stays valid.
    pub fn nonce_lifetime(&self) -> Duration {
        self.nonce_lifetime
    }

    pub(crate) fn nonce_secret(&self) -> &NonceSecret {
        &self.nonce_secret
    }

    pub(crate) fn nonce_lifetime_secs(&self) -> u64 {
        self.nonce_lifetime.as_secs()
    }
}

/// Builder for [`HttpAuthConfig`]; all checks happen in [`build`](Self::build).
#[derive(Clone, Debug)]
pub struct HttpAuthConfigBuilder {
    realm: String,
    credentials: Vec<Credential>,
    nonce_secret: Option<NonceSecret>,
    nonce_lifetime: Duration,
}

impl HttpAuthConfigBuilder {
    /// Accepts `user` with `password`. Call it again for more pairs (rotation, several users).
    pub fn credential(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.credentials.push(Credential::new(user, password));
        self
    }

    /// Accepts every credential in `credentials`, in addition to those already added.
    pub fn credentials(mut self, credentials: impl IntoIterator<Item = Credential>) -> Self {
        self.credentials.extend(credentials);
        self
    }

    /// The key for Digest nonces. Without it, [`build`](Self::build) uses
    /// [`NonceSecret::random`], which is only right for a single instance.
    pub fn nonce_secret(mut self, secret: NonceSecret) -> Self {
        self.nonce_secret = Some(secret);
        self
    }

    /// How long a Digest nonce is accepted (whole seconds, at least one); default
    /// [`DEFAULT_NONCE_LIFETIME`]. After that, a correct request is answered with a fresh
    /// challenge carrying `stale=true`.
    pub fn nonce_lifetime(mut self, lifetime: Duration) -> Self {
        self.nonce_lifetime = lifetime;
        self
    }

    /// Validates the settings.
    ///
    /// The realm must be non-empty printable ASCII (it goes into a header value); there must be at
    /// least one credential; user names must be non-empty, without `:` (RFC 7617) or control
    /// characters; passwords must be non-empty (an empty one is usually an unset environment
    /// variable); the nonce lifetime must be at least one second.
    pub fn build(self) -> Result<HttpAuthConfig, HttpAuthConfigError> {
        if self.realm.is_empty() {
            return Err(HttpAuthConfigError::EmptyRealm);
        }
        if !self.realm.bytes().all(|b| (b' '..=b'~').contains(&b)) {
            return Err(HttpAuthConfigError::InvalidRealm);
        }
        if self.credentials.is_empty() {
            return Err(HttpAuthConfigError::NoCredentials);
        }
        for credential in &self.credentials {
            let user = credential.user();
            if user.is_empty() || user.contains(|c: char| c == ':' || c.is_control()) {
                return Err(HttpAuthConfigError::InvalidUser);
            }
            if credential.password().is_empty() {
                return Err(HttpAuthConfigError::EmptyPassword);
            }
        }
        if self.nonce_lifetime.as_secs() == 0 {
            return Err(HttpAuthConfigError::NonceLifetimeTooShort);
        }
        Ok(HttpAuthConfig {
            realm: self.realm,
            credentials: self.credentials,
            nonce_secret: self.nonce_secret.unwrap_or_else(NonceSecret::random),
            nonce_lifetime: self.nonce_lifetime,
        })
    }
}

/// A configuration mistake, reported at start-up rather than per request. Never contains a
/// password or secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpAuthConfigError {
    /// The realm is empty.
    EmptyRealm,
    /// The realm contains characters other than printable ASCII.
    InvalidRealm,
    /// No credential was configured.
    NoCredentials,
    /// A user name is empty or contains `:` or a control character.
    InvalidUser,
    /// A password is empty.
    EmptyPassword,
    /// The nonce secret is shorter than [`MIN_NONCE_SECRET_LEN`](super::MIN_NONCE_SECRET_LEN).
    NonceSecretTooShort,
    /// The nonce lifetime is under one second.
    NonceLifetimeTooShort,
}

impl fmt::Display for HttpAuthConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::EmptyRealm => "HTTP auth realm is empty",
            Self::InvalidRealm => "HTTP auth realm must be printable ASCII",
            Self::NoCredentials => "HTTP auth needs at least one user and password",
            Self::InvalidUser => {
                "HTTP auth user name is empty or contains ':' or a control character"
            }
            Self::EmptyPassword => "HTTP auth password is empty",
            Self::NonceSecretTooShort => "Digest nonce secret must be at least 16 bytes",
            Self::NonceLifetimeTooShort => "Digest nonce lifetime must be at least one second",
        })
    }
}

impl std::error::Error for HttpAuthConfigError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(builder: HttpAuthConfigBuilder) -> Result<HttpAuthConfig, HttpAuthConfigError> {
        builder.build()
    }

    #[test]
    fn rejects_invalid_settings() {
        let ok = || HttpAuthConfig::builder("realm").credential("u", "p");
        let cases = [
            (
                HttpAuthConfig::builder("").credential("u", "p"),
                HttpAuthConfigError::EmptyRealm,
            ),
            (
                HttpAuthConfig::builder("a\r\nb").credential("u", "p"),
                HttpAuthConfigError::InvalidRealm,
            ),
            (
                HttpAuthConfig::builder("r\u{e9}alm").credential("u", "p"),
                HttpAuthConfigError::InvalidRealm,
            ),
            (
                HttpAuthConfig::builder("realm"),
                HttpAuthConfigError::NoCredentials,
            ),
            (ok().credential("", "p"), HttpAuthConfigError::InvalidUser),
            (
                ok().credential("a:b", "p"),
                HttpAuthConfigError::InvalidUser,
            ),
            (
                ok().credential("a\nb", "p"),
                HttpAuthConfigError::InvalidUser,
            ),
            (ok().credential("u", ""), HttpAuthConfigError::EmptyPassword),
            (
                ok().nonce_lifetime(Duration::from_millis(999)),
                HttpAuthConfigError::NonceLifetimeTooShort,
            ),
        ];
        for (builder, expected) in cases {
            assert_eq!(build(builder).err(), Some(expected));
        }
        assert!(build(ok()).is_ok());
    }

    #[test]
    fn defaults() {
        let config = HttpAuthConfig::builder("realm")
            .credential("u", "p:with:colons")
            .build()
            .unwrap();
        assert_eq!(config.nonce_lifetime(), DEFAULT_NONCE_LIFETIME);
        assert_eq!(config.credentials().len(), 1);
    }

    #[test]
    fn debug_redacts_passwords_and_secret() {
        let config = HttpAuthConfig::builder("realm")
            .credential("alice", "hunter2-password")
            .nonce_secret(NonceSecret::new(b"0123456789abcdef-TOPSECRETKEY".to_vec()).unwrap())
            .build()
            .unwrap();
        let shown = format!("{config:?}");
        assert!(shown.contains("alice") && shown.contains("***"), "{shown}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("TOPSECRETKEY"),
            "{shown}"
        );
    }
}
