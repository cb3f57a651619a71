//! `TwilioSignature`: a header-only check for webhooks without a body (GET status
//! callbacks), added by `#[twilio_signed]` to handlers that take no parameters.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use twilio_auth_core::Config;

use crate::policy::{self, Policy};
use crate::rejection::TwilioRejection;
use crate::verify::verify_parts;

/// Proof that a request without a body (a `GET` webhook, whose parameters are in the signed
/// query string) carries a valid Twilio signature.
///
/// It reads no body, so it verifies as if the body were empty: a `POST` with a form or
/// JSON body fails with 403 here — take the body with [`Verified<E>`](crate::Verified)
/// instead. The core's [`twilio_auth_core::Verified`] is left in the request's extensions.
///
/// `POLICY` works as for [`Verified<E, POLICY>`](crate::Verified): `TwilioSignature<BASIC>`
/// requires HTTP Basic authentication before the signature, `TwilioSignature<BASIC_ONLY>`
/// HTTP Basic authentication alone (see [`policy`](crate::policy)).
///
/// ```
/// use axum::{Router, routing::get};
/// use twilio_auth_axum::TwilioSignature;
/// use twilio_auth_core::Config;
///
/// async fn ping(_: TwilioSignature) -> &'static str {
///     "verified"
/// }
///
/// let config = Config::builder().auth_token("12345").build().unwrap();
/// let app: Router = Router::new().route("/ping", get(ping)).with_state(config);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct TwilioSignature<const POLICY: Policy = { policy::SIGNATURE }>;

impl<S, const POLICY: Policy> FromRequestParts<S> for TwilioSignature<POLICY>
where
    S: Send + Sync,
    Config: FromRef<S>,
{
    type Rejection = TwilioRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        verify_parts(
            &Config::from_ref(state),
            parts,
            &[],
            policy::options_of::<POLICY>(),
        )?;
        Ok(TwilioSignature)
    }
}
