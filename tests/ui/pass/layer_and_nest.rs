// Middleware style, and handlers under `Router::nest`.
use axum::routing::post;
use axum::{Form, Router};
use std::collections::HashMap;
use twilio_auth::axum::TwilioAuthLayer;
use twilio_auth::twilio_signed;

async fn plain(Form(params): Form<HashMap<String, String>>) -> String {
    params.len().to_string()
}

#[twilio_signed]
async fn signed(Form(params): Form<HashMap<String, String>>) -> String {
    params.len().to_string()
}

pub fn main() {
    let config = twilio_auth::Config::builder().auth_token("12345").build().unwrap();
    let _layered: Router = Router::new()
        .route("/voice", post(plain))
        .layer(TwilioAuthLayer::new(config.clone()));
    let api = Router::new().route("/voice", post(signed));
    let _nested: Router = Router::new().nest("/api", api).with_state(config);
}
