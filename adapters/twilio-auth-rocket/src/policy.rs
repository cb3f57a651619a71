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
//!
//! With the `replay` feature, `ReplayGuarded<P>` adds replay protection to any of them:
//! see `TwilioAuth::replay`.

pub use twilio_auth_core::policy::*;

mod sealed {
    pub trait Sealed {}
}

/// What the Rocket guards accept as their policy parameter: one of the core's markers
/// ([`Signature`], [`Basic`], …, every [`Policy`]), or, with the `replay` feature, one of
/// them wrapped in `ReplayGuarded`. Sealed.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a route policy of the Rocket guards",
    note = "a policy is one of `twilio_auth::rocket::policy`'s markers (`Signature`, `Basic`, `Digest`, …), or one wrapped in `ReplayGuarded`",
    note = "`ReplayGuarded` and `#[twilio_signed(replay = true)]` need the `replay` feature"
)]
pub trait RocketPolicy: sealed::Sealed + Send + Sync + 'static {
    /// What the route demands of each request.
    const ROUTE: RoutePolicy;
    /// Whether the route's verified requests go through the fairing's replay guard.
    const REPLAY: bool;
}

impl<P: Policy> sealed::Sealed for P {}

impl<P: Policy> RocketPolicy for P {
    const ROUTE: RoutePolicy = P::ROUTE;
    const REPLAY: bool = false;
}

/// `P` (by default [`Signature`]), then the replay guard of the
/// [`TwilioAuth`](crate::TwilioAuth) fairing (feature `replay`): `Verified<Form<T>,
/// ReplayGuarded>`, `Verified<Form<T>, ReplayGuarded<Digest>>`, or on a report-only route
/// `ReportOnly<Form<T>, ReplayGuarded>`. Only the routes that name it are protected; one
/// that does while the fairing has no guard stops the launch.
///
/// Take the guard as it is, not as `Option<Verified<…>>`: Rocket would then run the handler
/// for a refused duplicate (with `None`), and replace its answer with the refusal's when
/// both have the same status.
#[cfg(feature = "replay")]
#[cfg_attr(docsrs, doc(cfg(feature = "replay")))]
pub struct ReplayGuarded<P: Policy = Signature>(std::marker::PhantomData<fn() -> P>);

#[cfg(feature = "replay")]
impl<P: Policy> std::fmt::Debug for ReplayGuarded<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ReplayGuarded<{:?}>", P::ROUTE)
    }
}

#[cfg(feature = "replay")]
impl<P: Policy> sealed::Sealed for ReplayGuarded<P> {}

#[cfg(feature = "replay")]
impl<P: Policy> RocketPolicy for ReplayGuarded<P> {
    const ROUTE: RoutePolicy = P::ROUTE;
    const REPLAY: bool = true;
}
