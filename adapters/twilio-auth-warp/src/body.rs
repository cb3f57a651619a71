//! Reading a request body into memory without ever holding more than the configured limit
//! (SPEC §5). `warp::body::content_length_limit` alone is not enough: a chunked body has no
//! `Content-Length`, so the stream is read with a running count and abandoned the moment
//! the count passes the limit — before the rest arrives, if it ever does.

use std::convert::Infallible;
use std::pin::Pin;

use bytes::{Buf, Bytes, BytesMut};
use futures_util::{Stream, StreamExt, TryStreamExt};
use warp::Filter;
use warp::http::HeaderMap;
use warp::http::header::CONTENT_LENGTH;

use twilio_auth_core::Config;

use crate::rejection::TwilioRejection;

/// The request body as warp streams it, chunk by chunk.
pub(crate) type BodyStream = Pin<Box<dyn Stream<Item = Result<Bytes, warp::Error>> + Send>>;

/// The body stream, taken out of the request; `None` when a filter before this one took
/// it (which [`read_limited`] reports instead of rejecting here, so that this filter never
/// lets warp try another route).
pub(crate) fn body_stream()
-> impl Filter<Extract = (Option<BodyStream>,), Error = Infallible> + Clone {
    warp::body::stream()
        .map(boxed)
        .or(warp::any().map(|| None))
        .unify()
}

/// warp's stream of `impl Buf` chunks as a nameable stream of `Bytes`.
fn boxed<S, B>(stream: S) -> Option<BodyStream>
where
    S: Stream<Item = Result<B, warp::Error>> + Send + 'static,
    B: Buf,
{
    let chunks = stream.map_ok(|mut chunk| chunk.copy_to_bytes(chunk.remaining()));
    Some(Box::pin(chunks))
}

/// The whole body, or a 413 as soon as it is known to be larger than the configuration's
/// limit.
pub(crate) async fn read_limited(
    headers: &HeaderMap,
    body: Option<BodyStream>,
    config: &Config,
) -> Result<Bytes, TwilioRejection> {
    // Twilio always sends Content-Length: an announced oversize body is refused unread.
    let announced = headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok());
    config.check_content_length(announced)?;
    let limit = config.body_limit();
    let Some(mut body) = body else {
        return Err(TwilioRejection::body_taken());
    };
    let mut first: Option<Bytes> = None;
    let mut rest = BytesMut::new();
    let mut read = 0usize;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| TwilioRejection::malformed("could not read the body", e))?;
        if chunk.len() > limit - read {
            return Err(config.body_too_large().into());
        }
        read += chunk.len();
        // Most bodies come in one chunk: keep it as it is, copy only from the second on.
        match &first {
            None => first = Some(chunk),
            Some(head) => {
                if rest.is_empty() {
                    rest.reserve(read);
                    rest.extend_from_slice(head);
                }
                rest.extend_from_slice(&chunk);
            }
        }
    }
    Ok(if rest.is_empty() {
        first.unwrap_or_default()
    } else {
        rest.freeze()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::stream;

    fn chunks(parts: &[&'static str]) -> Option<BodyStream> {
        let items: Vec<Result<Bytes, warp::Error>> = parts
            .iter()
            .map(|p| Ok(Bytes::from_static(p.as_bytes())))
            .collect();
        Some(Box::pin(stream::iter(items)))
    }

    fn limit(bytes: usize) -> Config {
        Config::builder()
            .auth_token("t")
            .body_limit(bytes)
            .build()
            .unwrap()
    }

    #[tokio::test]
    async fn reads_up_to_the_limit_and_not_beyond() {
        let none = HeaderMap::new();
        let five = &limit(5);
        let body = read_limited(&none, chunks(&["ab", "cd", "e"]), five).await;
        assert_eq!(body.unwrap(), "abcde");
        let body = read_limited(&none, chunks(&["abcde"]), five).await;
        assert_eq!(body.unwrap(), "abcde");
        let body = read_limited(&none, chunks(&[]), five).await;
        assert_eq!(body.unwrap(), "");
        let over = read_limited(&none, chunks(&["ab", "cd", "ef"]), five).await;
        assert_eq!(over.unwrap_err().status(), 413);

        let mut announced = HeaderMap::new();
        announced.insert(CONTENT_LENGTH, "6".parse().unwrap());
        let over = read_limited(&announced, chunks(&["a"]), five).await;
        assert_eq!(over.unwrap_err().status(), 413);
        assert_eq!(
            read_limited(&none, None, five).await.unwrap_err().status(),
            500
        );
    }

    #[tokio::test]
    async fn stops_reading_once_over_the_limit() {
        // An endless body: reading must stop at the limit, not wait for the end.
        let endless = stream::repeat_with(|| Ok(Bytes::from_static(b"xxxxxxxx")));
        let over = read_limited(&HeaderMap::new(), Some(Box::pin(endless)), &limit(100)).await;
        assert_eq!(over.unwrap_err().status(), 413);
    }
}
