//! The one place the adapter hands a request to the core: the raw path and query of
//! `req.uri()` (Rocket keeps them as received, mount prefix included), the headers, the
//! HTTP/2 `:authority` when there is no `Host`, and the body bytes. A refusal is logged
//! and recorded in the request-local cache, where the [`TwilioAuth`](crate::TwilioAuth)
//! fairing finds it to write the response: guard errors in Rocket carry only a status.

use rocket::Request;
use rocket::http::HeaderMap;
use twilio_auth_core::{
    Config, Headers, KeyLookup, LogLevel, Rejection, ResolvedKey, RoutePolicy, Unverified,
    Verified, WebhookRequest,
};

/// Rocket's header map as the core reads headers (names match in any letter case).
pub(crate) struct RocketHeaders<'a>(pub &'a HeaderMap<'a>);

impl Headers for RocketHeaders<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.0.get_one(name)
    }

    fn last_header(&self, name: &str) -> Option<&str> {
        self.0.get(name).last()
    }
}

/// The rejection of the current request, once a guard has refused it.
pub(crate) struct Recorded(pub Option<Rejection>);

/// Verifies `req` with `body` for a route with `options`, with the key a store gave for it
/// if any. A refusal is logged and recorded for the fairing before it is returned.
pub(crate) fn verify_request(
    req: &Request<'_>,
    config: &Config,
    body: &[u8],
    options: RoutePolicy,
    resolved: Option<&ResolvedKey>,
) -> Result<Verified, Rejection> {
    check(req, config, body, options, resolved).map_err(|rejection| refuse(req, rejection))
}

/// Verifies `req` for a report-only route: a refused signature is logged (`WARN`, the
/// [`Unverified`] line) and counted, and handed back as `Ok(Err(unverified))`; any other
/// refusal (HTTP authentication, body limits, the URL) is refused as usual.
pub(crate) fn verify_reporting(
    req: &Request<'_>,
    config: &Config,
    body: &[u8],
    options: RoutePolicy,
    resolved: Option<&ResolvedKey>,
) -> Result<Result<Verified, Unverified>, Rejection> {
    match check(req, config, body, options, resolved) {
        Ok(verified) => Ok(Ok(verified)),
        Err(rejection) => match Unverified::admit(rejection) {
            Ok(unverified) => {
                twilio_auth_core::metrics::report_only(&unverified);
                log::warn!("{unverified}");
                Ok(Err(unverified))
            }
            Err(rejection) => Err(refuse(req, rejection)),
        },
    }
}

/// The core's verdict on `req`, counted when accepted; a refusal is neither logged nor
/// recorded yet.
fn check(
    req: &Request<'_>,
    config: &Config,
    body: &[u8],
    options: RoutePolicy,
    resolved: Option<&ResolvedKey>,
) -> Result<Verified, Rejection> {
    let verified = with_request(req, body, |request| {
        config.verify_with_key(request, options, resolved)
    })?;
    twilio_auth_core::metrics::accepted(&verified);
    Ok(verified)
}

/// The key to ask a store for: one `req` names and the configuration lacks, on a route
/// that checks signatures, once the request passed the route's HTTP authentication (a
/// request without the credentials never reaches the store).
pub(crate) fn key_lookup(
    req: &Request<'_>,
    config: &Config,
    body: &[u8],
    options: RoutePolicy,
) -> Option<KeyLookup> {
    with_request(req, body, |request| {
        config.route_key_request(request, options)
    })
}

/// `req` with `body` as the core reads a request.
fn with_request<T>(
    req: &Request<'_>,
    body: &[u8],
    read: impl FnOnce(&WebhookRequest<'_>) -> T,
) -> T {
    let target = req.uri().to_string();
    let headers = RocketHeaders(req.headers());
    // Over HTTP/1 Rocket takes the host from `Host`; over HTTP/2 from `:authority`, which
    // is not a header. Only the latter is passed on: the core prefers `Host` anyway.
    let authority = match req.headers().get_one("host") {
        Some(_) => None,
        None => req.host().map(|host| host.to_string()),
    };
    let request = WebhookRequest::new(req.method().as_str(), &target)
        .headers(&headers)
        .body(body)
        .authority(authority.as_deref());
    read(&request)
}

/// Logs `rejection` (the core's line, at the core's level) and records it for the
/// fairing; returns it.
pub(crate) fn refuse(req: &Request<'_>, rejection: Rejection) -> Rejection {
    twilio_auth_core::metrics::refused(&rejection);
    let event = rejection.log_event();
    let level = match event.level() {
        LogLevel::Debug => log::Level::Debug,
        LogLevel::Warn => log::Level::Warn,
        LogLevel::Error => log::Level::Error,
    };
    log::log!(level, "{event}");
    req.local_cache(|| Recorded(Some(rejection.clone())));
    rejection
}

/// The rejection recorded for `req`, if a guard refused it.
pub(crate) fn recorded<'r>(req: &'r Request<'_>) -> Option<&'r Rejection> {
    req.local_cache(|| Recorded(None)).0.as_ref()
}

/// Whether the request carries a body, as the [`TwilioAuth`](crate::TwilioAuth) fairing
/// found before routing (a guard cannot see the body).
pub(crate) struct BodyPresent(pub bool);

/// Whether `req` carries a body: what the fairing recorded, or, if it did not run, what
/// the headers announce.
pub(crate) fn has_body(req: &Request<'_>) -> bool {
    req.local_cache(|| BodyPresent(announces_body(req.headers())))
        .0
}

/// Whether the headers announce a body: a non-zero `Content-Length` or any
/// `Transfer-Encoding`. (Without either, an HTTP/1 request has none; an HTTP/2 one may.)
pub(crate) fn announces_body(headers: &HeaderMap<'_>) -> bool {
    headers.contains("transfer-encoding")
        || headers
            .get_one("content-length")
            .is_some_and(|len| len.trim() != "0")
}
