//! The target of the load test (`benches/load/run.sh`): one handler body mounted twice, so
//! the cost of `#[twilio_signed]` is the only difference between two routes measured in
//! the same run.
//!
//! ```text
//! TWILIO_AUTH_TOKEN=... cargo run --release --example load_target --features axum
//! ```
//!
//! | route | what runs |
//! |---|---|
//! | `POST /verified/voice` | `#[twilio_signed]`: body read within the limit, signature verified, then `Form<LoadCall>` |
//! | `POST /plain/voice` | `Form<LoadCall>` alone (no verification) |
//!
//! Both parse the voice webhook form and answer the same small TwiML. The environment is
//! the example app's (`examples/axum_app.rs`): `PORT` (default `3000`, `0` picks one),
//! `TWILIO_AUTH_TOKEN` (required), `TWILIO_WEBHOOK_BASE_URL` (default
//! `http://127.0.0.1:$PORT`), `TWILIO_BODY_LIMIT` (default `65536`; 413 above it, on both
//! routes), and `RUST_LOG` (default `error`, so that a flood of forged requests does not
//! turn into a flood of log lines; logs go to stderr).
//!
//! `TWILIO_LOAD_ROTATE_MS=N` (`benches/load/run.sh`'s `LOAD_ROTATE_MS`) swaps the Auth
//! Tokens every `N` milliseconds while serving, as a rotation does (`Config::set_auth_tokens`):
//! the configured token is the primary with another as the secondary, then the secondary
//! behind another primary, in turn, so requests signed with it stay valid throughout; every
//! 100 swaps it prints `token rotations: COUNT` on stderr.
//!
//! When ready it prints exactly one line on stdout, `listening on http://127.0.0.1:PORT`;
//! a configuration error prints `error: …` on stderr and exits with status 2.

#[path = "support/mod.rs"]
mod support;

use std::process::ExitCode;
use support::{LoadCall, announce, bind_and_configure, init_logging, load_twiml};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Form, FromRef};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::post;
use twilio_auth::{Config, twilio_signed};

/// The application's state; `#[twilio_signed]` finds the configuration in it.
#[derive(Clone, FromRef)]
struct AppState {
    twilio: Config,
}

/// The handler body both routes share.
fn answer(call: LoadCall) -> impl IntoResponse {
    let twiml = load_twiml(&call.call_sid, &call.from, &call.call_status);
    ([(header::CONTENT_TYPE, "text/xml")], twiml)
}

/// `POST /verified/voice`: the handler behind `#[twilio_signed]`.
#[twilio_signed(state = AppState)]
async fn verified_voice(Form(call): Form<LoadCall>) -> impl IntoResponse {
    answer(call)
}

/// `POST /plain/voice`: the same handler without verification.
async fn plain_voice(Form(call): Form<LoadCall>) -> impl IntoResponse {
    answer(call)
}

fn app(config: Config) -> Router {
    let limit = config.body_limit();
    Router::new()
        .route("/verified/voice", post(verified_voice))
        .route("/plain/voice", post(plain_voice))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(AppState { twilio: config })
}

/// Swaps the Auth Tokens every `every`, keeping the configured one as the primary or the
/// secondary in turn (`TWILIO_LOAD_ROTATE_MS`).
async fn rotate_tokens(config: Config, every: std::time::Duration) {
    let Ok(token) = std::env::var(twilio_auth::ENV_AUTH_TOKEN) else {
        return;
    };
    let mut tick = tokio::time::interval(every);
    for rotation in 1u64.. {
        tick.tick().await;
        let other = format!("rotated-token-{rotation}");
        let swapped = if rotation % 2 == 0 {
            config.set_auth_tokens(token.as_str(), Some(other.as_str()))
        } else {
            config.set_auth_tokens(other.as_str(), Some(token.as_str()))
        };
        if let Err(e) = swapped {
            eprintln!("error: token rotation refused: {e}");
            return;
        }
        if rotation % 100 == 0 {
            eprintln!("token rotations: {rotation}");
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    init_logging("error");
    let (listener, config, port) = match bind_and_configure().await {
        Ok(bound) => bound,
        Err(code) => return code,
    };
    announce(port);
    if let Some(every) = std::env::var("TWILIO_LOAD_ROTATE_MS")
        .ok()
        .and_then(|ms| ms.parse::<u64>().ok())
        .filter(|&ms| ms > 0)
    {
        tokio::spawn(rotate_tokens(
            config.clone(),
            std::time::Duration::from_millis(every),
        ));
    }
    let served = axum::serve(listener, app(config))
        .with_graceful_shutdown(async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        })
        .await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: server failed: {e}");
            ExitCode::FAILURE
        }
    }
}
