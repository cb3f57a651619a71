//! What a route demands beyond the defaults, as the policy parameter of
//! [`Verified<T, P>`](crate::Verified) and [`TwilioSignature<P>`](crate::TwilioSignature)
//! (the same types as the other adapters').
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
//! `#[twilio_signed(http_auth = "digest")]` writes `Verified<T, Digest>` for you, and
//! `#[twilio_signed(http_auth = "digest", signature = false)]` writes `DigestOnly`.
//!
//! ```no_run
//! use rocket::form::Form;
//! use rocket::post;
//! use std::collections::HashMap;
//! use twilio_auth_rocket::Verified;
//! use twilio_auth_rocket::policy::Digest;
//!
//! // Digest authentication (401 → retry), then the signature.
//! #[post("/voice", data = "<call>")]
//! fn voice(call: Verified<Form<HashMap<String, String>>, Digest>) -> String {
//!     format!("{} parameters", call.len())
//! }
//! ```
//!
//! (Without credentials in the configuration, such a route answers every request with `401`,
//! and the launch logs an error.)

pub use twilio_auth_core::policy::*;
