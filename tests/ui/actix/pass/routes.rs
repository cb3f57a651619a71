// `#[twilio_signed]` on actix-web handlers: above actix's route attributes, on handlers
// registered with `web::resource`, with each body extractor, without parameters, with HTTP
// authentication policies, and through the framework's own attribute.
use actix_web::{App, HttpRequest, HttpResponse, Responder, get, post, web};
use std::collections::HashMap;
use twilio_auth::twilio_signed;

#[derive(serde::Deserialize)]
struct Call {
    #[serde(rename = "CallSid")]
    call_sid: String,
}

#[twilio_signed]
#[post("/voice")]
async fn voice(req: HttpRequest, call: web::Form<Call>) -> HttpResponse {
    HttpResponse::Ok().body(format!("{} {}", req.path(), call.call_sid))
}

#[twilio_signed]
#[post("/events")]
async fn events(event: web::Json<serde_json::Value>) -> impl Responder {
    web::Json(event.into_inner())
}

#[twilio_signed(http_auth = "digest")]
#[post("/raw")]
async fn raw(body: web::Bytes) -> impl Responder {
    body
}

#[twilio_signed(http_auth = "basic", signature = false)]
#[post("/text")]
async fn text(body: String) -> impl Responder {
    body
}

#[twilio_signed]
#[get("/status")]
async fn status(query: web::Query<HashMap<String, String>>) -> impl Responder {
    format!("{} parameters", query.len())
}

// Qualified, the route attribute says actix even when the signature names no actix type.
#[twilio_signed(http_auth = "either")]
#[actix_web::get("/ping")]
async fn ping() -> String {
    "pong".to_owned()
}

// Registered with `web::resource`: no route attribute.
#[twilio_signed]
async fn anywhere(call: web::Form<Call>) -> impl Responder {
    call.into_inner().call_sid
}

// The framework's own attribute takes an unqualified route attribute as actix's.
#[twilio_auth::actix::twilio_signed]
#[get("/plain")]
async fn plain() -> String {
    String::new()
}

pub fn main() {
    let config = twilio_auth::Config::builder()
        .auth_token("12345")
        .build()
        .unwrap();
    let _app = App::new()
        .app_data(config)
        .service(voice)
        .service(events)
        .service(raw)
        .service(text)
        .service(status)
        .service(ping)
        .service(plain)
        .service(web::resource("/anywhere").to(anywhere));
}
