//! Every body `Verified` provides, a GET route, the policies, generics and lifetimes, mounted
//! on a rocket that ignites (so the sentinels accept it).

use rocket::form::{Form, FromForm};
use rocket::http::ContentType;
use rocket::serde::json::{Json, Value};
use rocket::{State, get, post, routes};
use twilio_auth::rocket::{TwilioAuth, twilio_signed};

#[derive(FromForm)]
struct Call<'r> {
    #[field(name = "CallSid")]
    call_sid: &'r str,
}

#[twilio_signed]
#[post("/voice", data = "<call>")]
async fn voice(call: Form<Call<'_>>, config: &State<twilio_auth::Config>) -> (ContentType, String) {
    let _ = config.body_limit();
    if call.call_sid.is_empty() {
        return (ContentType::Plain, String::new());
    }
    (
        ContentType::XML,
        format!("<Response><Say>{}</Say></Response>", call.call_sid),
    )
}

#[twilio_signed(http_auth = "digest")]
#[post("/digest/<id>", data = "<event>")]
fn event(id: u32, mut event: Json<Value>) -> Json<Value> {
    event["id"] = id.into();
    event
}

#[twilio_signed(http_auth = "either", signature = false)]
#[post("/text", data = "<text>")]
fn text<'r>(text: &'r str) -> &'r str {
    text
}

#[twilio_signed]
#[post("/bytes", data = "<bytes>")]
fn bytes(bytes: Option<Vec<u8>>) -> String {
    format!("{:?}", bytes.map(|b| b.len()))
}

#[twilio_signed]
#[get("/status?<sid>")]
fn status(sid: &str) -> String {
    format!("status of {sid}")
}

pub fn main() {
    let http_auth = twilio_auth::http_auth::HttpAuthConfig::builder("twilio")
        .credential("twilio", "s3cret-pass")
        .build()
        .unwrap();
    let config = twilio_auth::Config::builder()
        .auth_token("12345")
        .http_auth(http_auth)
        .build()
        .unwrap();
    let quiet = rocket::Config {
        log_level: rocket::config::LogLevel::Off,
        ..rocket::Config::default()
    };
    let rocket = rocket::custom(quiet)
        .attach(TwilioAuth::fairing(config))
        .mount("/", routes![voice, event, text, bytes, status]);
    rocket::execute(async move { rocket.ignite().await.map(drop) }).unwrap();
}
