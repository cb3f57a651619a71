use actix_web::{post, web};
use twilio_auth::twilio_signed;

struct Call {
    sid: String,
}

#[twilio_signed]
#[post("/voice")]
async fn voice(req: web::Data<u32>, call: Call) -> String {
    format!("{} {}", req.get_ref(), call.sid)
}

fn main() {}
