//! The one place the adapter hands a request to the core: the raw path and query as
//! received (before any `warp::path` filter consumed a segment), the headers, the
//! request-line authority, and the body read within the limit.
//!
//! warp offers no filter for the request URI. `path::full()` has the whole path but its
//! `as_str()` drops the query, and `query::raw()` rejects a request without one; so the
//! target is the full path plus the raw query when there is one, both byte for byte.

use std::convert::Infallible;
use std::sync::Arc;

use twilio_auth_core::resolver::KeyResolver;
use twilio_auth_core::{
    Config, KeyLookup, Rejection, ResolvedKey, RoutePolicy, Verified, WebhookRequest,
};
use warp::Filter;
use warp::filters::path::FullPath;
use warp::http::uri::Authority;
use warp::http::{HeaderMap, Method};

use crate::body::{BodyStream, body_stream, read_limited};
use crate::rejection::TwilioRejection;
use crate::request::{Received, VerifiedRequest};

/// Verifies every request it sees and extracts the outcome; it never rejects, so once the
/// filters before it matched, the route answers whatever happens here.
pub(crate) fn outcome(
    config: Config,
    options: RoutePolicy,
    resolver: Option<Arc<dyn KeyResolver>>,
) -> impl Filter<Extract = (Result<VerifiedRequest, TwilioRejection>,), Error = Infallible> + Clone
{
    let route = (config.clone(), options);
    checked(config, options, resolver).map(move |checked: Checked| {
        let (received, verdict) = checked?;
        let verified = verdict.map_err(TwilioRejection::refused)?;
        twilio_auth_core::metrics::accepted(&verified);
        Ok(VerifiedRequest {
            received,
            verified,
            route: route.clone(),
        })
    })
}

/// The request as received and the core's verdict on it, or the refusal made before any
/// verdict (a body over the limit, or one that could not be read).
pub(crate) type Checked = Result<(Received, Result<Verified, Rejection>), TwilioRejection>;

/// Reads the request and hands it to the core, never rejecting. With a `resolver`, the key
/// the request names and the configuration lacks is asked for first ([`resolve`]). Every
/// filter of this crate is built here: the first one built for a configuration logs its
/// summary.
pub(crate) fn checked(
    config: Config,
    options: RoutePolicy,
    resolver: Option<Arc<dyn KeyResolver>>,
) -> impl Filter<Extract = (Checked,), Error = Infallible> + Clone {
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
                let (config, resolver) = (config.clone(), resolver.clone());
                async move {
                    let path_len = path.as_str().len();
                    let target = match query {
                        Some(query) => format!("{}?{query}", path.as_str()),
                        None => path.as_str().to_owned(),
                    };
                    let body = read_limited(&headers, body, &config).await?;
                    let request = || {
                        WebhookRequest::new(method.as_str(), &target)
                            .headers(&headers)
                            .body(&body)
                            .authority(authority.as_ref().map(Authority::as_str))
                    };
                    let resolved = match &resolver {
                        Some(resolver) => {
                            let lookup = config.route_key_request(&request(), options);
                            resolve(resolver.as_ref(), lookup).await?
                        }
                        None => None,
                    };
                    let verdict = config.verify_with_key(&request(), options, resolved.as_ref());
                    let received = Received {
                        method,
                        target,
                        path_len,
                        headers,
                        body,
                    };
                    Ok((received, verdict))
                }
            },
        )
}

/// The key `lookup` names, from the store; a store error is a `503` (fail closed).
async fn resolve(
    resolver: &dyn KeyResolver,
    lookup: Option<KeyLookup>,
) -> Result<Option<ResolvedKey>, TwilioRejection> {
    let Some(lookup) = lookup else {
        return Ok(None);
    };
    resolver
        .resolve(&lookup)
        .await
        .map_err(|error| TwilioRejection::key_store_unavailable(&lookup, &*error))
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
