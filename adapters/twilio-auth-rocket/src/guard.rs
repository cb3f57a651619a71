//! `TwilioSignature`: the request guard for webhooks without a body (GET status
//! callbacks), which `#[twilio_signed]` adds to routes that have no `data` parameter.

use std::fmt;
use std::marker::PhantomData;

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome};
use rocket::{Ignite, Request, Rocket, Sentinel};
use twilio_auth_core::{Config, Rejection, RejectionReason, Verified as Verification};

use crate::fairing::misconfigured;
use crate::key_store::resolve;
use crate::policy::{Policy, Signature};
use crate::verified::{VerifiedError, status_of};
use crate::verify::{has_body, refuse, verify_request};

/// Proof that a request without a body (a `GET` webhook, whose parameters are in the signed
/// query string) comes from Twilio. `P` is the route's [`policy`](crate::policy), as for
/// [`Verified`](crate::Verified).
///
/// A request guard cannot read the body, so it refuses (403) any request that carries one
/// — whatever the method, and whatever data guard stands beside it: a body it did not
/// verify never reaches the handler. Take a body with `data = "<…>"` and
/// [`Verified`](crate::Verified) instead.
///
/// ```no_run
/// use rocket::{get, routes};
/// use twilio_auth_rocket::{TwilioAuth, TwilioSignature};
///
/// #[get("/status?<CallSid>")]
/// #[allow(non_snake_case)]
/// fn status(CallSid: &str, _signed: TwilioSignature) -> String {
///     format!("status of {CallSid}")
/// }
///
/// #[rocket::launch]
/// fn rocket() -> _ {
///     let config = twilio_auth_core::Config::from_env().expect("TWILIO_AUTH_TOKEN is set");
///     rocket::build().attach(TwilioAuth::fairing(config)).mount("/", routes![status])
/// }
/// ```
pub struct TwilioSignature<P: Policy = Signature> {
    verification: Verification,
    policy: PhantomData<fn() -> P>,
}

impl<P: Policy> TwilioSignature<P> {
    /// What verification found: the URL that matched, the secret that signed, the user
    /// that logged in.
    pub fn verification(&self) -> &Verification {
        &self.verification
    }
}

impl<P: Policy> fmt::Debug for TwilioSignature<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwilioSignature")
            .field("verification", &self.verification)
            .finish()
    }
}

#[rocket::async_trait]
impl<'r, P: Policy> FromRequest<'r> for TwilioSignature<P> {
    type Error = VerifiedError<'r>;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let Some(config) = req.rocket().state::<Config>() else {
            return Outcome::Error((Status::InternalServerError, VerifiedError::NotConfigured));
        };
        let resolved = match resolve(req, config, &[], P::ROUTE).await {
            Ok(resolved) => resolved,
            Err(failure) => return Outcome::Error(failure),
        };
        let verification = match verify_request(req, config, &[], P::ROUTE, resolved.as_ref()) {
            Ok(verification) => verification,
            Err(rejection) => return Outcome::Error((status_of(&rejection), rejection.into())),
        };
        // Verified as if the body were empty: a body is refused, not ignored (after HTTP
        // authentication, which comes first).
        if P::ROUTE.checks_signature() && has_body(req) {
            let rejection = refuse(req, Rejection::new(RejectionReason::UnsignedBody));
            return Outcome::Error((status_of(&rejection), rejection.into()));
        }
        Outcome::Success(TwilioSignature {
            verification,
            policy: PhantomData,
        })
    }
}

/// Refuses to launch when the [`TwilioAuth`](crate::TwilioAuth) fairing is not attached
/// (and reports a route that requires HTTP authentication the configuration cannot give).
impl<P: Policy> Sentinel for TwilioSignature<P> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        misconfigured::<P>(rocket, std::any::type_name::<Self>())
    }
}
