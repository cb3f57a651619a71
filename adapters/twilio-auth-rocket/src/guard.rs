//! `TwilioSignature`: the request guard for webhooks without a body (GET status
//! callbacks), which `#[twilio_signed]` adds to routes that have no `data` parameter.

use std::fmt;

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome};
use rocket::{Ignite, Request, Rocket, Sentinel};
use twilio_auth_core::{Config, Verified as Verification};

use crate::fairing::misconfigured;
use crate::policy::{Policy, SIGNATURE, options_of};
use crate::verified::{VerifiedError, status_of};
use crate::verify::verify_request;

/// Proof that a request without a body (a `GET` webhook, whose parameters are in the signed
/// query string) comes from Twilio. `POLICY` is the route's [`policy`](crate::policy), as
/// for [`Verified`](crate::Verified).
///
/// It reads no body, so it verifies as if the body were empty: a `POST` with a form or
/// JSON body fails with 403 here — take the body with `data = "<…>"` and
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
pub struct TwilioSignature<const POLICY: Policy = SIGNATURE> {
    verification: Verification,
}

impl<const POLICY: Policy> TwilioSignature<POLICY> {
    /// What verification found: the URL that matched, the secret that signed, the user
    /// that logged in.
    pub fn verification(&self) -> &Verification {
        &self.verification
    }
}

impl<const POLICY: Policy> fmt::Debug for TwilioSignature<POLICY> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwilioSignature")
            .field("verification", &self.verification)
            .finish()
    }
}

#[rocket::async_trait]
impl<'r, const POLICY: Policy> FromRequest<'r> for TwilioSignature<POLICY> {
    type Error = VerifiedError<'r>;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let Some(config) = req.rocket().state::<Config>() else {
            return Outcome::Error((Status::InternalServerError, VerifiedError::NotConfigured));
        };
        match verify_request(req, config, &[], options_of::<POLICY>()) {
            Ok(verification) => Outcome::Success(TwilioSignature { verification }),
            Err(rejection) => Outcome::Error((status_of(&rejection), rejection.into())),
        }
    }
}

/// Refuses to launch when the [`TwilioAuth`](crate::TwilioAuth) fairing is not attached
/// (and reports a route that requires HTTP authentication the configuration cannot give).
impl<const POLICY: Policy> Sentinel for TwilioSignature<POLICY> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        misconfigured::<POLICY>(rocket, std::any::type_name::<Self>())
    }
}
