//! `Verified<E, POLICY>`: the extractor `#[twilio_signed]` wraps a handler's last parameter
//! in. It reads the body, verifies the request as the route's policy demands, then runs the
//! handler's own extractor `E` on the same bytes.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_core::future::LocalBoxFuture;

use crate::body::{Checks, read_verified};
use crate::config::app_config;
use crate::policy::{Policy, Signature};

/// A request that passed Twilio verification, extracted by `E` (`web::Form<T>`,
/// `web::Json<T>`, `web::Bytes`, `String`, `web::Query<T>`, …).
///
/// Extraction takes the payload (never more than the configuration's
/// [`body_limit`](twilio_auth_core::Config::body_limit): `413` above it), verifies the
/// request with the [`Config`](twilio_auth_core::Config) found in the app data
/// (`App::app_data(config)` or `web::Data<Config>`), and only then runs `E` on the same
/// bytes: you get actix's own types, limits (`FormConfig`, `JsonConfig`, `PayloadConfig`)
/// and errors. A refused request never reaches `E` nor the handler.
///
/// The URL is the request target as received, so a `web::scope("/api")` prefix is part of
/// it; `X-Forwarded-*`/`Forwarded` count only when the configuration trusts them (actix's
/// `connection_info` trusts them always, so it is not used).
///
/// `P` says what the route demands (see [`policy`](crate::policy)): by default
/// ([`Signature`](crate::policy::Signature)) the signature only; `Verified<E, Basic>`,
/// `Verified<E, Digest>` or `Verified<E, Either>` first require HTTP authentication (a
/// `401` with one `WWW-Authenticate` header per challenge), then the signature (`403`); the
/// `…Only` policies skip the signature.
///
/// It must be the only extractor that reads the body, and it takes the body whatever its
/// place among the handler's parameters: an extractor after it sees an empty body; if one
/// before it took the body first, the request is refused (`403`, and an error in the log
/// says so), because the handler could read bytes nobody verified. On success the core's
/// [`twilio_auth_core::Verified`] is left in the request's extensions. Usually you do not
/// write this type: `#[twilio_signed]` does.
///
/// ```
/// use actix_web::{App, web};
/// use twilio_auth_actix::Verified;
/// use twilio_auth_core::Config;
///
/// #[derive(serde::Deserialize)]
/// struct Sms {
///     #[serde(rename = "Body")]
///     body: String,
/// }
///
/// async fn sms(Verified(sms): Verified<web::Form<Sms>>) -> String {
///     format!("you said {}", sms.body)
/// }
///
/// let config = Config::builder().auth_token("12345").build().unwrap();
/// let app = App::new().app_data(config).route("/sms", web::post().to(sms));
/// ```
pub struct Verified<E, P: Policy = Signature>(pub P::Inner<E>);

impl<E, P: Policy> std::fmt::Debug for Verified<E, P>
where
    P::Inner<E>: std::fmt::Debug,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Verified").field(&self.0).finish()
    }
}

impl<E, P> FromRequest for Verified<E, P>
where
    E: FromRequest + 'static,
    P: Policy,
{
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        // Taken now, before any later extractor can: the body is read once, by us.
        let payload = payload.take();
        Box::pin(async move {
            let config = app_config(&req)?;
            let mut payload =
                read_verified(&req, payload, config, Checks::enforce(P::ROUTE)).await?;
            E::from_request(&req, &mut payload)
                .await
                .map(|extracted| Verified(P::wrap(extracted)))
                .map_err(Into::into)
        })
    }
}
