//! What a route demands beyond the defaults, as the policy parameter of
//! [`Verified<E, P>`](crate::Verified) and [`TwilioSignature<P>`](crate::TwilioSignature).
//!
//! A policy is one of the marker types below. The default, [`Signature`], checks
//! `X-Twilio-Signature` only. [`Basic`], [`Digest`] and [`Either`] first require HTTP
//! Basic/Digest authentication (a `401` with `WWW-Authenticate` challenges, the credentials
//! coming from [`Config`](twilio_auth_core::Config)'s
//! [`http_auth`](twilio_auth_core::ConfigBuilder::http_auth)) and then check the signature
//! (`403`). The `…Only` variants require HTTP authentication and skip the signature: for a
//! route that HTTP authentication alone protects. There is no policy that checks nothing,
//! and no other type is a policy ([`Policy`] is sealed).
//!
//! `#[twilio_signed(http_auth = "digest")]` writes `Verified<E, Digest>` for you, and
//! `#[twilio_signed(http_auth = "digest", signature = false)]` writes `DigestOnly`.
//!
//! ```
//! use axum::{Form, Router, routing::post};
//! use std::collections::HashMap;
//! use twilio_auth_axum::Verified;
//! use twilio_auth_axum::policy::Digest;
//!
//! // Digest authentication (401 → retry), then the signature.
//! async fn voice(Verified(Form(call)): Verified<Form<HashMap<String, String>>, Digest>) -> String {
//!     format!("{} parameters", call.len())
//! }
//!
//! let config = twilio_auth_core::Config::builder().auth_token("12345").build().unwrap();
//! let app: Router = Router::new().route("/voice", post(voice)).with_state(config);
//! ```
//!
//! (Without credentials in the configuration, such a route answers every request with `401`
//! and logs an error.)
//!
//! Any other type fails the build where the extractor is used:
//!
//! ```compile_fail,E0277
//! use axum::{Router, routing::post};
//! use twilio_auth_axum::Verified;
//!
//! async fn voice(Verified(body): Verified<String, u8>) -> String {
//!     body
//! }
//!
//! let config = twilio_auth_core::Config::builder().auth_token("12345").build().unwrap();
//! let app: Router = Router::new().route("/voice", post(voice)).with_state(config);
//! ```

pub use twilio_auth_core::policy::*;
