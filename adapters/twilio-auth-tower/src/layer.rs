//! `TwilioAuthLayer`: verification as tower middleware, in front of any service that takes
//! an `http` 1 request — a hyper 1 service, an axum router, any tower stack.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use http_body::Body;
use http_body_util::{Either, Full};
use tower_layer::Layer;
use tower_service::Service;
use twilio_auth_core::policy::HttpAuth;
use twilio_auth_core::{Config, RoutePolicy, Unverified};

use crate::body::{BoxError, read_limited};
use crate::rejection::{TwilioRejection, body_error_response};
use crate::resolver::KeyResolver;
use crate::verify::{RequestedUri, announce, key_request, request_uri, verify_parts};
use std::sync::Arc;

/// The body of a [`TwilioAuthService`]'s responses: the inner service's (`Left`), or the
/// short text of a refusal (`Right`).
pub type ResponseBody<B> = Either<B, Full<Bytes>>;

/// A tower layer that verifies every request before the inner service sees it.
///
/// It reads the body — any [`http_body::Body`] — into memory, never more than the
/// configuration's [`body_limit`](Config::body_limit): an announced `Content-Length` above it
/// is refused unread, and a body without one (chunked) is counted while it streams in and
/// refused with `413` as soon as it crosses the limit. Then it verifies the request with
/// the core and forwards it with the same bytes as its body, as
/// [`Full<Bytes>`](http_body_util::Full) by default
/// (or any body type that is `From<Bytes>`: [`forward_as`](Self::forward_as)). The core's
/// [`Verified`](twilio_auth_core::Verified) is left in the request's extensions. A refused
/// request gets a [`TwilioRejection`] response and never reaches the inner service.
///
/// The URL checked is the one the client requested: the request URI, or, when a router in
/// front of the layer rewrote it (a nested router strips its prefix), the one
/// [`requested_uri`](Self::requested_uri) finds (`twilio_auth_axum::TwilioAuthLayer` reads
/// axum's `OriginalUri`).
///
/// By default it checks the signature only. [`http_auth`](Self::http_auth) first requires
/// HTTP Basic and/or Digest authentication with the configuration's credentials (a `401`
/// with one `WWW-Authenticate` header per challenge), and
/// [`http_auth_only`](Self::http_auth_only) requires it instead of the signature. No
/// setting lets a request through unchecked.
///
/// With hyper 1 (`hyper_util::service::TowerToHyperService` serves the layered service):
///
/// ```
/// use std::convert::Infallible;
/// use bytes::Bytes;
/// use http::{Request, Response};
/// use http_body_util::Full;
/// use tower::{Service, ServiceBuilder, service_fn};
/// use twilio_auth_core::Config;
/// use twilio_auth_tower::TwilioAuthLayer;
///
/// async fn voice(req: Request<Full<Bytes>>) -> Result<Response<Full<Bytes>>, Infallible> {
///     // Only verified requests get here; the body is the bytes that were verified.
///     Ok(Response::new(Full::new(Bytes::from_static(b"<Response/>"))))
/// }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let config = Config::builder().auth_token("12345").build().unwrap();
/// let mut service = ServiceBuilder::new()
///     .layer(TwilioAuthLayer::new(config))
///     .service(service_fn(voice));
/// let unsigned = Request::post("https://example.com/voice").body(Full::new(Bytes::new())).unwrap();
/// let response = service.call(unsigned).await.unwrap();
/// assert_eq!(response.status(), 403);
/// # }
/// ```
///
/// With HTTP Digest authentication in front of the signature:
///
/// ```
/// use twilio_auth_core::Config;
/// use twilio_auth_core::http_auth::HttpAuthConfig;
/// use twilio_auth_tower::TwilioAuthLayer;
/// use twilio_auth_tower::policy::HttpAuth;
///
/// let http_auth = HttpAuthConfig::builder("twilio-webhooks")
///     .credential("twilio", "a long random password")
///     .build()
///     .unwrap();
/// let config = Config::builder().auth_token("12345").http_auth(http_auth).build().unwrap();
/// let layer = TwilioAuthLayer::new(config).http_auth(HttpAuth::Digest);
/// ```
pub struct TwilioAuthLayer<F = Full<Bytes>> {
    config: Config,
    policy: RoutePolicy,
    report_only: bool,
    requested: RequestedUri,
    resolver: Option<Arc<dyn KeyResolver>>,
    #[cfg(feature = "replay")]
    replay: Option<twilio_auth_replay::ReplayGuard>,
    forwarded: PhantomData<fn() -> F>,
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
            report_only: false,
            requested: request_uri,
            resolver: None,
            #[cfg(feature = "replay")]
            replay: None,
            forwarded: PhantomData,
        }
    }
}

impl<F> TwilioAuthLayer<F> {
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

    /// Report-only mode, for rolling verification out: a request whose signature is wrong
    /// or missing is logged (`WARN`, with the candidate URLs tried and hints) and counted,
    /// then passed on **unverified**, with a
    /// [`Unverified`](twilio_auth_core::Unverified) instead of a
    /// [`Verified`](twilio_auth_core::Verified) in its extensions. HTTP authentication and
    /// the body limits are still enforced. Logs a warning now, at set-up; never the default.
    ///
    /// ```
    /// use http::Request;
    /// use twilio_auth_core::{Config, Unverified};
    /// use twilio_auth_tower::TwilioAuthLayer;
    ///
    /// let config = Config::builder().auth_token("12345").build().unwrap();
    /// let layer = TwilioAuthLayer::new(config).report_only();
    /// assert!(layer.is_report_only());
    ///
    /// // In the handler: was this request verified?
    /// fn verified<B>(req: &Request<B>) -> bool {
    ///     req.extensions().get::<Unverified>().is_none()
    /// }
    /// ```
    pub fn report_only(mut self) -> Self {
        tracing::warn!("{}", twilio_auth_core::STARTUP_WARNING);
        self.report_only = true;
        self
    }

    /// Whether the layer is in [report-only mode](Self::report_only).
    pub fn is_report_only(&self) -> bool {
        self.report_only
    }

    /// Adds replay protection (feature `replay`): after verification succeeded, `guard`
    /// decides whether the inner service sees the request (a duplicate of one that
    /// completed gets `200` with an empty body, one still in flight `409`, a replayed
    /// Digest `Authorization` `401` with fresh challenges, a store fault `503`), and the
    /// inner service's status is recorded (2xx: done; otherwise released for Twilio's
    /// retry). Share one guard (and its store) between the routes of an app.
    ///
    /// ```
    /// use twilio_auth_core::Config;
    /// use twilio_auth_replay::ReplayGuard;
    /// use twilio_auth_tower::TwilioAuthLayer;
    ///
    /// let config = Config::builder().auth_token("12345").build().unwrap();
    /// let layer = TwilioAuthLayer::new(config).replay(ReplayGuard::memory());
    /// ```
    #[cfg(feature = "replay")]
    #[cfg_attr(docsrs, doc(cfg(feature = "replay")))]
    pub fn replay(mut self, guard: twilio_auth_replay::ReplayGuard) -> Self {
        self.replay = Some(guard);
        self
    }

    /// Keys from your own store: when a request names a sub-account (`AccountSid`) or a
    /// SharedKey id that the configuration does not hold, `resolver` is asked for it
    /// (put a [`CachedResolver`](crate::CachedResolver) in front of your store), and the
    /// request is verified with what it answers
    /// ([`Config::verify_with_key`](twilio_auth_core::Config::verify_with_key)). A store
    /// that does not know the key leaves the configured keys (an unknown `AccountSid` may
    /// be the parent account's). With [`http_auth`](Self::http_auth), the store is asked
    /// only for requests that passed HTTP authentication. A resolver error answers `503`
    /// (even in report-only mode: fail closed), is counted
    /// (`twilio_auth_refused_total{reason="key_store_unavailable"}`) and logs an error
    /// naming the key asked for, never a secret.
    ///
    /// ```
    /// use twilio_auth_core::{KeyLookup, ResolvedKey, Config};
    /// use twilio_auth_tower::{CachedResolver, KeyResolver, ResolveFuture, TwilioAuthLayer};
    ///
    /// struct Accounts; // your database
    /// impl KeyResolver for Accounts {
    ///     fn resolve<'a>(&'a self, lookup: &'a KeyLookup) -> ResolveFuture<'a> {
    ///         Box::pin(async move {
    ///             Ok(match lookup {
    ///                 KeyLookup::Account(sid) if sid == "AC42" => {
    ///                     Some(ResolvedKey::account(sid, "token-from-the-database"))
    ///                 }
    ///                 _ => None,
    ///             })
    ///         })
    ///     }
    /// }
    ///
    /// let config = Config::builder().auth_token("parent-token").build().unwrap();
    /// let layer = TwilioAuthLayer::new(config).key_resolver(CachedResolver::new(Accounts));
    /// ```
    pub fn key_resolver(mut self, resolver: impl KeyResolver) -> Self {
        self.resolver = Some(Arc::new(resolver));
        self
    }

    /// What the layer demands of each request.
    pub fn policy(&self) -> RoutePolicy {
        self.policy
    }

    /// The configuration requests are verified with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Where to find the URI the client requested when a router in front of the layer
    /// rewrote the request's URI: a function that reads it from the request's extensions
    /// (`None`: the request URI is the requested one). The path and query checked are
    /// exactly that URI's, as received.
    ///
    /// ```
    /// use http::{Extensions, Uri};
    /// use twilio_auth_core::Config;
    /// use twilio_auth_tower::TwilioAuthLayer;
    ///
    /// /// What my prefix-stripping router leaves in the extensions.
    /// #[derive(Clone)]
    /// struct BeforeStripping(Uri);
    ///
    /// fn before_stripping(extensions: &Extensions) -> Option<&Uri> {
    ///     extensions.get::<BeforeStripping>().map(|b| &b.0)
    /// }
    ///
    /// let config = Config::builder().auth_token("12345").build().unwrap();
    /// let layer = TwilioAuthLayer::new(config).requested_uri(before_stripping);
    /// ```
    pub fn requested_uri(mut self, requested: RequestedUri) -> Self {
        self.requested = requested;
        self
    }

    /// The same layer, forwarding verified requests with a body of type `G` (built from the
    /// verified bytes) instead: e.g. `axum::body::Body` for a service that takes
    /// `axum::extract::Request`.
    pub fn forward_as<G: From<Bytes>>(self) -> TwilioAuthLayer<G> {
        TwilioAuthLayer {
            config: self.config,
            policy: self.policy,
            report_only: self.report_only,
            requested: self.requested,
            resolver: self.resolver,
            #[cfg(feature = "replay")]
            replay: self.replay,
            forwarded: PhantomData,
        }
    }
}

impl<F> Clone for TwilioAuthLayer<F> {
    fn clone(&self) -> Self {
        TwilioAuthLayer {
            config: self.config.clone(),
            policy: self.policy,
            report_only: self.report_only,
            requested: self.requested,
            resolver: self.resolver.clone(),
            #[cfg(feature = "replay")]
            replay: self.replay.clone(),
            forwarded: PhantomData,
        }
    }
}

impl<F> fmt::Debug for TwilioAuthLayer<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwilioAuthLayer")
            .field("config", &self.config)
            .field("policy", &self.policy)
            .field("report_only", &self.report_only)
            .field("key_resolver", &self.resolver.is_some())
            .finish_non_exhaustive()
    }
}

impl<S, F> Layer<S> for TwilioAuthLayer<F> {
    type Service = TwilioAuthService<S, F>;

    fn layer(&self, inner: S) -> Self::Service {
        TwilioAuthService {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service [`TwilioAuthLayer`] wraps around another.
pub struct TwilioAuthService<S, F = Full<Bytes>> {
    inner: S,
    layer: TwilioAuthLayer<F>,
}

impl<S: Clone, F> Clone for TwilioAuthService<S, F> {
    fn clone(&self) -> Self {
        TwilioAuthService {
            inner: self.inner.clone(),
            layer: self.layer.clone(),
        }
    }
}

impl<S: fmt::Debug, F> fmt::Debug for TwilioAuthService<S, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwilioAuthService")
            .field("inner", &self.inner)
            .field("layer", &self.layer)
            .finish()
    }
}

/// `Send` with the `replay` feature (the guard records the inner service's status after it
/// answered, with the response held meanwhile), nothing without it. Every body an `http`
/// server sends across its threads is `Send` anyway.
#[cfg(feature = "replay")]
pub trait SendIfReplay: Send {}
#[cfg(feature = "replay")]
impl<T: Send> SendIfReplay for T {}
/// `Send` with the `replay` feature (the guard records the inner service's status after it
/// answered, with the response held meanwhile), nothing without it.
#[cfg(not(feature = "replay"))]
pub trait SendIfReplay {}
#[cfg(not(feature = "replay"))]
impl<T> SendIfReplay for T {}

impl<S, F, B, ResBody> Service<Request<B>> for TwilioAuthService<S, F>
where
    S: Service<Request<F>, Response = Response<ResBody>> + Clone + Send + 'static,
    ResBody: SendIfReplay,
    S::Future: Send + 'static,
    F: From<Bytes> + 'static,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Response = Response<ResponseBody<ResBody>>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let config = self.layer.config.clone();
        let policy = self.layer.policy;
        let report_only = self.layer.report_only;
        let requested = self.layer.requested;
        let resolver = self.layer.resolver.clone();
        #[cfg(feature = "replay")]
        let replay = self.layer.replay.clone();
        // `poll_ready` was called on `self.inner`, not on a clone: the request goes to that one.
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        Box::pin(async move {
            let (mut parts, body) = req.into_parts();
            let bytes = match read_limited(&parts.headers, body, &config).await {
                Ok(bytes) => bytes,
                Err(error) => return Ok(body_error_response(error).map(Either::Right)),
            };
            let lookup = match &resolver {
                Some(_) => key_request(&config, &parts, &bytes, policy, requested),
                None => None,
            };
            let resolved = match (&resolver, lookup) {
                (Some(resolver), Some(lookup)) => match resolver.resolve(&lookup).await {
                    Ok(key) => key,
                    Err(error) => {
                        return Ok(key_store_unavailable(&lookup, &*error).map(Either::Right));
                    }
                },
                _ => None,
            };
            if let Err(rejection) = verify_parts(
                &config,
                &mut parts,
                &bytes,
                policy,
                requested,
                resolved.as_ref(),
            ) {
                let refused = if report_only {
                    Unverified::admit(rejection).map(|unverified| {
                        report(&unverified);
                        parts.extensions.insert(unverified);
                    })
                } else {
                    Err(rejection)
                };
                if let Err(rejection) = refused {
                    return Ok(TwilioRejection(rejection)
                        .into_response()
                        .map(Either::Right));
                }
            }
            #[cfg(feature = "replay")]
            // A request let through unverified (report-only) has nothing signed to key on.
            let ticket = match &replay {
                Some(guard) if parts.extensions.get::<Unverified>().is_none() => {
                    match crate::replay::admit(guard, &config, policy, &parts, &bytes).await {
                        Ok(ticket) => Some(ticket),
                        Err(refusal) => return Ok(refusal.map(Either::Right)),
                    }
                }
                _ => None,
            };
            let response = inner
                .call(Request::from_parts(parts, F::from(bytes)))
                .await?;
            #[cfg(feature = "replay")]
            if let Some(ticket) = ticket {
                ticket.finish(response.status().as_u16()).await;
            }
            Ok(response.map(Either::Left))
        })
    }
}

/// The answer when the key store failed: `503` (fail closed), and an error in the log
/// naming the key asked for (an `AccountSid` or SharedKey id, never a secret).
fn key_store_unavailable(
    lookup: &twilio_auth_core::KeyLookup,
    error: &(dyn std::error::Error + Send + Sync),
) -> Response<Full<Bytes>> {
    tracing::error!(
        status = 503,
        "twilio-auth: refused a webhook: the key resolver failed for {lookup}: {error}"
    );
    twilio_auth_core::metrics::key_store_unavailable();
    crate::rejection::plain_text(
        http::StatusCode::SERVICE_UNAVAILABLE,
        Bytes::from_static(twilio_auth_core::KEY_STORE_UNAVAILABLE_BODY.as_bytes()),
    )
}

/// Logs and counts a request let through in report-only mode.
fn report(unverified: &Unverified) {
    twilio_auth_core::metrics::report_only(unverified);
    tracing::warn!("{unverified}");
}
