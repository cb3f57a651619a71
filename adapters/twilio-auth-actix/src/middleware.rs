//! `TwilioAuth`: verification as actix-web middleware, for users who protect a whole `App`
//! or `Scope` rather than annotate each handler.

use std::fmt;
use std::future::{Ready, ready};
use std::rc::Rc;
use std::sync::Arc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use futures_core::future::LocalBoxFuture;
use twilio_auth_core::policy::HttpAuth;
use twilio_auth_core::resolver::KeyResolver;
use twilio_auth_core::{Config, RoutePolicy};

use crate::body::{Checks, read_verified};
use crate::verify::announce;

/// Middleware that verifies every request before the services it wraps see it.
///
/// It reads the body (never more than the configuration's
/// [`body_limit`](Config::body_limit): `413` above it), verifies, and puts the same bytes
/// back as the request's payload, so the handlers' own extractors (`web::Form`,
/// `web::Json`, …) work unchanged. A refused request gets a
/// [`TwilioRejection`](crate::TwilioRejection) response and never reaches a handler. The
/// URL is the request target as received: a `web::scope` prefix is part of it. The core's
/// [`twilio_auth_core::Verified`] is left in the request's extensions.
///
/// By default it checks the signature only. [`http_auth`](Self::http_auth) first requires
/// HTTP Basic and/or Digest authentication with the configuration's credentials (a `401`
/// with one `WWW-Authenticate` header per challenge), and
/// [`http_auth_only`](Self::http_auth_only) requires it instead of the signature.
///
/// Register it last (`wrap` runs the last-registered middleware first), so that no other
/// middleware reads or rewrites the request before it is verified.
///
/// ```
/// use actix_web::{App, web};
/// use std::collections::HashMap;
/// use twilio_auth_actix::TwilioAuth;
/// use twilio_auth_core::Config;
///
/// async fn voice(form: web::Form<HashMap<String, String>>) -> String {
///     format!("{} params", form.len())
/// }
///
/// let config = Config::builder().auth_token("12345").build().unwrap();
/// let app = App::new().service(
///     web::scope("/twilio")
///         .wrap(TwilioAuth::new(config))
///         .route("/voice", web::post().to(voice)),
/// );
/// ```
///
/// With HTTP Digest authentication in front of the signature:
///
/// ```
/// use actix_web::{App, web};
/// use twilio_auth_actix::TwilioAuth;
/// use twilio_auth_core::Config;
/// use twilio_auth_core::http_auth::HttpAuthConfig;
/// use twilio_auth_core::policy::HttpAuth;
///
/// let http_auth = HttpAuthConfig::builder("twilio-webhooks")
///     .credential("twilio", "a long random password")
///     .build()
///     .unwrap();
/// let config = Config::builder().auth_token("12345").http_auth(http_auth).build().unwrap();
/// let app = App::new()
///     .wrap(TwilioAuth::new(config).http_auth(HttpAuth::Digest))
///     .route("/voice", web::post().to(|| async { "<Response/>" }));
/// ```
#[derive(Debug, Clone)]
pub struct TwilioAuth {
    config: Config,
    policy: RoutePolicy,
    report_only: bool,
    resolver: Option<Store>,
    #[cfg(feature = "replay")]
    replay: Option<twilio_auth_replay::ReplayGuard>,
}

impl TwilioAuth {
    /// Middleware that verifies the signature of requests with `config`.
    ///
    /// Logs the configuration's [summary](Config::summary) (at `INFO`, once per
    /// configuration).
    pub fn new(config: Config) -> Self {
        announce(&config);
        TwilioAuth {
            config,
            policy: RoutePolicy::Signature,
            report_only: false,
            resolver: None,
            #[cfg(feature = "replay")]
            replay: None,
        }
    }

    /// Adds replay protection (feature `replay`): after verification succeeded, `guard`
    /// decides whether the wrapped service sees the request (a duplicate of one that
    /// completed gets `200` with an empty body, one still in flight `409`, a replayed
    /// Digest `Authorization` `401` with fresh challenges, a store fault `503`), and the
    /// service's status is recorded (2xx: done; otherwise released for Twilio's retry).
    #[cfg(feature = "replay")]
    #[cfg_attr(docsrs, doc(cfg(feature = "replay")))]
    pub fn replay(mut self, guard: twilio_auth_replay::ReplayGuard) -> Self {
        self.replay = Some(guard);
        self
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

    /// Keys from your own store: a request that names a sub-account (`AccountSid`) or a
    /// SharedKey id the configuration does not hold is verified with the key `resolver`
    /// answers (put a [`CachedResolver`](twilio_auth_core::resolver::CachedResolver) in
    /// front of your store). The store is asked only once the request passed the route's
    /// HTTP authentication. A resolver error answers `503` with a short body and an error
    /// line naming the key asked for (never a secret); the wrapped service does not run.
    ///
    /// ```
    /// use actix_web::{App, HttpResponse, web};
    /// use twilio_auth_actix::TwilioAuth;
    /// use twilio_auth_core::resolver::{CachedResolver, KeyResolver, ResolveFuture};
    /// use twilio_auth_core::{Config, KeyLookup, ResolvedKey};
    ///
    /// struct Accounts; // your database of sub-accounts
    ///
    /// impl KeyResolver for Accounts {
    ///     fn resolve<'a>(&'a self, lookup: &'a KeyLookup) -> ResolveFuture<'a> {
    ///         Box::pin(async move {
    ///             Ok(match lookup {
    ///                 KeyLookup::Account(sid) if sid == "AC42" => {
    ///                     Some(ResolvedKey::account(sid, "sub-account-token"))
    ///                 }
    ///                 _ => None,
    ///             })
    ///         })
    ///     }
    /// }
    ///
    /// let config = Config::builder().auth_token("parent-token").build().unwrap();
    /// let app = App::new().service(
    ///     web::scope("/twilio")
    ///         .wrap(TwilioAuth::new(config).key_resolver(CachedResolver::new(Accounts)))
    ///         .route("/voice", web::post().to(|| async { HttpResponse::Ok().finish() })),
    /// );
    /// ```
    pub fn key_resolver(mut self, resolver: impl KeyResolver) -> Self {
        self.resolver = Some(Store(Arc::new(resolver)));
        self
    }

    /// Report-only mode, for rolling verification out: a request whose signature is wrong
    /// or missing is logged (`WARN`, with the candidate URLs tried and hints) and counted,
    /// then passed on **unverified**, with an [`Unverified`](twilio_auth_core::Unverified)
    /// instead of a [`Verified`](twilio_auth_core::Verified) in its extensions. HTTP
    /// authentication and the body limits are still enforced. Logs a warning at set-up;
    /// never the default.
    ///
    /// ```
    /// use actix_web::{App, HttpMessage, HttpRequest, web};
    /// use twilio_auth_actix::TwilioAuth;
    /// use twilio_auth_core::{Config, Unverified};
    ///
    /// async fn voice(req: HttpRequest) -> &'static str {
    ///     if req.extensions().get::<Unverified>().is_some() {
    ///         // Not verified yet: the log says why.
    ///     }
    ///     "<Response/>"
    /// }
    ///
    /// let config = Config::builder().auth_token("12345").build().unwrap();
    /// let app = App::new()
    ///     .wrap(TwilioAuth::new(config).report_only())
    ///     .route("/voice", web::post().to(voice));
    /// ```
    pub fn report_only(mut self) -> Self {
        tracing::warn!("{}", twilio_auth_core::STARTUP_WARNING);
        self.report_only = true;
        self
    }

    /// What the middleware demands of each request.
    pub fn policy(&self) -> RoutePolicy {
        self.policy
    }
}

impl<S, B> Transform<S, ServiceRequest> for TwilioAuth
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = TwilioAuthMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(TwilioAuthMiddleware {
            service: Rc::new(service),
            config: self.config.clone(),
            policy: self.policy,
            report_only: self.report_only,
            resolver: self.resolver.clone(),
            #[cfg(feature = "replay")]
            replay: self.replay.clone(),
        }))
    }
}

/// The service [`TwilioAuth`] wraps around another.
#[derive(Debug)]
pub struct TwilioAuthMiddleware<S> {
    service: Rc<S>,
    config: Config,
    policy: RoutePolicy,
    report_only: bool,
    resolver: Option<Store>,
    #[cfg(feature = "replay")]
    replay: Option<twilio_auth_replay::ReplayGuard>,
}

impl<S, B> Service<ServiceRequest> for TwilioAuthMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, mut req: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        let config = self.config.clone();
        let policy = self.policy;
        let report_only = self.report_only;
        let resolver = self.resolver.clone().map(|store| store.0);
        #[cfg(feature = "replay")]
        if let Some(guard) = self.replay.clone() {
            return Box::pin(crate::replay::call(
                service,
                req,
                config,
                policy,
                report_only,
                resolver,
                guard,
            ));
        }
        Box::pin(async move {
            let payload = req.parts_mut().1.take();
            let checks = Checks {
                route: policy,
                report_only,
                resolver: resolver.as_deref(),
            };
            match read_verified(req.request(), payload, &config, checks).await {
                Ok(payload) => {
                    req.set_payload(payload);
                    let response = service.call(req).await?;
                    Ok(response.map_into_left_body())
                }
                Err(error) => Ok(req.error_response(error).map_into_right_body()),
            }
        })
    }
}

/// The key store of a [`TwilioAuth`] (shown as such in `Debug`).
#[derive(Clone)]
struct Store(Arc<dyn KeyResolver>);

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyResolver")
    }
}
