use rocket::form::{Form, FromForm};
use twilio_auth::rocket::twilio_signed;

#[derive(FromForm)]
struct Call {
    #[field(name = "CallSid")]
    call_sid: String,
}

#[twilio_signed]
#[rocket::post("/voice", data = "<call>")]
fn voice(form: Form<Call>) -> String {
    form.into_inner().call_sid
}

fn main() {}
