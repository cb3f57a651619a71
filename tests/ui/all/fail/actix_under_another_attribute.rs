// An actix-web handler under another framework's own attribute: one error naming the
// attribute to use.
use actix_web::{HttpResponse, post, web};

#[twilio_auth::axum::twilio_signed]
async fn voice(body: web::Bytes) -> HttpResponse {
    HttpResponse::Ok().body(body)
}

#[twilio_auth::rocket::twilio_signed]
#[post("/status")]
async fn status(body: web::Bytes) -> HttpResponse {
    HttpResponse::Ok().body(body)
}

fn main() {}
