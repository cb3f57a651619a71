// The header guard beside a body extractor: the guard verifies the request with its body, so
// it is itself a body extractor, and axum allows only one. This does not compile, so no
// unsigned body can reach `Form` next to a guard that did not see it.
use axum::routing::post;
use axum::{Form, Router};
use std::collections::HashMap;
use twilio_auth::axum::TwilioSignature;

async fn voice(_: TwilioSignature, Form(params): Form<HashMap<String, String>>) -> String {
    params.len().to_string()
}

fn main() {
    let config = twilio_auth::Config::builder()
        .auth_token("12345")
        .build()
        .unwrap();
    let _app: Router = Router::new()
        .route("/voice", post(voice))
        .with_state(config);
}
