//! Reading a request body into memory without ever holding more than the configured limit
//! (SPEC §5), and telling that limit apart from axum's own `DefaultBodyLimit`.

use std::error::Error as _;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_LENGTH;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::{BoxError, RequestExt};
use bytes::BytesMut;
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt;
use twilio_auth_core::Config;

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

/// Reads the whole body of `req` into memory, through a limiter that fails past the
/// configuration's body limit, and gives the request's parts back with it. axum's
/// `DefaultBodyLimit` (a request extension) applies as well, as it does for every axum
/// extractor. Nothing of the request is copied: its parts move through. (The tower layer
/// runs before any route's limit and reads the body in `twilio_auth_tower`.)
pub(crate) async fn read_limited(
    req: Request,
    config: &Config,
) -> Result<(Parts, Bytes), BodyError> {
    let too_large = || BodyError::TooLarge(TwilioRejection::from(config.body_too_large()));
    // Twilio always sends Content-Length: an announced oversize body is refused unread.
    let announced = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok());
    config
        .check_content_length(announced)
        .map_err(|rejection| BodyError::TooLarge(rejection.into()))?;
    let req = req.with_limited_body();
    let (parts, body) = req.into_parts();
    let limited = LimitedBody {
        inner: body,
        remaining: config.body_limit(),
    };
    match collect(limited).await {
        Ok(bytes) => Ok((parts, bytes)),
        Err(error) if error.source().is_some_and(|e| e.is::<LimitExceeded>()) => Err(too_large()),
        Err(error) => Err(BodyError::Axum(axum_rejection(error).await)),
    }
}

/// The body's data frames as one buffer. The usual body, a single frame, is kept as it
/// came (no copy, no list of frames); several are joined.
async fn collect(mut body: LimitedBody) -> Result<Bytes, axum::Error> {
    let mut first = Bytes::new();
    let mut joined: Option<BytesMut> = None;
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame?.into_data() else {
            continue; // trailers
        };
        match &mut joined {
            Some(joined) => joined.extend_from_slice(&data),
            None if first.is_empty() => first = data,
            None => {
                let mut both = BytesMut::with_capacity(first.len() + data.len());
                both.extend_from_slice(&first);
                both.extend_from_slice(&data);
                joined = Some(both);
            }
        }
    }
    Ok(joined.map_or(first, BytesMut::freeze))
}

/// The answer axum's own `Bytes` extractor gives for a body that failed with `error`
/// (413 for its `DefaultBodyLimit`, 400 for a client that went away), word for word.
async fn axum_rejection(error: axum::Error) -> Response {
    // Unwrapped: the extractor looks through the layers of `axum::Error` that reading
    // the body adds, and one more would hide a `LengthLimitError`.
    let failed = Request::new(Body::new(Failed(Some(error.into_inner()))));
    let rejection = match Bytes::from_request(failed, &()).await {
        Err(rejection) => rejection,
        // A body whose first frame is an error is never read whole.
        Ok(_) => return StatusCode::BAD_REQUEST.into_response(),
    };
    tracing::warn!(
        status = rejection.status().as_u16(),
        "rejected a Twilio webhook: could not read the body: {rejection}"
    );
    rejection.into_response()
}

/// A body whose only frame is an error.
struct Failed(Option<BoxError>);

impl HttpBody for Failed {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        Poll::Ready(self.0.take().map(Err))
    }
}

/// A body that fails once more than `remaining` bytes have gone through it.
struct LimitedBody {
    inner: Body,
    remaining: usize,
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    /// A body that hands out the given frames one by one.
    struct Frames(VecDeque<&'static [u8]>);

    impl HttpBody for Frames {
        type Data = Bytes;
        type Error = axum::Error;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
            Poll::Ready(self.0.pop_front().map(|b| Ok(Frame::data(Bytes::from(b)))))
        }
    }

    async fn read(frames: &[&'static [u8]], limit: usize) -> Result<Bytes, BodyError> {
        let body = Body::new(Frames(frames.iter().copied().collect()));
        let config = Config::builder()
            .auth_token("t")
            .body_limit(limit)
            .build()
            .unwrap();
        read_limited(Request::new(body), &config)
            .await
            .map(|(_, bytes)| bytes)
    }

    #[tokio::test]
    async fn frames_are_joined_and_the_limit_counts_them_all() {
        let one = read(&[b"CallSid=CA1"], 11).await;
        assert_eq!(one.ok().as_deref(), Some(&b"CallSid=CA1"[..]));
        let three = read(&[b"CallSid", b"", b"=CA1", b"&From=x"], 64).await;
        assert_eq!(three.ok().as_deref(), Some(&b"CallSid=CA1&From=x"[..]));
        // Each frame fits; together they do not.
        let over = read(&[b"CallSid", b"=CA1"], 10).await;
        assert!(matches!(over, Err(BodyError::TooLarge(_))));
    }
}
