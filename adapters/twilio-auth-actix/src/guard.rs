//! `TwilioSignature`: the guard for webhooks whose handler reads no body (GET status
//! callbacks), added by `#[twilio_signed]` to handlers that take no parameters.

use std::fmt;
use std::marker::PhantomData;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_core::future::LocalBoxFuture;

use crate::body::{Checks, read_verified};
use crate::config::app_config;
use crate::policy::{Policy, Signature};

/// Proof that a request comes from Twilio, for a handler that reads no body: a `GET`
/// webhook, whose parameters are in the signed query string.
///
/// It takes the payload and verifies the request with it (within the configuration's
/// [`body_limit`](twilio_auth_core::Config::body_limit)), so a body nobody signed is
/// refused, never ignored; an extractor after it sees an empty body, and if one before it
/// took the body first the request is refused (`403`, with an error in the log). A handler
/// that reads the body takes it through [`Verified<E>`](crate::Verified) instead. The
/// core's [`twilio_auth_core::Verified`] is left in the request's extensions.
///
/// `P` works as for [`Verified<E, P>`](crate::Verified): `TwilioSignature<Basic>`
/// requires HTTP Basic authentication before the signature, `TwilioSignature<BasicOnly>`
/// HTTP Basic authentication alone (see [`policy`](crate::policy)).
///
/// ```
/// use actix_web::{App, web};
/// use std::collections::HashMap;
/// use twilio_auth_actix::TwilioSignature;
/// use twilio_auth_core::Config;
///
/// async fn status(_: TwilioSignature, query: web::Query<HashMap<String, String>>) -> String {
///     format!("{} parameters", query.len())
/// }
///
/// let config = Config::builder().auth_token("12345").build().unwrap();
/// let app = App::new().app_data(config).route("/status", web::get().to(status));
/// ```
pub struct TwilioSignature<P: Policy = Signature>(PhantomData<fn() -> P>);

impl<P: Policy> fmt::Debug for TwilioSignature<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TwilioSignature")
    }
}

impl<P: Policy> FromRequest for TwilioSignature<P> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = payload.take();
        Box::pin(async move {
            let config = app_config(&req)?;
            read_verified(&req, payload, config, Checks::enforce(P::ROUTE)).await?;
            Ok(TwilioSignature(PhantomData))
        })
    }
}
