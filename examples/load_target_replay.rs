//! The target of the replay-guard load test (`bash benches/load/replay.sh`): one handler
//! body mounted twice behind the same `TwilioAuthLayer`, once with the replay guard on a
//! Redis store, so the guard is the only difference between two routes measured in the
//! same run.
//!
//! ```text
//! TWILIO_AUTH_TOKEN=... REDIS_URL=redis://127.0.0.1:6379/ \
//!     cargo run --release --example load_target_replay --features axum,redis
//! ```
//!
//! | route | what runs |
//! |---|---|
//! | `POST /verified/voice` | `TwilioAuthLayer`, then the handler |
//! | `POST /replay/voice` | `TwilioAuthLayer` with `.replay(guard)` (Redis), then the handler |
//! | `GET /count` | how many times the handler ran on each route (`verified replay`) |

#[path = "support/mod.rs"]
mod support;

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::extract::Form;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use support::{LoadCall, announce, bind_and_configure, init_logging, load_twiml};
use twilio_auth::axum::TwilioAuthLayer;
use twilio_auth::replay::{RedisStore, ReplayGuard};

static VERIFIED: AtomicU64 = AtomicU64::new(0);
static REPLAY: AtomicU64 = AtomicU64::new(0);

/// The handler body both routes share.
fn answer(call: &LoadCall) -> impl IntoResponse + use<> {
    let twiml = load_twiml(&call.call_sid, &call.from, &call.call_status);
    ([(header::CONTENT_TYPE, "text/xml")], twiml)
}

async fn verified_voice(Form(call): Form<LoadCall>) -> impl IntoResponse {
    VERIFIED.fetch_add(1, Ordering::Relaxed);
    answer(&call)
}

async fn replay_voice(Form(call): Form<LoadCall>) -> impl IntoResponse {
    REPLAY.fetch_add(1, Ordering::Relaxed);
    answer(&call)
}

async fn count() -> String {
    format!(
        "{} {}\n",
        VERIFIED.load(Ordering::Relaxed),
        REPLAY.load(Ordering::Relaxed)
    )
}

#[tokio::main]
async fn main() -> ExitCode {
    init_logging("error");
    let (listener, config, port) = match bind_and_configure().await {
        Ok(bound) => bound,
        Err(code) => return code,
    };
    let Some(url) = std::env::var("REDIS_URL").ok().filter(|u| !u.is_empty()) else {
        eprintln!("error: REDIS_URL is required");
        return ExitCode::from(2);
    };
    let store = match RedisStore::new(&url) {
        Ok(store) => store,
        Err(e) => {
            eprintln!("error: REDIS_URL: {e}");
            return ExitCode::from(2);
        }
    };
    let guard = ReplayGuard::new(store);
    let app = Router::new()
        .route(
            "/verified/voice",
            post(verified_voice).route_layer(TwilioAuthLayer::new(config.clone())),
        )
        .route(
            "/replay/voice",
            post(replay_voice).route_layer(TwilioAuthLayer::new(config).replay(guard)),
        )
        .route("/count", get(count));
    announce(port);
    match axum::serve(listener, app).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: server failed: {e}");
            ExitCode::FAILURE
        }
    }
}
