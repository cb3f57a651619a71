//! The warp target of the load test (`LOAD_APP=warp benches/load/run.sh`): one handler body
//! mounted twice, so the cost of `#[twilio_signed]` is the only difference between two routes
//! measured in the same run. The axum twin is `examples/load_target.rs`; routes,
//! environment and output are the same.
//!
//! ```text
//! TWILIO_AUTH_TOKEN=... cargo run --release --example load_target_warp --features warp
//! ```
//!
//! | route | what runs |
//! |---|---|
//! | `POST /verified/voice` | `#[twilio_signed]`: body read within the limit, signature verified, then the form |
//! | `POST /plain/voice` | `content_length_limit` and `warp::body::form()` alone (no verification) |

#[path = "support/mod.rs"]
mod support;

use std::process::ExitCode;
use support::{LoadCall, announce, bind_and_configure, init_logging, load_twiml};

use twilio_auth::Config;
use twilio_auth::warp::{Form, twilio_signed};
use warp::http::StatusCode;
use warp::{Filter, Reply};

/// The handler body both routes share.
fn answer(call: &LoadCall) -> warp::reply::Response {
    let twiml = load_twiml(&call.call_sid, &call.from, &call.call_status);
    warp::reply::with_header(twiml, "content-type", "text/xml").into_response()
}

/// `POST /verified/voice`: the handler behind `#[twilio_signed]`.
#[twilio_signed(post, path = "verified/voice")]
async fn verified_voice(Form(call): Form<LoadCall>) -> impl Reply {
    answer(&call)
}

/// `POST /plain/voice`: the same handler without verification; over the limit, 413 as on
/// the verified route.
fn plain_voice(
    limit: u64,
) -> impl Filter<Extract = (warp::reply::Response,), Error = warp::Rejection> + Clone {
    warp::path!("plain" / "voice")
        .and(warp::post())
        .and(warp::body::content_length_limit(limit))
        .and(warp::body::form())
        .map(|call: LoadCall| answer(&call))
}

/// warp's own rejections (over the limit, bad form) as statuses.
async fn plain_status(
    rejection: warp::Rejection,
) -> Result<warp::reply::Response, warp::Rejection> {
    if rejection.find::<warp::reject::PayloadTooLarge>().is_some() {
        return Ok(StatusCode::PAYLOAD_TOO_LARGE.into_response());
    }
    Err(rejection)
}

fn routes(config: Config) -> impl Filter<Extract = (impl Reply,), Error = warp::Rejection> + Clone {
    let limit = config.body_limit() as u64;
    verified_voice_filter(config).or(plain_voice(limit).recover(plain_status))
}

#[tokio::main]
async fn main() -> ExitCode {
    init_logging("error");
    let (listener, config, port) = match bind_and_configure().await {
        Ok(bound) => bound,
        Err(code) => return code,
    };
    announce(port);
    warp::serve(routes(config))
        .incoming(listener)
        .graceful(async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        })
        .run()
        .await;
    ExitCode::SUCCESS
}
