//! What a `#[twilio_signed]` warp handler can take: values deserialized from a
//! [`VerifiedRequest`], never from a second read of the request.

use bytes::Bytes;
use serde::de::DeserializeOwned;
use twilio_auth_core::Verified;
use warp::http::HeaderMap;

use crate::rejection::TwilioRejection;
use crate::request::VerifiedRequest;

/// A value taken from a verified request: the parameter types of a `#[twilio_signed]`
/// warp handler.
///
/// | type | what it is | on failure |
/// |---|---|---|
/// | [`Form<T>`] | the `application/x-www-form-urlencoded` body | 400 |
/// | [`Json<T>`] | the JSON body (signed with `bodySHA256`) | 400 |
/// | [`Query<T>`] | the query string (a GET webhook's parameters) | 400 |
/// | [`Bytes`] | the raw body | — |
/// | `String` | the body as UTF-8 | 400 |
/// | [`HeaderMap`] | the request headers | — |
/// | [`Verified`] | the core's verdict (which secret signed, the HTTP-auth user) | — |
/// | [`VerifiedRequest`] | all of the above, raw | — |
///
/// ```
/// use twilio_auth_warp::{FromVerified, Query};
///
/// # fn check<T: FromVerified>() {}
/// check::<Query<Vec<(String, String)>>>();
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a parameter of a `#[twilio_signed]` warp handler",
    label = "not taken from a verified request",
    note = "take `Form<T>`, `Json<T>` or `Query<T>` (from `twilio_auth::warp`, not warp's filters), `Bytes`, `String`, `HeaderMap`, `Verified` or `VerifiedRequest`",
    note = "for anything else (application state, a database pool), write the route with the filters of `twilio_auth::warp` instead of the attribute"
)]
pub trait FromVerified: Sized {
    /// Takes the value from `request`; an error is answered as it is (a 400).
    fn from_verified(request: &VerifiedRequest) -> Result<Self, TwilioRejection>;
}

/// A form body (`application/x-www-form-urlencoded`), deserialized with `serde`.
///
/// Twilio posts its voice and messaging webhooks as forms. Use it as
/// `Form(call): Form<IncomingCall>` in a `#[twilio_signed]` handler.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Form<T>(pub T);

/// A JSON body, deserialized with `serde`. Twilio signs JSON webhooks with a `bodySHA256`
/// parameter in the URL, which verification checks before this runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Json<T>(pub T);

/// The query string, deserialized with `serde`: the parameters of a GET webhook (a status
/// callback), which Twilio signs as part of the URL.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Query<T>(pub T);

/// `T` from a form-encoded `text`: `what` says which part of the request it is.
pub(crate) fn from_form<T: DeserializeOwned>(
    text: &[u8],
    what: &str,
) -> Result<T, TwilioRejection> {
    serde_urlencoded::from_bytes(text).map_err(|e| TwilioRejection::malformed(what, e))
}

/// `T` from a JSON body.
pub(crate) fn from_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, TwilioRejection> {
    serde_json::from_slice(body).map_err(|e| TwilioRejection::malformed("invalid JSON body", e))
}

impl<T: DeserializeOwned> FromVerified for Form<T> {
    fn from_verified(request: &VerifiedRequest) -> Result<Self, TwilioRejection> {
        from_form(request.body(), "invalid form body").map(Form)
    }
}

impl<T: DeserializeOwned> FromVerified for Json<T> {
    fn from_verified(request: &VerifiedRequest) -> Result<Self, TwilioRejection> {
        from_json(request.body()).map(Json)
    }
}

impl<T: DeserializeOwned> FromVerified for Query<T> {
    fn from_verified(request: &VerifiedRequest) -> Result<Self, TwilioRejection> {
        let query = request.query().unwrap_or("");
        from_form(query.as_bytes(), "invalid query string").map(Query)
    }
}

impl FromVerified for Bytes {
    fn from_verified(request: &VerifiedRequest) -> Result<Self, TwilioRejection> {
        Ok(request.body().clone())
    }
}

impl FromVerified for String {
    fn from_verified(request: &VerifiedRequest) -> Result<Self, TwilioRejection> {
        String::from_utf8(request.body().to_vec())
            .map_err(|e| TwilioRejection::malformed("body is not UTF-8", e))
    }
}

impl FromVerified for HeaderMap {
    fn from_verified(request: &VerifiedRequest) -> Result<Self, TwilioRejection> {
        Ok(request.headers().clone())
    }
}

impl FromVerified for Verified {
    fn from_verified(request: &VerifiedRequest) -> Result<Self, TwilioRejection> {
        Ok(request.verified().clone())
    }
}

impl FromVerified for VerifiedRequest {
    fn from_verified(request: &VerifiedRequest) -> Result<Self, TwilioRejection> {
        Ok(request.clone())
    }
}
