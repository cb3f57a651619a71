// HTTP Basic/Digest per route, with and without the signature, on body extractors, on
// handlers without parameters, and on a layer.
use axum::extract::{FromRef, Query};
use axum::routing::{get, post};
use axum::{Form, Router};
use std::collections::HashMap;
use twilio_auth::axum::TwilioAuthLayer;
use twilio_auth::axum::policy::{BasicOnly, Digest, HttpAuth};
use twilio_auth::axum::{TwilioSignature, Verified};
use twilio_auth::twilio_signed;

#[derive(Clone, FromRef)]
struct AppState {
    twilio: twilio_auth::Config,
}

#[twilio_signed(state = AppState, http_auth = "basic")]
async fn basic(Form(params): Form<HashMap<String, String>>) -> String {
    params.len().to_string()
}

#[twilio_signed(state = AppState, http_auth = "digest")]
async fn digest(body: String) -> String {
    body
}

#[twilio_signed(state = AppState, http_auth = "either", signature = true)]
async fn either(Query(q): Query<HashMap<String, String>>) -> String {
    q.len().to_string()
}

#[twilio_signed(state = AppState, http_auth = "digest", signature = false)]
async fn digest_only() -> &'static str {
    "ok"
}

// Written by hand: the same types the attribute writes.
async fn by_hand(Verified(body): Verified<String, Digest>) -> String {
    body
}

async fn guard_by_hand(_: TwilioSignature<BasicOnly>) {}

pub fn main() {
    let config = twilio_auth::Config::builder()
        .auth_token("12345")
        .build()
        .unwrap();
    let _app: Router = Router::new()
        .route("/basic", post(basic))
        .route("/digest", post(digest))
        .route("/either", get(either))
        .route("/digest-only", post(digest_only))
        .route("/by-hand", post(by_hand))
        .route("/guard", get(guard_by_hand))
        .with_state(AppState {
            twilio: config.clone(),
        });
    let _layered: Router = Router::new()
        .route("/voice", post(|| async { "ok" }))
        .layer(
            TwilioAuthLayer::new(config).http_auth_only(HttpAuth::Either),
        );
}
