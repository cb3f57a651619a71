//! `twilio_auth::twilio_signed` recognises a Rocket route by its route attribute, whatever
//! other framework features are on.

use rocket::{get, post, routes};
use twilio_auth::twilio_signed;

#[twilio_signed]
#[post("/voice", data = "<body>")]
fn voice(body: String) -> String {
    body
}

#[twilio_signed(http_auth = "digest")]
#[get("/status")]
fn status() {}

pub fn main() {
    let _ = routes![voice, status];
}
