//! Report-only mode for Lambda functions: [`verify_report_only`] lets a request with a
//! refused signature through to the handler, marked [`Unverified`], and logs what
//! enforcement would have answered; [`warn_report_only`] is the start-up warning.

use lambda_http::Request;
use twilio_auth_core::{Config, RoutePolicy, STARTUP_WARNING, Unverified};

use crate::rejection::TwilioRejection;
use crate::verify::verify;

/// [`verify`] in report-only mode: `Ok(None)` for a verified request; `Ok(Some(_))` for one
/// whose signature was refused (missing, wrong, a body nobody signed) — logged at `WARN`
/// with its candidate URLs, hints and diagnosis, counted, and put in the request's
/// extensions as [`Unverified`] for the handler to see; `Err` for what report-only mode
/// never lets through: failed HTTP authentication (401), a body over the limit (413), a URL
/// that cannot be rebuilt (400).
///
/// Call [`warn_report_only`] for the route when the function starts.
///
/// ```
/// use twilio_auth_core::{Config, RoutePolicy, Unverified};
///
/// let event = r#"{
///   "version": "2.0", "routeKey": "$default", "rawPath": "/voice", "rawQueryString": "",
///   "headers": {"host": "abc.lambda-url.us-east-1.on.aws",
///               "content-type": "application/x-www-form-urlencoded",
///               "x-twilio-signature": "Zm9yZ2VkIGJ5IHNvbWVvbmUgZWxzZQ=="},
///   "requestContext": {"domainName": "abc.lambda-url.us-east-1.on.aws", "stage": "$default",
///     "http": {"method": "POST", "path": "/voice", "protocol": "HTTP/1.1",
///              "sourceIp": "198.51.100.7", "userAgent": "curl/8"},
///     "requestId": "r", "routeKey": "$default", "time": "01/Dec/2026:08:00:00 +0000",
///     "timeEpoch": 1796112000000, "accountId": "anonymous", "apiId": "abc",
///     "domainPrefix": "abc"},
///   "body": "CallSid=CA123", "isBase64Encoded": false
/// }"#;
/// let mut req = lambda_http::request::from_str(event).unwrap();
/// let config = Config::builder().auth_token("12345").build().unwrap();
///
/// let outcome = twilio_auth_lambda::verify_report_only(&config, &mut req, RoutePolicy::Signature);
/// assert!(matches!(outcome, Ok(Some(_)))); // let through, not verified
/// assert!(req.extensions().get::<Unverified>().is_some());
/// ```
pub fn verify_report_only(
    config: &Config,
    req: &mut Request,
    policy: RoutePolicy,
) -> Result<Option<Unverified>, TwilioRejection> {
    let rejection = match verify(config, req, policy) {
        Ok(_) => return Ok(None),
        Err(rejection) => rejection,
    };
    let note = rejection.note().map(str::to_owned);
    match Unverified::admit(rejection.rejection().clone()) {
        Ok(unverified) => {
            twilio_auth_core::metrics::report_only(&unverified);
            match note {
                Some(note) => tracing::warn!("{unverified}; {note}"),
                None => tracing::warn!("{unverified}"),
            }
            req.extensions_mut().insert(unverified.clone());
            Ok(Some(unverified))
        }
        Err(_) => Err(rejection),
    }
}

/// Logs the report-only start-up warning ([`STARTUP_WARNING`]) for `route`, at `WARN`: call
/// it once per report-only route when the function starts, so that the mode cannot go
/// unnoticed.
pub fn warn_report_only(route: &str) {
    tracing::warn!(route, "{STARTUP_WARNING}");
}
