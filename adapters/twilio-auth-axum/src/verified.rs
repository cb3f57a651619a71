//! `Verified<E, POLICY>`: the extractor `#[twilio_signed]` wraps a handler's last parameter
//! in. It reads the body, verifies the request as the route's policy demands, then runs the
//! handler's own extractor `E` on the same bytes.

use std::marker::PhantomData;

use axum::body::Body;
use axum::extract::{FromRef, FromRequest, Request};
use axum::response::{IntoResponse, Response};

use twilio_auth_core::Config;

use crate::body::{BodyError, read_limited};
use crate::policy::{Policy, Signature};
use crate::rejection::TwilioRejection;
use crate::verify::verify_parts;

/// A request that passed Twilio verification, extracted by `E` (`Form<T>`, `Json<T>`,
/// `Bytes`, `String`, `RawForm`, `Query<T>`, …).
///
/// Extraction reads the body (within axum's `DefaultBodyLimit` and the configuration's
/// [`body_limit`](Config::body_limit)), rebuilds the URL from
/// [`OriginalUri`](axum::extract::OriginalUri) so prefixes stripped by `Router::nest` count,
/// verifies with the [`Config`] taken from the router's state (`Config: FromRef<S>`), and
/// only then runs `E` on the buffered bytes. A refused request never reaches `E` nor the
/// handler; `E`'s own rejection is passed through unchanged.
///
/// `P` says what the route demands (see [`policy`](crate::policy)): by default
/// ([`Signature`](crate::policy::Signature)) the signature only; `Verified<E, Basic>`,
/// `Verified<E, Digest>` or `Verified<E, Either>` first require HTTP authentication with
/// the configuration's [`http_auth`](twilio_auth_core::ConfigBuilder::http_auth) credentials
/// (a `401` with one `WWW-Authenticate` header per challenge), then the signature (`403`);
/// the `…Only` policies skip the signature. `#[twilio_signed(http_auth = "…")]` picks the
/// policy for you.
///
/// On success the core's [`twilio_auth_core::Verified`] is also left in the request's
/// extensions. Usually you do not write this type: `#[twilio_signed]` does.
///
/// ```
/// use axum::{Form, Router, routing::post};
/// use twilio_auth_axum::Verified;
/// use twilio_auth_core::Config;
///
/// #[derive(serde::Deserialize)]
/// struct Sms {
///     #[serde(rename = "Body")]
///     body: String,
/// }
///
/// async fn sms(Verified(Form(sms)): Verified<Form<Sms>>) -> String {
///     format!("you said {}", sms.body)
/// }
///
/// let config = Config::builder().auth_token("12345").build().unwrap();
/// let app: Router = Router::new().route("/sms", post(sms)).with_state(config);
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

/// The marker that tells axum how [`Verified<E>`] is extracted: through `E`'s own marker
/// `M`, so `E` may read the body or only the request's parts (like `Query`).
#[doc(hidden)]
pub struct ViaVerified<M>(PhantomData<fn() -> M>);

impl<S, M, E, P> FromRequest<S, ViaVerified<M>> for Verified<E, P>
where
    S: Send + Sync,
    Config: FromRef<S>,
    E: FromRequest<S, M>,
    P: Policy,
{
    type Rejection = VerifiedRejection<E::Rejection>;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let config = Config::from_ref(state);
        let (mut parts, bytes) = read_limited(req, &config)
            .await
            .map_err(VerifiedRejection::from)?;
        verify_parts(&config, &mut parts, &bytes, P::ROUTE).map_err(VerifiedRejection::Twilio)?;
        let req = Request::from_parts(parts, Body::from(bytes));
        E::from_request(req, state)
            .await
            .map(|extracted| Verified(P::wrap(extracted)))
            .map_err(VerifiedRejection::Extractor)
    }
}

/// Why [`Verified<E, P>`](Verified) refused a request.
#[derive(Debug)]
#[non_exhaustive]
pub enum VerifiedRejection<R> {
    /// Verification failed: HTTP authentication (401), the signature (403), or the body is
    /// over the configuration's limit (413).
    Twilio(TwilioRejection),
    /// axum could not read the body (its `DefaultBodyLimit`, or the client went away):
    /// axum's own response.
    Body(Response),
    /// The request is genuine, but the inner extractor `E` refused it.
    Extractor(R),
}

impl<R> From<BodyError> for VerifiedRejection<R> {
    fn from(error: BodyError) -> Self {
        match error {
            BodyError::TooLarge(rejection) => VerifiedRejection::Twilio(rejection),
            BodyError::Axum(response) => VerifiedRejection::Body(response),
        }
    }
}

impl<R: IntoResponse> IntoResponse for VerifiedRejection<R> {
    fn into_response(self) -> Response {
        match self {
            VerifiedRejection::Twilio(rejection) => rejection.into_response(),
            VerifiedRejection::Body(response) => response,
            VerifiedRejection::Extractor(rejection) => rejection.into_response(),
        }
    }
}
