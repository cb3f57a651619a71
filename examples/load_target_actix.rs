//! The actix-web target of the load test (`LOAD_APP=actix benches/load/run.sh`): one handler
//! body mounted twice, so the cost of `#[twilio_signed]` is the only difference between two
//! routes measured in the same run. The axum twin is `examples/load_target.rs`; routes,
//! environment and output are the same.
//!
//! ```text
//! TWILIO_AUTH_TOKEN=... cargo run --release --example load_target_actix --features actix
//! ```
//!
//! | route | what runs |
//! |---|---|
//! | `POST /verified/voice` | `#[twilio_signed]`: body read within the limit, signature verified, then `web::Form<LoadCall>` |
//! | `POST /plain/voice` | `web::Form<LoadCall>` alone (no verification) |
//!
//! Both parse the voice webhook form and answer the same small TwiML; actix's `FormConfig`
//! and `PayloadConfig` limits are the configuration's body limit (413 above it, on both
//! routes).

#[path = "support/mod.rs"]
mod support;

use std::process::ExitCode;
use support::{LoadCall, announce, bind_and_configure, init_logging, load_twiml};

use actix_web::{App, HttpResponse, HttpServer, post, web};
use twilio_auth::twilio_signed;

/// The handler body both routes share.
fn answer(call: &LoadCall) -> HttpResponse {
    let twiml = load_twiml(&call.call_sid, &call.from, &call.call_status);
    HttpResponse::Ok().content_type("text/xml").body(twiml)
}

/// `POST /verified/voice`: the handler behind `#[twilio_signed]`.
#[twilio_signed]
#[post("/verified/voice")]
async fn verified_voice(call: web::Form<LoadCall>) -> HttpResponse {
    answer(&call)
}

/// `POST /plain/voice`: the same handler without verification.
#[post("/plain/voice")]
async fn plain_voice(call: web::Form<LoadCall>) -> HttpResponse {
    answer(&call)
}

#[actix_web::main]
async fn main() -> ExitCode {
    init_logging("error");
    let (listener, config, port) = match bind_and_configure().await {
        Ok(bound) => bound,
        Err(code) => return code,
    };
    let listener = match listener.into_std() {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("error: cannot hand the listener to actix-web: {e}");
            return ExitCode::FAILURE;
        }
    };
    let limit = config.body_limit();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(config.clone())
            .app_data(web::FormConfig::default().limit(limit))
            .app_data(web::PayloadConfig::new(limit))
            .service(verified_voice)
            .service(plain_voice)
    })
    .shutdown_timeout(1)
    .listen(listener);
    let server = match server {
        Ok(server) => server.run(),
        Err(e) => {
            eprintln!("error: cannot listen on 127.0.0.1:{port}: {e}");
            return ExitCode::FAILURE;
        }
    };
    announce(port);
    match server.await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: server failed: {e}");
            ExitCode::FAILURE
        }
    }
}
