// A form webhook whose router state holds the configuration (`#[derive(FromRef)]`).
use axum::extract::FromRef;
use axum::response::IntoResponse;
use axum::routing::post;
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

#[twilio_signed(state = AppState)]
async fn voice(Form(call): Form<IncomingCall>) -> impl IntoResponse {
    format!("<Response><Say>{}</Say></Response>", call.call_sid)
}

pub fn main() {
    let config = twilio_auth::Config::builder().auth_token("12345").build().unwrap();
    let _app: Router = Router::new().route("/voice", post(voice)).with_state(AppState { twilio: config });
}
