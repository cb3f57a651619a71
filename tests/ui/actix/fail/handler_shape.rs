use actix_web::{HttpRequest, post, web};
use twilio_auth::twilio_signed;

// The body is read before the last parameter, twice. (A plain `fn` is refused too; see the
// macro's unit tests: actix then adds its own `Handler` error, worded per feature set.)
#[twilio_signed]
#[post("/voice")]
async fn voice(form: web::Form<Vec<(String, String)>>, body: String, req: HttpRequest) -> String {
    format!("{} {} {}", form.len(), body, req.path())
}

fn main() {}
