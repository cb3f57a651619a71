//! `Replayable<E, P>`: the extractor `#[twilio_signed(replay = …)]` writes — verification as
//! in [`Verified`](crate::Verified), then the body extractor, with what the replay guard
//! needs kept for [`admit`](Replayable::admit) (feature `replay`).

use std::marker::PhantomData;

use axum::body::Body;
use axum::extract::{FromRef, FromRequest, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use twilio_auth_core::{Config, Verified as CoreVerified};
use twilio_auth_replay::{Admission, ReplayGuard, RequestFacts, Ticket};

use crate::body::read_limited;
use crate::policy::{Policy, Signature};
use crate::rejection::TwilioRejection;
use crate::verified::{VerifiedRejection, ViaVerified};
use crate::verify::verify_parts;

/// A verified request whose replay guard has not yet been asked: what
/// `#[twilio_signed(replay = guard)]` extracts, then [`admit`](Self::admit)s before the
/// handler's body runs. Written by hand:
///
/// ```
/// use axum::Form;
/// use axum::response::{IntoResponse, Response};
/// use std::collections::HashMap;
/// use twilio_auth_axum::Replayable;
/// use twilio_auth_replay::ReplayGuard;
///
/// async fn voice(request: Replayable<Form<HashMap<String, String>>>) -> Response {
///     let guard = ReplayGuard::memory(); // share one guard between requests in real code
///     let (Form(call), ticket) = match request.admit(&guard).await {
///         Ok(admitted) => admitted,
///         Err(refusal) => return refusal, // duplicate, in flight, store down…
///     };
///     let response = format!("{} parameters", call.len()).into_response();
///     ticket.finish(response.status().as_u16()).await; // 2xx: done; else: released
///     response
/// }
/// ```
pub struct Replayable<E, P: Policy = Signature> {
    inner: P::Inner<E>,
    facts: Facts,
    config: Config,
    policy: PhantomData<fn() -> P>,
}

struct Facts {
    method: String,
    signature: Option<String>,
    query: Option<String>,
    content_type: Option<String>,
    idempotency_token: Option<String>,
    body: Bytes,
    verified: CoreVerified,
}

impl<E, P: Policy> std::fmt::Debug for Replayable<E, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replayable")
            .field("method", &self.facts.method)
            .finish_non_exhaustive()
    }
}

impl<S, M, E, P> FromRequest<S, ViaVerified<M>> for Replayable<E, P>
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
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let facts = Facts {
            method: parts.method.as_str().to_owned(),
            signature: header("x-twilio-signature"),
            query: parts.uri.query().map(str::to_owned),
            content_type: header(CONTENT_TYPE.as_str()),
            idempotency_token: header("i-twilio-idempotency-token"),
            body: bytes.clone(),
            verified: parts
                .extensions
                .get::<CoreVerified>()
                .cloned()
                .expect("verify_parts leaves the core's Verified"),
        };
        let req = Request::from_parts(parts, Body::from(bytes));
        let inner = E::from_request(req, state)
            .await
            .map(P::wrap)
            .map_err(VerifiedRejection::Extractor)?;
        Ok(Replayable {
            inner,
            facts,
            config,
            policy: PhantomData,
        })
    }
}

impl<E, P: Policy> Replayable<E, P> {
    /// Asks `guard` about this request: the extracted value and the [`Ticket`] to finish
    /// with the handler's status, or the response that refuses it (a duplicate of a
    /// completed request `200` empty, one in flight `409`, a replayed Digest `Authorization`
    /// `401` with fresh challenges, a stale signed timestamp `403`, the store down `503`).
    pub async fn admit(self, guard: &ReplayGuard) -> Result<(P::Inner<E>, Ticket), Response> {
        let f = &self.facts;
        let facts = RequestFacts {
            method: &f.method,
            signature: f.signature.as_deref(),
            query: f.query.as_deref(),
            content_type: f.content_type.as_deref(),
            body: &f.body,
            verified: &f.verified,
            idempotency_token: f.idempotency_token.as_deref(),
        };
        match guard.admit(&facts).await {
            Admission::Proceed(ticket) => Ok((self.inner, ticket)),
            Admission::Refuse(refusal) => {
                if let Some(rejection) = refusal.login_rejection(&self.config, P::ROUTE) {
                    return Err(TwilioRejection(rejection).into_response());
                }
                let status =
                    StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
                Err((
                    status,
                    [(CONTENT_TYPE, "text/plain; charset=utf-8")],
                    refusal.body,
                )
                    .into_response())
            }
        }
    }
}
