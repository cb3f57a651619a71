// `path = "/"` is the root alone; no method is any method; the policy without the signature.
use twilio_auth::warp::twilio_signed;
use warp::Filter;

#[twilio_signed(get, path = "/")]
async fn root() -> String {
    String::new()
}

#[twilio_signed(crate = "twilio_auth::warp", http_auth = "either", signature = false)]
async fn ping() -> &'static str {
    "ok"
}

pub fn main() {
    let config = twilio_auth::Config::builder()
        .auth_token("12345")
        .build()
        .unwrap();
    let _ = root_filter(config.clone()).or(warp::path("ping").and(ping_filter(config)));
}
