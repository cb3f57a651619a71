use rocket::form::Form;
use rocket::{get, post};
use std::collections::HashMap;
use twilio_auth::rocket::twilio_signed;

// On Rocket the guard is the fairing's: `replay` is a flag.
#[twilio_signed(replay = GUARD.clone())]
#[post("/voice", data = "<call>")]
fn voice(call: Form<HashMap<String, String>>) -> String {
    format!("{}", call.len())
}

// The replay guard runs in the data guard: a route without a body cannot have it.
#[twilio_signed(replay = true)]
#[get("/status")]
fn status() -> &'static str {
    "ok"
}

fn main() {}
