//! Reading any `http_body::Body` into memory without ever holding more than the configured
//! limit (SPEC §5): the announced `Content-Length` is checked before a byte is read, and the
//! bytes are counted while they stream in, so a chunked body over the limit is refused as
//! soon as the frame that crosses it arrives.

use bytes::{Buf, Bytes, BytesMut};
use http::HeaderMap;
use http::header::CONTENT_LENGTH;
use http_body::Body;
use http_body_util::BodyExt;
use twilio_auth_core::{Config, Rejection};

/// The error type every `http_body` error converts into.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Why a body could not be read.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// Over the configuration's limit: answered like every other verification failure (413).
    TooLarge(Rejection),
    /// The body itself failed (the client went away, a malformed chunk): a 400.
    Unreadable(BoxError),
}

/// Reads the whole of `body`, whose request carried `headers`, within the configuration's
/// body limit.
///
/// The usual body, a single frame, is kept as it came (no copy); several are joined.
/// Trailers are ignored: nothing signs them and nothing downstream sees them.
pub(crate) async fn read_limited<B>(
    headers: &HeaderMap,
    body: B,
    config: &Config,
) -> Result<Bytes, BodyError>
where
    B: Body,
    B::Error: Into<BoxError>,
{
    // Twilio always sends Content-Length: an announced oversize body is refused unread.
    let announced = headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok());
    config
        .check_content_length(announced)
        .map_err(BodyError::TooLarge)?;
    let limit = config.body_limit();
    if body.size_hint().lower() > limit as u64 {
        return Err(BodyError::TooLarge(config.body_too_large()));
    }
    let mut body = std::pin::pin!(body);
    let mut first = Bytes::new();
    let mut joined: Option<BytesMut> = None;
    let mut received = 0usize;
    while let Some(frame) = body.as_mut().frame().await {
        let frame = frame.map_err(|e| BodyError::Unreadable(e.into()))?;
        let Ok(mut data) = frame.into_data() else {
            continue; // trailers
        };
        let data = data.copy_to_bytes(data.remaining());
        received = received.saturating_add(data.len());
        if received > limit {
            // Stop here: the rest of the body is never read.
            return Err(BodyError::TooLarge(config.body_too_large()));
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;
    use std::convert::Infallible;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use http_body::Frame;

    /// A body that hands out the given frames one by one and counts how many were taken.
    struct Frames {
        frames: VecDeque<&'static [u8]>,
        taken: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    }

    impl Body for Frames {
        type Data = Bytes;
        type Error = Infallible;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
            let next = self.frames.pop_front();
            if next.is_some() {
                self.taken.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            Poll::Ready(next.map(|b| Ok(Frame::data(Bytes::from_static(b)))))
        }
    }

    fn config(limit: usize) -> Config {
        Config::builder()
            .auth_token("t")
            .body_limit(limit)
            .build()
            .unwrap()
    }

    async fn read(frames: &[&'static [u8]], limit: usize) -> (Result<Bytes, BodyError>, usize) {
        let taken = std::sync::Arc::default();
        let body = Frames {
            frames: frames.iter().copied().collect(),
            taken: std::sync::Arc::clone(&taken),
        };
        let read = read_limited(&HeaderMap::new(), body, &config(limit)).await;
        (read, taken.load(std::sync::atomic::Ordering::SeqCst))
    }

    #[tokio::test]
    async fn frames_are_joined_and_the_limit_counts_them_all() {
        let (one, _) = read(&[b"CallSid=CA1"], 11).await;
        assert_eq!(one.ok().as_deref(), Some(&b"CallSid=CA1"[..]));
        let (three, _) = read(&[b"CallSid", b"", b"=CA1", b"&From=x"], 64).await;
        assert_eq!(three.ok().as_deref(), Some(&b"CallSid=CA1&From=x"[..]));
        // Each frame fits; together they do not.
        let (over, _) = read(&[b"CallSid", b"=CA1"], 10).await;
        assert!(matches!(over, Err(BodyError::TooLarge(_))));
    }

    #[tokio::test]
    async fn nothing_is_read_past_the_frame_that_crosses_the_limit() {
        let (over, taken) = read(&[b"12345", b"67890", b"abc", b"def"], 8).await;
        assert!(matches!(over, Err(BodyError::TooLarge(_))));
        assert_eq!(taken, 2, "frames pulled from the body");
    }

    #[tokio::test]
    async fn an_announced_oversize_body_is_refused_unread() {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_LENGTH, "9".parse().unwrap());
        let taken = std::sync::Arc::default();
        let body = Frames {
            frames: [&b"123456789"[..]].into_iter().collect(),
            taken: std::sync::Arc::clone(&taken),
        };
        let read = read_limited(&headers, body, &config(8)).await;
        assert!(matches!(read, Err(BodyError::TooLarge(_))));
        assert_eq!(taken.load(std::sync::atomic::Ordering::SeqCst), 0);
    }
}
