//! Through the adapter crate alone: `crate = "twilio_auth_rocket"`.

use rocket::post;
use twilio_auth_rocket::twilio_signed;

#[twilio_signed(crate = "twilio_auth_rocket", http_auth = "basic")]
#[rocket::post("/voice", data = "<body>")]
fn voice(body: String) -> String {
    body
}

#[twilio_signed(crate = "twilio_auth_rocket")]
#[post("/ping")]
fn ping() {}

pub fn main() {
    let _ = rocket::routes![voice, ping];
}
