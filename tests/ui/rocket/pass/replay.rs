//! `replay = true` (feature `replay`): the data guard goes through the fairing's replay
//! guard, with or without a policy; the rocket ignites with a guard on the fairing, and its
//! sentinels stop one without.

use rocket::form::{Form, FromForm};
use rocket::{post, routes};
use twilio_auth::replay::ReplayGuard;
use twilio_auth::rocket::{TwilioAuth, twilio_signed};

#[derive(FromForm)]
struct Call {
    #[field(name = "CallSid")]
    call_sid: String,
}

#[twilio_signed(replay = true)]
#[post("/voice", data = "<call>")]
fn voice(call: Form<Call>) -> String {
    call.into_inner().call_sid
}

#[twilio_signed(http_auth = "digest", replay = true)]
#[post("/digest", data = "<call>")]
async fn digest(call: Form<Call>) -> String {
    call.into_inner().call_sid
}

#[twilio_signed(replay = false)]
#[post("/plain", data = "<body>")]
fn plain(body: String) -> String {
    body
}

fn rocket(guard: Option<ReplayGuard>) -> rocket::Rocket<rocket::Build> {
    let http_auth = twilio_auth::http_auth::HttpAuthConfig::builder("twilio")
        .credential("twilio", "s3cret-pass")
        .build()
        .unwrap();
    let config = twilio_auth::Config::builder()
        .auth_token("12345")
        .http_auth(http_auth)
        .build()
        .unwrap();
    let fairing = match guard {
        Some(guard) => TwilioAuth::fairing(config).replay(guard),
        None => TwilioAuth::fairing(config),
    };
    let quiet = rocket::Config {
        log_level: rocket::config::LogLevel::Off,
        ..rocket::Config::default()
    };
    rocket::custom(quiet)
        .attach(fairing)
        .mount("/", routes![voice, digest, plain])
}

pub fn main() {
    let guarded = rocket(Some(ReplayGuard::memory()));
    rocket::execute(async move { guarded.ignite().await.map(drop) }).unwrap();
    let unguarded = rocket(None);
    // (Inspecting the kind marks the error as handled: Rocket panics on an unhandled one.)
    let error = rocket::execute(async move { unguarded.ignite().await }).unwrap_err();
    assert!(matches!(
        error.kind(),
        rocket::error::ErrorKind::SentinelAborts(_)
    ));
}
