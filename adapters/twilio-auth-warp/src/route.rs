//! The route `#[twilio_signed]` generates: the handler's method and path filters, then
//! verification, then the handler — with every outcome after the path matched answered as
//! a reply, so no refusal can reach another route.

use std::future::Future;

use twilio_auth_core::{Config, RoutePolicy};
use warp::reply::{Reply, Response};
use warp::{Filter, Rejection};

use crate::request::VerifiedRequest;
use crate::verify::outcome;

/// `prefix` (method and path), then verification with `options`, then `handler` on the
/// verified request. Rejects only where `prefix` does.
pub fn route<P, H, Fut>(
    prefix: P,
    config: Config,
    options: RoutePolicy,
    handler: H,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone
where
    P: Filter<Extract = (), Error = Rejection> + Clone + Send + Sync + 'static,
    H: Fn(VerifiedRequest) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response> + Send + 'static,
{
    prefix
        .and(outcome(config, options))
        .then(move |outcome: Result<_, _>| {
            let handler = handler.clone();
            async move {
                match outcome {
                    Ok(request) => handler(request).await,
                    Err(refusal) => Reply::into_response(refusal),
                }
            }
        })
}
