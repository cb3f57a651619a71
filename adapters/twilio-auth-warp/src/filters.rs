//! The building blocks: filters that verify the request and then extract its form, JSON,
//! bytes or nothing, each failing with a [`TwilioRejection`]; and [`seal`], which answers
//! those failures on the route itself so they never reach a sibling route.

use std::future::ready;
use std::sync::Arc;

use bytes::Bytes;
use serde::de::DeserializeOwned;
use twilio_auth_core::resolver::KeyResolver;
use twilio_auth_core::{Config, RoutePolicy};
use warp::reply::{Reply, Response};
use warp::{Filter, Rejection};

use crate::extract::{from_form, from_json};
use crate::rejection::{TwilioRejection, recover};
use crate::request::VerifiedRequest;
use crate::verify::outcome;

/// Verifies the request (signature, `bodySHA256`, body limit) and extracts it whole.
///
/// Put it after the route's method and path filters: it reads the body. A refused request
/// fails with a [`TwilioRejection`] — [`seal`] the route so that it is answered there.
pub fn request(
    config: Config,
) -> impl Filter<Extract = (VerifiedRequest,), Error = Rejection> + Clone {
    request_with(config, RoutePolicy::Signature)
}

/// [`request`] for a route with its own [`RoutePolicy`]: HTTP Basic/Digest
/// authentication before the signature, or instead of it. No policy checks nothing.
///
/// ```
/// use twilio_auth_core::RoutePolicy;
/// use twilio_auth_core::policy::HttpAuth;
/// use warp::Filter;
///
/// # fn app(config: twilio_auth_core::Config) -> impl Filter<Extract = (warp::reply::Response,), Error = warp::Rejection> + Clone {
/// let basic = RoutePolicy::HttpAuthThenSignature(HttpAuth::Basic);
/// twilio_auth_warp::seal(
///     warp::post()
///         .and(warp::path!("basic" / "voice"))
///         .and(twilio_auth_warp::request_with(config, basic))
///         .map(|request: twilio_auth_warp::VerifiedRequest| {
///             format!("hello {}", request.verified().user.as_deref().unwrap_or("?"))
///         }),
/// )
/// # }
/// ```
pub fn request_with(
    config: Config,
    options: RoutePolicy,
) -> impl Filter<Extract = (VerifiedRequest,), Error = Rejection> + Clone {
    verified(config, options, None)
}

/// [`request_with`], asking `resolver` (when there is one) for the key a request names and
/// the configuration lacks.
pub(crate) fn verified(
    config: Config,
    options: RoutePolicy,
    resolver: Option<Arc<dyn KeyResolver>>,
) -> impl Filter<Extract = (VerifiedRequest,), Error = Rejection> + Clone {
    outcome(config, options, resolver).and_then(
        |outcome: Result<VerifiedRequest, TwilioRejection>| {
            ready(outcome.map_err(warp::reject::custom))
        },
    )
}

/// The form body of what `verified` extracts, as `T`.
pub(crate) fn form_of<T, F>(verified: F) -> impl Filter<Extract = (T,), Error = Rejection> + Clone
where
    T: DeserializeOwned + Send + 'static,
    F: Filter<Extract = (VerifiedRequest,), Error = Rejection> + Clone,
{
    verified.and_then(|request: VerifiedRequest| {
        ready(from_form(request.body(), "invalid form body").map_err(warp::reject::custom))
    })
}

/// The JSON body of what `verified` extracts, as `T`.
pub(crate) fn json_of<T, F>(verified: F) -> impl Filter<Extract = (T,), Error = Rejection> + Clone
where
    T: DeserializeOwned + Send + 'static,
    F: Filter<Extract = (VerifiedRequest,), Error = Rejection> + Clone,
{
    verified.and_then(|request: VerifiedRequest| {
        ready(from_json(request.body()).map_err(warp::reject::custom))
    })
}

/// The raw body of what `verified` extracts.
pub(crate) fn bytes_of<F>(verified: F) -> impl Filter<Extract = (Bytes,), Error = Rejection> + Clone
where
    F: Filter<Extract = (VerifiedRequest,), Error = Rejection> + Clone,
{
    verified.map(|request: VerifiedRequest| request.body().clone())
}

/// Nothing of what `verified` extracts.
pub(crate) fn nothing_of<F>(verified: F) -> impl Filter<Extract = (), Error = Rejection> + Clone
where
    F: Filter<Extract = (VerifiedRequest,), Error = Rejection> + Clone,
{
    verified.map(|_: VerifiedRequest| ()).untuple_one()
}

/// Verifies the request, then extracts its form body as `T` (a 400 if it does not
/// deserialize). Twilio's voice and messaging webhooks are forms.
///
/// ```
/// use serde::Deserialize;
/// use warp::Filter;
///
/// #[derive(Deserialize)]
/// struct IncomingCall {
///     #[serde(rename = "CallSid")]
///     call_sid: String,
/// }
///
/// # fn app(config: twilio_auth_core::Config) -> impl Filter<Extract = (warp::reply::Response,), Error = warp::Rejection> + Clone {
/// twilio_auth_warp::seal(
///     warp::post()
///         .and(warp::path!("voice"))
///         .and(twilio_auth_warp::form(config))
///         .map(|call: IncomingCall| format!("<Response><Say>{}</Say></Response>", call.call_sid)),
/// )
/// # }
/// ```
pub fn form<T>(config: Config) -> impl Filter<Extract = (T,), Error = Rejection> + Clone
where
    T: DeserializeOwned + Send + 'static,
{
    form_with(config, RoutePolicy::Signature)
}

/// [`form`] with [`RoutePolicy`].
pub fn form_with<T>(
    config: Config,
    options: RoutePolicy,
) -> impl Filter<Extract = (T,), Error = Rejection> + Clone
where
    T: DeserializeOwned + Send + 'static,
{
    form_of(request_with(config, options))
}

/// Verifies the request, then extracts its JSON body as `T` (a 400 if it does not
/// deserialize). Twilio signs JSON webhooks with `bodySHA256` in the URL.
pub fn json<T>(config: Config) -> impl Filter<Extract = (T,), Error = Rejection> + Clone
where
    T: DeserializeOwned + Send + 'static,
{
    json_with(config, RoutePolicy::Signature)
}

/// [`json`] with [`RoutePolicy`].
pub fn json_with<T>(
    config: Config,
    options: RoutePolicy,
) -> impl Filter<Extract = (T,), Error = Rejection> + Clone
where
    T: DeserializeOwned + Send + 'static,
{
    json_of(request_with(config, options))
}

/// Verifies the request, then extracts its raw body.
pub fn bytes(config: Config) -> impl Filter<Extract = (Bytes,), Error = Rejection> + Clone {
    bytes_with(config, RoutePolicy::Signature)
}

/// [`bytes()`] with [`RoutePolicy`].
pub fn bytes_with(
    config: Config,
    options: RoutePolicy,
) -> impl Filter<Extract = (Bytes,), Error = Rejection> + Clone {
    bytes_of(request_with(config, options))
}

/// Verifies the request and extracts nothing: for webhooks without a body (a GET status
/// callback, whose parameters are in the signed query — add `warp::query::<T>()` after
/// it). Any body that came is still read, within the limit, and verified; do not add a
/// body filter after this one — use [`form`], [`json`] or [`bytes()`].
///
/// ```
/// use std::collections::HashMap;
/// use warp::Filter;
///
/// # fn app(config: twilio_auth_core::Config) -> impl Filter<Extract = (warp::reply::Response,), Error = warp::Rejection> + Clone {
/// twilio_auth_warp::seal(
///     warp::get()
///         .and(warp::path!("status"))
///         .and(twilio_auth_warp::signed(config))
///         .and(warp::query::<HashMap<String, String>>())
///         .map(|query: HashMap<String, String>| format!("{} parameters", query.len())),
/// )
/// # }
/// ```
pub fn signed(config: Config) -> impl Filter<Extract = (), Error = Rejection> + Clone {
    signed_with(config, RoutePolicy::Signature)
}

/// [`signed`] with [`RoutePolicy`].
pub fn signed_with(
    config: Config,
    options: RoutePolicy,
) -> impl Filter<Extract = (), Error = Rejection> + Clone {
    nothing_of(request_with(config, options))
}

/// Answers the [`TwilioRejection`]s of `route` on the route itself, as replies; other
/// rejections (a path or method that did not match) pass on, so warp still tries the next
/// route for those.
///
/// This is what keeps a forged request from reaching another route: warp tries the next
/// `.or()` branch whenever a branch rejects, so a refusal left as a rejection would let a
/// sibling route that matches the same path serve the request. Seal each protected route
/// before combining it with `.or()`. (`#[twilio_signed]` routes are sealed already.)
///
/// ```
/// use warp::Filter;
///
/// # let config = twilio_auth_core::Config::builder().auth_token("12345").build().unwrap();
/// let voice = twilio_auth_warp::seal(
///     warp::post()
///         .and(warp::path!("voice"))
///         .and(twilio_auth_warp::bytes(config))
///         .map(|body: bytes::Bytes| format!("{} bytes", body.len())),
/// );
/// // A forged POST /voice gets its 403 from `voice`; it never reaches this route.
/// let fallback = warp::path!("voice").map(|| "not for Twilio");
/// let routes = voice.or(fallback);
/// ```
pub fn seal<F, R>(route: F) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone
where
    F: Filter<Extract = (R,), Error = Rejection> + Clone + Send + Sync + 'static,
    R: Reply,
{
    route.map(Reply::into_response).recover(recover).unify()
}
