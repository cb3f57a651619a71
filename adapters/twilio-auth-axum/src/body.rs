//! Reading a request body into memory without ever holding more than the configured limit
//! (SPEC §5), and telling that limit apart from axum's own `DefaultBodyLimit`.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{DefaultBodyLimit, FromRequest, Request};
use axum::http::header::CONTENT_LENGTH;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use http_body::{Frame, SizeHint};
use twilio_auth_core::{Rejection, RejectionReason};

use crate::rejection::TwilioRejection;

/// Why a body could not be read.
pub(crate) enum BodyError {
    /// Over the configuration's limit: answered like every other verification failure.
    TooLarge(TwilioRejection),
    /// axum refused it (its `DefaultBodyLimit`, or the client went away): axum's own answer.
    Axum(Response),
}

impl IntoResponse for BodyError {
    fn into_response(self) -> Response {
        match self {
            BodyError::TooLarge(rejection) => rejection.into_response(),
            BodyError::Axum(response) => response,
        }
    }
}

/// Reads the whole body of `parts` + `body` through axum's `Bytes` extractor and through a
/// limiter that stops at `limit`. With `honour_default_limit`, axum's `DefaultBodyLimit`
/// (a request extension) applies as well, as it does for every axum extractor; without it
/// (the tower layer, which runs before any route's limit), `limit` alone does.
pub(crate) async fn read_limited<S: Send + Sync>(
    parts: &Parts,
    body: Body,
    limit: usize,
    state: &S,
    honour_default_limit: bool,
) -> Result<Bytes, BodyError> {
    let too_large = || {
        BodyError::TooLarge(TwilioRejection::from(Rejection::new(
            RejectionReason::BodyTooLarge { limit },
        )))
    };
    // Twilio always sends Content-Length: refuse an announced oversize body before reading it.
    let announced = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|len| len > limit as u64) {
        return Err(too_large());
    }
    let exceeded = Arc::new(AtomicBool::new(false));
    let limited = Body::new(LimitedBody {
        inner: body,
        remaining: limit,
        exceeded: Arc::clone(&exceeded),
    });
    let mut probe = Request::new(limited);
    if honour_default_limit {
        // `DefaultBodyLimit` travels as a request extension: keep the request's extensions.
        *probe.extensions_mut() = parts.extensions.clone();
    } else {
        DefaultBodyLimit::disable().apply(&mut probe);
    }
    match Bytes::from_request(probe, state).await {
        Ok(bytes) => Ok(bytes),
        Err(_) if exceeded.load(Ordering::Relaxed) => Err(too_large()),
        Err(rejection) => {
            tracing::warn!(
                status = rejection.status().as_u16(),
                "rejected a Twilio webhook: could not read the body: {rejection}"
            );
            Err(BodyError::Axum(rejection.into_response()))
        }
    }
}

/// A body that fails once more than `remaining` bytes have gone through it.
struct LimitedBody {
    inner: Body,
    remaining: usize,
    exceeded: Arc<AtomicBool>,
}

/// The error a [`LimitedBody`] fails with.
#[derive(Debug)]
struct LimitExceeded;

impl std::fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("body larger than the twilio-auth body limit")
    }
}

impl std::error::Error for LimitExceeded {}

impl HttpBody for LimitedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    if data.len() > this.remaining {
                        this.exceeded.store(true, Ordering::Relaxed);
                        return Poll::Ready(Some(Err(axum::Error::new(LimitExceeded))));
                    }
                    this.remaining -= data.len();
                }
                Poll::Ready(Some(Ok(frame)))
            }
            other => other,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
