//! Reading a request's payload into memory without ever holding more than the configured
//! limit (SPEC §5), and telling a request without a body from one whose body another
//! extractor already took.

use std::future::poll_fn;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::Version;
use actix_web::http::header::{CONNECTION, CONTENT_LENGTH, TRANSFER_ENCODING, UPGRADE};
use actix_web::web::{Bytes, BytesMut};
use actix_web::{HttpRequest, ResponseError};
use futures_core::Stream;
use twilio_auth_core::handshake::is_websocket_upgrade;
use twilio_auth_core::resolver::KeyResolver;
use twilio_auth_core::{Config, Rejection, RejectionReason, ResolvedKey, RoutePolicy};

use crate::rejection::{KeyStoreUnavailable, TwilioRejection};
use crate::verify::{key_lookup, verify_request};

/// What a route checks: its policy, whether a refused signature is only reported
/// (report-only mode), and the key store to ask for keys the configuration lacks.
#[derive(Clone, Copy)]
pub(crate) struct Checks<'a> {
    pub(crate) route: RoutePolicy,
    pub(crate) report_only: bool,
    pub(crate) resolver: Option<&'a dyn KeyResolver>,
}

impl Checks<'static> {
    /// `route` enforced, with the configured keys alone (the extractors).
    pub(crate) fn enforce(route: RoutePolicy) -> Self {
        Checks {
            route,
            report_only: false,
            resolver: None,
        }
    }
}

/// Reads `payload` within the configuration's body limit and verifies `req` with it as
/// `route` demands: the payload to hand on (the verified bytes), or the error to answer with
/// (a [`TwilioRejection`], or actix's own error when the client broke off the body).
///
/// A WebSocket handshake has no body: after the headers come the WebSocket's frames, which
/// actix hands over as the payload. It is verified without a body (the core refuses nothing
/// for that: Twilio signs a handshake URL-only) and its payload is handed on untouched, for
/// the handler's `web::Payload` (`actix_ws::handle`).
pub(crate) async fn read_verified(
    req: &HttpRequest,
    payload: Payload,
    config: &Config,
    checks: Checks<'_>,
) -> Result<Payload, actix_web::Error> {
    read_verified_bytes(req, payload, config, checks)
        .await
        .map(|(payload, _)| payload)
}

/// [`read_verified`], also returning the verified bytes (empty for a WebSocket handshake).
pub(crate) async fn read_verified_bytes(
    req: &HttpRequest,
    payload: Payload,
    config: &Config,
    checks: Checks<'_>,
) -> Result<(Payload, Bytes), actix_web::Error> {
    if is_handshake(req) {
        let resolved = resolve(config, req, &[], checks).await?;
        verify_request(
            config,
            req,
            &[],
            checks.route,
            checks.report_only,
            resolved.as_ref(),
        )?;
        return Ok((payload, Bytes::new()));
    }
    if body_taken(req, &payload) {
        tracing::error!(
            "the request's body was read before twilio-auth could verify it: another \
             extractor or middleware took it; take the body through `Verified<E>` (or put \
             the `TwilioAuth` middleware outermost)"
        );
        let rejection = TwilioRejection::logged(Rejection::new(RejectionReason::UnsignedBody));
        return Err(rejection.into());
    }
    let bytes = read_limited(req, payload, config).await?;
    let resolved = resolve(config, req, &bytes, checks).await?;
    verify_request(
        config,
        req,
        &bytes,
        checks.route,
        checks.report_only,
        resolved.as_ref(),
    )?;
    Ok((Payload::from(bytes.clone()), bytes))
}

/// Whether `req` opens a WebSocket (`GET` with `Upgrade: websocket`, `Connection: upgrade`).
/// The key the request names, from the route's key store, when the configuration lacks it;
/// a store error is a `503` ([`KeyStoreUnavailable`]).
async fn resolve(
    config: &Config,
    req: &HttpRequest,
    body: &[u8],
    checks: Checks<'_>,
) -> Result<Option<ResolvedKey>, actix_web::Error> {
    let Some(resolver) = checks.resolver else {
        return Ok(None);
    };
    let Some(lookup) = key_lookup(config, req, body, checks.route) else {
        return Ok(None);
    };
    resolver
        .resolve(&lookup)
        .await
        .map_err(|error| KeyStoreUnavailable::logged(&lookup, &*error).into())
}

fn is_handshake(req: &HttpRequest) -> bool {
    let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    is_websocket_upgrade(req.method().as_str(), header(UPGRADE), header(CONNECTION))
}

/// Whether the request has a body that is no longer in `payload`. Over HTTP/1 actix leaves
/// the payload empty only when the request announces no body (no `Content-Length` above 0,
/// no `Transfer-Encoding`); over HTTP/2 every request has a payload stream. An empty payload
/// otherwise means an extractor that ran before ours took the body: a handler could read
/// bytes nobody verified.
fn body_taken(req: &HttpRequest, payload: &Payload) -> bool {
    if !matches!(payload, Payload::None) {
        return false;
    }
    if req.version() == Version::HTTP_2 || req.version() == Version::HTTP_3 {
        return true;
    }
    let headers = req.headers();
    let announced_length = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim() != "0");
    announced_length || headers.contains_key(TRANSFER_ENCODING)
}

/// The whole payload as one buffer, never more than the configuration's limit: an announced
/// oversize body is refused unread, and a body that grows past the limit (chunked, or
/// longer than announced) is refused as soon as it does.
async fn read_limited(
    req: &HttpRequest,
    mut payload: Payload,
    config: &Config,
) -> Result<Bytes, actix_web::Error> {
    let too_large = || TwilioRejection::logged(config.body_too_large());
    let announced = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok());
    config
        .check_content_length(announced)
        .map_err(TwilioRejection::logged)?;
    let limit = config.body_limit();
    let mut first = Bytes::new();
    let mut joined: Option<BytesMut> = None;
    let mut read = 0usize;
    while let Some(chunk) = poll_fn(|cx| Pin::new(&mut payload).poll_next(cx)).await {
        let chunk = chunk.map_err(|error| {
            tracing::warn!(
                status = error.status_code().as_u16(),
                "rejected a Twilio webhook: could not read the body: {error}"
            );
            actix_web::Error::from(error)
        })?;
        read = read.saturating_add(chunk.len());
        if read > limit {
            return Err(too_large().into());
        }
        // The usual body, one chunk, is kept as it came; several are joined.
        match &mut joined {
            Some(joined) => joined.extend_from_slice(&chunk),
            None if first.is_empty() => first = chunk,
            None => {
                let mut both = BytesMut::with_capacity(first.len() + chunk.len());
                both.extend_from_slice(&first);
                both.extend_from_slice(&chunk);
                joined = Some(both);
            }
        }
    }
    Ok(joined.map_or(first, BytesMut::freeze))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn an_empty_payload_is_a_taken_body_only_when_one_was_announced() {
        let none = TestRequest::default().to_http_request();
        assert!(!body_taken(&none, &Payload::None));
        let zero = TestRequest::default()
            .insert_header((CONTENT_LENGTH, "0"))
            .to_http_request();
        assert!(!body_taken(&zero, &Payload::None));
        let announced = TestRequest::default()
            .insert_header((CONTENT_LENGTH, "12"))
            .to_http_request();
        assert!(body_taken(&announced, &Payload::None));
        assert!(!body_taken(
            &announced,
            &Payload::from(Bytes::from_static(b"x"))
        ));
        let chunked = TestRequest::default()
            .insert_header((TRANSFER_ENCODING, "chunked"))
            .to_http_request();
        assert!(body_taken(&chunked, &Payload::None));
        let h2 = TestRequest::default()
            .version(Version::HTTP_2)
            .to_http_request();
        assert!(body_taken(&h2, &Payload::None));
    }
}
