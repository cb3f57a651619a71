// The adapter used directly, through `crate = "…"`.
use actix_web::{App, post, web};
use twilio_auth::actix as twilio_auth_actix;

#[twilio_auth_actix::twilio_signed(crate = "twilio_auth_actix")]
#[post("/voice")]
async fn voice(body: web::Bytes) -> String {
    body.len().to_string()
}

pub fn main() {
    let _app = App::new().service(voice);
}
