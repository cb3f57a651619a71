// A handler without parameters gets the `TwilioSignature` guard (which verifies the body too).
use axum::routing::get;
use axum::Router;
use twilio_auth::twilio_signed;

#[twilio_signed]
async fn ping() -> &'static str {
    "verified"
}

pub fn main() {
    let config = twilio_auth::Config::builder().auth_token("12345").build().unwrap();
    let _app: Router = Router::new().route("/ping", get(ping)).with_state(config);
}
