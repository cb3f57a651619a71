use rocket::post;
use twilio_auth::rocket::twilio_signed;

// `data` names a parameter as `"<name>"`.
#[twilio_signed]
#[post("/voice", data = "call")]
fn voice(call: String) -> String {
    call
}

fn main() {}
