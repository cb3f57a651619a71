//! What a route demands of each request: the core's [`RoutePolicy`], which has no state
//! that checks nothing (`Signature`, `HttpAuthThenSignature(HttpAuth)`,
//! `HttpAuthOnly(HttpAuth)`), passed to [`verify`](crate::verify).

pub use twilio_auth_core::RoutePolicy;
pub use twilio_auth_core::policy::HttpAuth;
