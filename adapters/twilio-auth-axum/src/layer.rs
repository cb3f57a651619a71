//! `TwilioAuthLayer`: verification as tower middleware, for users who protect a whole
//! router rather than annotate each handler. It is `twilio_auth_tower`'s layer, with the
//! URL read from axum's `OriginalUri` and axum's body and response types.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::{OriginalUri, Request};
use axum::http::{Extensions, Uri};
use axum::response::Response;
use http_body_util::Either;
use tower_layer::Layer;
use tower_service::Service;
use twilio_auth_core::policy::HttpAuth;
use twilio_auth_core::{Config, RoutePolicy};
use twilio_auth_tower::ResponseBody;

/// A tower layer that verifies every request before the inner service sees it.
///
/// It reads the body (never more than the configuration's
/// [`body_limit`](Config::body_limit): 413 above it), verifies, and forwards the request
/// with the same bytes, so the handlers' own extractors (`Form`, `Json`, …) work
/// unchanged. Refused requests get the same response as a
/// [`TwilioRejection`](crate::TwilioRejection).
/// The URL comes from [`OriginalUri`](axum::extract::OriginalUri), so the layer may sit on
/// a router that is later nested. It is the generic
/// [`twilio_auth_tower::TwilioAuthLayer`], set up for axum. The core's [`twilio_auth_core::Verified`] is left in
/// the request's extensions.
///
/// By default it checks the signature only. [`http_auth`](Self::http_auth) first requires
/// HTTP Basic and/or Digest authentication with the configuration's credentials (a `401`
/// with one `WWW-Authenticate` header per challenge), and
/// [`http_auth_only`](Self::http_auth_only) requires it instead of the signature. No
/// setting lets a request through unchecked.
///
/// ```
/// use axum::{Form, Router, routing::post};
/// use std::collections::HashMap;
/// use twilio_auth_axum::TwilioAuthLayer;
/// use twilio_auth_core::Config;
///
/// async fn voice(Form(call): Form<HashMap<String, String>>) -> String {
///     format!("{} params", call.len())
/// }
///
/// let config = Config::builder().auth_token("12345").build().unwrap();
/// let app: Router = Router::new()
///     .route("/voice", post(voice))
///     .layer(TwilioAuthLayer::new(config));
/// ```
///
/// With HTTP Digest authentication in front of the signature:
///
/// ```
/// use axum::{Router, routing::post};
/// use twilio_auth_axum::TwilioAuthLayer;
/// use twilio_auth_core::Config;
/// use twilio_auth_core::http_auth::HttpAuthConfig;
/// use twilio_auth_core::policy::HttpAuth;
///
/// let http_auth = HttpAuthConfig::builder("twilio-webhooks")
///     .credential("twilio", "a long random password")
///     .build()
///     .unwrap();
/// let config = Config::builder().auth_token("12345").http_auth(http_auth).build().unwrap();
/// let app: Router = Router::new()
///     .route("/voice", post(|| async { "<Response/>" }))
///     .layer(TwilioAuthLayer::new(config).http_auth(HttpAuth::Digest));
/// ```
#[derive(Debug, Clone)]
pub struct TwilioAuthLayer(twilio_auth_tower::TwilioAuthLayer<Body>);

/// The URI axum's router saw before `Router::nest` stripped a prefix from it.
fn original_uri(extensions: &Extensions) -> Option<&Uri> {
    extensions.get::<OriginalUri>().map(|original| &original.0)
}

impl TwilioAuthLayer {
    /// A layer that verifies the signature of requests with `config`.
    ///
    /// Logs the configuration's [summary](Config::summary) (at `INFO`, once per
    /// configuration).
    pub fn new(config: Config) -> Self {
        TwilioAuthLayer(
            twilio_auth_tower::TwilioAuthLayer::new(config)
                .requested_uri(original_uri)
                .forward_as::<Body>(),
        )
    }

    /// Requires HTTP authentication (`Basic`, `Digest` or `Either`) before the signature is
    /// checked, with the credentials of the configuration's
    /// [`http_auth`](twilio_auth_core::ConfigBuilder::http_auth). Without credentials there,
    /// every request is refused with `401` and an error is logged.
    pub fn http_auth(self, scheme: HttpAuth) -> Self {
        TwilioAuthLayer(self.0.http_auth(scheme))
    }

    /// Requires HTTP authentication alone, and no signature: for routes that credentials
    /// in the webhook URL protect.
    pub fn http_auth_only(self, scheme: HttpAuth) -> Self {
        TwilioAuthLayer(self.0.http_auth_only(scheme))
    }

    /// Report-only mode, for rolling verification out: a request whose signature is wrong
    /// or missing is logged (`WARN`, with the candidate URLs tried and hints) and counted,
    /// then passed on **unverified**, with an [`Unverified`](twilio_auth_core::Unverified)
    /// instead of a [`Verified`](twilio_auth_core::Verified) in its extensions (take
    /// `Option<Extension<Unverified>>` in the handler). HTTP authentication and the body
    /// limits are still enforced. Logs a warning at set-up; never the default.
    ///
    /// ```
    /// use axum::routing::post;
    /// use axum::{Extension, Router};
    /// use twilio_auth_axum::TwilioAuthLayer;
    /// use twilio_auth_core::{Config, Unverified};
    ///
    /// async fn voice(unverified: Option<Extension<Unverified>>) -> &'static str {
    ///     match unverified {
    ///         None => "<Response><Say>verified</Say></Response>",
    ///         Some(_) => "<Response><Say>not verified yet</Say></Response>",
    ///     }
    /// }
    ///
    /// let config = Config::builder().auth_token("12345").build().unwrap();
    /// let app: Router = Router::new()
    ///     .route("/voice", post(voice))
    ///     .layer(TwilioAuthLayer::new(config).report_only());
    /// ```
    pub fn report_only(self) -> Self {
        TwilioAuthLayer(self.0.report_only())
    }

    /// Adds replay protection (feature `replay`): see
    /// [`twilio_auth_tower::TwilioAuthLayer::replay`]. A duplicate of a request that
    /// completed gets `200` with an empty body, one in flight `409`, a replayed Digest
    /// `Authorization` `401`, a store fault `503`; the handler's status decides whether the
    /// request is remembered (2xx) or released for Twilio's retry.
    #[cfg(feature = "replay")]
    #[cfg_attr(docsrs, doc(cfg(feature = "replay")))]
    pub fn replay(self, guard: twilio_auth_replay::ReplayGuard) -> Self {
        TwilioAuthLayer(self.0.replay(guard))
    }

    /// Keys from your own store: see [`twilio_auth_tower::TwilioAuthLayer::key_resolver`].
    /// A request naming a sub-account or SharedKey the configuration lacks is verified
    /// with the key `resolver` answers (put a [`twilio_auth_tower::CachedResolver`] in
    /// front of your store); a resolver error answers `503`.
    pub fn key_resolver(self, resolver: impl twilio_auth_tower::KeyResolver) -> Self {
        TwilioAuthLayer(self.0.key_resolver(resolver))
    }

    /// What the layer demands of each request.
    pub fn policy(&self) -> RoutePolicy {
        self.0.policy()
    }
}

impl<S> Layer<S> for TwilioAuthLayer {
    type Service = TwilioAuthService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        TwilioAuthService(self.0.layer(inner))
    }
}

/// The service [`TwilioAuthLayer`] wraps around another.
#[derive(Debug, Clone)]
pub struct TwilioAuthService<S>(twilio_auth_tower::TwilioAuthService<S, Body>);

impl<S> Service<Request> for TwilioAuthService<S>
where
    S: Service<Request, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Service::<Request>::poll_ready(&mut self.0, cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        ResponseFuture(self.0.call(req))
    }
}

/// The tower layer's future for axum's types.
type TowerFuture<E> = Pin<Box<dyn Future<Output = Result<Response<ResponseBody<Body>>, E>> + Send>>;

/// The future of a [`TwilioAuthService`]: the generic layer's, with axum's response body.
pub struct ResponseFuture<E>(TowerFuture<E>);

impl<E> Future for ResponseFuture<E> {
    type Output = Result<Response, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.0.as_mut().poll(cx).map(|result| {
            result.map(|response| {
                response.map(|body| match body {
                    // The inner service's own body, unwrapped; a refusal's text.
                    Either::Left(body) => body,
                    Either::Right(refusal) => Body::new(refusal),
                })
            })
        })
    }
}

impl<E> std::fmt::Debug for ResponseFuture<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResponseFuture")
    }
}
