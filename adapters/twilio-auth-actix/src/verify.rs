//! The one place the adapter hands a request to the core: the raw path and query of
//! `req.uri()` (actix keeps the whole request target, so a `web::scope` prefix is part of
//! it, and `match_info` never changes it), the headers, the request-line authority, and the
//! body bytes.

use actix_web::HttpMessage;
use actix_web::HttpRequest;
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use twilio_auth_core::{
    Config, Headers, KeyLookup, ResolvedKey, RoutePolicy, SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER, Unverified, Verified as CoreVerified, WebhookRequest,
};

use crate::rejection::TwilioRejection;

/// actix's header map as the core reads headers, borrowed: nothing is copied.
pub(crate) struct ActixHeaders<'a>(pub &'a HeaderMap);

/// The Twilio headers by their prebuilt names: a lookup by a `&str` that is not a standard
/// header name would build (and allocate) a `HeaderName` first.
const SIGNATURE: HeaderName = HeaderName::from_static("x-twilio-signature");
const SIGNATURE_SETTINGS: HeaderName =
    HeaderName::from_static("x-twilio-webhooks-signature-settings");

impl ActixHeaders<'_> {
    fn values(&self, name: &str) -> std::slice::Iter<'_, HeaderValue> {
        if name == SIGNATURE_HEADER {
            self.0.get_all(SIGNATURE)
        } else if name == SIGNATURE_SETTINGS_HEADER {
            self.0.get_all(SIGNATURE_SETTINGS)
        } else {
            self.0.get_all(name)
        }
    }
}

impl Headers for ActixHeaders<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.values(name).next().and_then(|v| v.to_str().ok())
    }

    fn last_header(&self, name: &str) -> Option<&str> {
        self.values(name).next_back().and_then(|v| v.to_str().ok())
    }
}

/// Verifies `req` with `body` as `route` demands (HTTP authentication first, then the
/// signature). On success the core's [`CoreVerified`] is left in the request's extensions
/// for handlers that want it; a refusal is logged (the core's line, at its level). With
/// `report_only`, a refused signature is logged and counted as such, and the request goes
/// on with an [`Unverified`] in its extensions instead.
pub(crate) fn verify_request(
    config: &Config,
    req: &HttpRequest,
    body: &[u8],
    route: RoutePolicy,
    report_only: bool,
    resolved: Option<&ResolvedKey>,
) -> Result<(), TwilioRejection> {
    let headers = ActixHeaders(req.headers());
    let request = webhook_request(req, &headers, body);
    match config.verify_with_key(&request, route, resolved) {
        Ok(verified) => {
            twilio_auth_core::metrics::accepted(&verified);
            req.extensions_mut().insert::<CoreVerified>(verified);
            Ok(())
        }
        Err(rejection) if report_only => match Unverified::admit(rejection) {
            Ok(unverified) => {
                twilio_auth_core::metrics::report_only(&unverified);
                tracing::warn!("{unverified}");
                req.extensions_mut().insert(unverified);
                Ok(())
            }
            Err(rejection) => Err(TwilioRejection::logged(rejection)),
        },
        Err(rejection) => Err(TwilioRejection::logged(rejection)),
    }
}

/// Logs the configuration's start-up summary, the first time for this configuration.
/// The key to ask a resolver for: one the request names and the configuration lacks, on a
/// route that checks signatures, once the request passed the route's HTTP authentication
/// (a request without the credentials never reaches the store).
pub(crate) fn key_lookup(
    config: &Config,
    req: &HttpRequest,
    body: &[u8],
    route: RoutePolicy,
) -> Option<KeyLookup> {
    let headers = ActixHeaders(req.headers());
    let request = webhook_request(req, &headers, body);
    config.route_key_request(&request, route)
}

fn webhook_request<'a>(
    req: &'a HttpRequest,
    headers: &'a ActixHeaders<'a>,
    body: &'a [u8],
) -> WebhookRequest<'a> {
    let uri = req.uri();
    let target = uri.path_and_query().map_or("/", |pq| pq.as_str());
    WebhookRequest::new(req.method().as_str(), target)
        .headers(headers)
        .body(body)
        .authority(uri.authority().map(|a| a.as_str()))
}

pub(crate) fn announce(config: &Config) {
    if let Some(summary) = config.summary_once() {
        tracing::info!("{summary}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn headers_are_read_in_place_first_and_last() {
        let req = TestRequest::default()
            .insert_header(("X-Twilio-Signature", "first"))
            .append_header(("x-twilio-signature", "second"))
            .insert_header(("Content-Type", "text/plain"))
            .insert_header(("X-Forwarded-Proto", "http"))
            .append_header(("X-Forwarded-Proto", "https"))
            .to_http_request();
        let headers = ActixHeaders(req.headers());
        assert_eq!(headers.header(SIGNATURE_HEADER), Some("first"));
        assert_eq!(headers.last_header(SIGNATURE_HEADER), Some("second"));
        assert_eq!(headers.header("content-type"), Some("text/plain"));
        assert_eq!(headers.header("x-forwarded-proto"), Some("http"));
        assert_eq!(headers.last_header("X-Forwarded-Proto"), Some("https"));
        assert_eq!(headers.header(SIGNATURE_SETTINGS_HEADER), None);
        assert_eq!(headers.header("not a header name"), None);
    }
}
