//! A configuration in one line, for the start-up log: how the URL will be rebuilt, how many
//! secrets of each kind, HTTP authentication, the body limit — counts and public values
//! only, never a secret. Adapters log it once per configuration when they are set up.

use std::fmt;
use std::sync::atomic::Ordering;

use crate::config::Config;
use crate::hints::family_name;
use crate::public_url::PublicUrlPolicy;

/// The start-up summary of a [`Config`]: `Display` gives the line.
///
/// ```
/// use twilio_auth_core::Config;
///
/// let config = Config::builder()
///     .auth_token("12345")
///     .public_base_url("https://twilio:s3cret@voice.example.com")
///     .build()
///     .unwrap();
/// assert_eq!(
///     config.summary().to_string(),
///     "twilio-auth configured: URL = https://twilio:***@voice.example.com + the request's \
///      path and query; keys: 1 Auth Token; HTTP auth: off; body limit: 1048576 bytes \
///      (65536 for forms)"
/// );
/// ```
#[derive(Clone, Copy)]
pub struct ConfigSummary<'c> {
    config: &'c Config,
}

impl Config {
    /// The one-line summary of this configuration, for the start-up log.
    pub fn summary(&self) -> ConfigSummary<'_> {
        ConfigSummary { config: self }
    }

    /// [`Config::summary`] the first time it is asked for this configuration (or any clone
    /// of it), `None` afterwards: adapters call it where they are set up, so the line is
    /// logged once however many routes share the configuration.
    ///
    /// ```
    /// use twilio_auth_core::Config;
    ///
    /// let config = Config::builder().auth_token("12345").build().unwrap();
    /// assert!(config.clone().summary_once().is_some());
    /// assert!(config.summary_once().is_none());
    /// ```
    pub fn summary_once(&self) -> Option<ConfigSummary<'_>> {
        let announced = &self.inner.announced;
        // A load first: after start-up, every caller sees `true` without writing.
        if announced.load(Ordering::Relaxed) || announced.swap(true, Ordering::Relaxed) {
            None
        } else {
            Some(self.summary())
        }
    }
}

impl fmt::Debug for ConfigSummary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for ConfigSummary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.config.inner;
        f.write_str("twilio-auth configured: URL = ")?;
        match &inner.url_policy {
            PublicUrlPolicy::BaseUrl(base) => write!(
                f,
                "{} + the request's path and query",
                crate::url::redact_password(base)
            )?,
            PublicUrlPolicy::FromRequest {
                default_scheme,
                trust_forwarded: None,
            } => write!(
                f,
                "{default_scheme}:// (assumed) + the Host header + the request's path and \
                 query (no base URL; forwarded headers not trusted)"
            )?,
            PublicUrlPolicy::FromRequest {
                default_scheme,
                trust_forwarded: Some(family),
            } => write!(
                f,
                "rebuilt from the trusted {} headers (where they say nothing: Host, and \
                 {default_scheme}:// assumed) + the request's path and query (no base URL)",
                family_name(*family)
            )?,
        }
        if inner.candidate_options.trailing_slash {
            f.write_str(", also with a trailing /")?;
        }

        f.write_str("; keys: ")?;
        let keys = inner.keys.load();
        let tokens = keys.tokens.len();
        let mut kinds = Vec::new();
        if tokens > 0 {
            kinds.push(if tokens == 1 {
                "1 Auth Token".to_owned()
            } else {
                format!("{tokens} Auth Tokens (primary and secondary)")
            });
        }
        let count = |n: usize, one: &str, many: &str| {
            (n > 0).then(|| format!("{n} {}", if n == 1 { one } else { many }))
        };
        kinds.extend(count(
            keys.accounts.len(),
            "sub-account token",
            "sub-account tokens",
        ));
        kinds.extend(count(keys.shared_keys.len(), "SharedKey", "SharedKeys"));
        if keys.from_store {
            kinds.push("keys from a store".to_owned());
        }
        f.write_str(&kinds.join(", "))?;
        if keys.shared_keys_only {
            f.write_str(" (SharedKeys only)")?;
        }

        f.write_str("; HTTP auth: ")?;
        match &inner.http_auth {
            Some(http_auth) => {
                let users = http_auth.credentials().len();
                write!(
                    f,
                    "{users} user{}, realm {:?}",
                    if users == 1 { "" } else { "s" },
                    http_auth.realm()
                )?;
            }
            None => f.write_str("off")?,
        }
        write!(f, "; body limit: {} bytes", inner.body_limit)?;
        if inner.form_body_limit < inner.body_limit {
            write!(f, " ({} for forms)", inner.form_body_limit)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::algorithm::Algorithm;
    use crate::config::Config;
    use crate::http_auth::HttpAuthConfig;
    use crate::public_url::ForwardedHeaders;

    #[test]
    fn every_kind_is_counted_and_no_secret_appears() {
        let http_auth = HttpAuthConfig::builder("hooks")
            .credential("twilio", "tok-password")
            .credential("other", "tok-password-2")
            .build()
            .unwrap();
        let config = Config::builder()
            .auth_token("tok-primary")
            .secondary_auth_token("tok-secondary")
            .account_token("AC1", "tok-account")
            .account_token("AC2", "tok-account-2")
            .shared_key("KS1", "tok-shared", Algorithm::HmacSha256)
            .public_base_url("https://user:tok-base@voice.example.com/hooks")
            .http_auth(http_auth)
            .body_limit(4096)
            .build()
            .unwrap();
        let line = config.summary().to_string();
        assert!(!line.contains("tok-"), "{line}");
        assert_eq!(
            line,
            "twilio-auth configured: URL = https://user:***@voice.example.com/hooks + the \
             request's path and query; keys: 2 Auth Tokens (primary and secondary), 2 \
             sub-account tokens, 1 SharedKey; HTTP auth: 2 users, realm \"hooks\"; body \
             limit: 4096 bytes"
        );
    }

    #[test]
    fn the_url_rule_without_a_base_url() {
        let host = Config::builder().auth_token("t").build().unwrap();
        assert!(
            host.summary().to_string().contains(
                "URL = https:// (assumed) + the Host header + the request's path and query \
                 (no base URL; forwarded headers not trusted)"
            ),
            "{}",
            host.summary()
        );
        let proxied = Config::builder()
            .shared_key("KS1", "s", Algorithm::HmacSha1)
            .shared_keys_only(true)
            .trust_forwarded_headers(ForwardedHeaders::Forwarded)
            .default_scheme("http")
            .try_trailing_slash(true)
            .build()
            .unwrap();
        let line = proxied.summary().to_string();
        assert!(
            line.contains(
                "URL = rebuilt from the trusted Forwarded (RFC 7239) headers (where they say \
                 nothing: Host, and http:// assumed) + the request's path and query (no base \
                 URL), also with a trailing /; keys: 1 SharedKey (SharedKeys only)"
            ),
            "{line}"
        );
    }

    #[test]
    fn once_per_configuration_and_its_clones() {
        let config = Config::builder().auth_token("t").build().unwrap();
        let other = Config::builder().auth_token("t").build().unwrap();
        assert!(config.summary_once().is_some());
        assert!(config.clone().summary_once().is_none());
        assert!(other.summary_once().is_some());
    }
}
