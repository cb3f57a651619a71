//! The one place the adapter hands a Lambda request to the core: the path and query string
//! the client requested (from the event, per front door), the headers, and the body bytes
//! as `lambda_http` decoded them (`isBase64Encoded` bodies are decoded before verifying).

use lambda_http::Request;
use twilio_auth_core::{
    Config, KeyLookup, Rejection, RejectionReason, ResolvedKey, RoutePolicy, Verified,
    WebhookRequest,
};

use crate::front_door::{FrontDoor, Query, Requested};
use crate::query;
use crate::rejection::TwilioRejection;

/// How many of the URLs tried for a rebuilt query string the log line lists.
const LISTED_URLS: usize = 4;

/// Verifies `req` as `policy` demands (HTTP authentication first, then the signature), and
/// on success leaves the core's [`Verified`] in the request's extensions too.
///
/// The URL checked is the configuration's public base URL (or `Host` with `https`) followed
/// by the path and query string the client requested on the front door, read from the event
/// (see [`FrontDoor`]): the stage and a custom domain's base path are part of that path.
/// The body is the decoded body `lambda_http` hands the handler.
///
/// ```
/// use twilio_auth_core::{Config, RoutePolicy, Signer};
///
/// // A Function URL event, as Lambda delivers it (a form body is base64-encoded).
/// let event = r#"{
///   "version": "2.0", "routeKey": "$default", "rawPath": "/voice", "rawQueryString": "",
///   "headers": {"host": "abc.lambda-url.us-east-1.on.aws",
///               "content-type": "application/x-www-form-urlencoded",
///               "x-twilio-signature": "SIGNATURE"},
///   "requestContext": {"domainName": "abc.lambda-url.us-east-1.on.aws", "stage": "$default",
///     "http": {"method": "POST", "path": "/voice", "protocol": "HTTP/1.1",
///              "sourceIp": "54.172.60.1", "userAgent": "TwilioProxy/1.1"},
///     "requestId": "r", "routeKey": "$default", "time": "01/Dec/2026:08:00:00 +0000",
///     "timeEpoch": 1796112000000, "accountId": "anonymous", "apiId": "abc",
///     "domainPrefix": "abc"},
///   "body": "Q2FsbFNpZD1DQTEyMw==", "isBase64Encoded": true
/// }"#;
/// let signature = Signer::new("12345")
///     .sign_form("https://abc.lambda-url.us-east-1.on.aws/voice", &[("CallSid", "CA123")]);
/// let mut req = lambda_http::request::from_str(&event.replace("SIGNATURE", &signature)).unwrap();
///
/// let config = Config::builder().auth_token("12345").build().unwrap();
/// assert!(twilio_auth_lambda::verify(&config, &mut req, RoutePolicy::Signature).is_ok());
/// assert_eq!(req.body().as_ref(), b"CallSid=CA123"); // the handler reads the decoded form
/// ```
pub fn verify(
    config: &Config,
    req: &mut Request,
    policy: RoutePolicy,
) -> Result<Verified, TwilioRejection> {
    announce(config);
    let verified = verify_request(config, req, policy, None)?;
    twilio_auth_core::metrics::accepted(&verified);
    req.extensions_mut().insert(verified.clone());
    Ok(verified)
}

/// [`verify`] with a key from the user's store: `resolved` (see [`key_lookup`]).
pub(crate) fn verify_resolved(
    config: &Config,
    req: &mut Request,
    policy: RoutePolicy,
    resolved: Option<&ResolvedKey>,
) -> Result<Verified, TwilioRejection> {
    announce(config);
    let verified = verify_request(config, req, policy, resolved)?;
    twilio_auth_core::metrics::accepted(&verified);
    req.extensions_mut().insert(verified.clone());
    Ok(verified)
}

/// The key to ask a store for: one the request names and the configuration lacks, on a
/// route that checks signatures, once the request passed the route's HTTP authentication.
pub(crate) fn key_lookup(config: &Config, req: &Request, policy: RoutePolicy) -> Option<KeyLookup> {
    let requested = Requested::of(req);
    let query = match &requested.query {
        Query::Raw(query) => query.to_string(),
        Query::Parsed(params) => query::candidates(params)
            .into_iter()
            .next()
            .unwrap_or_default(),
    };
    let target = requested.target(&query);
    let request = WebhookRequest::new(req.method().as_str(), &target)
        .headers(req.headers())
        .body(req.body().as_ref())
        .without_diagnosis();
    config.route_key_request(&request, policy)
}

fn verify_request(
    config: &Config,
    req: &Request,
    policy: RoutePolicy,
    resolved: Option<&ResolvedKey>,
) -> Result<Verified, TwilioRejection> {
    let requested = Requested::of(req);
    let body: &[u8] = req.body().as_ref();
    // `diagnose`: whether a refused signature gets its diagnosis (see below).
    let attempt = |query: &str, diagnose: bool| {
        let target = requested.target(query);
        let request = WebhookRequest::new(req.method().as_str(), &target)
            .headers(req.headers())
            .body(body);
        let request = if diagnose {
            request
        } else {
            request.without_diagnosis()
        };
        config.verify_with_key(&request, policy, resolved)
    };
    match &requested.query {
        Query::Raw(query) => attempt(query, true).map_err(TwilioRejection::from),
        Query::Parsed(params) => {
            let candidates = query::candidates(params);
            // With several orders to try, none is diagnosed while another may still
            // match: a request accepted on its second order costs no diagnosis. Once all
            // failed, the first order is tried again for its diagnosis.
            let several = candidates.len() > 1;
            let mut first: Option<Rejection> = None;
            let mut tried = Vec::new();
            for candidate in &candidates {
                match attempt(candidate, !several) {
                    Ok(verified) => return Ok(verified),
                    // Another order or encoding may match: keep trying.
                    Err(rejection)
                        if matches!(rejection.reason(), RejectionReason::SignatureMismatch) =>
                    {
                        tried.extend(rejection.candidate_urls().iter().cloned());
                        first.get_or_insert(rejection);
                    }
                    // Anything else (HTTP auth, a missing signature, the body) does not
                    // depend on the query's order.
                    Err(rejection) => return Err(rejection.into()),
                }
            }
            if several && let Some(Err(diagnosed)) = candidates.first().map(|c| attempt(c, true)) {
                first = Some(diagnosed);
            }
            let first = first.unwrap_or_else(|| Rejection::new(RejectionReason::SignatureMismatch));
            let listed = tried.iter().take(LISTED_URLS).cloned().collect();
            Err(TwilioRejection::with_note(
                first.with_candidate_urls(listed),
                parsed_query_note(requested.door, params.len(), candidates.len(), tried.len()),
            ))
        }
    }
}

/// What the log line says when a query string that the event only carries parsed could not
/// be rebuilt into the URL Twilio signed.
fn parsed_query_note(door: FrontDoor, names: usize, queries: usize, urls: usize) -> String {
    let limit = if names > query::MAX_NAMES {
        format!(
            " (with more than {} names only their sorted order was tried)",
            query::MAX_NAMES
        )
    } else {
        String::new()
    };
    format!(
        "note: this request came through an {door}, whose event carries no raw query string, \
         only the parsed parameters: their order and encoding are lost, so the URL Twilio \
         signed cannot be rebuilt reliably; {queries} rebuilt query strings of {names} \
         parameter name(s){limit} gave {urls} URLs, none matched (the first {LISTED_URLS} \
         are listed). Serve this webhook through an API Gateway HTTP API (payload v2) or a \
         Lambda Function URL, which pass the raw query string, or keep query parameters \
         out of the webhook URL (a POST webhook signs its form body instead)",
        door = door.name()
    )
}

/// Logs the configuration's start-up summary, the first time for this configuration.
pub(crate) fn announce(config: &Config) {
    if let Some(summary) = config.summary_once() {
        tracing::info!("{summary}");
    }
}
