// A generic handler: the checks that name the state and extractor types are left out (an
// item cannot name the handler's generics), and the handler is still wrapped and routable.
use axum::extract::{FromRef, State};
use axum::{Router, routing::post};
use twilio_auth::twilio_signed;

#[twilio_signed]
async fn echo<S: Clone + Send + Sync + 'static>(State(_state): State<S>, body: String) -> String {
    body
}

pub fn main() {
    fn app<S>(state: S) -> Router
    where
        S: Clone + Send + Sync + 'static,
        twilio_auth::Config: FromRef<S>,
    {
        Router::new().route("/echo", post(echo::<S>)).with_state(state)
    }
    let config = twilio_auth::Config::builder()
        .auth_token("12345")
        .build()
        .unwrap();
    let _ = app(config);
}
