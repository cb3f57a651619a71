//! Keys kept outside the configuration (a database, a secrets manager): the core stays
//! synchronous and does no I/O, so verification with such a key takes three steps an
//! adapter makes.
//!
//! 1. [`Config::key_request`]: which key the request names that the configuration does not
//!    hold — a sub-account's `AccountSid` (form body or query) or the SharedKey id of
//!    `X-Twilio-Webhooks-Signature-Settings` — as a [`KeyLookup`];
//! 2. the adapter asks its store (asynchronously, with a cache), which answers with a
//!    [`ResolvedKey`] or nothing;
//! 3. [`Config::verify_with_key`] verifies with it.
//!
//! ```
//! use twilio_auth_core::{Config, KeyLookup, KeySource, ResolvedKey, RoutePolicy};
//! use twilio_auth_core::{Signer, WebhookRequest, form};
//!
//! let config = Config::builder().auth_token("parent-token").build().unwrap();
//! let url = "https://example.com/sms";
//! let params = [("AccountSid", "AC42"), ("Body", "hi")];
//! let signature = Signer::new("sub-token").sign_form(url, &params);
//! let body = form::encode(&params);
//! let headers = [
//!     ("X-Twilio-Signature", signature.as_str()),
//!     ("Content-Type", "application/x-www-form-urlencoded"),
//! ];
//! let req = WebhookRequest::from_url("POST", url).headers(&headers).body(body.as_bytes());
//!
//! let lookup = config.key_request(&req).unwrap();
//! assert_eq!(lookup, KeyLookup::Account("AC42".into()));
//! let resolved = ResolvedKey::account("AC42", "sub-token"); // from your store
//! let verified = config.verify_with_key(&req, RoutePolicy::Signature, Some(&resolved)).unwrap();
//! assert_eq!(verified.key(), Some(&KeySource::Account("AC42".into())));
//! ```

use std::fmt;

use crate::algorithm::{Algorithm, KeyedMac, SignatureSettings};
use crate::config::{Config, SigningKey};
use crate::form::{self, FormBuffers, SigningParams};
use crate::headers::SIGNATURE_SETTINGS_HEADER;
use crate::outcome::KeySource;
use crate::policy::RoutePolicy;
use crate::request::{Target, WebhookRequest};
use crate::secret::Secret;

/// A key a request names and the configuration does not hold: what to ask a store for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum KeyLookup {
    /// The Auth Token of the sub-account with this `AccountSid` (from the form body or the
    /// query, as verification reads it).
    Account(String),
    /// The SharedKey with this id (from `X-Twilio-Webhooks-Signature-Settings`).
    SharedKey(String),
}

impl fmt::Display for KeyLookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyLookup::Account(sid) => write!(f, "account {sid}"),
            KeyLookup::SharedKey(id) => write!(f, "SharedKey {id}"),
        }
    }
}

/// A key a store answered with, ready to verify with ([`Config::verify_with_key`]).
/// It is used only for the request that names it; `Debug` shows no secret. Cheap to
/// clone once built (the HMAC key states are prepared here, once).
#[derive(Clone)]
pub struct ResolvedKey {
    pub(crate) lookup: KeyLookup,
    pub(crate) algorithm: Algorithm,
    pub(crate) key: SigningKey,
}

impl ResolvedKey {
    /// The Auth Token of the sub-account `account_sid`.
    pub fn account(account_sid: impl Into<String>, token: impl Into<Secret>) -> Self {
        let sid = account_sid.into();
        let token = token.into();
        ResolvedKey {
            key: SigningKey {
                source: KeySource::Account(sid.clone()),
                mac: KeyedMac::new(token.expose().as_bytes()),
            },
            lookup: KeyLookup::Account(sid),
            algorithm: Algorithm::HmacSha1,
        }
    }

    /// The secret of the SharedKey `key_id`, and the one algorithm it signs with (a
    /// request that names another is refused).
    pub fn shared_key(
        key_id: impl Into<String>,
        secret: impl Into<Secret>,
        algorithm: Algorithm,
    ) -> Self {
        let id = key_id.into();
        let secret = secret.into();
        ResolvedKey {
            key: SigningKey {
                source: KeySource::SharedKey(id.clone()),
                mac: KeyedMac::new(secret.expose().as_bytes()),
            },
            lookup: KeyLookup::SharedKey(id),
            algorithm,
        }
    }

    /// The key this is.
    pub fn lookup(&self) -> &KeyLookup {
        &self.lookup
    }

    /// Whether this is the Auth Token of `sid`.
    pub(crate) fn for_account(&self, sid: &str) -> bool {
        matches!(&self.lookup, KeyLookup::Account(a) if a == sid)
    }

    /// Whether this is the SharedKey `id`.
    pub(crate) fn for_shared_key(&self, id: &str) -> bool {
        matches!(&self.lookup, KeyLookup::SharedKey(k) if k == id)
    }
}

/// The body of the `503` every adapter answers when its key store failed for a request
/// (fail closed; the handler does not run): short, and naming no key.
pub const KEY_STORE_UNAVAILABLE_BODY: &str = "Service Unavailable: webhook key store unavailable\n";

impl fmt::Debug for ResolvedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResolvedKey")
            .field("lookup", &self.lookup)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// [`Config::key_request`] for a request to a route with `route`'s policy: what an
    /// adapter asks its key store for. `None` on a route that checks HTTP authentication
    /// alone; on a route with HTTP authentication before the signature, only once the
    /// request's credentials passed (a request without them never reaches the store, and
    /// verification then answers its `401`).
    pub fn route_key_request(
        &self,
        req: &WebhookRequest<'_>,
        route: RoutePolicy,
    ) -> Option<KeyLookup> {
        match route {
            RoutePolicy::HttpAuthOnly(_) => return None,
            RoutePolicy::HttpAuthThenSignature(scheme) => {
                self.verify_with(req, RoutePolicy::HttpAuthOnly(scheme))
                    .ok()?;
            }
            RoutePolicy::Signature => {}
        }
        self.key_request(req)
    }

    /// The key this request names that the configuration does not hold, to be looked up
    /// in a store before [`Config::verify_with_key`]: the SharedKey id of
    /// `X-Twilio-Webhooks-Signature-Settings`, else (unless only SharedKeys are accepted)
    /// the `AccountSid` of the form body or query. `None` when the request names no key,
    /// names one that is configured, or is malformed (verification then refuses it or
    /// uses the configured keys).
    ///
    /// An unknown `AccountSid` may be the parent account's own: when the store does not
    /// know it, verification falls back to the configured Auth Tokens, as it does without
    /// a store.
    pub fn key_request(&self, req: &WebhookRequest<'_>) -> Option<KeyLookup> {
        let keyring = self.inner.keys.load();
        if let Some(header) = req.header(SIGNATURE_SETTINGS_HEADER) {
            let settings = SignatureSettings::parse(header)?;
            if settings.key_id.is_empty()
                || keyring.shared_keys.iter().any(|k| k.id == settings.key_id)
            {
                return None;
            }
            return Some(KeyLookup::SharedKey(settings.key_id.to_owned()));
        }
        if keyring.shared_keys_only {
            return None;
        }
        let body = req.body_bytes();
        let is_form = !matches!(req.method(), "GET" | "HEAD")
            && req
                .header("content-type")
                .is_some_and(form::is_form_content_type);
        if is_form && body.len() > self.inner.form_body_limit {
            return None;
        }
        let mut buffers = FormBuffers::reuse();
        let params = if is_form {
            SigningParams::decode(body, &mut buffers)
        } else {
            SigningParams::none()
        };
        let target = match req.target {
            Target::PathAndQuery(target) | Target::Url(target) => target,
        };
        let sid = crate::verify::account_sid(target, &params).ok()??;
        if sid.is_empty() || keyring.accounts.iter().any(|(account, _)| account == sid) {
            return None;
        }
        Some(KeyLookup::Account(sid.to_owned()))
    }
}
