//! Replay protection for verified Twilio webhooks, across one instance or many.
//!
//! Twilio's signature carries no timestamp and no id: a captured request (a leaked log, a
//! proxy, a misconfigured TLS terminator) verifies forever, on every instance. A
//! [`ReplayGuard`] runs after verification succeeded and before the handler, and remembers
//! each request by a digest of what its signature proves (or by signed content: see
//! [`ReplayKey`]):
//!
//! | state found | answer |
//! |---|---|
//! | none | the handler runs; 2xx → *done* for the window, anything else → released, so Twilio's retry is processed |
//! | in flight | `409`, the handler does not run concurrently |
//! | done | `200` with an empty body (configurable), the handler does not run again |
//! | store down | `503` and a log line (fail-closed), or processed with a warning (`fail_open`) |
//!
//! With HTTP Digest authentication the `(nonce, nc)` pair is recorded in the same store,
//! so a replayed `Authorization` header is refused with `401` on every instance.
//!
//! Stores: [`MemoryStore`] (bounded, `moka`) for one instance; `RedisStore` (feature
//! `redis`) for many. Each store call is bounded by [`ReplayGuard::store_timeout`].
//!
//! The adapters wire it in: `TwilioAuthLayer::replay(guard)` (tower, axum). Anything else
//! calls [`ReplayGuard::admit`] with the request's [`RequestFacts`] and
//! [`Ticket::finish`] with the handler's status.
//!
//! ```
//! use twilio_auth_replay::{Admission, MemoryStore, ReplayGuard, RequestFacts};
//! use twilio_auth_core::{Config, WebhookRequest, Signer};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let config = Config::builder().auth_token("12345").build().unwrap();
//! let guard = ReplayGuard::new(MemoryStore::new());
//!
//! let url = "https://example.com/voice";
//! let signature = Signer::new("12345").sign_form(url, &[("CallSid", "CA1")]);
//! let body = b"CallSid=CA1";
//! let headers = [
//!     ("X-Twilio-Signature", signature.as_str()),
//!     ("Content-Type", "application/x-www-form-urlencoded"),
//! ];
//! let request = WebhookRequest::from_url("POST", url).headers(&headers).body(body);
//! let verified = config.verify(&request).unwrap();
//! let facts = RequestFacts {
//!     method: "POST",
//!     signature: Some(&signature),
//!     query: None,
//!     content_type: Some("application/x-www-form-urlencoded"),
//!     body,
//!     verified: &verified,
//!     idempotency_token: None,
//! };
//!
//! let Admission::Proceed(ticket) = guard.admit(&facts).await else { panic!() };
//! ticket.finish(200).await; // the handler answered 200
//! let Admission::Refuse(refusal) = guard.admit(&facts).await else { panic!() };
//! assert_eq!((refusal.status, refusal.body), (200, ""));
//! # }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod guard;
mod memory;
#[cfg(feature = "redis")]
mod redis_store;
mod store;
mod time;

pub use guard::{
    Admission, DEFAULT_LEASE, DEFAULT_STORE_TIMEOUT, DEFAULT_WINDOW, Refusal, RefusalReason,
    ReplayGuard, ReplayKey, RequestFacts, Ticket,
};
pub use memory::{DEFAULT_CAPACITY, MemoryStore};
#[cfg(feature = "redis")]
pub use redis_store::{DEFAULT_PREFIX, RedisStore};
pub use store::{Begin, ReplayStore, StoreError, StoreFuture, StoreKey};
