//! The verifier's configuration: secrets, public-URL policy, limits. Built once at start-up
//! by a builder that refuses bad configuration, so no request ever meets a half-configured
//! verifier.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use arc_swap::ArcSwap;

use crate::algorithm::{Algorithm, KeyedMac};
use crate::candidates::CandidateOptions;
use crate::http_auth::{HttpAuthConfig, NonceSecret};
use crate::outcome::{KeySource, Rejection, RejectionReason};
use crate::public_url::{ForwardedHeaders, PublicUrlPolicy, normalise_base_url};
use crate::secret::Secret;

/// Default maximum body size: 1 MiB (Twilio's largest webhooks are a few KiB).
pub const DEFAULT_BODY_LIMIT: usize = 1 << 20;

/// Default maximum size of a form (`application/x-www-form-urlencoded`) body: 64 KiB.
///
/// Twilio's form webhooks are small: a message with ten media URLs and a 1,600-character
/// body of non-ASCII text, every byte escaped, is about 20 KiB; a voice webhook is under
/// 2 KiB. A form's signature covers the URL *followed by* the parameters, so each candidate
/// URL (and each secret) costs one HMAC over the whole body: this limit is what bounds the
/// work a forged form can cause. JSON bodies (Event Streams) are hashed once whatever the
/// number of candidates, and keep [`DEFAULT_BODY_LIMIT`].
pub const DEFAULT_FORM_BODY_LIMIT: usize = 64 * 1024;

/// Environment variable with the primary Auth Token.
pub const ENV_AUTH_TOKEN: &str = "TWILIO_AUTH_TOKEN";
/// Environment variable with the secondary Auth Token, tried during rotation.
pub const ENV_AUTH_TOKEN_SECONDARY: &str = "TWILIO_AUTH_TOKEN_SECONDARY";
/// Environment variable with sub-account Auth Tokens, chosen by a request's `AccountSid`:
/// comma-separated `AccountSid=token` pairs.
pub const ENV_ACCOUNT_TOKENS: &str = "TWILIO_ACCOUNT_TOKENS";
/// Environment variable with SharedKeys: comma-separated `KeyId:ALGORITHM=secret` entries,
/// `ALGORITHM` being `HMAC_SHA1` or `HMAC_SHA256`.
pub const ENV_SHARED_KEYS: &str = "TWILIO_SHARED_KEYS";
/// Environment variable that, set to `true`, accepts SharedKey signatures only.
pub const ENV_SHARED_KEYS_ONLY: &str = "TWILIO_SHARED_KEYS_ONLY";
/// Environment variable with the public base URL (e.g. `https://voice.example.com`).
pub const ENV_WEBHOOK_BASE_URL: &str = "TWILIO_WEBHOOK_BASE_URL";
/// Environment variable naming the forwarded headers a trusted proxy writes:
/// `x-forwarded` (`X-Forwarded-Proto/Host/Port`) or `forwarded` (RFC 7239); `false` (the
/// default) trusts neither.
pub const ENV_TRUST_FORWARDED: &str = "TWILIO_TRUST_FORWARDED_HEADERS";

/// Environment variable with the HTTP Basic/Digest user name Twilio logs in with.
pub const ENV_WEBHOOK_USER: &str = "WEBHOOK_USER";
/// Environment variable with the HTTP Basic/Digest password.
pub const ENV_WEBHOOK_PASSWORD: &str = "WEBHOOK_PASSWORD";
/// Environment variable with the HTTP authentication realm (default [`DEFAULT_REALM`]).
pub const ENV_WEBHOOK_REALM: &str = "WEBHOOK_REALM";
/// Environment variable with the Digest nonce secret (at least 16 bytes). Set the same
/// value on every instance behind a load balancer: Twilio's retry may reach another one.
pub const ENV_DIGEST_NONCE_SECRET: &str = "TWILIO_DIGEST_NONCE_SECRET";
/// Environment variable with the Digest nonce lifetime in seconds (default 300).
pub const ENV_DIGEST_NONCE_LIFETIME: &str = "TWILIO_DIGEST_NONCE_LIFETIME_SECS";
/// Environment variable with the body limit in bytes (default [`DEFAULT_BODY_LIMIT`]).
pub const ENV_BODY_LIMIT: &str = "TWILIO_BODY_LIMIT";
/// Environment variable with the form body limit in bytes (default
/// [`DEFAULT_FORM_BODY_LIMIT`]).
pub const ENV_FORM_BODY_LIMIT: &str = "TWILIO_FORM_BODY_LIMIT";
/// The realm used when none is configured.
pub const DEFAULT_REALM: &str = "twilio-webhooks";

/// A secret ready for signing: where it came from, and its keyed HMAC states.
#[derive(Clone)]
pub(crate) struct SigningKey {
    pub source: KeySource,
    pub mac: KeyedMac,
}

impl SigningKey {
    fn new(source: KeySource, secret: &Secret) -> Self {
        SigningKey {
            source,
            mac: KeyedMac::new(secret.expose().as_bytes()),
        }
    }
}

/// A SharedKey secret and the one algorithm it signs with.
#[derive(Clone)]
pub(crate) struct SharedKey {
    pub id: String,
    pub algorithm: Algorithm,
    pub key: SigningKey,
}

/// The secrets of a configuration, swapped as a whole by [`Config::rotate`].
pub(crate) struct Keyring {
    /// Primary then secondary Auth Token.
    pub tokens: Vec<SigningKey>,
    /// Sub-account tokens, by `AccountSid`.
    pub accounts: Vec<(String, SigningKey)>,
    /// SharedKey secrets, by key id.
    pub shared_keys: Vec<SharedKey>,
    /// Whether requests must name a SharedKey (the Auth Token path is off).
    pub shared_keys_only: bool,
    /// Whether keys also come from a store ([`ConfigBuilder::keys_from_store`]).
    pub from_store: bool,
}

pub(crate) struct Inner {
    /// The secrets: one atomic load per verification, replaced whole by [`Config::rotate`]
    /// (a verification in flight finishes with the set it loaded).
    pub keys: ArcSwap<Keyring>,
    pub url_policy: PublicUrlPolicy,
    pub candidate_options: CandidateOptions,
    pub body_limit: usize,
    /// At most `body_limit`.
    pub form_body_limit: usize,
    pub http_auth: Option<HttpAuthConfig>,
    /// Whether a signature that matches no candidate is diagnosed ([`crate::Diagnosis`]).
    pub diagnose_refusals: bool,
    /// Whether an adapter has logged the start-up summary ([`Config::summary_once`]).
    pub announced: AtomicBool,
}

/// A validated verifier configuration. Cheap to clone; `Debug` shows no secret.
///
/// ```
/// use twilio_auth_core::Config;
///
/// let config = Config::builder()
///     .auth_token("12345")
///     .public_base_url("https://voice.example.com")
///     .build()
///     .expect("valid configuration");
/// assert!(!format!("{config:?}").contains("12345"));
/// ```
#[derive(Clone)]
pub struct Config {
    pub(crate) inner: Arc<Inner>,
}

impl Config {
    /// Starts a configuration.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// Reads the configuration from the environment:
    /// [`ENV_AUTH_TOKEN`] (required unless SharedKeys are), [`ENV_AUTH_TOKEN_SECONDARY`],
    /// [`ENV_ACCOUNT_TOKENS`], [`ENV_SHARED_KEYS`], [`ENV_SHARED_KEYS_ONLY`],
    /// [`ENV_WEBHOOK_BASE_URL`], [`ENV_TRUST_FORWARDED`], [`ENV_BODY_LIMIT`] and
    /// [`ENV_FORM_BODY_LIMIT`] (optional); and, when both
    /// [`ENV_WEBHOOK_USER`] and [`ENV_WEBHOOK_PASSWORD`] are set, HTTP authentication with
    /// [`ENV_WEBHOOK_REALM`], [`ENV_DIGEST_NONCE_SECRET`] (random at start-up if unset) and
    /// [`ENV_DIGEST_NONCE_LIFETIME`].
    pub fn from_env() -> Result<Config, ConfigError> {
        Self::builder_from_env()?.build()
    }

    /// A builder preloaded from the environment, to add more settings in code.
    pub fn builder_from_env() -> Result<ConfigBuilder, ConfigError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let shared_keys = var(ENV_SHARED_KEYS);
        let mut builder = Config::builder();
        match var(ENV_AUTH_TOKEN) {
            Some(token) => builder = builder.auth_token(token),
            None if shared_keys.is_some() => {}
            None => return Err(ConfigError::MissingEnv(ENV_AUTH_TOKEN)),
        }
        for (sid, token) in pairs(ENV_ACCOUNT_TOKENS, var(ENV_ACCOUNT_TOKENS), '=')? {
            builder = builder.account_token(sid, token);
        }
        for (id_and_algorithm, secret) in pairs(ENV_SHARED_KEYS, shared_keys, '=')? {
            let invalid = || ConfigError::InvalidEnv {
                name: ENV_SHARED_KEYS,
                problem: format!(
                    "{id_and_algorithm:?} is not `KeyId:HMAC_SHA1` or `KeyId:HMAC_SHA256`"
                ),
            };
            let (id, algorithm) = id_and_algorithm.split_once(':').ok_or_else(invalid)?;
            let algorithm = Algorithm::from_name(algorithm).ok_or_else(invalid)?;
            builder = builder.shared_key(id, secret, algorithm);
        }
        if let Some(only) = var(ENV_SHARED_KEYS_ONLY) {
            builder = builder.shared_keys_only(matches!(
                only.to_ascii_lowercase().as_str(),
                "1" | "true" | "yes"
            ));
        }
        if let Some(secondary) = var(ENV_AUTH_TOKEN_SECONDARY) {
            builder = builder.secondary_auth_token(secondary);
        }
        if let Some(base) = var(ENV_WEBHOOK_BASE_URL) {
            builder = builder.public_base_url(base);
        }
        if let Some(trust) = var(ENV_TRUST_FORWARDED) {
            let headers = match trust.to_ascii_lowercase().as_str() {
                "x-forwarded" | "x-forwarded-*" => Some(ForwardedHeaders::XForwarded),
                "forwarded" => Some(ForwardedHeaders::Forwarded),
                "0" | "false" | "no" | "none" => None,
                _ => {
                    return Err(ConfigError::InvalidEnv {
                        name: ENV_TRUST_FORWARDED,
                        problem: format!(
                            "{trust:?}: name the headers your proxy writes, `x-forwarded` \
                             (X-Forwarded-Proto/Host/Port) or `forwarded` (RFC 7239), or `false`"
                        ),
                    });
                }
            };
            if let Some(headers) = headers {
                builder = builder.trust_forwarded_headers(headers);
            }
        }
        for (name, set) in [
            (ENV_BODY_LIMIT, ConfigBuilder::body_limit as fn(_, _) -> _),
            (ENV_FORM_BODY_LIMIT, ConfigBuilder::form_body_limit),
        ] {
            if let Some(limit) = var(name) {
                let bytes = limit
                    .parse::<usize>()
                    .map_err(|_| ConfigError::InvalidEnv {
                        name,
                        problem: format!("{limit:?} is not a number of bytes"),
                    })?;
                builder = set(builder, bytes);
            }
        }
        if let (Some(user), Some(password)) = (var(ENV_WEBHOOK_USER), var(ENV_WEBHOOK_PASSWORD)) {
            let realm = var(ENV_WEBHOOK_REALM).unwrap_or_else(|| DEFAULT_REALM.to_owned());
            let mut http_auth = HttpAuthConfig::builder(realm).credential(user, password);
            if let Some(lifetime) = var(ENV_DIGEST_NONCE_LIFETIME) {
                let secs = lifetime
                    .parse::<u64>()
                    .ok()
                    .filter(|&s| s > 0)
                    .ok_or_else(|| ConfigError::InvalidEnv {
                        name: ENV_DIGEST_NONCE_LIFETIME,
                        problem: format!("{lifetime:?} is not a number of seconds (1 or more)"),
                    })?;
                http_auth = http_auth.nonce_lifetime(std::time::Duration::from_secs(secs));
            }
            if let Some(secret) = var(ENV_DIGEST_NONCE_SECRET) {
                let secret = NonceSecret::new(secret.into_bytes()).map_err(|e| {
                    ConfigError::HttpAuth(format!("{ENV_DIGEST_NONCE_SECRET}: {e}"))
                })?;
                http_auth = http_auth.nonce_secret(secret);
            }
            let http_auth = http_auth
                .build()
                .map_err(|e| ConfigError::HttpAuth(e.to_string()))?;
            builder = builder.http_auth(http_auth);
        }
        Ok(builder)
    }

    /// The HTTP Basic/Digest settings, when configured.
    pub fn http_auth(&self) -> Option<&HttpAuthConfig> {
        self.inner.http_auth.as_ref()
    }

    /// The body limit in bytes.
    pub fn body_limit(&self) -> usize {
        self.inner.body_limit
    }

    /// The limit in bytes for form bodies (at most [`Config::body_limit`]): a larger
    /// `application/x-www-form-urlencoded` body is refused with `413` before any HMAC.
    ///
    /// ```
    /// use twilio_auth_core::{Config, DEFAULT_FORM_BODY_LIMIT};
    ///
    /// let config = Config::builder().auth_token("12345").build().unwrap();
    /// assert_eq!(config.form_body_limit(), DEFAULT_FORM_BODY_LIMIT);
    /// let small = Config::builder().auth_token("12345").body_limit(1024).build().unwrap();
    /// assert_eq!(small.form_body_limit(), 1024);
    /// ```
    pub fn form_body_limit(&self) -> usize {
        self.inner.form_body_limit
    }

    /// The limit for a body of this `Content-Type`: [`Config::form_body_limit`] for a form,
    /// else [`Config::body_limit`]. An adapter that knows the content type before reading
    /// can stop reading a form there.
    ///
    /// ```
    /// use twilio_auth_core::Config;
    ///
    /// let config = Config::builder().auth_token("12345").build().unwrap();
    /// let form = Some("application/x-www-form-urlencoded; charset=UTF-8");
    /// assert_eq!(config.body_limit_for(form), 65536);
    /// assert_eq!(config.body_limit_for(Some("application/json")), 1 << 20);
    /// assert_eq!(config.body_limit_for(None), 1 << 20);
    /// ```
    pub fn body_limit_for(&self, content_type: Option<&str>) -> usize {
        match content_type {
            Some(ct) if crate::form::is_form_content_type(ct) => self.inner.form_body_limit,
            _ => self.inner.body_limit,
        }
    }

    /// The check an adapter makes before reading a body: a `Content-Length` (the header's
    /// value, if any) over the [`body_limit`](Config::body_limit) is refused with `413`
    /// unread. Twilio always sends `Content-Length`; a missing or unreadable one passes (the
    /// body is then counted as it is read, and [`Config::verify`] checks its length again).
    ///
    /// ```
    /// use twilio_auth_core::Config;
    ///
    /// let config = Config::builder().auth_token("12345").body_limit(1024).build().unwrap();
    /// assert!(config.check_content_length(Some("1024")).is_ok());
    /// assert!(config.check_content_length(None).is_ok());
    /// assert_eq!(config.check_content_length(Some("1025")).unwrap_err().status(), 413);
    /// ```
    pub fn check_content_length(&self, content_length: Option<&str>) -> Result<(), Rejection> {
        let announced = content_length.and_then(|v| v.trim().parse::<u64>().ok());
        match announced {
            Some(len) if len > self.inner.body_limit as u64 => Err(self.body_too_large()),
            _ => Ok(()),
        }
    }

    /// The refusal of a body over the limit, for an adapter whose reading stopped at it.
    pub fn body_too_large(&self) -> Rejection {
        Rejection::new(RejectionReason::BodyTooLarge {
            limit: self.inner.body_limit,
        })
    }

    /// A form body of `len` bytes within the form limit, else its refusal.
    pub(crate) fn check_form_body_len(&self, len: usize) -> Result<(), Rejection> {
        let limit = self.inner.form_body_limit;
        if len > limit {
            Err(Rejection::new(RejectionReason::BodyTooLarge { limit }))
        } else {
            Ok(())
        }
    }

    /// A body of `len` bytes within the limit, else its refusal.
    pub(crate) fn check_body_len(&self, len: usize) -> Result<(), Rejection> {
        if len > self.inner.body_limit {
            Err(self.body_too_large())
        } else {
            Ok(())
        }
    }

    /// How the public URL of a request is found.
    pub fn url_policy(&self) -> &PublicUrlPolicy {
        &self.inner.url_policy
    }
}

/// The `name<sep>value` entries of a comma-separated variable (errors name the variable and
/// never show a value, which may be a secret).
fn pairs(
    variable: &'static str,
    value: Option<String>,
    separator: char,
) -> Result<Vec<(String, String)>, ConfigError> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    value
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .enumerate()
        .map(|(i, entry)| {
            entry
                .split_once(separator)
                .map(|(name, secret)| (name.trim().to_owned(), secret.trim().to_owned()))
                .filter(|(name, secret)| !name.is_empty() && !secret.is_empty())
                .ok_or_else(|| ConfigError::InvalidEnv {
                    name: variable,
                    problem: format!("entry {} is not `name{separator}secret`", i + 1),
                })
        })
        .collect()
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys = self.inner.keys.load();
        let sources: Vec<String> = keys
            .tokens
            .iter()
            .chain(keys.accounts.iter().map(|(_, k)| k))
            .chain(keys.shared_keys.iter().map(|shared| &shared.key))
            .map(|k| k.source.to_string())
            .collect();
        f.debug_struct("Config")
            .field("secrets", &sources)
            .field("url_policy", &self.inner.url_policy)
            .field("candidate_options", &self.inner.candidate_options)
            .field("shared_keys_only", &keys.shared_keys_only)
            .field("body_limit", &self.inner.body_limit)
            .field("http_auth", &self.inner.http_auth)
            .finish()
    }
}

/// Why a configuration was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// No secret at all: no Auth Token, account token or SharedKey.
    NoSecret,
    /// A secret (named by its role, never its value) is the empty string.
    EmptySecret(String),
    /// A required environment variable is unset or empty.
    MissingEnv(&'static str),
    /// An environment variable has a value that cannot be used.
    InvalidEnv {
        /// The variable.
        name: &'static str,
        /// What is wrong with its value (never a secret's value).
        problem: String,
    },
    /// The public base URL cannot be used.
    InvalidBaseUrl {
        /// The URL as configured.
        url: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The default scheme is not a URL scheme.
    InvalidScheme(String),
    /// The body limit is zero.
    ZeroBodyLimit,
    /// Only SharedKeys are to be accepted, but none is configured.
    SharedKeysOnlyWithoutKeys,
    /// The HTTP authentication settings are invalid.
    HttpAuth(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::NoSecret => {
                f.write_str("no Auth Token configured (set TWILIO_AUTH_TOKEN)")
            }
            ConfigError::EmptySecret(role) => write!(f, "the {role} is empty"),
            ConfigError::MissingEnv(name) => write!(f, "environment variable {name} is not set"),
            ConfigError::InvalidEnv { name, problem } => write!(f, "{name}: {problem}"),
            ConfigError::InvalidBaseUrl { url, problem } => {
                write!(f, "public base URL {url:?} is invalid: {problem}")
            }
            ConfigError::InvalidScheme(s) => write!(f, "default scheme {s:?} is not a URL scheme"),
            ConfigError::ZeroBodyLimit => f.write_str("the body limit must be at least 1 byte"),
            ConfigError::SharedKeysOnlyWithoutKeys => {
                f.write_str("shared_keys_only is set but no SharedKey is configured")
            }
            ConfigError::HttpAuth(why) => write!(f, "HTTP authentication: {why}"),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The secrets of a configuration, to swap in while serving with [`Config::rotate`]: the
/// Auth Tokens, sub-account tokens and SharedKeys, set as on a [`ConfigBuilder`] and
/// checked the same way. `Debug` shows no secret.
///
/// ```
/// use twilio_auth_core::{Config, KeySet};
///
/// let config = Config::builder().auth_token("old-token").build().unwrap();
/// // Rotation: the new token first, the old one still accepted until Twilio uses the new.
/// config
///     .rotate(KeySet::new().auth_token("new-token").secondary_auth_token("old-token"))
///     .unwrap();
/// assert!(config.rotate(KeySet::new()).is_err()); // no secret: refused, keys unchanged
/// ```
#[derive(Default, Clone)]
pub struct KeySet {
    auth_token: Option<Secret>,
    secondary_auth_token: Option<Secret>,
    accounts: Vec<(String, Secret)>,
    shared_keys: Vec<(String, Secret, Algorithm)>,
    shared_keys_only: bool,
    from_store: bool,
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySet")
            .field("auth_token", &self.auth_token)
            .field("secondary_auth_token", &self.secondary_auth_token)
            .field("accounts", &self.accounts)
            .field("shared_keys", &self.shared_keys)
            .field("shared_keys_only", &self.shared_keys_only)
            .field("from_store", &self.from_store)
            .finish()
    }
}

impl KeySet {
    /// An empty key set (refused by [`Config::rotate`] until it holds a secret).
    pub fn new() -> Self {
        KeySet::default()
    }

    /// The primary Auth Token ([`ConfigBuilder::auth_token`]).
    pub fn auth_token(mut self, token: impl Into<Secret>) -> Self {
        self.auth_token = Some(token.into());
        self
    }

    /// The secondary Auth Token ([`ConfigBuilder::secondary_auth_token`]).
    pub fn secondary_auth_token(mut self, token: impl Into<Secret>) -> Self {
        self.secondary_auth_token = Some(token.into());
        self
    }

    /// A sub-account's Auth Token ([`ConfigBuilder::account_token`]).
    pub fn account_token(
        mut self,
        account_sid: impl Into<String>,
        token: impl Into<Secret>,
    ) -> Self {
        self.accounts.push((account_sid.into(), token.into()));
        self
    }

    /// A SharedKey ([`ConfigBuilder::shared_key`]).
    pub fn shared_key(
        mut self,
        key_id: impl Into<String>,
        secret: impl Into<Secret>,
        algorithm: Algorithm,
    ) -> Self {
        self.shared_keys
            .push((key_id.into(), secret.into(), algorithm));
        self
    }

    /// Accept SharedKey signatures only ([`ConfigBuilder::shared_keys_only`]).
    pub fn shared_keys_only(mut self, only: bool) -> Self {
        self.shared_keys_only = only;
        self
    }

    /// Keys also come from a store ([`ConfigBuilder::keys_from_store`]): the set may hold
    /// no secret at all.
    pub fn keys_from_store(mut self, from_store: bool) -> Self {
        self.from_store = from_store;
        self
    }

    /// Checks the secrets and prepares their HMAC states.
    pub(crate) fn into_keyring(self) -> Result<Keyring, ConfigError> {
        let check = |role: &str, secret: &Secret| {
            if secret.is_empty() {
                Err(ConfigError::EmptySecret(role.to_owned()))
            } else {
                Ok(())
            }
        };
        let mut tokens = Vec::new();
        if let Some(token) = &self.auth_token {
            check("Auth Token", token)?;
            tokens.push(SigningKey::new(KeySource::PrimaryToken, token));
        }
        if let Some(token) = &self.secondary_auth_token {
            check("secondary Auth Token", token)?;
            tokens.push(SigningKey::new(KeySource::SecondaryToken, token));
        }
        let mut accounts = Vec::new();
        for (sid, token) in &self.accounts {
            check(&format!("Auth Token of account {sid}"), token)?;
            accounts.push((
                sid.clone(),
                SigningKey::new(KeySource::Account(sid.clone()), token),
            ));
        }
        let mut shared_keys = Vec::new();
        for (id, secret, algorithm) in &self.shared_keys {
            check(&format!("secret of SharedKey {id}"), secret)?;
            shared_keys.push(SharedKey {
                id: id.clone(),
                algorithm: *algorithm,
                key: SigningKey::new(KeySource::SharedKey(id.clone()), secret),
            });
        }
        if tokens.is_empty() && accounts.is_empty() && shared_keys.is_empty() && !self.from_store {
            return Err(ConfigError::NoSecret);
        }
        if self.shared_keys_only && shared_keys.is_empty() && !self.from_store {
            return Err(ConfigError::SharedKeysOnlyWithoutKeys);
        }
        Ok(Keyring {
            tokens,
            accounts,
            shared_keys,
            shared_keys_only: self.shared_keys_only,
            from_store: self.from_store,
        })
    }
}

impl Config {
    /// Replaces the configuration's secrets while serving: every clone of this `Config`
    /// (the ones adapters and layers hold) verifies the next request with `keys`; a
    /// verification in flight finishes with the set it started with. The set is checked
    /// as [`ConfigBuilder::build`] checks it; when refused, the keys in use stay.
    ///
    /// To rotate an Auth Token, keep the old one as the secondary until Twilio signs with
    /// the new one: `KeySet::new().auth_token(new).secondary_auth_token(old)`.
    /// A configuration whose keys come from a store
    /// ([`keys_from_store`](ConfigBuilder::keys_from_store)) stays so.
    pub fn rotate(&self, mut keys: KeySet) -> Result<(), ConfigError> {
        keys.from_store |= self.inner.keys.load().from_store;
        let keyring = keys.into_keyring()?;
        self.inner.keys.store(Arc::new(keyring));
        Ok(())
    }

    /// Replaces the primary and secondary Auth Tokens while serving, and keeps the
    /// sub-account tokens and SharedKeys ([`Config::rotate`] replaces everything).
    ///
    /// ```
    /// use twilio_auth_core::{Config, KeySource, Signer, WebhookRequest};
    ///
    /// let config = Config::builder().auth_token("old-token").build().unwrap();
    /// let held_by_a_layer = config.clone();
    /// config.set_auth_tokens("new-token", Some("old-token")).unwrap();
    ///
    /// let url = "https://example.com/status";
    /// let signature = Signer::new("new-token").sign_url(url);
    /// let headers = [("X-Twilio-Signature", signature.as_str())];
    /// let req = WebhookRequest::from_url("GET", url).headers(&headers);
    /// let verified = held_by_a_layer.verify(&req).unwrap();
    /// assert_eq!(verified.key(), Some(&KeySource::PrimaryToken));
    /// ```
    pub fn set_auth_tokens(
        &self,
        primary: impl Into<Secret>,
        secondary: Option<impl Into<Secret>>,
    ) -> Result<(), ConfigError> {
        let primary = primary.into();
        if primary.is_empty() {
            return Err(ConfigError::EmptySecret("Auth Token".to_owned()));
        }
        let mut tokens = vec![SigningKey::new(KeySource::PrimaryToken, &primary)];
        if let Some(secondary) = secondary {
            let secondary = secondary.into();
            if secondary.is_empty() {
                return Err(ConfigError::EmptySecret("secondary Auth Token".to_owned()));
            }
            tokens.push(SigningKey::new(KeySource::SecondaryToken, &secondary));
        }
        // Read, copy, compare-and-swap: a concurrent rotation is not lost.
        self.inner.keys.rcu(|current| Keyring {
            tokens: tokens.clone(),
            accounts: current.accounts.clone(),
            shared_keys: current.shared_keys.clone(),
            shared_keys_only: current.shared_keys_only,
            from_store: current.from_store,
        });
        Ok(())
    }
}

/// Builds a [`Config`]; [`ConfigBuilder::build`] checks everything at once.
#[derive(Default, Clone)]
pub struct ConfigBuilder {
    keys: KeySet,
    public_base_url: Option<String>,
    trust_forwarded: Option<ForwardedHeaders>,
    default_scheme: Option<String>,
    body_limit: Option<usize>,
    form_body_limit: Option<usize>,
    trailing_slash: bool,
    http_auth: Option<HttpAuthConfig>,
    diagnose_refusals: Option<bool>,
}

impl fmt::Debug for ConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigBuilder")
            .field("auth_token", &self.keys.auth_token)
            .field("secondary_auth_token", &self.keys.secondary_auth_token)
            .field("accounts", &self.keys.accounts)
            .field("shared_keys", &self.keys.shared_keys)
            .field(
                "public_base_url",
                &self
                    .public_base_url
                    .as_deref()
                    .map(crate::url::redact_password),
            )
            .field("trust_forwarded", &self.trust_forwarded)
            .field("shared_keys_only", &self.keys.shared_keys_only)
            .finish_non_exhaustive()
    }
}

impl ConfigBuilder {
    /// The primary Auth Token: the key Twilio signs webhooks with.
    pub fn auth_token(mut self, token: impl Into<Secret>) -> Self {
        self.keys = self.keys.auth_token(token);
        self
    }

    /// A second Auth Token, also accepted (use it while rotating tokens).
    pub fn secondary_auth_token(mut self, token: impl Into<Secret>) -> Self {
        self.keys = self.keys.secondary_auth_token(token);
        self
    }

    /// The Auth Token of a sub-account: requests whose `AccountSid` parameter is
    /// `account_sid` are verified with it instead of the primary token.
    pub fn account_token(
        mut self,
        account_sid: impl Into<String>,
        token: impl Into<Secret>,
    ) -> Self {
        self.keys = self.keys.account_token(account_sid, token);
        self
    }

    /// A SharedKey secret and the algorithm it signs with, used when a request's
    /// `X-Twilio-Webhooks-Signature-Settings` names `key_id`. A request that names this
    /// key with another algorithm is refused.
    ///
    /// ```
    /// use twilio_auth_core::{Algorithm, Config};
    ///
    /// let config = Config::builder()
    ///     .shared_key("KS1", "shared-secret", Algorithm::HmacSha256)
    ///     .shared_keys_only(true)
    ///     .build()
    ///     .unwrap();
    /// # let _ = config;
    /// ```
    pub fn shared_key(
        mut self,
        key_id: impl Into<String>,
        secret: impl Into<Secret>,
        algorithm: Algorithm,
    ) -> Self {
        self.keys = self.keys.shared_key(key_id, secret, algorithm);
        self
    }

    /// Keys come from a store too (a `KeyResolver` in the tower/axum layer, or an
    /// adapter's own through [`Config::key_request`] and [`Config::verify_with_key`]): the
    /// configuration may then hold no secret at all (all sub-accounts in the store), and
    /// [`shared_keys_only`](Self::shared_keys_only) needs no SharedKey configured. A
    /// request whose key neither the configuration nor the store holds is refused (403
    /// `unknown_account` or `unknown_shared_key`). Default `false`.
    ///
    /// ```
    /// use twilio_auth_core::{Config, ConfigError, RejectionReason, ResolvedKey, RoutePolicy};
    /// use twilio_auth_core::{Signer, WebhookRequest};
    ///
    /// assert_eq!(Config::builder().build().err(), Some(ConfigError::NoSecret));
    /// let config = Config::builder().keys_from_store(true).build().unwrap();
    ///
    /// let url = "https://example.com/status?AccountSid=AC42";
    /// let signature = Signer::new("sub-token").sign_url(url);
    /// let headers = [("X-Twilio-Signature", signature.as_str())];
    /// let req = WebhookRequest::from_url("GET", url).headers(&headers);
    /// let unknown = config.verify_with_key(&req, RoutePolicy::Signature, None).unwrap_err();
    /// assert_eq!(unknown.reason(), &RejectionReason::UnknownAccount);
    /// let key = ResolvedKey::account("AC42", "sub-token");
    /// assert!(config.verify_with_key(&req, RoutePolicy::Signature, Some(&key)).is_ok());
    /// ```
    pub fn keys_from_store(mut self, from_store: bool) -> Self {
        self.keys = self.keys.keys_from_store(from_store);
        self
    }

    /// Accept only requests signed with a configured SharedKey: the Auth Token path is
    /// off (for accounts that moved every webhook to SharedKeys). Default `false`.
    pub fn shared_keys_only(mut self, only: bool) -> Self {
        self.keys = self.keys.shared_keys_only(only);
        self
    }

    /// The public base URL Twilio calls (`https://voice.example.com`, an ngrok address,
    /// or with a path prefix); the request's raw path and query are appended to it.
    pub fn public_base_url(mut self, url: impl Into<String>) -> Self {
        self.public_base_url = Some(url.into());
        self
    }

    /// Trust the forwarded headers your proxy writes: [`ForwardedHeaders::XForwarded`]
    /// (`X-Forwarded-Proto/Host/Port`) or [`ForwardedHeaders::Forwarded`] (RFC 7239).
    /// Only that family is read, and of a list the last element (the one the proxy in
    /// front of the app wrote; a client can send anything before it). Only behind such a
    /// proxy: clients can send these headers too. Ignored when a public base URL is set.
    pub fn trust_forwarded_headers(mut self, headers: ForwardedHeaders) -> Self {
        self.trust_forwarded = Some(headers);
        self
    }

    /// The scheme assumed when only the `Host` header is known (default `https`).
    pub fn default_scheme(mut self, scheme: impl Into<String>) -> Self {
        self.default_scheme = Some(scheme.into());
        self
    }

    /// The largest body accepted, in bytes (default [`DEFAULT_BODY_LIMIT`]).
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = Some(bytes);
        self
    }

    /// The largest form (`application/x-www-form-urlencoded`) body accepted, in bytes
    /// (default [`DEFAULT_FORM_BODY_LIMIT`]; never more than the
    /// [`body_limit`](ConfigBuilder::body_limit)). Raise it only if your forms are larger:
    /// a forged form costs one HMAC over its whole body per candidate URL and secret.
    pub fn form_body_limit(mut self, bytes: usize) -> Self {
        self.form_body_limit = Some(bytes);
        self
    }

    /// Also try each URL with a trailing `/` (Media Streams WebSocket handshakes).
    pub fn try_trailing_slash(mut self, enabled: bool) -> Self {
        self.trailing_slash = enabled;
        self
    }

    /// HTTP Basic/Digest settings; each route chooses whether it requires them.
    pub fn http_auth(mut self, http_auth: HttpAuthConfig) -> Self {
        self.http_auth = Some(http_auth);
        self
    }

    /// Whether a refused signature (one that matches no candidate URL) is diagnosed:
    /// the variants that explain the common deployment mistakes (the other scheme, a
    /// tunnel or proxy host, a path prefix or API Gateway stage, another configured key,
    /// the query as the framework rebuilt it) are tried — for the diagnosis only, never to
    /// accept — and [`Rejection::diagnosis`] says which one matched and what to configure.
    /// Default `true`. It costs nothing on the accepting path, and on the refusing path
    /// at most [`MAX_DIAGNOSTIC_HMACS`](crate::attempts::MAX_DIAGNOSTIC_HMACS) HMACs and
    /// no more bytes than the refusal hashed already ([`crate::attempts`]).
    ///
    /// ```
    /// use twilio_auth_core::{Config, Signer, WebhookRequest};
    ///
    /// let signature = Signer::new("12345").sign_url("http://example.com/status");
    /// let headers = [("Host", "example.com"), ("X-Twilio-Signature", signature.as_str())];
    /// let req = WebhookRequest::new("GET", "/status").headers(&headers);
    /// let on = Config::builder().auth_token("12345").build().unwrap();
    /// assert!(on.verify(&req).unwrap_err().diagnosis().is_some());
    /// let off = Config::builder().auth_token("12345").diagnose_refusals(false).build().unwrap();
    /// assert!(off.verify(&req).unwrap_err().diagnosis().is_none());
    /// ```
    pub fn diagnose_refusals(mut self, enabled: bool) -> Self {
        self.diagnose_refusals = Some(enabled);
        self
    }

    /// Checks the configuration and freezes it.
    pub fn build(self) -> Result<Config, ConfigError> {
        let keys = self.keys.into_keyring()?;
        let url_policy = match self.public_base_url {
            Some(url) => match normalise_base_url(&url) {
                Ok(base) => PublicUrlPolicy::BaseUrl(base),
                Err(problem) => {
                    return Err(ConfigError::InvalidBaseUrl {
                        url: crate::url::redact_password(&url),
                        problem: problem.to_string(),
                    });
                }
            },
            None => {
                let scheme = self.default_scheme.unwrap_or_else(|| "https".to_owned());
                if !crate::url::is_valid_scheme(&scheme) {
                    return Err(ConfigError::InvalidScheme(scheme));
                }
                PublicUrlPolicy::FromRequest {
                    default_scheme: scheme,
                    trust_forwarded: self.trust_forwarded,
                }
            }
        };
        let body_limit = self.body_limit.unwrap_or(DEFAULT_BODY_LIMIT);
        let form_body_limit = self
            .form_body_limit
            .unwrap_or(DEFAULT_FORM_BODY_LIMIT)
            .min(body_limit);
        if form_body_limit == 0 {
            return Err(ConfigError::ZeroBodyLimit);
        }
        Ok(Config {
            inner: Arc::new(Inner {
                keys: ArcSwap::from_pointee(keys),
                url_policy,
                candidate_options: CandidateOptions {
                    trailing_slash: self.trailing_slash,
                },
                body_limit,
                form_body_limit,
                http_auth: self.http_auth,
                diagnose_refusals: self.diagnose_refusals.unwrap_or(true),
                announced: AtomicBool::new(false),
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_missing_or_empty_secrets() {
        assert_eq!(Config::builder().build().err(), Some(ConfigError::NoSecret));
        assert_eq!(
            Config::builder().auth_token("").build().err(),
            Some(ConfigError::EmptySecret("Auth Token".into()))
        );
        assert!(
            Config::builder()
                .shared_key("KS1", "s", Algorithm::HmacSha256)
                .build()
                .is_ok()
        );
        assert_eq!(
            Config::builder()
                .auth_token("t")
                .shared_keys_only(true)
                .build()
                .err(),
            Some(ConfigError::SharedKeysOnlyWithoutKeys)
        );
    }

    #[test]
    fn refuses_bad_base_url_and_scheme() {
        let err = Config::builder()
            .auth_token("t")
            .public_base_url("voice.example.com")
            .build()
            .unwrap_err();
        assert!(matches!(err, ConfigError::InvalidBaseUrl { .. }), "{err}");
        let err = Config::builder()
            .auth_token("t")
            .default_scheme("ht tp")
            .build()
            .unwrap_err();
        assert_eq!(err, ConfigError::InvalidScheme("ht tp".into()));
        assert_eq!(
            Config::builder()
                .auth_token("t")
                .body_limit(0)
                .build()
                .err(),
            Some(ConfigError::ZeroBodyLimit)
        );
    }

    #[test]
    fn debug_never_shows_secrets() {
        let builder = Config::builder()
            .auth_token("tok-primary")
            .secondary_auth_token("tok-second")
            .account_token("AC1", "tok-account")
            .shared_key("KS1", "tok-shared", Algorithm::HmacSha1);
        let config = builder.clone().build().unwrap();
        for text in [format!("{builder:?}"), format!("{config:?}")] {
            assert!(!text.contains("tok-"), "{text}");
        }
        assert!(format!("{config:?}").contains("SharedKey KS1"));
    }
}
