// The state type is inferred from a `State<S>` parameter; the body is read as `Bytes`.
use axum::body::Bytes;
use axum::extract::{FromRef, State};
use axum::routing::post;
use axum::Router;
use twilio_auth::twilio_signed;

#[derive(Clone, FromRef)]
struct AppState {
    twilio: twilio_auth::Config,
    greeting: String,
}

// A `State` of a part of the state does not say the router's state: name it.
#[twilio_signed(state = AppState)]
async fn raw(State(greeting): State<String>, body: Bytes) -> String {
    format!("{greeting} {}", body.len())
}

#[twilio_signed]
async fn counted(State(state): State<AppState>, body: Bytes) -> String {
    format!("{} {}", state.greeting, body.len())
}

pub fn main() {
    let config = twilio_auth::Config::builder().auth_token("12345").build().unwrap();
    let state = AppState { twilio: config, greeting: "hi".into() };
    let _app: Router = Router::new()
        .route("/counted", post(counted))
        .route("/raw", post(raw))
        .with_state(state);
}
