//! `report_only`: a refused signature reaches the handler marked unverified; HTTP
//! authentication and the body limit are still enforced, before any handler.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use twilio_auth_core::http_auth::HttpAuthConfig;
use twilio_auth_core::policy::HttpAuth;
use twilio_auth_core::{Config, RejectionReason, RoutePolicy, Signer, form};
use twilio_auth_warp::{Reported, report_only, seal};
use warp::Filter;
use warp::reply::Response;

const TOKEN: &str = "12345";
const BASE: &str = "https://example.com";
const CALL: &[(&str, &str)] = &[("CallSid", "CA1")];
/// `Basic` credentials `twilio:s3cret-pass`, and `twilio:wrong-pass`.
const RIGHT: &str = "Basic dHdpbGlvOnMzY3JldC1wYXNz";
const WRONG: &str = "Basic dHdpbGlvOndyb25nLXBhc3M=";

fn config() -> Config {
    let http_auth = HttpAuthConfig::builder("twilio")
        .credential("twilio", "s3cret-pass")
        .build()
        .unwrap();
    Config::builder()
        .auth_token(TOKEN)
        .public_base_url(BASE)
        .body_limit(64)
        .http_auth(http_auth)
        .build()
        .unwrap()
}

/// `POST /voice` in report-only mode under `policy`, and a count of the handler's runs.
fn route(
    policy: RoutePolicy,
) -> (
    impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone,
    Arc<AtomicUsize>,
) {
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = runs.clone();
    let route = warp::post()
        .and(warp::path!("voice"))
        .and(report_only(config(), policy))
        .map(move |request: Reported| {
            counter.fetch_add(1, Ordering::SeqCst);
            match request.unverified() {
                None => "verified".to_owned(),
                Some(unverified) => format!("unverified: {:?}", unverified.rejection().reason()),
            }
        });
    (seal(route), runs)
}

fn post(token: &str, body: &str) -> warp::test::RequestBuilder {
    let signature = Signer::new(token).sign_form(&format!("{BASE}/voice"), CALL);
    warp::test::request()
        .method("POST")
        .path("/voice")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", signature)
        .body(body)
}

#[tokio::test]
async fn a_refused_signature_reaches_the_handler_marked_unverified() {
    let (route, runs) = route(RoutePolicy::Signature);
    let body = form::encode(CALL);
    let genuine = post(TOKEN, &body).reply(&route).await;
    assert_eq!(genuine.status(), 200);
    assert_eq!(genuine.body().as_ref(), b"verified");
    let forged = post("not-the-token", &body).reply(&route).await;
    assert_eq!(forged.status(), 200);
    let expected = format!("unverified: {:?}", RejectionReason::SignatureMismatch);
    assert_eq!(forged.body(), expected.as_bytes());
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn http_authentication_and_the_body_limit_stay_enforced() {
    let (route, runs) = route(RoutePolicy::HttpAuthThenSignature(HttpAuth::Basic));
    let body = form::encode(CALL);
    // No credentials, forged: 401 with a challenge, never the handler.
    let anonymous = post("not-the-token", &body).reply(&route).await;
    assert_eq!(anonymous.status(), 401);
    assert!(anonymous.headers().contains_key("www-authenticate"));
    // A wrong password, genuine signature: 401 still.
    let wrong = post(TOKEN, &body)
        .header("authorization", WRONG)
        .reply(&route)
        .await;
    assert_eq!(wrong.status(), 401);
    // Over the limit: 413 before any verdict.
    let big = format!("{body}&Padding={}", "x".repeat(100));
    let over = post(TOKEN, &big)
        .header("authorization", RIGHT)
        .reply(&route)
        .await;
    assert_eq!(over.status(), 413);
    assert_eq!(runs.load(Ordering::SeqCst), 0);
    // The right password and a forged signature: through, unverified.
    let reported = post("not-the-token", &body)
        .header("authorization", RIGHT)
        .reply(&route)
        .await;
    assert_eq!(reported.status(), 200);
    assert!(reported.body().starts_with(b"unverified"));
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}
