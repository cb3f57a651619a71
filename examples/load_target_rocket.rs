//! The Rocket target of the load test (`LOAD_APP=rocket benches/load/run.sh`): one handler
//! body mounted twice, so the cost of `#[twilio_signed]` is the only difference between two
//! routes measured in the same run. The axum twin is `examples/load_target.rs`; routes,
//! environment and output are the same.
//!
//! ```text
//! TWILIO_AUTH_TOKEN=... cargo run --release --example load_target_rocket --features rocket
//! ```
//!
//! | route | what runs |
//! |---|---|
//! | `POST /verified/voice` | `#[twilio_signed]`: body read within the limit, signature verified, then `Form<IncomingCall>` |
//! | `POST /plain/voice` | `Form<IncomingCall>` alone (no verification) |
//!
//! Rocket's `form` limit is the configuration's body limit (413 above it, on both routes).

#[path = "support/mod.rs"]
mod support;

use std::io::Write as _;
use std::net::{Ipv4Addr, TcpListener};
use std::process::ExitCode;
use support::{config_error, config_from_env, init_logging, load_twiml, port_from_env};

use rocket::config::LogLevel;
use rocket::data::{ByteUnit, Limits};
use rocket::fairing::AdHoc;
use rocket::form::{Form, FromForm};
use rocket::http::ContentType;
use rocket::{post, routes};
use twilio_auth::rocket::{TwilioAuth, twilio_signed};

/// The fields of the voice webhook the handler uses (Rocket's lenient form parsing skips
/// the others).
#[derive(Debug, FromForm)]
struct IncomingCall {
    #[field(name = "CallSid")]
    call_sid: String,
    #[field(name = "From", default = String::new())]
    from: String,
    #[field(name = "CallStatus", default = String::new())]
    call_status: String,
}

/// The handler body both routes share.
fn answer(call: &IncomingCall) -> (ContentType, String) {
    let twiml = load_twiml(&call.call_sid, &call.from, &call.call_status);
    (ContentType::XML, twiml)
}

/// `POST /verified/voice`: the handler behind `#[twilio_signed]`.
#[twilio_signed]
#[post("/verified/voice", data = "<call>")]
fn verified_voice(call: Form<IncomingCall>) -> (ContentType, String) {
    answer(&call)
}

/// `POST /plain/voice`: the same handler without verification.
#[post("/plain/voice", data = "<call>")]
fn plain_voice(call: Form<IncomingCall>) -> (ContentType, String) {
    answer(&call)
}

#[rocket::main]
async fn main() -> ExitCode {
    init_logging("error");
    let port = match port_from_env() {
        // Rocket binds its own listener after ignition; ask the OS for a free port first.
        Ok(0) => match TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).and_then(|l| l.local_addr()) {
            Ok(addr) => addr.port(),
            Err(e) => return config_error(&format!("cannot find a free port: {e}")),
        },
        Ok(port) => port,
        Err(message) => return config_error(&message),
    };
    let config = match config_from_env(port) {
        Ok(config) => config,
        Err(message) => return config_error(&message),
    };
    let limits = Limits::default().limit("form", ByteUnit::from(config.body_limit()));
    let rocket_config = rocket::Config {
        address: Ipv4Addr::LOCALHOST.into(),
        port,
        limits,
        log_level: LogLevel::Off,
        cli_colors: false,
        ..rocket::Config::default()
    };
    let launched = rocket::custom(rocket_config)
        .attach(TwilioAuth::fairing(config))
        .attach(AdHoc::on_liftoff("ready line", |rocket| {
            Box::pin(async move {
                let mut stdout = std::io::stdout().lock();
                let _ = writeln!(
                    stdout,
                    "listening on http://127.0.0.1:{}",
                    rocket.config().port
                );
                let _ = stdout.flush();
            })
        }))
        .mount("/", routes![verified_voice, plain_voice])
        .launch()
        .await;
    match launched {
        Ok(_) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: the server failed: {error}");
            ExitCode::FAILURE
        }
    }
}
