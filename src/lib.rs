//! # twilio-auth
//!
//! Prove that a webhook really came from Twilio: `X-Twilio-Signature` (with `bodySHA256`
//! for JSON bodies) and HTTP Basic/Digest authentication, in any Rust web framework.
//!
//! This crate is the facade: it re-exports [`twilio_auth_core`] (the framework-agnostic
//! verifier), the `#[twilio_signed]` attribute, and one adapter module per enabled
//! framework feature (`axum`, later `rocket` and `warp`).
//!
//! ```
//! use twilio_auth::{Config, Signer, WebhookRequest};
//!
//! let config = Config::builder().auth_token("12345").build().unwrap();
//! let url = "https://example.com/status?CallSid=CA1";
//! let signature = Signer::new("12345").sign_url(url);
//! let headers = [("X-Twilio-Signature", signature.as_str())];
//! assert!(config.verify(&WebhookRequest::from_url("GET", url).headers(&headers)).is_ok());
//! ```

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use twilio_auth_core::*;
