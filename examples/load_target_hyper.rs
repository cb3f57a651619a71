//! The hyper target of the load test (`LOAD_APP=hyper benches/load/run.sh`): one handler
//! body mounted twice, so the cost of the tower `TwilioAuthLayer` is the only difference
//! between two routes measured in the same run. The axum twin is `examples/load_target.rs`;
//! routes, environment and output are the same.
//!
//! ```text
//! TWILIO_AUTH_TOKEN=... cargo run --release --example load_target_hyper --features tower
//! ```
//!
//! | route | what runs |
//! |---|---|
//! | `POST /verified/voice` | `TwilioAuthLayer`: body read within the limit, signature verified, then the handler |
//! | `POST /plain/voice` | the handler reading the body through `http_body_util::Limited` (413 over the limit) |

#[path = "support/mod.rs"]
mod support;

use std::convert::Infallible;
use std::process::ExitCode;

use bytes::Bytes;
use http_body_util::{BodyExt, Either, Full, Limited};
use hyper::body::{Body, Incoming};
use hyper::server::conn::http1;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use support::{LoadCall, announce, bind_and_configure, init_logging, load_twiml};
use tower::util::BoxCloneSyncService;
use tower::{ServiceBuilder, ServiceExt, service_fn};
use twilio_auth::tower::{ResponseBody, TwilioAuthLayer};

type Answer = Response<ResponseBody<Full<Bytes>>>;

fn status(code: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = code;
    response
}

/// The handler body both routes share: reads the form body (within `limit`) and answers.
async fn answer<B>(req: Request<B>, limit: usize) -> Response<Full<Bytes>>
where
    B: Body<Data = Bytes>,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let body = match Limited::new(req.into_body(), limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            return status(StatusCode::PAYLOAD_TOO_LARGE);
        }
        Err(_) => return status(StatusCode::BAD_REQUEST),
    };
    let Ok(call) = serde_urlencoded::from_bytes::<LoadCall>(&body) else {
        return status(StatusCode::UNPROCESSABLE_ENTITY);
    };
    let twiml = load_twiml(&call.call_sid, &call.from, &call.call_status);
    let mut response = Response::new(Full::new(Bytes::from(twiml)));
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/xml"),
    );
    response
}

/// The two routes: the verified one behind the layer, the plain one without.
#[derive(Clone)]
struct Routes {
    verified: BoxCloneSyncService<Request<Incoming>, Answer, Infallible>,
    limit: usize,
}

impl Routes {
    async fn call(self, req: Request<Incoming>) -> Result<Answer, Infallible> {
        match (req.method(), req.uri().path()) {
            (&Method::POST, "/verified/voice") => self.verified.oneshot(req).await,
            (&Method::POST, "/plain/voice") => Ok(answer(req, self.limit).await.map(Either::Left)),
            _ => Ok(status(StatusCode::NOT_FOUND).map(Either::Left)),
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
    let limit = config.body_limit();
    let verified = ServiceBuilder::new()
        .layer(TwilioAuthLayer::new(config))
        .service(service_fn(move |req: Request<Full<Bytes>>| async move {
            Ok::<_, Infallible>(answer(req, limit).await)
        }));
    let routes = Routes {
        verified: BoxCloneSyncService::new(verified),
        limit,
    };
    announce(port);
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                tracing::warn!("accept failed: {e}");
                continue;
            }
        };
        let routes = routes.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| routes.clone().call(req));
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
