//! The one place the adapter hands a request to the core: the URL the client requested
//! (from a router's extension when one rewrote the URI, else the request URI), the headers,
//! the request-line authority, and the body bytes.

use http::request::Parts;
use http::{Extensions, Uri};
use twilio_auth_core::{
    Config, KeyLookup, Rejection, ResolvedKey, RoutePolicy, Verified, WebhookRequest,
};

/// Where the URI the client requested is found when a router in front of the layer has
/// rewritten the request's URI (a nested router strips its prefix): axum's `OriginalUri`,
/// for example. `None` means the request URI is the requested one.
pub type RequestedUri = for<'a> fn(&'a Extensions) -> Option<&'a Uri>;

/// The request URI itself: no router in front rewrote it.
pub(crate) fn request_uri(_: &Extensions) -> Option<&Uri> {
    None
}

/// Verifies the request described by `parts` with `body` as the route demands (HTTP
/// authentication first, then the signature), and on success leaves the core's
/// [`Verified`] in the request's extensions for handlers that want it.
pub(crate) fn verify_parts(
    config: &Config,
    parts: &mut Parts,
    body: &[u8],
    route: RoutePolicy,
    requested: RequestedUri,
    resolved: Option<&ResolvedKey>,
) -> Result<(), Rejection> {
    let request = webhook_request(parts, body, requested);
    let verified: Verified = config.verify_with_key(&request, route, resolved)?;
    twilio_auth_core::metrics::accepted(&verified);
    parts.extensions.insert(verified);
    Ok(())
}

/// The key to ask a resolver for: one the request names and the configuration lacks, on a
/// route that checks signatures, once the request passed the route's HTTP authentication
/// (a request without the credentials never reaches the store; verification then refuses
/// it as usual).
pub(crate) fn key_request(
    config: &Config,
    parts: &Parts,
    body: &[u8],
    route: RoutePolicy,
    requested: RequestedUri,
) -> Option<KeyLookup> {
    let request = webhook_request(parts, body, requested);
    config.route_key_request(&request, route)
}

fn webhook_request<'a>(
    parts: &'a Parts,
    body: &'a [u8],
    requested: RequestedUri,
) -> WebhookRequest<'a> {
    let uri = requested(&parts.extensions).unwrap_or(&parts.uri);
    let path_and_query = uri.path_and_query().map_or("/", |pq| pq.as_str());
    WebhookRequest::new(parts.method.as_str(), path_and_query)
        .headers(&parts.headers)
        .body(body)
        .authority(uri.authority().map(|a| a.as_str()))
}

/// Logs the configuration's start-up summary, the first time for this configuration.
pub(crate) fn announce(config: &Config) {
    if let Some(summary) = config.summary_once() {
        tracing::info!("{summary}");
    }
}
