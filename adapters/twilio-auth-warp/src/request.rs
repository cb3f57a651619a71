//! The one place the adapter hands a request to the core: the raw path and query as
//! received (before any `warp::path` filter consumed a segment), the headers, the
//! request-line authority, and the body read within the limit.
//!
//! warp offers no filter for the request URI. `path::full()` has the whole path but its
//! `as_str()` drops the query, and `query::raw()` rejects a request without one; so the
//! target is the full path plus the raw query when there is one, both byte for byte.

use std::convert::Infallible;

use bytes::Bytes;
use twilio_auth_core::{Config, RoutePolicy, Verified, WebhookRequest};
use warp::Filter;
use warp::filters::path::FullPath;
use warp::http::uri::Authority;
use warp::http::{HeaderMap, Method};

use crate::body::{BodyStream, body_stream, read_limited};
use crate::rejection::TwilioRejection;

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
/// assert_eq!(request.verified().url.as_deref(), Some("https://example.com/status?CallSid=CA1"));
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct VerifiedRequest {
    method: Method,
    target: String,
    path_len: usize,
    headers: HeaderMap,
    body: Bytes,
    verified: Verified,
}

impl VerifiedRequest {
    /// The request method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The raw path and query, as received (before any route filter matched a segment).
    pub fn path_and_query(&self) -> &str {
        &self.target
    }

    /// The raw path.
    pub fn path(&self) -> &str {
        &self.target[..self.path_len]
    }

    /// The raw query, without its `?` (`None` when the target has no `?`).
    pub fn query(&self) -> Option<&str> {
        self.target[self.path_len..].strip_prefix('?')
    }

    /// The request headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body, exactly as received and verified.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The core's verdict: which URL and secret matched, and the HTTP-authenticated user.
    pub fn verified(&self) -> &Verified {
        &self.verified
    }
}

/// Verifies every request it sees and extracts the outcome; it never rejects, so once the
/// filters before it matched, the route answers whatever happens here. Every filter of
/// this crate is built here: the first one built for a configuration logs its summary.
pub(crate) fn outcome(
    config: Config,
    options: RoutePolicy,
) -> impl Filter<Extract = (Result<VerifiedRequest, TwilioRejection>,), Error = Infallible> + Clone
{
    if let Some(summary) = config.summary_once() {
        tracing::info!("{summary}");
    }
    warp::method()
        .and(warp::path::full())
        .and(raw_query())
        .and(authority())
        .and(warp::header::headers_cloned())
        .and(body_stream())
        .then(
            move |method: Method,
                  path: FullPath,
                  query: Option<String>,
                  authority: Option<Authority>,
                  headers: HeaderMap,
                  body: Option<BodyStream>| {
                let config = config.clone();
                async move {
                    let path_len = path.as_str().len();
                    let target = match query {
                        Some(query) => format!("{}?{query}", path.as_str()),
                        None => path.as_str().to_owned(),
                    };
                    let body = read_limited(&headers, body, &config).await?;
                    let request = WebhookRequest::new(method.as_str(), &target)
                        .headers(&headers)
                        .body(&body)
                        .authority(authority.as_ref().map(Authority::as_str));
                    let verified = config
                        .verify_with(&request, options)
                        .map_err(TwilioRejection::refused)?;
                    Ok(VerifiedRequest {
                        method,
                        target,
                        path_len,
                        headers,
                        body,
                        verified,
                    })
                }
            },
        )
}

/// The raw query, `None` when the request has none (where `query::raw()` would reject).
fn raw_query() -> impl Filter<Extract = (Option<String>,), Error = Infallible> + Clone {
    warp::query::raw()
        .map(Some)
        .or(warp::any().map(|| None))
        .unify()
}

/// The authority of the request line (HTTP/2 `:authority`, or an absolute-form target),
/// else of `Host`. Where warp refuses them (a `Host` that is not an authority, or one that
/// disagrees with the request line), `None`: the core then judges `Host` itself, which
/// wins over this authority anyway.
fn authority() -> impl Filter<Extract = (Option<Authority>,), Error = Infallible> + Clone {
    warp::host::optional().or(warp::any().map(|| None)).unify()
}
