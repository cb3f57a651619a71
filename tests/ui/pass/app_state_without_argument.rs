// No `state = …`: the handler works in any router whose state provides the configuration,
// here an `AppState` with a `Config` field and `#[derive(FromRef)]`.
use axum::extract::FromRef;
use axum::routing::{get, post};
use axum::{Form, Router};
use twilio_auth::twilio_signed;

#[derive(Clone, FromRef)]
struct AppState {
    twilio: twilio_auth::Config,
}

#[derive(serde::Deserialize)]
struct IncomingCall {
    #[serde(rename = "CallSid")]
    call_sid: String,
}

#[twilio_signed]
async fn voice(Form(call): Form<IncomingCall>) -> String {
    call.call_sid
}

#[twilio_signed]
async fn status() -> &'static str {
    "ok"
}

pub fn main() {
    let config = twilio_auth::Config::builder().auth_token("12345").build().unwrap();
    let _app: Router = Router::new()
        .route("/voice", post(voice))
        .route("/status", get(status))
        .with_state(AppState { twilio: config });
}
