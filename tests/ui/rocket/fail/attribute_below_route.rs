use rocket::form::{Form, FromForm};
use rocket::post;
use twilio_auth::rocket::twilio_signed;

#[derive(FromForm)]
struct Call {
    #[field(name = "CallSid")]
    call_sid: String,
}

#[post("/voice", data = "<call>")]
#[twilio_signed]
fn voice(call: Form<Call>) -> String {
    call.into_inner().call_sid
}

fn main() {}
