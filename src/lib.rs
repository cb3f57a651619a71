//! # twilio-auth
//!
//! Prove that a webhook really came from Twilio: `X-Twilio-Signature` (with `bodySHA256`
//! for JSON bodies) and HTTP Basic/Digest authentication, in any Rust web framework.
//!
//! This crate is the facade: it re-exports [`twilio_auth_core`] (the framework-agnostic
//! verifier), the `#[twilio_signed]` attribute, and one adapter module per enabled
//! feature (`axum`, `rocket`, `warp`; `tower` for hyper and any tower stack, `lambda` for
//! AWS Lambda; features are additive, several at once are fine).
//!
//! ## Which attribute
//!
//! [`twilio_signed`] recognises the framework from the function it is placed on: a Rocket
//! route attribute below it (`#[post(…)]`) makes it a Rocket route, a method or `path`
//! argument (`#[twilio_signed(post, path = "voice")]`) a warp handler, anything else an axum
//! handler. Each framework's own attribute is also at a path of its own, which refuses
//! another framework's function with one error naming the right path:
//!
//! | framework | feature | attribute |
//! |---|---|---|
//! | axum | `axum` | `twilio_auth::twilio_signed` or `twilio_auth::axum::twilio_signed` |
//! | Rocket | `rocket` | `twilio_auth::twilio_signed` or `twilio_auth::rocket::twilio_signed` |
//! | warp | `warp` | `twilio_auth::twilio_signed` or `twilio_auth::warp::twilio_signed` |
//!
//! ## Logs
//!
//! Every refusal is logged with its reason and the URLs that were tried, and at start-up
//! the verifier logs how it rebuilds URLs. With axum and warp these are `tracing` events:
//! install a subscriber (`tracing_subscriber::fmt::init()`), or a refused request leaves no
//! trace. The Rocket adapter logs its refusals where Rocket logs.
//!
//! ```
//! use twilio_auth::{Config, Signer, WebhookRequest};
//!
//! let config = Config::builder().auth_token("12345").build().unwrap();
//! let url = "https://example.com/status?CallSid=CA1";
//! let signature = Signer::new("12345").sign_url(url);
//! let headers = [("X-Twilio-Signature", signature.as_str())];
//! assert!(config.verify(&WebhookRequest::from_url("GET", url).headers(&headers)).is_ok());
//! ```
//!
//! ## axum
//!
//! With the `axum` feature, one attribute on a handler keeps forged requests out of it. The
//! configuration comes from the router's state, through `FromRef` (`state = AppState` names
//! that state, so that a mistake in it is reported at the handler; see [`twilio_signed`]):
//!
//! ```
//! # #[cfg(feature = "axum")] mod example {
//! use axum::{Form, Router, extract::FromRef, response::IntoResponse, routing::post};
//! use twilio_auth::twilio_signed;
//!
//! #[derive(Clone, FromRef)]
//! struct AppState {
//!     twilio: twilio_auth::Config,
//! }
//!
//! #[derive(serde::Deserialize)]
//! struct IncomingCall {
//!     #[serde(rename = "CallSid")]
//!     call_sid: String,
//! }
//!
//! #[twilio_signed(state = AppState)]
//! async fn voice(Form(call): Form<IncomingCall>) -> impl IntoResponse {
//!     format!("<Response><Say>Hello {}</Say></Response>", call.call_sid)
//! }
//!
//! fn app(config: twilio_auth::Config) -> Router {
//!     Router::new().route("/voice", post(voice)).with_state(AppState { twilio: config })
//! }
//! # }
//! ```
//!
//! A forged, tampered or unsigned request gets a 403 (413 over the body limit) and never
//! reaches the handler; the reason, with the URLs that were tried, goes to `tracing`. To
//! protect a whole router instead, add [`axum::TwilioAuthLayer`] to it
//! (`.http_auth(HttpAuth::Digest)` to require HTTP authentication too); by hand, the
//! extractors take the policy as a type: `Verified<Form<T>, Digest>` with the types of
//! [`axum::policy`].
//!
//! ## Rocket
//!
//! With the `rocket` feature, the attribute goes *above* the route attribute, which it
//! reads: the `data` parameter becomes a verified data guard (`Form<T>`, `Json<T>`,
//! `String`, `&str`, `Vec<u8>`, `&[u8]`), and a route without `data` gets a request guard.
//! One fairing manages the configuration and answers refused requests (403, 413, 400, 401
//! with its `WWW-Authenticate` challenges); a mounted route that verifies will not launch
//! without it:
//!
//! ```
//! # #[cfg(feature = "rocket")] mod example {
//! use rocket::form::{Form, FromForm};
//! use rocket::{post, routes};
//! use twilio_auth::rocket::{TwilioAuth, twilio_signed};
//!
//! #[derive(FromForm)]
//! struct IncomingCall {
//!     #[field(name = "CallSid")]
//!     call_sid: String,
//! }
//!
//! #[twilio_signed]
//! #[post("/voice", data = "<call>")]
//! fn voice(call: Form<IncomingCall>) -> String {
//!     format!("<Response><Say>Hello {}</Say></Response>", call.call_sid)
//! }
//!
//! fn rocket(config: twilio_auth::Config) -> rocket::Rocket<rocket::Build> {
//!     rocket::build()
//!         .attach(TwilioAuth::fairing(config))
//!         .mount("/", routes![voice])
//! }
//! # }
//! ```
//!
//! `#[twilio_signed(http_auth = "digest")]` (or `"basic"`, `"either"`) requires HTTP
//! authentication first, with the configuration's credentials.
//!
//! ## warp
//!
//! With the `warp` feature, the attribute writes the route: `voice_filter(config)` matches
//! `POST /voice`, verifies, and calls the handler with the verified form. A refused request
//! is answered by the route itself (403, 401 with challenges, 413), so it never falls
//! through to another `.or()` branch:
//!
//! ```
//! # #[cfg(feature = "warp")] mod example {
//! use twilio_auth::warp::{Form, twilio_signed};
//! use warp::Filter;
//!
//! #[derive(serde::Deserialize)]
//! struct IncomingCall {
//!     #[serde(rename = "CallSid")]
//!     call_sid: String,
//! }
//!
//! #[twilio_signed(post, path = "voice")]
//! async fn voice(Form(call): Form<IncomingCall>) -> impl warp::Reply {
//!     format!("<Response><Say>Hello {}</Say></Response>", call.call_sid)
//! }
//!
//! fn routes(config: twilio_auth::Config) -> impl Filter<Extract = (impl warp::Reply,), Error = warp::Rejection> + Clone {
//!     voice_filter(config.clone())
//!         // The same handler under a prefix: the prefix is part of the signed URL.
//!         .or(warp::path("api").and(voice_filter(config)))
//! }
//! # }
//! ```
//!
//! The route matches the path before the method: an unknown path is a 404, a known path
//! with another method a 405. Without the attribute, compose [`warp::form`],
//! [`warp::json`], [`warp::bytes()`] or [`warp::signed`] into a route and wrap it in
//! [`warp::seal`].
//!

// The adapter modules exist only with their feature: documentation built without one links
// to docs.rs, which builds it with every feature (`cargo doc` with any subset of features
// must not warn; scripts/test-all.sh checks it).
#![cfg_attr(
    not(feature = "axum"),
    doc = "[`axum::TwilioAuthLayer`]: https://docs.rs/twilio-auth/latest/twilio_auth/axum/struct.TwilioAuthLayer.html",
    doc = "[`axum::policy`]: https://docs.rs/twilio-auth/latest/twilio_auth/axum/policy/index.html"
)]
#![cfg_attr(
    not(feature = "warp"),
    doc = "[`warp::form`]: https://docs.rs/twilio-auth/latest/twilio_auth/warp/fn.form.html",
    doc = "[`warp::json`]: https://docs.rs/twilio-auth/latest/twilio_auth/warp/fn.json.html",
    doc = "[`warp::bytes()`]: https://docs.rs/twilio-auth/latest/twilio_auth/warp/fn.bytes.html",
    doc = "[`warp::signed`]: https://docs.rs/twilio-auth/latest/twilio_auth/warp/fn.signed.html",
    doc = "[`warp::seal`]: https://docs.rs/twilio-auth/latest/twilio_auth/warp/fn.seal.html"
)]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use twilio_auth_core::*;

/// The axum adapter: [`Verified<E>`](axum::Verified), the
/// [`TwilioSignature`](axum::TwilioSignature) guard for handlers that read no body and the [`TwilioAuthLayer`](axum::TwilioAuthLayer).
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub use twilio_auth_axum as axum;

/// Verifies that requests to a handler come from Twilio.
///
/// The attribute recognises the framework a function is written for, from its shape alone,
/// so its meaning never depends on which framework features a build turns on:
///
/// - a function with a Rocket route attribute below it (`#[post(…)]`) is a **Rocket** route
///   (feature `rocket`);
/// - a function whose arguments name a method or a path (`#[twilio_signed(post, path =
///   "voice")]`) is a **warp** handler (feature `warp`);
/// - anything else is an **axum** handler (feature `axum`).
///
/// Each framework's attribute is also at a path of its own that never moves:
/// `twilio_auth::axum::twilio_signed`, `twilio_auth::rocket::twilio_signed`,
/// `twilio_auth::warp::twilio_signed`; placed on another framework's function, each is an
/// error that names the right one.
///
/// On an axum handler (feature `axum`), the last parameter `pat: T` becomes
/// `Verified(pat): Verified<T>`: the body is read (within axum's `DefaultBodyLimit` and the
/// configuration's body limit), the request is verified, and only then does `T` — `Form`,
/// `Json`, `Bytes`, `String`, `RawForm`, `Query`, any extractor — run on the same bytes.
/// Whatever the last parameter is, it is wrapped — a parts extractor such as `Query` or
/// `State` too: the body is still read and verified, then the extractor runs through axum's
/// parts path. A handler without parameters gets the [`axum::TwilioSignature`] guard (for
/// GET webhooks), which verifies the body too: a body nobody signed is refused, never
/// ignored. The body of the handler is not touched: `?`, early returns and
/// `impl IntoResponse` work as before.
///
/// The configuration is a [`Config`] that the router's state provides (`Config: FromRef<S>`):
/// the `Config` itself (`.with_state(config)`), or your own state with a `Config` field and
/// `#[derive(FromRef)]`.
///
/// - **The state named** — `state = AppState`, or a `State<AppState>` parameter: a state
///   that does not provide the configuration is a compile error at the handler, with this
///   crate's message (``the state `AppState` does not provide a `twilio_auth::Config` ``),
///   and the last parameter is checked to be an extractor for that state.
/// - **No state named**: the handler works in any router whose state provides the
///   configuration, the `Config` or `AppState` alike. But the attribute cannot see the
///   router's state then, so a state without a `Config` is reported by the compiler where
///   the router is built (for example ``expected `Config`, found `AppState` `` at
///   `.with_state(…)`, or axum's `Handler<_, _>` is not implemented at `.route(…)`), not at
///   the handler; and the last parameter is checked as an extractor
///   for the `Config` state, so an extractor that needs your own state needs
///   `state = AppState`. Name the state to have mistakes reported at the handler.
///
/// Arguments:
///
/// - `state = AppState`: the router's state type.
/// - `http_auth = "basic" | "digest" | "either"`, `signature = false` (with `http_auth`):
///   HTTP authentication before the signature, or instead of it (the policy types of
///   [`axum::policy`]: `Verified<Form<T>, Digest>`).
/// - `crate = "path"`: where this crate is, when it is renamed or when only
///   `twilio-auth-axum` is a dependency (`crate = "twilio_auth_axum"`).
///
/// ```
/// # #[cfg(feature = "axum")] mod example {
/// use axum::{Router, routing::get};
/// use twilio_auth::twilio_signed;
///
/// // The configuration itself is the state; a GET webhook signs its query string.
/// #[twilio_signed]
/// async fn status(axum::extract::Query(q): axum::extract::Query<Vec<(String, String)>>) -> String {
///     format!("{} parameters", q.len())
/// }
///
/// fn app(config: twilio_auth::Config) -> Router {
///     Router::new().route("/status", get(status)).with_state(config)
/// }
/// # }
/// ```
///
/// Without a framework feature the attribute is a compile error that says which feature to
/// enable.
///
#[cfg_attr(
    not(feature = "axum"),
    doc = "[`axum::TwilioSignature`]: https://docs.rs/twilio-auth/latest/twilio_auth/axum/struct.TwilioSignature.html",
    doc = "[`axum::policy`]: https://docs.rs/twilio-auth/latest/twilio_auth/axum/policy/index.html"
)]
#[cfg(any(
    feature = "axum",
    feature = "rocket",
    feature = "warp",
    feature = "actix"
))]
pub use twilio_auth_macros::twilio_signed;

#[cfg(not(any(
    feature = "axum",
    feature = "rocket",
    feature = "warp",
    feature = "actix"
)))]
pub use twilio_auth_macros::twilio_signed_without_framework as twilio_signed;

/// The warp adapter: the filters [`form`](warp::form), [`json`](warp::json),
/// [`bytes`](warp::bytes), [`signed`](warp::signed), [`report_only`](warp::report_only),
/// [`seal`](warp::seal), [`recover`](warp::recover), `protect` (the replay guard, feature
/// `replay`), and `#[twilio_signed]` for warp handlers ([`warp::twilio_signed`]).
#[cfg(feature = "warp")]
#[cfg_attr(docsrs, doc(cfg(feature = "warp")))]
pub use twilio_auth_warp as warp;

/// The Rocket adapter: the [`Verified<T>`](rocket::Verified) data guard, the
/// [`TwilioSignature`](rocket::TwilioSignature) request guard, the
/// [`TwilioAuth`](rocket::TwilioAuth) fairing, and `#[twilio_signed]` for Rocket routes
/// ([`rocket::twilio_signed`]).
#[cfg(feature = "rocket")]
#[cfg_attr(docsrs, doc(cfg(feature = "rocket")))]
pub use twilio_auth_rocket as rocket;

/// The actix-web adapter: the [`Verified<E>`](twilio_auth_actix::Verified) extractor, the
/// [`TwilioSignature`](twilio_auth_actix::TwilioSignature) guard and the
/// [`TwilioAuth`](twilio_auth_actix::TwilioAuth) middleware; `#[twilio_signed]` on an
/// actix-web handler (above its route attribute) writes the extractor for you.
#[cfg(feature = "actix")]
#[cfg_attr(docsrs, doc(cfg(feature = "actix")))]
pub use twilio_auth_actix as actix;

/// The tower layer: [`TwilioAuthLayer`](tower::TwilioAuthLayer) in front of any service
/// that takes an `http` 1 request (hyper 1 through `hyper_util`, any tower stack).
#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub use twilio_auth_tower as tower;

/// AWS Lambda: [`verify`](lambda::verify) a `lambda_http` request against the URL Twilio
/// signed, for Function URLs, API Gateway HTTP and REST APIs, and ALB.
#[cfg(feature = "lambda")]
#[cfg_attr(docsrs, doc(cfg(feature = "lambda")))]
pub use twilio_auth_lambda as lambda;

/// Replay protection (feature `replay`; `RedisStore` with feature `redis`): a
/// [`ReplayGuard`](twilio_auth_replay::ReplayGuard) remembers each verified request so that
/// a captured one is not processed again, on one instance ([`MemoryStore`](twilio_auth_replay::MemoryStore))
/// or many (Redis). See the README's "Replay protection".
#[cfg(feature = "replay")]
#[cfg_attr(docsrs, doc(cfg(feature = "replay")))]
pub use twilio_auth_replay as replay;

/// What code generated by `#[twilio_signed]` names: each framework's part, not a public API.
#[doc(hidden)]
pub mod __private {
    #[cfg(feature = "axum")]
    pub use twilio_auth_axum::__private::*;
    #[cfg(feature = "rocket")]
    pub use twilio_auth_rocket::__private::rocket;
}
