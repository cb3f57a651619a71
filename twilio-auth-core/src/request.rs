//! A webhook request as the server received it, in plain data: the one type every adapter
//! fills in.

use crate::headers::Headers;

/// Where the request's URL comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target<'a> {
    /// The raw path and query as received; the configuration supplies the rest.
    PathAndQuery(&'a str),
    /// The full public URL, already known.
    Url(&'a str),
}

/// The parts of a request that verification reads.
///
/// ```
/// use twilio_auth_core::WebhookRequest;
///
/// let headers = [("Host", "example.com"), ("X-Twilio-Signature", "abc=")];
/// let req = WebhookRequest::new("POST", "/voice?x=1").headers(&headers).body(b"From=%2B1");
/// assert_eq!(req.method(), "POST");
/// assert_eq!(req.header("x-twilio-signature"), Some("abc="));
/// ```
#[derive(Clone, Copy)]
pub struct WebhookRequest<'a> {
    method: &'a str,
    pub(crate) target: Target<'a>,
    headers: &'a dyn Headers,
    body: &'a [u8],
    pub(crate) authority: Option<&'a str>,
    /// `None`: a WebSocket handshake when its headers say so.
    handshake: Option<bool>,
    /// `false`: no diagnosis of a refused signature for this request.
    pub(crate) diagnose: bool,
}

impl<'a> WebhookRequest<'a> {
    /// A request for `path_and_query` (exactly as received: not decoded, not normalised,
    /// and before any router stripped a prefix).
    pub fn new(method: &'a str, path_and_query: &'a str) -> Self {
        WebhookRequest {
            method,
            target: Target::PathAndQuery(path_and_query),
            headers: &(),
            body: &[],
            authority: None,
            handshake: None,
            diagnose: true,
        }
    }

    /// A request whose full public URL is known (the CLI, tests, a custom URL policy).
    pub fn from_url(method: &'a str, url: &'a str) -> Self {
        WebhookRequest {
            target: Target::Url(url),
            ..WebhookRequest::new(method, "")
        }
    }

    /// The request's headers.
    pub fn headers(mut self, headers: &'a dyn Headers) -> Self {
        self.headers = headers;
        self
    }

    /// The raw body bytes, exactly as received.
    pub fn body(mut self, body: &'a [u8]) -> Self {
        self.body = body;
        self
    }

    /// The authority (host and port) of the request line, for HTTP/2 requests that carry
    /// `:authority` instead of a `Host` header. `Host` wins when both exist.
    pub fn authority(mut self, authority: Option<&'a str>) -> Self {
        self.authority = authority;
        self
    }

    /// No [diagnosis](crate::Diagnosis) if this request's signature is refused, whatever the
    /// configuration says: for an adapter that tries several spellings of one request
    /// (e.g. orders of a query that arrived parsed) and diagnoses only the first once all
    /// have failed, so that a request accepted on its second spelling costs no diagnosis.
    pub fn without_diagnosis(mut self) -> Self {
        self.diagnose = false;
        self
    }

    /// Verifies the request as a WebSocket handshake (`true`) or as a plain request
    /// (`false`), whatever its headers say. By default it is a handshake when it is a `GET`
    /// with `Upgrade: websocket` and `Connection: upgrade` (see [`crate::handshake`]).
    ///
    /// ```
    /// use twilio_auth_core::WebhookRequest;
    ///
    /// let headers = [("Upgrade", "websocket"), ("Connection", "Upgrade")];
    /// let req = WebhookRequest::new("GET", "/media").headers(&headers);
    /// assert!(req.is_websocket_handshake());
    /// assert!(!req.websocket_handshake(false).is_websocket_handshake());
    /// ```
    pub fn websocket_handshake(mut self, handshake: bool) -> Self {
        self.handshake = Some(handshake);
        self
    }

    /// Whether the request is verified as a WebSocket handshake: as set by
    /// [`websocket_handshake`](Self::websocket_handshake), else from its method and headers.
    pub fn is_websocket_handshake(&self) -> bool {
        self.handshake.unwrap_or_else(|| {
            crate::handshake::is_websocket_upgrade(
                self.method,
                self.header("upgrade"),
                self.header("connection"),
            )
        })
    }

    pub(crate) fn headers_dyn(&self) -> &'a dyn Headers {
        self.headers
    }

    /// The request method.
    pub fn method(&self) -> &'a str {
        self.method
    }

    /// The raw body.
    pub fn body_bytes(&self) -> &'a [u8] {
        self.body
    }

    /// A header value (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers.header(name)
    }

    /// The request target as received (path and query), or the full URL for
    /// [`WebhookRequest::from_url`] requests.
    pub fn target(&self) -> &'a str {
        match self.target {
            Target::PathAndQuery(p) | Target::Url(p) => p,
        }
    }
}

impl std::fmt::Debug for WebhookRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookRequest")
            .field("method", &self.method)
            .field("target", &self.target)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}
