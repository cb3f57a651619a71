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
use twilio_auth_core::policy::HttpAuth;
use twilio_auth_core::{Config, RoutePolicy};

use crate::body::read_limited;
use crate::verify::{announce, verify_parts};

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
pub struct TwilioAuthLayer {
    config: Config,
    policy: RoutePolicy,
}

impl TwilioAuthLayer {
    /// A layer that verifies the signature of requests with `config`.
    ///
    /// Logs the configuration's [summary](Config::summary) (at `INFO`, once per
    /// configuration).
    pub fn new(config: Config) -> Self {
        announce(&config);
        TwilioAuthLayer {
            config,
            policy: RoutePolicy::Signature,
        }
    }

    /// Requires HTTP authentication (`Basic`, `Digest` or `Either`) before the signature is
    /// checked, with the credentials of the configuration's
    /// [`http_auth`](twilio_auth_core::ConfigBuilder::http_auth). Without credentials there,
    /// every request is refused with `401` and an error is logged.
    pub fn http_auth(mut self, scheme: HttpAuth) -> Self {
        self.policy = RoutePolicy::HttpAuthThenSignature(scheme);
        self
    }

    /// Requires HTTP authentication alone, and no signature: for routes that credentials
    /// in the webhook URL protect.
    pub fn http_auth_only(mut self, scheme: HttpAuth) -> Self {
        self.policy = RoutePolicy::HttpAuthOnly(scheme);
        self
    }

    /// What the layer demands of each request.
    pub fn policy(&self) -> RoutePolicy {
        self.policy
    }
}

impl<S> Layer<S> for TwilioAuthLayer {
    type Service = TwilioAuthService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        TwilioAuthService {
            inner,
            config: self.config.clone(),
            policy: self.policy,
        }
    }
}

/// The service [`TwilioAuthLayer`] wraps around another.
#[derive(Debug, Clone)]
pub struct TwilioAuthService<S> {
    inner: S,
    config: Config,
    policy: RoutePolicy,
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
        let policy = self.policy;
        // `poll_ready` was called on `self.inner`, not on a clone: the request goes to that one.
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        Box::pin(async move {
            let (mut parts, bytes) = match read_limited(req, &config, false).await {
                Ok(read) => read,
                Err(error) => return Ok(error.into_response()),
            };
            if let Err(rejection) = verify_parts(&config, &mut parts, &bytes, policy) {
                return Ok(rejection.into_response());
            }
            inner
                .call(Request::from_parts(parts, Body::from(bytes)))
                .await
        })
    }
}
