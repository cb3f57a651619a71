// A GET webhook: its parameters are in the signed query string.
use axum::extract::{FromRef, Query};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use twilio_auth::twilio_signed;

#[derive(Clone, FromRef)]
struct AppState {
    twilio: twilio_auth::Config,
}

#[derive(serde::Deserialize)]
struct Status {
    #[serde(rename = "CallStatus")]
    call_status: String,
}

#[twilio_signed(state = AppState)]
async fn status(Query(q): Query<Status>) -> impl IntoResponse {
    q.call_status
}

pub fn main() {
    let config = twilio_auth::Config::builder().auth_token("12345").build().unwrap();
    let _app: Router = Router::new().route("/status", get(status)).with_state(AppState { twilio: config });
}
