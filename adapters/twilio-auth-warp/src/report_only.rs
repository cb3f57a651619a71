//! Report-only mode, per route: [`report_only`] verifies like [`request_with`](crate::request_with),
//! but a refused *signature* is logged and counted instead of answered, and the handler gets
//! the request marked [`Unverified`]. Everything else stays enforced (HTTP
//! authentication, the body limit, a URL that cannot be rebuilt).

use std::future::ready;
use std::sync::Arc;

use bytes::Bytes;
use serde::de::DeserializeOwned;
use twilio_auth_core::resolver::KeyResolver;
use twilio_auth_core::{Config, RoutePolicy, STARTUP_WARNING, Unverified, Verified};
use warp::http::{HeaderMap, Method};
use warp::{Filter, Rejection};

use crate::extract::{from_form, from_json};
use crate::rejection::TwilioRejection;
use crate::request::{Received, VerifiedRequest};
use crate::verify::{Checked, checked};

/// Verifies the request in report-only mode and extracts it whole, verified or not.
///
/// A request whose signature (or `bodySHA256`) is refused is **not** refused: the refusal
/// enforcement would have answered is logged at `WARN` (a line starting with
/// [`REPORT_ONLY_LOG_PREFIX`](twilio_auth_core::REPORT_ONLY_LOG_PREFIX), with the candidate
/// URLs and hints), counted (`twilio_auth_report_only_total`, feature `metrics`), and the
/// request is extracted as a [`Reported`] whose [`unverified`](Reported::unverified) says
/// why. HTTP Basic/Digest authentication (`401`), the body limit (`413`) and a URL that
/// cannot be rebuilt (`400`) are enforced as on any route: those fail with a
/// [`TwilioRejection`] — [`seal`](crate::seal) the route.
///
/// For rolling out verification on a live app: turn it on for a route, watch the log, fix
/// the URL problems it reports, then switch the route to an enforcing filter. Building the
/// filter logs [`STARTUP_WARNING`] at `WARN`, once per report-only route.
///
/// ```
/// use twilio_auth_core::RoutePolicy;
/// use twilio_auth_warp::Reported;
/// use warp::Filter;
///
/// # fn app(config: twilio_auth_core::Config) -> impl Filter<Extract = (warp::reply::Response,), Error = warp::Rejection> + Clone {
/// twilio_auth_warp::seal(
///     warp::post()
///         .and(warp::path!("voice"))
///         .and(twilio_auth_warp::report_only(config, RoutePolicy::Signature))
///         .map(|request: Reported| match request.unverified() {
///             None => "verified".to_owned(),
///             Some(unverified) => format!("not verified: {}", unverified.rejection()),
///         }),
/// )
/// # }
/// ```
pub fn report_only(
    config: Config,
    options: RoutePolicy,
) -> impl Filter<Extract = (Reported,), Error = Rejection> + Clone {
    reported(config, options, None)
}

/// [`report_only`], asking `resolver` (when there is one) for the key a request names and
/// the configuration lacks.
pub(crate) fn reported(
    config: Config,
    options: RoutePolicy,
    resolver: Option<Arc<dyn KeyResolver>>,
) -> impl Filter<Extract = (Reported,), Error = Rejection> + Clone {
    tracing::warn!("{STARTUP_WARNING}");
    let route = (config.clone(), options);
    checked(config, options, resolver).and_then(move |checked: Checked| {
        ready(judge(checked, &route).map_err(warp::reject::custom))
    })
}

/// Enforces everything but a refused signature, which is reported.
fn judge(checked: Checked, route: &(Config, RoutePolicy)) -> Result<Reported, TwilioRejection> {
    let (received, verdict) = checked?;
    let inner = match verdict {
        Ok(verified) => {
            twilio_auth_core::metrics::accepted(&verified);
            Inner::Verified(VerifiedRequest {
                received,
                verified,
                route: route.clone(),
            })
        }
        Err(rejection) => {
            let unverified = Unverified::admit(rejection).map_err(TwilioRejection::refused)?;
            twilio_auth_core::metrics::report_only(&unverified);
            tracing::warn!("{unverified}");
            Inner::Unverified(received, unverified)
        }
    };
    Ok(Reported { inner })
}

/// A request on a [`report_only`] route: verified, or let through with the refusal that
/// enforcement would have answered.
///
/// ```
/// use twilio_auth_core::Config;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let config = Config::builder().auth_token("12345").public_base_url("https://example.com").build().unwrap();
/// let filter = twilio_auth_warp::report_only(config, twilio_auth_core::RoutePolicy::Signature);
/// let request = warp::test::request()
///     .method("POST")
///     .path("/voice")
///     .body("CallSid=CA1")
///     .filter(&filter)
///     .await
///     .unwrap();
/// assert!(!request.is_verified());
/// assert_eq!(request.unverified().unwrap().rejection().status(), 403);
/// assert_eq!(request.body().as_ref(), b"CallSid=CA1");
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Reported {
    inner: Inner,
}

#[derive(Debug, Clone)]
enum Inner {
    Verified(VerifiedRequest),
    Unverified(Received, Unverified),
}

impl Reported {
    fn received(&self) -> &Received {
        match &self.inner {
            Inner::Verified(request) => &request.received,
            Inner::Unverified(received, _) => received,
        }
    }

    /// Whether the request passed verification.
    pub fn is_verified(&self) -> bool {
        matches!(self.inner, Inner::Verified(_))
    }

    /// The verified request, when it passed.
    pub fn verified_request(&self) -> Option<&VerifiedRequest> {
        match &self.inner {
            Inner::Verified(request) => Some(request),
            Inner::Unverified(..) => None,
        }
    }

    /// The core's verdict, when the request passed.
    pub fn verified(&self) -> Option<&Verified> {
        self.verified_request().map(VerifiedRequest::verified)
    }

    /// Why enforcement would have refused the request, when it did not pass.
    pub fn unverified(&self) -> Option<&Unverified> {
        match &self.inner {
            Inner::Verified(_) => None,
            Inner::Unverified(_, unverified) => Some(unverified),
        }
    }

    /// The request method.
    pub fn method(&self) -> &Method {
        &self.received().method
    }

    /// The raw path and query, as received.
    pub fn path_and_query(&self) -> &str {
        &self.received().target
    }

    /// The raw path.
    pub fn path(&self) -> &str {
        self.received().path()
    }

    /// The raw query, without its `?`.
    pub fn query(&self) -> Option<&str> {
        self.received().query()
    }

    /// The request headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.received().headers
    }

    /// The body, exactly as received (and verified, when [`is_verified`](Self::is_verified)).
    pub fn body(&self) -> &Bytes {
        &self.received().body
    }

    /// The form body as `T` (a `400` [`TwilioRejection`] if it does not deserialize).
    pub fn form<T: DeserializeOwned>(&self) -> Result<T, TwilioRejection> {
        from_form(self.body(), "invalid form body")
    }

    /// The JSON body as `T` (a `400` [`TwilioRejection`] if it does not deserialize).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, TwilioRejection> {
        from_json(self.body())
    }
}
