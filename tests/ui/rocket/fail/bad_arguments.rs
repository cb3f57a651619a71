use rocket::post;
use twilio_auth::rocket::twilio_signed;

struct AppState;

#[twilio_signed(state = AppState)]
#[post("/voice", data = "<body>")]
fn voice(body: String) -> String {
    body
}

#[twilio_signed(http_auth = "ntlm", signture = false)]
#[post("/sms", data = "<body>")]
fn sms(body: String) -> String {
    body
}

fn main() {
    let _ = rocket::routes![voice, sms];
}
