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
//! use actix_web::{App, web};
//! use std::collections::HashMap;
//! use twilio_auth_actix::Verified;
//! use twilio_auth_actix::policy::Digest;
//!
//! // Digest authentication (401 → retry), then the signature.
//! async fn voice(Verified(form): Verified<web::Form<HashMap<String, String>>, Digest>) -> String {
//!     format!("{} parameters", form.len())
//! }
//!
//! let config = twilio_auth_core::Config::builder().auth_token("12345").build().unwrap();
//! let app = App::new().app_data(config).route("/voice", web::post().to(voice));
//! ```
//!
//! Any other type fails the build where the extractor is used:
//!
//! ```compile_fail,E0277
//! use actix_web::{App, web};
//! use twilio_auth_actix::Verified;
//!
//! async fn voice(Verified(body): Verified<String, u8>) -> String {
//!     body
//! }
//!
//! let app = App::new().route("/voice", web::post().to(voice));
//! ```

pub use twilio_auth_core::policy::*;
