//! HTTP Basic (RFC 7617) and Digest (RFC 7616) authentication, server side.
//!
//! A webhook URL such as `https://user:pass@host/voice` makes Twilio log in: its first request has
//! no `Authorization` header, the server answers `401` with `WWW-Authenticate` challenges, and
//! Twilio repeats the request with credentials. This module decides that exchange; it knows
//! nothing about any web framework.
//!
//! - [`HttpAuthConfig`] holds the realm, the accepted [`Credential`]s (several, for rotation) and
//!   the Digest nonce policy ([`NonceSecret`], lifetime).
//! - [`HttpAuthConfig::check`] takes a route's [`HttpAuthRequirement`] and the request's method,
//!   target and `Authorization` header, and returns the [`Authenticated`] user or an
//!   [`HttpAuthFailure`]: always a 401, with the challenges to send and a reason for the log.
//!
//! Digest supports `qop=auth` with `SHA-256` and `MD5` (both offered, SHA-256 first) and accepts
//! `SHA-256-sess` and `MD5-sess` from clients; not `auth-int`, `userhash` or SHA-512-256. Nonces
//! are stateless (`timestamp || HMAC-SHA256(secret, timestamp || realm)`), so every instance that
//! shares the secret accepts them, and `nc` is not tracked here: [`Authenticated::nonce_use`]
//! hands the `(nonce, nc)` pair to a replay store (`twilio-auth-replay`) that refuses it twice.
//!
//! # Examples
//!
//! A Digest exchange, with the client side computed by [`digest_response`]:
//!
//! ```
//! use twilio_auth_core::http_auth::{
//!     Credentials, DigestAlgorithm, DigestResponseInput, HttpAuthConfig, HttpAuthRequirement,
//!     NonceSecret, digest_response, parse_authorization,
//! };
//!
//! let config = HttpAuthConfig::builder("Twilio")
//!     .credential("twilio", "s3cret")
//!     .nonce_secret(NonceSecret::new(b"shared by every instance".to_vec())?)
//!     .build()?;
//! let now = 1_700_000_000;
//!
//! let first = config
//!     .check(HttpAuthRequirement::Digest, "POST", "/voice", None, now)
//!     .unwrap_err();
//! // Challenges use the Authorization syntax, so the same parser reads them.
//! let Ok(Credentials::Digest(challenge)) = parse_authorization(&first.challenges()[0]) else {
//!     panic!("expected a Digest challenge");
//! };
//! let (nonce, opaque) = (challenge.get("nonce").unwrap(), challenge.get("opaque").unwrap());
//! let response = digest_response(DigestAlgorithm::Sha256, &DigestResponseInput {
//!     username: "twilio", realm: "Twilio", password: "s3cret", method: "POST", uri: "/voice",
//!     nonce, nc: "00000001", cnonce: "abc123", qop: "auth",
//! });
//! let header = format!(
//!     r#"Digest username="twilio", realm="Twilio", uri="/voice", algorithm=SHA-256, qop=auth, nc=00000001, cnonce="abc123", nonce="{nonce}", opaque="{opaque}", response="{response}""#
//! );
//!
//! let user = config
//!     .check(HttpAuthRequirement::Digest, "POST", "/voice", Some(&header), now + 1)
//!     .unwrap()
//!     .unwrap();
//! assert_eq!(user.user(), "twilio");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod authenticated;
mod authorization;
mod basic;
mod challenge;
mod check;
mod config;
mod credential;
mod digest;
mod failure;
mod nonce;
mod requirement;

pub use authenticated::{Authenticated, DigestNonceUse, HttpAuthScheme};
pub use authorization::{
    AuthParams, Credentials, MAX_AUTH_PARAMS, MAX_AUTHORIZATION_LEN, MalformedAuthorization,
    parse_authorization,
};
pub use basic::decode_basic_credentials;
pub use config::{
    DEFAULT_NONCE_LIFETIME, HttpAuthConfig, HttpAuthConfigBuilder, HttpAuthConfigError,
};
pub use credential::Credential;
pub use digest::{DigestAlgorithm, DigestResponseInput, digest_response};
pub use failure::{HttpAuthFailure, HttpAuthFailureReason, UNAUTHORIZED};
pub use nonce::{MIN_NONCE_SECRET_LEN, NONCE_CLOCK_SKEW_SECS, NonceSecret};
pub use requirement::HttpAuthRequirement;
