//! `TwilioAuthLayer`: verification as tower middleware, for users who protect a whole
//! router rather than annotate each handler.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use tower_layer::Layer;
use tower_service::Service;
use twilio_auth_core::Config;

use crate::body::read_limited;
use crate::verify::verify_parts;

/// A tower layer that verifies every request before the inner service sees it.
///
/// It reads the body (never more than the configuration's
/// [`body_limit`](Config::body_limit): 413 above it), verifies, and forwards the request
/// with the same bytes, so the handlers' own extractors (`Form`, `Json`, …) work
/// unchanged. Refused requests get a [`TwilioRejection`](crate::TwilioRejection) response.
/// The URL comes from [`OriginalUri`](axum::extract::OriginalUri), so the layer may sit on
/// a router that is later nested. The core's [`twilio_auth_core::Verified`] is left in
/// the request's extensions.
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
#[derive(Debug, Clone)]
pub struct TwilioAuthLayer {
    config: Config,
}

impl TwilioAuthLayer {
    /// A layer that verifies requests with `config`.
    pub fn new(config: Config) -> Self {
        TwilioAuthLayer { config }
    }
}

impl<S> Layer<S> for TwilioAuthLayer {
    type Service = TwilioAuthService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        TwilioAuthService {
            inner,
            config: self.config.clone(),
        }
    }
}

/// The service [`TwilioAuthLayer`] wraps around another.
#[derive(Debug, Clone)]
pub struct TwilioAuthService<S> {
    inner: S,
    config: Config,
}

impl<S> Service<Request> for TwilioAuthService<S>
where
    S: Service<Request, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let config = self.config.clone();
        // `poll_ready` was called on `self.inner`, not on a clone: the request goes to that one.
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        Box::pin(async move {
            let (mut parts, body) = req.into_parts();
            let bytes = match read_limited(&parts, body, config.body_limit(), &(), false).await {
                Ok(bytes) => bytes,
                Err(error) => return Ok(error.into_response()),
            };
            if let Err(rejection) = verify_parts(&config, &mut parts, &bytes) {
                return Ok(rejection.into_response());
            }
            inner
                .call(Request::from_parts(parts, Body::from(bytes)))
                .await
        })
    }
}
