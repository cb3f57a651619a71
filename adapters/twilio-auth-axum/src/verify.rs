//! The one place the adapter hands a request to the core: the URL from `OriginalUri` (so a
//! prefix stripped by `Router::nest` is still part of what Twilio signed), the headers, the
//! request-line authority, and the body bytes.

use axum::extract::OriginalUri;
use axum::http::request::Parts;
use twilio_auth_core::{Config, RoutePolicy, Verified as CoreVerified, WebhookRequest};

use crate::rejection::TwilioRejection;

/// Verifies the request described by `parts` with `body` as the route demands (HTTP
/// authentication first, then the signature), and on success leaves the core's
/// [`CoreVerified`] in the request's extensions for handlers that want it.
pub(crate) fn verify_parts(
    config: &Config,
    parts: &mut Parts,
    body: &[u8],
    route: RoutePolicy,
) -> Result<(), TwilioRejection> {
    // Extractors have no set-up hook: the first request logs the configuration.
    announce(config);
    let uri = parts
        .extensions
        .get::<OriginalUri>()
        .map_or(&parts.uri, |original| &original.0);
    let path_and_query = uri.path_and_query().map_or("/", |pq| pq.as_str());
    let request = WebhookRequest::new(parts.method.as_str(), path_and_query)
        .headers(&parts.headers)
        .body(body)
        .authority(uri.authority().map(|a| a.as_str()));
    let verified: CoreVerified = config.verify_with(&request, route)?;
    twilio_auth_core::metrics::accepted(&verified);
    parts.extensions.insert(verified);
    Ok(())
}

/// Logs the configuration's start-up summary, the first time for this configuration.
pub(crate) fn announce(config: &Config) {
    if let Some(summary) = config.summary_once() {
        tracing::info!("{summary}");
    }
}
