//! # twilio-auth
//!
//! Prove that a webhook really came from Twilio: `X-Twilio-Signature` (with `bodySHA256`
//! for JSON bodies) and HTTP Basic/Digest authentication, in any Rust web framework.
//!
//! This crate is the facade: it re-exports [`twilio_auth_core`] (the framework-agnostic
//! verifier), the `#[twilio_signed]` attribute, and one adapter module per enabled
//! framework feature (`axum`, later `rocket` and `warp`).
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
//! configuration comes from the router's state, through `FromRef`:
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
//! protect a whole router instead, add [`axum::TwilioAuthLayer`] to it.

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use twilio_auth_core::*;

/// The axum adapter: [`Verified<E>`](axum::Verified), the header-only
/// [`TwilioSignature`](axum::TwilioSignature) guard and the [`TwilioAuthLayer`](axum::TwilioAuthLayer).
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub use twilio_auth_axum as axum;

/// Verifies that requests to a handler come from Twilio.
///
/// On an axum handler (feature `axum`), the last parameter `pat: T` becomes
/// `Verified(pat): Verified<T>`: the body is read (within axum's `DefaultBodyLimit` and the
/// configuration's body limit), the request is verified, and only then does `T` — `Form`,
/// `Json`, `Bytes`, `String`, `RawForm`, `Query`, any extractor — run on the same bytes.
/// Whatever the last parameter is, it is wrapped — a parts extractor such as `Query` or
/// `State` too: the body is still read and verified, then the extractor runs through axum's
/// parts path. A handler without parameters gets the header-only
/// [`TwilioSignature`](axum::TwilioSignature) guard (for GET webhooks). The body of the
/// handler is not touched: `?`, early returns and `impl IntoResponse` work as before.
///
/// The configuration is a [`Config`] that the router's state provides (`Config: FromRef<S>`).
/// The state type is, in this order: the `state = S` argument; `S` of a `State<S>`
/// parameter; or else the `Config` itself (`.with_state(config)`). A state that does not
/// provide the configuration is a compile error at the handler.
///
/// Arguments:
///
/// - `state = AppState`: the router's state type.
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
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub use twilio_auth_macros::twilio_signed_axum as twilio_signed;

#[cfg(not(feature = "axum"))]
pub use twilio_auth_macros::twilio_signed_without_framework as twilio_signed;

#[cfg(feature = "axum")]
#[doc(hidden)]
pub use twilio_auth_axum::__private;
