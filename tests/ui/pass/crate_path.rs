// `crate = "…"` names where the runtime support lives (here, the adapter itself).
use axum::routing::post;
use axum::Router;

#[twilio_auth::axum::twilio_signed(crate = "twilio_auth::axum")]
async fn echo(body: String) -> String {
    body
}

pub fn main() {
    let config = twilio_auth::Config::builder().auth_token("12345").build().unwrap();
    let _app: Router = Router::new().route("/echo", post(echo)).with_state(config);
}
