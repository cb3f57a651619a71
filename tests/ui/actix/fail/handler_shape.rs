use actix_web::{HttpRequest, post, web};
use twilio_auth::twilio_signed;

// Not async, and the body is read before the last parameter, twice.
#[twilio_signed]
#[post("/voice")]
fn voice(form: web::Form<Vec<(String, String)>>, body: String, req: HttpRequest) -> String {
    format!("{} {} {}", form.len(), body, req.path())
}

fn main() {}
