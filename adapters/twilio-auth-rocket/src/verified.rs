//! `Verified<T>`: the data guard `#[twilio_signed]` gives a route's `data` parameter. It reads
//! the body under Rocket's limit for `T`, verifies, and only then turns the same bytes into
//! `T`. Rocket cannot run another data guard over bytes already read (`Data::local` is
//! private), so the adapter builds the few bodies a webhook has itself — `Form<T>` with
//! Rocket's own form parser, `Json<T>` with serde_json, text and bytes — with the lifetimes
//! and statuses Rocket's own guards have.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use rocket::data::{ByteUnit, Data, FromData, Limits, Outcome};
use rocket::form::{self, Form, FromForm, Options, SharedStack, ValueField};
use rocket::http::{RawStr, Status};
use rocket::serde::json::{Json, serde_json};
use rocket::tokio::io::AsyncReadExt;
use rocket::{Ignite, Request, Rocket, Sentinel};
use twilio_auth_core::{
    Config, LogLevel, Rejection, RejectionReason, RejectionStatus, Verified as Verification,
};

use crate::fairing::misconfigured;
use crate::key_store::resolve;
use crate::policy::{RocketPolicy, Signature};
use crate::verify::{refuse, verify_request};

/// A request body that passed Twilio verification, as a `T`: [`Form<T>`], [`Json<T>`],
/// `String`, `&str`, `Vec<u8>`, `&[u8]`, or an `Option` of one of them (`None` when the
/// verified body does not parse).
///
/// `P` is what the route demands: one of the types of [`policy`](crate::policy),
/// [`Signature`] by default. Usually `#[twilio_signed]` writes this type; written by hand:
///
/// ```no_run
/// use rocket::form::{Form, FromForm};
/// use rocket::{post, routes};
/// use twilio_auth_rocket::{TwilioAuth, Verified};
///
/// #[derive(FromForm)]
/// struct Sms {
///     #[field(name = "Body")]
///     body: String,
/// }
///
/// #[post("/sms", data = "<sms>")]
/// fn sms(sms: Verified<Form<Sms>>) -> String {
///     format!("you said {}", sms.body)
/// }
///
/// #[rocket::launch]
/// fn rocket() -> _ {
///     let config = twilio_auth_core::Config::from_env().expect("TWILIO_AUTH_TOKEN is set");
///     rocket::build().attach(TwilioAuth::fairing(config)).mount("/", routes![sms])
/// }
/// ```
///
/// The body is read up to the smaller of Rocket's limit for `T` (`limits.form`,
/// `limits.json`, `limits.string` or `limits.bytes`) and the configuration's
/// [`body_limit`](Config::body_limit); a longer one is refused with 413 without reading
/// more. A refused request never reaches the handler: the [`TwilioAuth`](crate::TwilioAuth)
/// fairing answers it. Once verified, a body that `T` cannot parse fails as Rocket's own
/// guard would (415 for a form that is not `x-www-form-urlencoded`, 422 for a form or JSON
/// that does not fit `T`, 400 for malformed JSON or text that is not UTF-8).
pub struct Verified<T, P: RocketPolicy = Signature> {
    inner: T,
    verification: Verification,
    policy: PhantomData<fn() -> P>,
}

impl<T, P: RocketPolicy> Verified<T, P> {
    /// The verified body.
    pub fn into_inner(self) -> T {
        self.inner
    }

    /// What verification found: the URL that matched, the secret that signed, the user
    /// that logged in.
    pub fn verification(&self) -> &Verification {
        &self.verification
    }
}

impl<T, P: RocketPolicy> Deref for Verified<T, P> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T, P: RocketPolicy> DerefMut for Verified<T, P> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

impl<T: fmt::Debug, P: RocketPolicy> fmt::Debug for Verified<T, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verified")
            .field("inner", &self.inner)
            .field("verification", &self.verification)
            .finish()
    }
}

#[rocket::async_trait]
impl<'r, T, P: RocketPolicy> FromData<'r> for Verified<T, P>
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
        let verification = match verify_request(req, config, &body, P::ROUTE, resolved.as_ref()) {
            Ok(verification) => verification,
            Err(rejection) => return Outcome::Error((status_of(&rejection), rejection.into())),
        };
        if let Err(failure) = guard_replay::<P>(req, config, &body, &verification).await {
            return Outcome::Error(failure);
        }
        match T::from_verified(req, body) {
            Ok(inner) => Outcome::Success(Verified {
                inner,
                verification,
                policy: PhantomData,
            }),
            Err(failure) => Outcome::Error(failure),
        }
    }
}

/// Refuses to launch when the [`TwilioAuth`](crate::TwilioAuth) fairing is not attached,
/// or a `ReplayGuarded` route's fairing has no guard (and
/// reports a route that requires HTTP authentication the configuration cannot give).
impl<T, P: RocketPolicy> Sentinel for Verified<T, P> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        misconfigured::<P>(rocket, std::any::type_name::<Self>())
    }
}

/// The managed configuration and the body of `req`, read within the smaller of Rocket's
/// limit for `T` and the configuration's body limit (413 above it, an announced oversize
/// body unread).
pub(crate) async fn read_body<'r, T: VerifiedData<'r>>(
    req: &'r Request<'_>,
    data: Data<'r>,
) -> Result<(&'r Config, Vec<u8>), (Status, VerifiedError<'r>)> {
    let Some(config) = req.rocket().state::<Config>() else {
        // The sentinel keeps a rocket without the fairing from launching.
        return Err((Status::InternalServerError, VerifiedError::NotConfigured));
    };
    // Twilio always sends Content-Length: an announced oversize body is refused unread.
    if let Err(rejection) = config.check_content_length(req.headers().get_one("content-length")) {
        let rejection = refuse(req, rejection);
        return Err((status_of(&rejection), rejection.into()));
    }
    let rocket_limit = req.limits().get(T::LIMIT).unwrap_or(T::DEFAULT_LIMIT);
    let limit = rocket_limit.min(ByteUnit::from(config.body_limit()));
    // One byte over the limit is read to tell a body of exactly the limit from a longer one.
    // (`read_to_end` straight into the body, not `DataStream::into_bytes`, which copies
    // through a zeroed 8 KiB buffer on every request.)
    let mut stream = data.open(ByteUnit::from(limit.as_u64().saturating_add(1)));
    let mut body = Vec::with_capacity(stream.hint());
    if let Err(error) = stream.read_to_end(&mut body).await {
        return Err((Status::BadRequest, VerifiedError::Io(error)));
    }
    if body.len() as u64 > limit.as_u64() {
        let limit = usize::try_from(limit.as_u64()).unwrap_or(usize::MAX);
        let rejection = refuse(req, Rejection::new(RejectionReason::BodyTooLarge { limit }));
        return Err((status_of(&rejection), rejection.into()));
    }
    Ok((config, body))
}

/// On a [`ReplayGuarded`](crate::policy::ReplayGuarded) route, asks the fairing's guard
/// about a verified request; nothing otherwise.
pub(crate) async fn guard_replay<'r, P: RocketPolicy>(
    req: &'r Request<'_>,
    config: &Config,
    body: &[u8],
    verification: &Verification,
) -> Result<(), (Status, VerifiedError<'r>)> {
    #[cfg(feature = "replay")]
    if P::REPLAY {
        return crate::replay::admit(req, config, P::ROUTE, body, verification).await;
    }
    // Without the feature no policy asks for it (`ReplayGuarded` does not exist).
    let _ = (P::REPLAY, req, config, body, verification);
    Ok(())
}

/// A rejection's status as Rocket's.
pub(crate) fn status_of(rejection: &Rejection) -> Status {
    match rejection.http_status() {
        RejectionStatus::BadRequest => Status::BadRequest,
        RejectionStatus::Unauthorized => Status::Unauthorized,
        RejectionStatus::Forbidden => Status::Forbidden,
        RejectionStatus::PayloadTooLarge => Status::PayloadTooLarge,
    }
}

mod sealed {
    pub trait Sealed {}
}

/// The bodies [`Verified`] can hand to a handler once the raw bytes are verified. Sealed:
/// Rocket cannot re-run an arbitrary data guard over bytes already read.
#[diagnostic::on_unimplemented(
    message = "`Verified` cannot provide `{Self}` as a verified request body",
    label = "not a body `#[twilio_signed]` can verify and hand over",
    note = "the `data` parameter of a `#[twilio_signed]` route must be `Form<T>`, `Json<T>`, `String`, `&str`, `Vec<u8>`, `&[u8]`, or an `Option` of one of them",
    note = "Rocket cannot run another data guard over a body that was already read to verify it"
)]
pub trait VerifiedData<'r>: sealed::Sealed + Sized + Send {
    /// The name of Rocket's limit for this body (`limits.form`, …).
    #[doc(hidden)]
    const LIMIT: &'static str;
    /// Rocket's default for that limit.
    #[doc(hidden)]
    const DEFAULT_LIMIT: ByteUnit;

    /// Turns the verified bytes into `Self`, failing with the status Rocket's own data
    /// guard for the type would.
    #[doc(hidden)]
    fn from_verified(
        req: &'r Request<'_>,
        body: Vec<u8>,
    ) -> Result<Self, (Status, VerifiedError<'r>)>;
}

/// The verified body, kept for the rest of the request so that `T` may borrow from it.
fn cached<'r>(req: &'r Request<'_>, body: Vec<u8>) -> &'r [u8] {
    rocket::request::local_cache!(req, body)
}

fn utf8<'r>(body: &'r [u8]) -> Result<&'r str, (Status, VerifiedError<'r>)> {
    std::str::from_utf8(body).map_err(|e| (Status::BadRequest, VerifiedError::Utf8(e)))
}

impl<T> sealed::Sealed for Form<T> {}

impl<'r, T: FromForm<'r> + Send> VerifiedData<'r> for Form<T> {
    const LIMIT: &'static str = "form";
    const DEFAULT_LIMIT: ByteUnit = Limits::FORM;

    fn from_verified(
        req: &'r Request<'_>,
        body: Vec<u8>,
    ) -> Result<Self, (Status, VerifiedError<'r>)> {
        if !req.content_type().is_some_and(|ct| ct.is_form()) {
            return Err((
                Status::UnsupportedMediaType,
                VerifiedError::NotUrlEncodedForm,
            ));
        }
        let body = utf8(cached(req, body))?;
        // Rocket's own `Form<T>` guard: lenient parsing, names and values percent-decoded
        // into request-local storage so that `T` may borrow them.
        let mut context = T::init(Options::Lenient);
        for field in url_encoded_fields(req, body) {
            T::push_value(&mut context, field);
        }
        T::finalize(context)
            .map(Form::from)
            .map_err(|errors| (errors.status(), VerifiedError::Form(errors)))
    }
}

/// The fields of an `x-www-form-urlencoded` body, decoded (`+` is a space), skipping empty
/// pieces — what Rocket's form parser yields. Decoded names and values that differ from
/// the body's bytes are kept in one request-local stack, as Rocket's parser keeps them.
fn url_encoded_fields<'r>(
    req: &'r Request<'_>,
    body: &'r str,
) -> impl Iterator<Item = ValueField<'r>> + 'r {
    /// The request's stack of decoded names and values (one per request).
    struct Decoded(SharedStack<String>);
    let decoded = &req.local_cache(|| Decoded(SharedStack::new())).0;
    let decode = move |part: &'r RawStr| -> &'r str {
        match part.url_decode_lossy() {
            std::borrow::Cow::Borrowed(text) => text,
            std::borrow::Cow::Owned(text) => decoded.push_owned(text),
        }
    };
    let mut rest = RawStr::new(body);
    std::iter::from_fn(move || {
        loop {
            if rest.is_empty() {
                return None;
            }
            let (piece, tail) = rest.split_at_byte(b'&');
            rest = tail;
            if !piece.is_empty() {
                let (name, value) = piece.split_at_byte(b'=');
                return Some(ValueField::from((decode(name), decode(value))));
            }
        }
    })
}

impl<T> sealed::Sealed for Json<T> {}

impl<'r, T: rocket::serde::Deserialize<'r> + Send> VerifiedData<'r> for Json<T> {
    const LIMIT: &'static str = "json";
    const DEFAULT_LIMIT: ByteUnit = Limits::JSON;

    fn from_verified(
        req: &'r Request<'_>,
        body: Vec<u8>,
    ) -> Result<Self, (Status, VerifiedError<'r>)> {
        let body = utf8(cached(req, body))?;
        serde_json::from_str(body).map(Json).map_err(|error| {
            // As Rocket's `Json<T>`: 422 for JSON that does not fit `T`, else 400.
            let status = match error.classify() {
                serde_json::error::Category::Data => Status::UnprocessableEntity,
                _ => Status::BadRequest,
            };
            (status, VerifiedError::Json(error))
        })
    }
}

impl sealed::Sealed for String {}

impl<'r> VerifiedData<'r> for String {
    const LIMIT: &'static str = "string";
    const DEFAULT_LIMIT: ByteUnit = Limits::STRING;

    fn from_verified(
        _req: &'r Request<'_>,
        body: Vec<u8>,
    ) -> Result<Self, (Status, VerifiedError<'r>)> {
        String::from_utf8(body)
            .map_err(|e| (Status::BadRequest, VerifiedError::Utf8(e.utf8_error())))
    }
}

impl sealed::Sealed for &str {}

impl<'r> VerifiedData<'r> for &'r str {
    const LIMIT: &'static str = "string";
    const DEFAULT_LIMIT: ByteUnit = Limits::STRING;

    fn from_verified(
        req: &'r Request<'_>,
        body: Vec<u8>,
    ) -> Result<Self, (Status, VerifiedError<'r>)> {
        utf8(cached(req, body))
    }
}

impl sealed::Sealed for Vec<u8> {}

impl<'r> VerifiedData<'r> for Vec<u8> {
    const LIMIT: &'static str = "bytes";
    const DEFAULT_LIMIT: ByteUnit = Limits::BYTES;

    fn from_verified(
        _req: &'r Request<'_>,
        body: Vec<u8>,
    ) -> Result<Self, (Status, VerifiedError<'r>)> {
        Ok(body)
    }
}

impl sealed::Sealed for &[u8] {}

impl<'r> VerifiedData<'r> for &'r [u8] {
    const LIMIT: &'static str = "bytes";
    const DEFAULT_LIMIT: ByteUnit = Limits::BYTES;

    fn from_verified(
        req: &'r Request<'_>,
        body: Vec<u8>,
    ) -> Result<Self, (Status, VerifiedError<'r>)> {
        Ok(cached(req, body))
    }
}

impl<T> sealed::Sealed for Option<T> {}

/// `None` when the verified body does not parse as `T` (a forged one is still refused).
impl<'r, T: VerifiedData<'r>> VerifiedData<'r> for Option<T> {
    const LIMIT: &'static str = T::LIMIT;
    const DEFAULT_LIMIT: ByteUnit = T::DEFAULT_LIMIT;

    fn from_verified(
        req: &'r Request<'_>,
        body: Vec<u8>,
    ) -> Result<Self, (Status, VerifiedError<'r>)> {
        Ok(T::from_verified(req, body).ok())
    }
}

/// Why a [`Verified`] guard or a [`TwilioSignature`](crate::TwilioSignature) failed. Rocket
/// logs it (with `Debug`); the response is the [`TwilioAuth`](crate::TwilioAuth) fairing's
/// (for [`VerifiedError::Rejected`]) or the catcher's for the status.
///
/// `Debug` of a refusal says only that twilio-auth refused it: the adapter has logged the
/// reason already, and Rocket's line after it should not repeat it (nor show internals).
#[non_exhaustive]
pub enum VerifiedError<'r> {
    /// The request is not a genuine Twilio webhook, or its body is over the limit.
    Rejected(Rejection),
    /// No configuration is managed: the [`TwilioAuth`](crate::TwilioAuth) fairing is
    /// missing (its sentinel normally stops the launch first).
    NotConfigured,
    /// The body could not be read.
    Io(std::io::Error),
    /// The verified body is not UTF-8.
    Utf8(std::str::Utf8Error),
    /// `Form<T>` was asked of a body that is not `application/x-www-form-urlencoded`.
    NotUrlEncodedForm,
    /// The verified form does not fit `T`.
    Form(form::Errors<'r>),
    /// The verified JSON is malformed or does not fit `T`.
    Json(serde_json::Error),
    /// The key store of [`TwilioAuth::key_resolver`](crate::TwilioAuth::key_resolver)
    /// failed for the key the request names: refused with `503` (fail closed), the error
    /// logged.
    KeyStoreUnavailable,
    /// The replay guard refused the request (a duplicate, one still in flight, a stale
    /// one, or the store is down); the fairing answers with the refusal's status and body.
    #[cfg(feature = "replay")]
    #[cfg_attr(docsrs, doc(cfg(feature = "replay")))]
    Replay(twilio_auth_replay::Refusal),
}

impl From<Rejection> for VerifiedError<'_> {
    fn from(rejection: Rejection) -> Self {
        VerifiedError::Rejected(rejection)
    }
}

impl fmt::Debug for VerifiedError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifiedError::Rejected(rejection) => {
                let status = rejection.http_status();
                match rejection.log_event().level() {
                    LogLevel::Debug => write!(
                        f,
                        "refused by twilio-auth with {status}, a challenge for credentials \
                         (logged at DEBUG)"
                    ),
                    LogLevel::Warn => {
                        write!(
                            f,
                            "refused by twilio-auth with {status}, see the warning above"
                        )
                    }
                    LogLevel::Error => {
                        write!(
                            f,
                            "refused by twilio-auth with {status}, see the error above"
                        )
                    }
                }
            }
            VerifiedError::NotConfigured => f.write_str("NotConfigured"),
            VerifiedError::Io(error) => f.debug_tuple("Io").field(error).finish(),
            VerifiedError::Utf8(error) => f.debug_tuple("Utf8").field(error).finish(),
            VerifiedError::NotUrlEncodedForm => f.write_str("NotUrlEncodedForm"),
            VerifiedError::Form(errors) => f.debug_tuple("Form").field(errors).finish(),
            VerifiedError::Json(error) => f.debug_tuple("Json").field(error).finish(),
            VerifiedError::KeyStoreUnavailable => f.write_str(
                "refused by twilio-auth with 503, the key store failed: see the error above",
            ),
            #[cfg(feature = "replay")]
            VerifiedError::Replay(refusal) => write!(
                f,
                "refused by the twilio-auth replay guard with {}, see the warning above",
                refusal.status
            ),
        }
    }
}

impl fmt::Display for VerifiedError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifiedError::Rejected(rejection) => rejection.fmt(f),
            VerifiedError::NotConfigured => {
                f.write_str("no twilio_auth::Config is managed: attach TwilioAuth::fairing(config)")
            }
            VerifiedError::Io(error) => write!(f, "could not read the body: {error}"),
            VerifiedError::Utf8(error) => write!(f, "the body is not UTF-8: {error}"),
            VerifiedError::NotUrlEncodedForm => {
                f.write_str("the body is not application/x-www-form-urlencoded")
            }
            VerifiedError::Form(errors) => write!(f, "the form does not parse: {errors}"),
            VerifiedError::Json(error) => write!(f, "the JSON does not parse: {error}"),
            VerifiedError::KeyStoreUnavailable => f.write_str("webhook key store unavailable"),
            #[cfg(feature = "replay")]
            VerifiedError::Replay(refusal) => {
                write!(f, "{} ({})", refusal.reason, refusal.status)
            }
        }
    }
}

impl std::error::Error for VerifiedError<'_> {}
