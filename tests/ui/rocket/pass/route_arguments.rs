//! The route attribute's other arguments stay as written around the renamed `data`; a `mut`
//! data parameter stays `mut`; a route without `data` gets the guard, with the policy.

use rocket::form::{Form, FromForm};
use rocket::{get, routes};
use twilio_auth::rocket::twilio_signed;

#[derive(FromForm)]
struct Call {
    #[field(name = "CallSid")]
    call_sid: String,
}

#[twilio_signed(http_auth = "digest")]
#[rocket::post("/digest/<id>", format = "form", data = "<call>", rank = 2)]
async fn voice(id: u8, mut call: Form<Call>) -> String {
    call.call_sid.push_str(&id.to_string());
    call.into_inner().call_sid
}

#[twilio_signed(http_auth = "basic", signature = false)]
#[get("/status?<sid>")]
fn status(sid: &str) -> String {
    format!("status of {sid}")
}

pub fn main() {
    let _ = routes![voice, status];
}
