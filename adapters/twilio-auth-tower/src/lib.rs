//! tower integration of `twilio-auth`: [`TwilioAuthLayer`] verifies Twilio webhooks in
//! front of any service that takes an `http` 1 request, whatever its body type — a hyper 1
//! server through `hyper_util`, an axum router (`twilio_auth_axum::TwilioAuthLayer` is this
//! layer, reading axum's `OriginalUri`), any tower stack.
//!
//! - [`TwilioAuthLayer`]: buffers the body within the configuration's limit (413 above it,
//!   counted while it streams), verifies with [`Config::verify_with`], and forwards the
//!   request with the same bytes as its body. HTTP Basic/Digest with
//!   [`http_auth`](TwilioAuthLayer::http_auth) or
//!   [`http_auth_only`](TwilioAuthLayer::http_auth_only).
//! - [`KeyResolver`] and [`CachedResolver`]: keys from your own store (sub-accounts,
//!   SharedKeys in a secrets manager), asked when a request names a key the configuration
//!   lacks ([`TwilioAuthLayer::key_resolver`]); a store error answers `503`.
//! - [`TwilioRejection`]: a refusal as a response (status, short text body,
//!   `WWW-Authenticate` challenges) and its `tracing` event.
//!
//! Install a `tracing` subscriber: every refusal is a `tracing` event with its reason and the
//! URLs that were tried, and the layer logs the configuration's summary when it is created.
//!
//! One layer protects everything below it with one policy; routes with different policies
//! (HTTP authentication on some) get a layer each, in front of each route's service.
//!
//! [`Config::verify_with`]: twilio_auth_core::Config::verify_with

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod body;
mod layer;
pub mod policy;
mod rejection;
#[cfg(feature = "replay")]
mod replay;
mod verify;

pub use layer::{ResponseBody, SendIfReplay, TwilioAuthLayer, TwilioAuthService};
pub use rejection::TwilioRejection;
/// Keys from your own store: [`KeyResolver`], [`CachedResolver`] (from the core).
pub use twilio_auth_core::resolver;
pub use twilio_auth_core::resolver::{CachedResolver, KeyResolver, ResolveError, ResolveFuture};
pub use verify::RequestedUri;
