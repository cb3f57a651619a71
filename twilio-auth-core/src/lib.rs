//! Verification of Twilio webhook requests, framework-agnostic.
//!
//! Twilio signs every webhook with `X-Twilio-Signature`: an HMAC of the full URL plus the
//! sorted form parameters (or, for JSON bodies, of the URL carrying a `bodySHA256` hash of
//! the body), keyed with the account's Auth Token. This crate rebuilds what Twilio signed
//! from plain request data — method, raw path and query, headers, body bytes — tries the
//! URL variants Twilio's back ends are known to sign (ports, credentials, legacy
//! encodings), and compares in constant time. It does no I/O and never panics on input.
//!
//! Section numbers cited as SPEC §n refer to `docs/SPEC.md` in the repository, which states
//! the verification rules this crate implements.
//!
//! ```
//! use twilio_auth_core::{Config, Signer, WebhookRequest, form};
//!
//! let config = Config::builder()
//!     .auth_token("your-auth-token")
//!     .public_base_url("https://voice.example.com")
//!     .build()?;
//!
//! // What Twilio sends (the signer is here for tests like this one).
//! let params = [("CallSid", "CA123"), ("From", "+14155550100")];
//! let signature = Signer::new("your-auth-token").sign_form("https://voice.example.com/voice", &params);
//! let body = form::encode(&params);
//! let headers = [
//!     ("X-Twilio-Signature", signature.as_str()),
//!     ("Content-Type", "application/x-www-form-urlencoded"),
//! ];
//!
//! // What an adapter does with each request.
//! let req = WebhookRequest::new("POST", "/voice").headers(&headers).body(body.as_bytes());
//! match config.verify(&req) {
//!     Ok(verified) => assert_eq!(verified.url(), Some("https://voice.example.com/voice")),
//!     Err(rejection) => panic!("rejected with {}: {rejection}", rejection.status()),
//! }
//! # Ok::<(), twilio_auth_core::ConfigError>(())
//! ```

// `unsafe` is denied everywhere but in `form::simd` (AVX-512 and AVX2 decoding, each checked
// against the scalar decoder by property tests and a fuzz target).
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod algorithm;
/// The bound on the signature work one request may cause.
pub mod attempts;
#[doc(hidden)]
pub mod body_hash;
#[doc(hidden)]
pub mod candidates;
mod config;
pub mod diagnosis;
mod explain;
pub mod form;
pub mod handshake;
mod headers;
mod hints;
pub mod http_auth;
mod log_event;
pub mod metrics;
mod outcome;
pub mod policy;
mod public_url;
mod report_only;
mod request;
pub mod resolve;
#[cfg(feature = "resolver")]
pub mod resolver;
mod secret;
pub mod signer;
mod status;
mod summary;
mod url;
mod verify;

pub use algorithm::Algorithm;
pub use config::{
    Config, ConfigBuilder, ConfigError, DEFAULT_BODY_LIMIT, DEFAULT_FORM_BODY_LIMIT, DEFAULT_REALM,
    ENV_ACCOUNT_TOKENS, ENV_AUTH_TOKEN, ENV_AUTH_TOKEN_SECONDARY, ENV_BODY_LIMIT,
    ENV_DIGEST_NONCE_LIFETIME, ENV_DIGEST_NONCE_SECRET, ENV_FORM_BODY_LIMIT, ENV_SHARED_KEYS,
    ENV_SHARED_KEYS_ONLY, ENV_TRUST_FORWARDED, ENV_WEBHOOK_BASE_URL, ENV_WEBHOOK_PASSWORD,
    ENV_WEBHOOK_REALM, ENV_WEBHOOK_USER, KeySet,
};
pub use diagnosis::{Diagnosis, Mistake};
pub use explain::{ExplainedAttempt, Explanation};
pub use headers::Headers;
pub use headers::{SIGNATURE_HEADER, SIGNATURE_SETTINGS_HEADER};
pub use hints::Hint;
pub use log_event::{LogEvent, LogLevel, REFUSAL_LOG_PREFIX};
pub use outcome::{KeySource, Rejection, RejectionReason, SignatureMatch, Verified};
pub use policy::RoutePolicy;
pub use public_url::{ForwardedHeaders, PublicUrlPolicy};
pub use report_only::{REPORT_ONLY_LOG_PREFIX, STARTUP_WARNING, Unverified};
pub use request::WebhookRequest;
pub use resolve::{KEY_STORE_UNAVAILABLE_BODY, KeyLookup, ResolvedKey};
pub use secret::Secret;
pub use signer::{SignedBody, Signer};
pub use status::RejectionStatus;
pub use summary::ConfigSummary;
