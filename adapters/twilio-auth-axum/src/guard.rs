//! `TwilioSignature`: the guard for webhooks whose handler reads no body (GET status
//! callbacks), added by `#[twilio_signed]` to handlers that take no parameters.

use std::fmt;
use std::marker::PhantomData;

use axum::extract::{FromRef, FromRequest, Request};
use twilio_auth_core::Config;

use crate::body::read_limited;
use crate::policy::{Policy, Signature};
use crate::rejection::TwilioRejection;
use crate::verify::verify_parts;

/// Proof that a request comes from Twilio, for a handler that reads no body: a `GET`
/// webhook, whose parameters are in the signed query string.
///
/// It is a body extractor: it reads the body (within the configuration's
/// [`body_limit`](Config::body_limit)) and verifies the request with it, so a body nobody
/// signed is refused, never ignored. Like every axum body extractor it must be the
/// handler's last parameter, and no other body extractor can stand beside it: a handler
/// that reads the body takes it through [`Verified<E>`](crate::Verified) instead.
/// The core's [`twilio_auth_core::Verified`] is left in the request's extensions.
///
/// `P` works as for [`Verified<E, P>`](crate::Verified): `TwilioSignature<Basic>`
/// requires HTTP Basic authentication before the signature, `TwilioSignature<BasicOnly>`
/// HTTP Basic authentication alone (see [`policy`](crate::policy)).
///
/// ```
/// use axum::{Router, extract::Query, routing::get};
/// use std::collections::HashMap;
/// use twilio_auth_axum::TwilioSignature;
/// use twilio_auth_core::Config;
///
/// async fn status(Query(q): Query<HashMap<String, String>>, _: TwilioSignature) -> String {
///     format!("{} parameters", q.len())
/// }
///
/// let config = Config::builder().auth_token("12345").build().unwrap();
/// let app: Router = Router::new().route("/status", get(status)).with_state(config);
/// ```
///
/// Beside a body extractor it does not compile (take the body with `Verified<Form<T>>`):
///
/// ```compile_fail
/// use axum::{Form, Router, routing::post};
/// use std::collections::HashMap;
/// use twilio_auth_axum::TwilioSignature;
///
/// async fn voice(_: TwilioSignature, Form(f): Form<HashMap<String, String>>) -> String {
///     format!("{} parameters", f.len())
/// }
///
/// let config = twilio_auth_core::Config::builder().auth_token("12345").build().unwrap();
/// let app: Router = Router::new().route("/voice", post(voice)).with_state(config);
/// ```
pub struct TwilioSignature<P: Policy = Signature>(PhantomData<fn() -> P>);

impl<P: Policy> fmt::Debug for TwilioSignature<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TwilioSignature")
    }
}

impl<S, P> FromRequest<S> for TwilioSignature<P>
where
    S: Send + Sync,
    Config: FromRef<S>,
    P: Policy,
{
    type Rejection = axum::response::Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;

        let config = Config::from_ref(state);
        let (mut parts, bytes) = read_limited(req, &config)
            .await
            .map_err(IntoResponse::into_response)?;
        verify_parts(&config, &mut parts, &bytes, P::ROUTE)
            .map_err(|rejection: TwilioRejection| rejection.into_response())?;
        Ok(TwilioSignature(PhantomData))
    }
}
