//! warp integration of twilio-auth: only requests that really come from Twilio reach your
//! handlers.
//!
//! warp has no extractors in a handler's signature; handlers are fed by filters. This crate
//! offers the filters, and `#[twilio_signed]` writes the whole route for a handler:
//!
//! - [`form`], [`json`], [`bytes()`], [`signed`] (nothing to extract, for GET webhooks) and
//!   [`request`] (the whole [`VerifiedRequest`]): each reads the body within the
//!   configuration's limit — with a running count, so a chunked body without
//!   `Content-Length` is cut off at the limit too — verifies it, and only then extracts.
//!   Each has a `_with` variant taking a [`RoutePolicy`](twilio_auth_core::RoutePolicy)
//!   for HTTP Basic/Digest authentication.
//! - [`seal`] answers a route's refusals on that route; [`recover`] is the same as a
//!   function for [`Filter::recover`](warp::Filter::recover).
//! - [`Verifier`]: the same filters for routes whose sub-account Auth Tokens or SharedKeys
//!   come from your own store ([`Verifier::key_resolver`], or [`request_resolved`]); a
//!   store error answers `503`.
//! - [`report_only`]: report-only mode for a route being rolled out — a refused signature
//!   is logged and the handler gets the request marked unverified ([`Reported`]).
//! - `protect` (feature `replay`): the replay guard of `twilio-auth-replay` between
//!   verification and the handler, so a signed request is processed once.
//! - [`twilio_signed`]: on an `async fn` taking [`Form<T>`], [`Json<T>`], [`Query<T>`],
//!   `Bytes`, … ([`FromVerified`]), it generates `<name>_filter(config)`, the sealed route.
//!
//! # Refusals are replies, not rejections
//!
//! warp tries the next `.or()` branch whenever a branch *rejects*. If a failed
//! verification were left as a rejection, a forged `POST /voice` refused by the protected
//! route would go on to any later route that also matches `POST /voice` — an unprotected
//! fallback, a catch-all, a route added later by someone else — and be served there.
//! So once a protected route's method and path matched, a refusal is **answered**: a 403
//! (bad or missing signature or body hash), 401 with `WWW-Authenticate` challenges (HTTP
//! authentication), 413 (body over the limit), 400 (no usable URL, or a body that does
//! not deserialize) or 503 (a [`Verifier`]'s key store failed). Requests for other paths or
//! methods are still rejections, as warp expects, and go on to the next route.
//!
//! Routes from `#[twilio_signed]` work that way by construction. With the building-block
//! filters, which fail with a [`TwilioRejection`], wrap the route in [`seal`] before any
//! `.or()`. Every refusal is logged with `tracing` when it is made: the core's
//! [`log_event`](twilio_auth_core::Rejection::log_event), a warning with the reason and, for
//! a signature mismatch, the URLs that were tried and hints about the likely cause (a debug
//! event for Twilio's expected first request without credentials). The first filter built
//! for a configuration logs its [summary](twilio_auth_core::Config::summary) at `INFO`.
//!
//! ```
//! use serde::Deserialize;
//! use twilio_auth_warp::{Form, twilio_signed};
//! use warp::Filter;
//!
//! #[derive(Deserialize)]
//! struct IncomingCall {
//!     #[serde(rename = "CallSid")]
//!     call_sid: String,
//! }
//!
//! // Used directly (not through the `twilio-auth` facade), the attribute needs to be told
//! // where its runtime support lives.
//! #[twilio_signed(post, path = "voice", crate = "twilio_auth_warp")]
//! async fn voice(Form(call): Form<IncomingCall>) -> String {
//!     format!("<Response><Say>Hello {}</Say></Response>", call.call_sid)
//! }
//!
//! let config = twilio_auth_core::Config::builder().auth_token("12345").build().unwrap();
//! let routes = voice_filter(config.clone())
//!     // The same handler under a prefix: the prefix is part of the signed URL.
//!     .or(warp::path("api").and(voice_filter(config)));
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod body;
mod extract;
mod filters;
mod key_store;
pub mod policy;
mod rejection;
#[cfg(feature = "replay")]
mod replay;
mod report_only;
mod request;
mod route;
mod verify;

/// The raw body, as a handler parameter or from [`bytes()`]: the `bytes` crate's, as warp's.
pub use bytes::Bytes;
pub use extract::{Form, FromVerified, Json, Query};
pub use filters::{
    bytes, bytes_with, form, form_with, json, json_with, request, request_with, seal, signed,
    signed_with,
};
pub use key_store::{Verifier, request_resolved};
pub use rejection::{TwilioRejection, recover};
#[cfg(feature = "replay")]
#[cfg_attr(docsrs, doc(cfg(feature = "replay")))]
pub use replay::{Checked, protect};
pub use report_only::{Reported, report_only};
pub use request::VerifiedRequest;
/// Keys from your own store: the core's [`KeyResolver`] and [`CachedResolver`], for
/// [`Verifier::key_resolver`] and [`request_resolved`].
pub use twilio_auth_core::resolver;
pub use twilio_auth_core::resolver::{CachedResolver, KeyResolver, ResolveError, ResolveFuture};

/// The `#[twilio_signed]` attribute for warp handlers; see the `twilio-auth` crate.
pub use twilio_auth_macros::twilio_signed_warp as twilio_signed;

/// What code generated by `#[twilio_signed]` names, and nothing else: not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::route::{RouteGuard, route, route_replay};
    pub use crate::{FromVerified, VerifiedRequest};
    pub use twilio_auth_core::Config;
    pub use twilio_auth_core::policy::{
        Basic, BasicOnly, Digest, DigestOnly, Either, EitherOnly, Policy, Signature,
    };
    pub use warp;
    pub use warp::reply::Response;

    /// Compile-time check that a handler returns a warp reply. (`do_not_recommend`: this
    /// message, not a list of every `Reply` type.)
    #[diagnostic::on_unimplemented(
        message = "`{Self}` is not a warp reply",
        label = "a `#[twilio_signed]` warp handler must return a `warp::Reply`",
        note = "return `impl warp::Reply`: a `String`, `&'static str`, `warp::reply::Json`, `warp::reply::with_header(…)`, …"
    )]
    pub trait HandlerReply {
        /// The reply as a response.
        fn into_response(self) -> Response;
    }

    #[diagnostic::do_not_recommend]
    impl<T: warp::Reply> HandlerReply for T {
        fn into_response(self) -> Response {
            warp::Reply::into_response(self)
        }
    }

    /// Any method: matches every request, with warp's `Rejection` as its error type (what
    /// [`route`] takes as its method filter).
    pub fn any_method() -> impl warp::Filter<Extract = (), Error = warp::Rejection> + Copy {
        use warp::Filter;
        warp::any()
            .and_then(|| std::future::ready(Ok::<(), warp::Rejection>(())))
            .untuple_one()
    }

    /// The handler's reply as a response (where [`HandlerReply`] is checked).
    pub fn reply<R: HandlerReply>(reply: R) -> Response {
        reply.into_response()
    }

    /// Compile-time check that a handler parameter is taken from a verified request. (A
    /// trait of its own with `do_not_recommend`: this message, not a list of the
    /// [`FromVerified`] types that varies with the crates in scope.)
    #[diagnostic::on_unimplemented(
        message = "`{Self}` cannot be a parameter of a `#[twilio_signed]` warp handler",
        label = "not taken from a verified request",
        note = "take `Form<T>`, `Json<T>` or `Query<T>` (from `twilio_auth::warp`, not warp's filters), `Bytes`, `String`, `HeaderMap`, `Verified` or `VerifiedRequest`: the types that implement `twilio_auth::warp::FromVerified`",
        note = "for anything else (application state, a database pool), write the route with the filters of `twilio_auth::warp` instead of the attribute"
    )]
    pub trait Parameter: Sized {
        /// See [`FromVerified::from_verified`].
        fn take(request: &VerifiedRequest) -> Result<Self, crate::TwilioRejection>;
    }

    #[diagnostic::do_not_recommend]
    impl<T: FromVerified> Parameter for T {
        fn take(request: &VerifiedRequest) -> Result<Self, crate::TwilioRejection> {
            T::from_verified(request)
        }
    }

    /// Takes a handler parameter from the verified request (where [`Parameter`] is
    /// checked).
    pub fn extract<T: Parameter>(request: &VerifiedRequest) -> Result<T, crate::TwilioRejection> {
        T::take(request)
    }
}
