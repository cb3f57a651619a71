//! What a route demands beyond the defaults, as the const parameter of
//! [`Verified<T, POLICY>`](crate::Verified) and [`TwilioSignature<POLICY>`](crate::TwilioSignature)
//! (the same constants as the axum adapter's).
//!
//! A policy is one of the constants below. The default, [`SIGNATURE`], checks
//! `X-Twilio-Signature` only. [`BASIC`], [`DIGEST`] and [`EITHER`] first require HTTP
//! Basic/Digest authentication (a `401` with `WWW-Authenticate` challenges, the credentials
//! coming from [`Config`](twilio_auth_core::Config)'s
//! [`http_auth`](twilio_auth_core::ConfigBuilder::http_auth)) and then check the signature
//! (`403`). The `…_ONLY` variants require HTTP authentication and skip the signature: for a
//! route that HTTP authentication alone protects. There is no policy that checks nothing.
//!
//! `#[twilio_signed(http_auth = "digest")]` writes `Verified<T, { DIGEST }>` for you, and
//! `#[twilio_signed(http_auth = "digest", signature = false)]` writes `DIGEST_ONLY`.
//!
//! ```no_run
//! use rocket::form::Form;
//! use rocket::post;
//! use std::collections::HashMap;
//! use twilio_auth_rocket::Verified;
//! use twilio_auth_rocket::policy::DIGEST;
//!
//! // Digest authentication (401 → retry), then the signature. In a Rocket route the
//! // constant goes in braces: Rocket's attribute reads every bare generic argument as a type.
//! #[post("/voice", data = "<call>")]
//! fn voice(call: Verified<Form<HashMap<String, String>>, { DIGEST }>) -> String {
//!     format!("{} parameters", call.len())
//! }
//! ```
//!
//! (Without credentials in the configuration, such a route answers every request with `401`,
//! and the launch logs an error.)

pub use twilio_auth_core::policy::*;
