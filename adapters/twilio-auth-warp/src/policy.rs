//! What a route demands beyond the defaults, for the `_with` filters
//! ([`form_with`](crate::form_with), …) and `#[twilio_signed(http_auth = …)]`: the same
//! policies as every adapter's. [`RoutePolicy::Signature`] (the default) checks
//! `X-Twilio-Signature` only; `HttpAuthThenSignature` first requires HTTP Basic/Digest
//! authentication; `HttpAuthOnly` requires it instead of the signature. There is no policy
//! that checks nothing.
//!
//! ```
//! use twilio_auth_warp::policy::{HttpAuth, RoutePolicy};
//!
//! let digest = RoutePolicy::HttpAuthThenSignature(HttpAuth::Digest);
//! assert!(digest.checks_signature());
//! ```

pub use twilio_auth_core::policy::*;
