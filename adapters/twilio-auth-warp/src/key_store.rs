//! Keys from your own store: [`Verifier`] builds this crate's filters for routes whose
//! sub-account Auth Tokens or SharedKeys come from a [`KeyResolver`] (a database, a secrets
//! manager, a file), and [`request_resolved`] is the short form of its
//! [`request`](Verifier::request).

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use serde::de::DeserializeOwned;
use twilio_auth_core::resolver::KeyResolver;
use twilio_auth_core::{Config, RoutePolicy};
use warp::{Filter, Rejection};

use crate::filters::{bytes_of, form_of, json_of, nothing_of, verified};
use crate::report_only::{Reported, reported};
use crate::request::VerifiedRequest;

/// The filters of this crate ([`request`](Self::request), [`form`](Self::form),
/// [`json`](Self::json), [`bytes`](Self::bytes), [`signed`](Self::signed),
/// [`report_only`](Self::report_only)) for one configuration, route policy and key store.
///
/// With a [`key_resolver`](Self::key_resolver), a request that names an `AccountSid` or a
/// SharedKey id the configuration does not hold
/// ([`Config::key_request`](twilio_auth_core::Config::key_request)) has its key asked of the
/// resolver — only once it passed the route's HTTP authentication, so a request without
/// the credentials never reaches the store — and is verified with it
/// ([`Config::verify_with_key`](twilio_auth_core::Config::verify_with_key)). An
/// `AccountSid` the store does not know (the parent account's own, say) is verified with
/// the configured Auth Tokens. Put a [`CachedResolver`](twilio_auth_core::resolver::CachedResolver)
/// in front of the store: the filters ask on every request that names such a key.
///
/// A resolver error fails closed: the filter fails with a
/// [`TwilioRejection`](crate::TwilioRejection) whose reply is `503` with `Service Unavailable: webhook key store unavailable`, an error
/// is logged naming the key asked for (never a secret), the refusal is counted
/// (`twilio_auth_refused_total{reason="key_store_unavailable"}`, feature `metrics`), and
/// the handler does not run. [`seal`](crate::seal) the route, so that it is answered there
/// and never reaches a sibling route.
///
/// A `Verifier` is cheap to clone: its routes share one resolver (and so one cache). For
/// the replay guard, give `protect` (feature `replay`) the route ending in
/// [`request`](Self::request) or [`report_only`](Self::report_only).
///
/// ```
/// use serde::Deserialize;
/// use twilio_auth_core::resolver::{CachedResolver, KeyResolver, ResolveFuture};
/// use twilio_auth_core::{Config, KeyLookup, ResolvedKey, RoutePolicy};
/// use twilio_auth_core::policy::HttpAuth;
/// use twilio_auth_warp::{Verifier, VerifiedRequest};
/// use warp::Filter;
///
/// /// The sub-accounts' Auth Tokens, from your database.
/// struct Accounts;
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
/// #[derive(Deserialize)]
/// struct IncomingMessage {
///     #[serde(rename = "Body")]
///     body: String,
/// }
///
/// let config = Config::builder().auth_token("parent-token").build().unwrap();
/// let verifier = Verifier::new(config).key_resolver(CachedResolver::new(Accounts));
/// let sms = twilio_auth_warp::seal(
///     warp::post()
///         .and(warp::path!("sms"))
///         .and(verifier.form())
///         .map(|message: IncomingMessage| format!("got {}", message.body)),
/// );
/// // The same store (and cache) behind HTTP Basic authentication.
/// let basic = verifier.clone().policy(RoutePolicy::HttpAuthThenSignature(HttpAuth::Basic));
/// let voice = twilio_auth_warp::seal(
///     warp::post()
///         .and(warp::path!("basic" / "voice"))
///         .and(basic.request())
///         .map(|request: VerifiedRequest| format!("{} bytes", request.body().len())),
/// );
/// let routes = sms.or(voice);
/// ```
#[derive(Clone)]
pub struct Verifier {
    config: Config,
    policy: RoutePolicy,
    resolver: Option<Arc<dyn KeyResolver>>,
}

impl Verifier {
    /// The filters for `config`, checking the signature ([`RoutePolicy::Signature`]), with
    /// the configured keys alone.
    pub fn new(config: Config) -> Self {
        Verifier {
            config,
            policy: RoutePolicy::Signature,
            resolver: None,
        }
    }

    /// What the routes demand: HTTP Basic/Digest authentication before the signature, or
    /// instead of it (see [`policy`](crate::policy)).
    pub fn policy(mut self, policy: RoutePolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Where the keys the configuration lacks come from: `resolver` is asked for the
    /// sub-account Auth Token or SharedKey a request names (see the type's documentation).
    pub fn key_resolver(mut self, resolver: impl KeyResolver) -> Self {
        self.resolver = Some(Arc::new(resolver));
        self
    }

    /// Verifies the request and extracts it whole, as [`request_with`](crate::request_with).
    pub fn request(
        &self,
    ) -> impl Filter<Extract = (VerifiedRequest,), Error = Rejection> + Clone + use<> {
        verified(self.config.clone(), self.policy, self.resolver.clone())
    }

    /// Verifies the request, then extracts its form body as `T`, as [`form`](crate::form).
    pub fn form<T>(&self) -> impl Filter<Extract = (T,), Error = Rejection> + Clone + use<T>
    where
        T: DeserializeOwned + Send + 'static,
    {
        form_of(self.request())
    }

    /// Verifies the request, then extracts its JSON body as `T`, as [`json`](crate::json).
    pub fn json<T>(&self) -> impl Filter<Extract = (T,), Error = Rejection> + Clone + use<T>
    where
        T: DeserializeOwned + Send + 'static,
    {
        json_of(self.request())
    }

    /// Verifies the request, then extracts its raw body, as [`bytes()`](crate::bytes()).
    pub fn bytes(&self) -> impl Filter<Extract = (Bytes,), Error = Rejection> + Clone + use<> {
        bytes_of(self.request())
    }

    /// Verifies the request and extracts nothing, as [`signed`](crate::signed).
    pub fn signed(&self) -> impl Filter<Extract = (), Error = Rejection> + Clone + use<> {
        nothing_of(self.request())
    }

    /// Verifies the request in report-only mode, as [`report_only`](crate::report_only):
    /// a refused signature is reported, not answered. A resolver error is still a `503`.
    pub fn report_only(
        &self,
    ) -> impl Filter<Extract = (Reported,), Error = Rejection> + Clone + use<> {
        reported(self.config.clone(), self.policy, self.resolver.clone())
    }
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("policy", &self.policy)
            .field("key_resolver", &self.resolver.is_some())
            .finish_non_exhaustive()
    }
}

/// [`request_with`](crate::request_with) with keys from your own store: `resolver` is asked
/// for the key a request names and the configuration lacks. The short form of
/// `Verifier::new(config).policy(options).key_resolver(resolver).request()`: see
/// [`Verifier`] for what is asked when, and the `503` a resolver error is answered with.
/// For form, JSON or report-only routes sharing one store, build a [`Verifier`].
///
/// ```
/// use twilio_auth_core::resolver::{CachedResolver, KeyResolver, ResolveFuture};
/// use twilio_auth_core::{KeyLookup, RoutePolicy};
/// use warp::Filter;
///
/// struct Vault; // a client of your secrets manager
///
/// impl KeyResolver for Vault {
///     fn resolve<'a>(&'a self, _lookup: &'a KeyLookup) -> ResolveFuture<'a> {
///         Box::pin(async { Ok(None) })
///     }
/// }
///
/// # fn app(config: twilio_auth_core::Config) -> impl Filter<Extract = (warp::reply::Response,), Error = warp::Rejection> + Clone {
/// let resolver = CachedResolver::new(Vault);
/// twilio_auth_warp::seal(
///     warp::post()
///         .and(warp::path!("voice"))
///         .and(twilio_auth_warp::request_resolved(config, RoutePolicy::Signature, resolver))
///         .map(|request: twilio_auth_warp::VerifiedRequest| format!("{} bytes", request.body().len())),
/// )
/// # }
/// ```
pub fn request_resolved(
    config: Config,
    options: RoutePolicy,
    resolver: impl KeyResolver,
) -> impl Filter<Extract = (VerifiedRequest,), Error = Rejection> + Clone {
    Verifier::new(config)
        .policy(options)
        .key_resolver(resolver)
        .request()
}
