//! What a layer demands of each request: the core's [`RoutePolicy`], which has no state
//! that checks nothing. [`TwilioAuthLayer::new`](crate::TwilioAuthLayer::new) checks the
//! signature; [`http_auth`](crate::TwilioAuthLayer::http_auth) and
//! [`http_auth_only`](crate::TwilioAuthLayer::http_auth_only) add HTTP authentication in
//! front of it or instead of it.

pub use twilio_auth_core::RoutePolicy;
pub use twilio_auth_core::policy::HttpAuth;
