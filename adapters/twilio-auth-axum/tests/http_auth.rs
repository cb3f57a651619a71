//! HTTP Basic/Digest authentication in the adapter: the policies of `Verified<E, POLICY>`
//! and `TwilioSignature<POLICY>`, the attribute's `http_auth`/`signature` options, and the
//! layer's `http_auth`/`signature`, driven through `tower::ServiceExt::oneshot`.

use std::collections::HashMap;

use axum::body::Body;
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{Request, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use tower::ServiceExt;
use twilio_auth_axum::policy::{Basic, BasicOnly, Digest, Either, HttpAuth};
use twilio_auth_axum::{TwilioAuthLayer, TwilioSignature, Verified, twilio_signed};
use twilio_auth_core::http_auth::{
    Credentials, DigestAlgorithm, DigestResponseInput, HttpAuthConfig, digest_response,
    parse_authorization,
};
use twilio_auth_core::{Config, Signer, Verified as CoreVerified, form};

const TOKEN: &str = "12345";
const BASE: &str = "https://example.com";
const CALL: &[(&str, &str)] = &[("CallSid", "CA123"), ("From", "+14155550100")];
/// base64 of `twilio:s3cret-pass`.
const BASIC_GOOD: &str = "Basic dHdpbGlvOnMzY3JldC1wYXNz";
/// base64 of `twilio:wrong`.
const BASIC_WRONG: &str = "Basic dHdpbGlvOndyb25n";

fn config(with_credentials: bool) -> Config {
    let mut builder = Config::builder().auth_token(TOKEN).public_base_url(BASE);
    if with_credentials {
        builder = builder.http_auth(
            HttpAuthConfig::builder("webhooks")
                .credential("twilio", "s3cret-pass")
                .build()
                .unwrap(),
        );
    }
    builder.build().unwrap()
}

/// A signed form POST to `path`, with `authorization` if given.
fn post_form(path: &str, signed: bool, authorization: Option<&str>) -> Request<Body> {
    let signature = if signed {
        Signer::new(TOKEN).sign_form(&format!("{BASE}{path}"), CALL)
    } else {
        Signer::new("forged").sign_form(&format!("{BASE}{path}"), CALL)
    };
    let mut request = Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", signature);
    if let Some(authorization) = authorization {
        request = request.header(AUTHORIZATION, authorization);
    }
    request.body(Body::from(form::encode(CALL))).unwrap()
}

fn get_request(path: &str, signed: bool, authorization: Option<&str>) -> Request<Body> {
    let signature =
        Signer::new(if signed { TOKEN } else { "forged" }).sign_url(&format!("{BASE}{path}"));
    let mut request = Request::get(path).header("x-twilio-signature", signature);
    if let Some(authorization) = authorization {
        request = request.header(AUTHORIZATION, authorization);
    }
    request.body(Body::empty()).unwrap()
}

async fn call(app: &Router, request: Request<Body>) -> Response {
    app.clone().oneshot(request).await.unwrap()
}

fn challenges(response: &Response) -> Vec<String> {
    response
        .headers()
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// The `Authorization` answering the first Digest challenge of `response`.
fn answer_digest(response: &Response, uri: &str) -> String {
    let challenge = &challenges(response)[0];
    let Ok(Credentials::Digest(params)) = parse_authorization(challenge) else {
        panic!("not a Digest challenge: {challenge}");
    };
    let (nonce, opaque) = (params.get("nonce").unwrap(), params.get("opaque").unwrap());
    let response = digest_response(
        DigestAlgorithm::Sha256,
        &DigestResponseInput {
            username: "twilio",
            realm: "webhooks",
            password: "s3cret-pass",
            method: "POST",
            uri,
            nonce,
            nc: "00000001",
            cnonce: "0a4f113b",
            qop: "auth",
        },
    );
    format!(
        r#"Digest username="twilio", realm="webhooks", uri="{uri}", algorithm=SHA-256, qop=auth, nc=00000001, cnonce="0a4f113b", nonce="{nonce}", opaque="{opaque}", response="{response}""#
    )
}

async fn voice(Verified(Form(call)): Verified<Form<HashMap<String, String>>, Basic>) -> String {
    call["CallSid"].clone()
}

async fn digest_voice(
    Verified(Form(call)): Verified<Form<HashMap<String, String>>, Digest>,
) -> String {
    call["CallSid"].clone()
}

async fn either_user(Verified(request): Verified<axum::extract::Request, Either>) -> String {
    let verified = request.extensions().get::<CoreVerified>().unwrap();
    verified.user.clone().unwrap_or_default()
}

async fn ping(_: TwilioSignature<BasicOnly>) -> &'static str {
    "pong"
}

fn router(config: Config) -> Router {
    Router::new()
        .route("/voice", post(voice))
        .route("/digest", post(digest_voice))
        .route("/either", post(either_user))
        .route("/ping", get(ping))
        .with_state(config)
}

#[tokio::test]
async fn basic_route_asks_then_checks_the_signature() {
    let app = router(config(true));
    let first = call(&app, post_form("/voice", true, None)).await;
    assert_eq!(first.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenges(&first),
        [r#"Basic realm="webhooks", charset="UTF-8""#]
    );
    let wrong = call(&app, post_form("/voice", true, Some(BASIC_WRONG))).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let ok = call(&app, post_form("/voice", true, Some(BASIC_GOOD))).await;
    assert_eq!(ok.status(), StatusCode::OK);
    let forged = call(&app, post_form("/voice", false, Some(BASIC_GOOD))).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn digest_route_sends_both_challenges_then_accepts_the_answer() {
    let app = router(config(true));
    let first = call(&app, post_form("/digest", true, None)).await;
    assert_eq!(first.status(), StatusCode::UNAUTHORIZED);
    let offered = challenges(&first);
    assert_eq!(offered.len(), 2, "{offered:?}");
    assert!(offered[0].contains("algorithm=SHA-256"), "{offered:?}");
    assert!(offered[1].contains("algorithm=MD5"), "{offered:?}");
    // Basic is not accepted on a Digest route.
    let basic = call(&app, post_form("/digest", true, Some(BASIC_GOOD))).await;
    assert_eq!(basic.status(), StatusCode::UNAUTHORIZED);

    let authorization = answer_digest(&first, "/digest");
    let ok = call(&app, post_form("/digest", true, Some(&authorization))).await;
    assert_eq!(ok.status(), StatusCode::OK);
    let forged = call(&app, post_form("/digest", false, Some(&authorization))).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn either_route_offers_both_and_reports_the_user() {
    let app = router(config(true));
    let first = call(&app, post_form("/either", true, None)).await;
    assert_eq!(challenges(&first).len(), 3);
    let ok = call(&app, post_form("/either", true, Some(BASIC_GOOD))).await;
    assert_eq!(ok.status(), StatusCode::OK);
    let body = axum::body::to_bytes(ok.into_body(), 1024).await.unwrap();
    assert_eq!(body, "twilio");
}

#[tokio::test]
async fn auth_only_guard_skips_the_signature() {
    let app = router(config(true));
    assert_eq!(
        call(&app, get_request("/ping", false, None)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        call(&app, get_request("/ping", false, Some(BASIC_GOOD)))
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn missing_credentials_in_the_configuration_is_a_401_without_challenges() {
    let app = router(config(false));
    let response = call(&app, post_form("/voice", true, Some(BASIC_GOOD))).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(challenges(&response).is_empty());
}

#[twilio_signed(crate = "twilio_auth_axum", http_auth = "digest")]
async fn macro_digest(Form(call): Form<HashMap<String, String>>) -> String {
    call["CallSid"].clone()
}

#[twilio_signed(crate = "twilio_auth_axum", http_auth = "basic", signature = false)]
async fn macro_basic_only() -> &'static str {
    "in"
}

#[tokio::test]
async fn attribute_options_reach_the_extractors() {
    let app = Router::new()
        .route("/digest", post(macro_digest))
        .route("/basic-only", get(macro_basic_only))
        .with_state(config(true));
    let first = call(&app, post_form("/digest", true, None)).await;
    assert_eq!(first.status(), StatusCode::UNAUTHORIZED);
    let authorization = answer_digest(&first, "/digest");
    let ok = call(&app, post_form("/digest", true, Some(&authorization))).await;
    assert_eq!(ok.status(), StatusCode::OK);

    let unsigned = call(&app, get_request("/basic-only", false, Some(BASIC_GOOD))).await;
    assert_eq!(unsigned.status(), StatusCode::OK);
    let anonymous = call(&app, get_request("/basic-only", true, None)).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn layer_requires_http_auth_then_the_signature() {
    let handler = || async { "ok" };
    let app = Router::new()
        .route("/voice", post(handler))
        .layer(TwilioAuthLayer::new(config(true)).http_auth(HttpAuth::Basic));
    let first = call(&app, post_form("/voice", true, None)).await;
    assert_eq!(first.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(challenges(&first).len(), 1);
    assert_eq!(
        call(&app, post_form("/voice", true, Some(BASIC_GOOD)))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        call(&app, post_form("/voice", false, Some(BASIC_GOOD)))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    let auth_only = Router::new()
        .route("/voice", post(handler))
        .layer(TwilioAuthLayer::new(config(true)).http_auth_only(HttpAuth::Either));
    assert_eq!(
        call(&auth_only, post_form("/voice", false, Some(BASIC_GOOD)))
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_layer_checks_the_signature_by_default() {
    let layer = TwilioAuthLayer::new(config(true));
    assert_eq!(layer.policy(), twilio_auth_core::RoutePolicy::Signature);
    let app = Router::new()
        .route("/voice", post(|| async { "ok" }))
        .layer(layer);
    assert_eq!(
        call(&app, post_form("/voice", false, None)).await.status(),
        StatusCode::FORBIDDEN
    );
}
