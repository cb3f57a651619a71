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
        .and(outcome(config, options, None))
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

/// [`route`] with the replay guard `guard` between verification and `handler`
/// (`#[twilio_signed(replay = …)]`): see [`protect`](crate::protect).
pub fn route_replay<P, G, H, Fut>(
    prefix: P,
    config: Config,
    options: RoutePolicy,
    guard: G,
    handler: H,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone
where
    P: Filter<Extract = (), Error = Rejection> + Clone + Send + Sync + 'static,
    G: RouteGuard,
    H: Fn(VerifiedRequest) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response> + Send + 'static,
{
    #[cfg(feature = "replay")]
    {
        let verified = prefix.and(crate::filters::request_with(config, options));
        crate::protect(guard.into_guard(), verified, handler)
    }
    // No `RouteGuard` exists without the feature: this is never called.
    #[cfg(not(feature = "replay"))]
    {
        let _ = guard;
        route(prefix, config, options, handler)
    }
}

/// What `replay = …` takes: a `ReplayGuard` (feature `replay`).
#[diagnostic::on_unimplemented(
    message = "`replay = …` takes a `twilio_auth::replay::ReplayGuard`, not `{Self}`",
    label = "not a replay guard",
    note = "the `replay` feature of `twilio-auth` provides `ReplayGuard` (e.g. `replay = GUARD.clone()` with a `static GUARD: LazyLock<ReplayGuard>`)"
)]
pub trait RouteGuard {
    /// The guard.
    #[cfg(feature = "replay")]
    fn into_guard(self) -> twilio_auth_replay::ReplayGuard;
}

// `do_not_recommend`: the message above, the same with the feature or without it.
#[cfg(feature = "replay")]
#[diagnostic::do_not_recommend]
impl RouteGuard for twilio_auth_replay::ReplayGuard {
    fn into_guard(self) -> twilio_auth_replay::ReplayGuard {
        self
    }
}
