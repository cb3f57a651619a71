use actix_web::{post, web};
use twilio_auth::twilio_signed;

#[twilio_signed(state = AppState, path = "voice", http_auth = "bearer")]
#[post("/voice")]
async fn voice(body: web::Bytes) -> String {
    body.len().to_string()
}

#[twilio_signed(signature = false)]
#[post("/status")]
async fn status(body: web::Bytes) -> String {
    body.len().to_string()
}

fn main() {}
