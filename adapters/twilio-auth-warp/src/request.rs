//! [`VerifiedRequest`]: a request that passed verification, with the bytes that were
//! verified.

use bytes::Bytes;
use twilio_auth_core::{Config, RoutePolicy, Verified};
use warp::http::{HeaderMap, Method};

/// A request that passed verification: what the core verified, and the verdict.
///
/// The body is the one that was verified, read once; [`FromVerified`](crate::FromVerified)
/// types and the [`form`](crate::form)/[`json`](crate::json) filters deserialize these same
/// bytes, never a re-read of the request.
///
/// ```
/// use twilio_auth_core::{Config, Signer};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let config = Config::builder().auth_token("12345").public_base_url("https://example.com").build().unwrap();
/// let signature = Signer::new("12345").sign_url("https://example.com/status?CallSid=CA1");
/// let request = warp::test::request()
///     .path("/status?CallSid=CA1")
///     .header("X-Twilio-Signature", signature)
///     .filter(&twilio_auth_warp::request(config))
///     .await
///     .unwrap();
/// assert_eq!(request.query(), Some("CallSid=CA1"));
/// assert_eq!(request.verified().url(), Some("https://example.com/status?CallSid=CA1"));
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct VerifiedRequest {
    pub(crate) received: Received,
    pub(crate) verified: Verified,
    /// The route's configuration and policy: what a replayed Digest login is answered with
    /// (fresh challenges).
    #[cfg_attr(not(feature = "replay"), allow(dead_code))]
    pub(crate) route: (Config, RoutePolicy),
}

/// What the adapter read of a request before handing it to the core.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub(crate) method: Method,
    pub(crate) target: String,
    pub(crate) path_len: usize,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Received {
    pub(crate) fn path(&self) -> &str {
        &self.target[..self.path_len]
    }

    pub(crate) fn query(&self) -> Option<&str> {
        self.target[self.path_len..].strip_prefix('?')
    }
}

impl VerifiedRequest {
    /// The request method.
    pub fn method(&self) -> &Method {
        &self.received.method
    }

    /// The raw path and query, as received (before any route filter matched a segment).
    pub fn path_and_query(&self) -> &str {
        &self.received.target
    }

    /// The raw path.
    pub fn path(&self) -> &str {
        self.received.path()
    }

    /// The raw query, without its `?` (`None` when the target has no `?`).
    pub fn query(&self) -> Option<&str> {
        self.received.query()
    }

    /// The request headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.received.headers
    }

    /// The body, exactly as received and verified.
    pub fn body(&self) -> &Bytes {
        &self.received.body
    }

    /// The core's verdict: which URL and secret matched, and the HTTP-authenticated user.
    pub fn verified(&self) -> &Verified {
        &self.verified
    }
}
