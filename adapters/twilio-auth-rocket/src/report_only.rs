//! `ReportOnly<T>`: the data guard of a route in report-only mode, for rolling
//! verification out on real traffic before enforcing it.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use rocket::data::{Data, FromData, Outcome};
use rocket::{Ignite, Request, Rocket, Sentinel};
use twilio_auth_core::{STARTUP_WARNING, Unverified, Verified as Verification};

use crate::fairing::misconfigured;
use crate::key_store::resolve;
use crate::policy::{RocketPolicy, Signature};
use crate::verified::{VerifiedData, VerifiedError, guard_replay, read_body, status_of};
use crate::verify::verify_reporting;

/// A request body as a `T`, like [`Verified<T, P>`](crate::Verified), on a route in
/// **report-only mode**: verification runs, but a request whose signature is wrong or
/// missing is logged (`WARN`, a line starting with
/// [`REPORT_ONLY_LOG_PREFIX`](twilio_auth_core::REPORT_ONLY_LOG_PREFIX), with the
/// candidate URLs tried and hints) and counted (feature `metrics`), then handed to the
/// handler **unverified**: [`unverified`](Self::unverified) says so, and why enforcement
/// would have refused it. Use it to find URL problems (a TLS proxy, a tunnel, a stripped
/// prefix) before enforcing, then replace it with `Verified`.
///
/// Only the signature is reported rather than enforced: the policy's HTTP authentication
/// (`ReportOnly<Form<T>, Basic>`: `401` without the right credentials), the body limits
/// (`413`) and a URL that cannot be rebuilt (`400`) are refused as on any route, and the
/// handler does not run. Each such route logs a warning at launch, before the first
/// request (once per guard type). With a `ReplayGuarded`
/// policy, verified requests go through the replay guard; unverified ones do not (nothing
/// signed identifies them).
///
/// ```no_run
/// use rocket::form::{Form, FromForm};
/// use rocket::{post, routes};
/// use twilio_auth_rocket::{ReportOnly, TwilioAuth};
///
/// #[derive(FromForm)]
/// struct Call {
///     #[field(name = "CallSid")]
///     call_sid: String,
/// }
///
/// #[post("/voice", data = "<call>")]
/// fn voice(call: ReportOnly<Form<Call>>) -> String {
///     if let Some(unverified) = call.unverified() {
///         // Would have been refused: the log has the same line, with hints.
///         let _why = unverified.rejection().reason();
///     }
///     format!("<Response><Say>{}</Say></Response>", call.call_sid)
/// }
///
/// #[rocket::launch]
/// fn rocket() -> _ {
///     let config = twilio_auth_core::Config::from_env().expect("TWILIO_AUTH_TOKEN is set");
///     rocket::build().attach(TwilioAuth::fairing(config)).mount("/", routes![voice])
/// }
/// ```
pub struct ReportOnly<T, P: RocketPolicy = Signature> {
    inner: T,
    check: Result<Verification, Unverified>,
    policy: PhantomData<fn() -> P>,
}

impl<T, P: RocketPolicy> ReportOnly<T, P> {
    /// The body.
    pub fn into_inner(self) -> T {
        self.inner
    }

    /// What verification found, when the request passed it.
    pub fn verification(&self) -> Option<&Verification> {
        self.check.as_ref().ok()
    }

    /// The refusal enforcement would have answered, when the request did not pass.
    pub fn unverified(&self) -> Option<&Unverified> {
        self.check.as_ref().err()
    }

    /// Whether the request passed verification.
    pub fn is_verified(&self) -> bool {
        self.check.is_ok()
    }
}

impl<T, P: RocketPolicy> Deref for ReportOnly<T, P> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T, P: RocketPolicy> DerefMut for ReportOnly<T, P> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

impl<T: fmt::Debug, P: RocketPolicy> fmt::Debug for ReportOnly<T, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReportOnly")
            .field("inner", &self.inner)
            .field("check", &self.check)
            .finish()
    }
}

#[rocket::async_trait]
impl<'r, T, P: RocketPolicy> FromData<'r> for ReportOnly<T, P>
where
    T: VerifiedData<'r>,
{
    type Error = VerifiedError<'r>;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> Outcome<'r, Self> {
        let (config, body) = match read_body::<T>(req, data).await {
            Ok(read) => read,
            Err(failure) => return Outcome::Error(failure),
        };
        let resolved = match resolve(req, config, &body, P::ROUTE).await {
            Ok(resolved) => resolved,
            Err(failure) => return Outcome::Error(failure),
        };
        let check = match verify_reporting(req, config, &body, P::ROUTE, resolved.as_ref()) {
            Ok(check) => check,
            Err(rejection) => return Outcome::Error((status_of(&rejection), rejection.into())),
        };
        if let Ok(verification) = &check
            && let Err(failure) = guard_replay::<P>(req, config, &body, verification).await
        {
            return Outcome::Error(failure);
        }
        match T::from_verified(req, body) {
            Ok(inner) => Outcome::Success(ReportOnly {
                inner,
                check,
                policy: PhantomData,
            }),
            Err(failure) => Outcome::Error(failure),
        }
    }
}

/// Warns at launch that the route lets unverified requests through
/// ([`STARTUP_WARNING`]), and refuses to launch as [`Verified`](crate::Verified) does.
impl<T, P: RocketPolicy> Sentinel for ReportOnly<T, P> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        let name = std::any::type_name::<Self>();
        log::warn!("{STARTUP_WARNING} ({name})");
        misconfigured::<P>(rocket, name)
    }
}
