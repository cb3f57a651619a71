// The root attribute placed below a Rocket route attribute: Rocket has generated the route
// before the attribute runs, so it cannot verify it; the error says to move it.
use rocket::post;
use twilio_auth::twilio_signed;

#[post("/voice", data = "<body>")]
#[twilio_signed]
fn voice(body: String) -> String {
    body
}

fn main() {}
