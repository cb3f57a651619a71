//! The counters (core feature `metrics`) as a Prometheus user sees them: an axum server on
//! `127.0.0.1` with the layer on `/voice`, `metrics-exporter-prometheus` as the recorder and
//! its text on `/metrics`, requests sent with a real client.

use axum::Router;
use axum::routing::{get, post};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use twilio_auth_axum::{KeyResolver, ResolveFuture, TwilioAuthLayer};
use twilio_auth_core::{Config, KeyLookup, Signer, form};

/// A key store that is down.
struct Down;

impl KeyResolver for Down {
    fn resolve<'a>(&'a self, _: &'a KeyLookup) -> ResolveFuture<'a> {
        Box::pin(async { Err("the key store is down".into()) })
    }
}

const TOKEN: &str = "12345";
const SECONDARY: &str = "67890";
const CALL: &[(&str, &str)] = &[("CallSid", "CA123"), ("From", "+14155550100")];
const LIMIT: usize = 1024;

/// The value of the sample of `name` whose labels include all of `labels`, if any.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines()
        .filter(|line| line.starts_with(&format!("{name}{{")))
        .find(|line| {
            labels
                .iter()
                .all(|(k, v)| line.contains(&format!("{k}=\"{v}\"")))
        })
        .and_then(|line| line.rsplit(' ').next()?.parse().ok())
}

#[tokio::test]
async fn prometheus_sees_accepted_and_refused_requests_by_key_and_reason() {
    let recorder = PrometheusBuilder::new().build_recorder();
    let handle: PrometheusHandle = recorder.handle();
    metrics::set_global_recorder(recorder).expect("the only recorder of this test binary");

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = Config::builder()
        .auth_token(TOKEN)
        .secondary_auth_token(SECONDARY)
        .public_base_url(&base)
        .body_limit(LIMIT)
        .build()
        .unwrap();
    let app = Router::new()
        .route(
            "/voice",
            post(|| async { "<Response/>" }).layer(TwilioAuthLayer::new(config.clone())),
        )
        .route(
            "/store",
            post(|| async { "<Response/>" })
                .layer(TwilioAuthLayer::new(config.clone()).key_resolver(Down)),
        )
        .route(
            "/report-only",
            post(|| async { "<Response/>" }).layer(TwilioAuthLayer::new(config).report_only()),
        )
        .route("/metrics", get(move || async move { handle.render() }));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let client = reqwest::Client::new();
    let url = format!("{base}/voice");
    let send_to = |url: String, signature: Option<String>, body: String| {
        let mut request = client
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some(signature) = signature {
            request = request.header("x-twilio-signature", signature);
        }
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let send = |signature, body| send_to(url.clone(), signature, body);
    let body = form::encode(CALL);
    let primary = Signer::new(TOKEN).sign_form(&url, CALL);
    let secondary = Signer::new(SECONDARY).sign_form(&url, CALL);
    let forged = Signer::new("forged").sign_form(&url, CALL);

    assert_eq!(send(Some(primary.clone()), body.clone()).await, 200);
    assert_eq!(send(Some(primary.clone()), body.clone()).await, 200);
    assert_eq!(send(Some(secondary), body.clone()).await, 200);
    assert_eq!(send(Some(forged), body.clone()).await, 403);
    assert_eq!(send(None, body.clone()).await, 403);
    let oversize = format!("{body}&Padding={}", "x".repeat(LIMIT));
    assert_eq!(send(Some(primary.clone()), oversize).await, 413);
    // Report-only: let through, counted apart (not as accepted, not as refused).
    let report_only = format!("{base}/report-only");
    assert_eq!(send_to(report_only, Some(primary), body.clone()).await, 200);
    // A sub-account whose key store fails: 503.
    let sub_account = form::encode(&[("AccountSid", "AC0001"), ("CallSid", "CA123")]);
    assert_eq!(
        send_to(format!("{base}/store"), None, sub_account).await,
        503
    );

    let text = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let accepted = |key| sample(&text, "twilio_auth_accepted_total", &[("key", key)]);
    let refused = |reason, status| {
        sample(
            &text,
            "twilio_auth_refused_total",
            &[("reason", reason), ("status", status)],
        )
    };
    assert_eq!(accepted("primary_token"), Some(2.0), "{text}");
    assert_eq!(accepted("secondary_token"), Some(1.0), "{text}");
    assert_eq!(refused("signature_mismatch", "403"), Some(1.0), "{text}");
    assert_eq!(refused("missing_signature", "403"), Some(1.0), "{text}");
    assert_eq!(refused("body_too_large", "413"), Some(1.0), "{text}");
    assert_eq!(refused("key_store_unavailable", "503"), Some(1.0), "{text}");
    let reported = sample(
        &text,
        "twilio_auth_report_only_total",
        &[("reason", "signature_mismatch")],
    );
    assert_eq!(reported, Some(1.0), "{text}");
    // Labels name kinds and reasons only: no URL, token or signature in the exposition.
    for secret_or_url in [TOKEN, SECONDARY, "/voice", "CA123", "AC0001"] {
        assert!(
            !text.contains(secret_or_url),
            "{secret_or_url} leaked: {text}"
        );
    }
}
