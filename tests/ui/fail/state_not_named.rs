// Without `state = …` (or a `State<S>` parameter) the attribute cannot see the router's
// state: a state that does not provide the configuration is reported by axum where the
// handler is routed, not at the handler. `state_without_config.rs` names the state and gets
// the crate's message at the handler.
use axum::routing::post;
use axum::Router;
use twilio_auth::twilio_signed;

#[derive(Clone)]
pub struct AppState {
    pub greeting: String,
}

#[twilio_signed]
pub async fn voice(body: String) -> String {
    body
}

fn main() {
    let state = AppState { greeting: "hello".to_owned() };
    let _app: Router = Router::new().route("/voice", post(voice)).with_state(state);
}
