// No state argument: the configuration itself is the router's state.
use axum::routing::post;
use axum::Router;
use twilio_auth::twilio_signed;

#[twilio_signed]
async fn echo(body: String) -> String {
    body
}

pub fn main() {
    let config = twilio_auth::Config::builder().auth_token("12345").build().unwrap();
    let _app: Router = Router::new().route("/echo", post(echo)).with_state(config);
}
