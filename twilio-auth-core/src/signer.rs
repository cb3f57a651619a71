//! A signer that produces exactly what Twilio sends, for tests of webhook handlers.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::algorithm::{Algorithm, KeyedMac};
use crate::body_hash::body_sha256_hex;
use crate::form::{self, FormBuffers, SigningParams};
use crate::secret::Secret;

/// Signs requests as Twilio would.
///
/// ```
/// use twilio_auth_core::{Config, Signer, WebhookRequest, form};
///
/// let signer = Signer::new("12345");
/// let url = "https://example.com/voice";
/// let params = [("CallSid", "CA1"), ("From", "+14155550100")];
/// let signature = signer.sign_form(url, &params);
///
/// let body = form::encode(&params);
/// let headers = [
///     ("X-Twilio-Signature", signature.as_str()),
///     ("Content-Type", "application/x-www-form-urlencoded"),
/// ];
/// let config = Config::builder().auth_token("12345").build().unwrap();
/// let req = WebhookRequest::from_url("POST", url).headers(&headers).body(body.as_bytes());
/// assert!(config.verify(&req).is_ok());
/// ```
#[derive(Clone)]
pub struct Signer {
    mac: KeyedMac,
    algorithm: Algorithm,
}

/// A URL with `bodySHA256` added, and its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedBody {
    /// The URL Twilio requests: the original with `bodySHA256=<hex>` appended to its query.
    pub url: String,
    /// The `X-Twilio-Signature` value.
    pub signature: String,
}

impl Signer {
    /// A signer with an Auth Token and HMAC-SHA1 (what Twilio uses by default).
    pub fn new(token: impl Into<Secret>) -> Self {
        Self::with_algorithm(token, Algorithm::HmacSha1)
    }

    /// A signer with any secret and algorithm (a SharedKey with HMAC-SHA256, say).
    pub fn with_algorithm(secret: impl Into<Secret>, algorithm: Algorithm) -> Self {
        let secret = secret.into();
        Signer {
            mac: KeyedMac::new(secret.expose().as_bytes()),
            algorithm,
        }
    }

    /// The signature of a form POST to `url` with decoded `params` (in any order).
    pub fn sign_form<N: AsRef<str>, V: AsRef<str>>(&self, url: &str, params: &[(N, V)]) -> String {
        self.sign_form_body(url, form::encode(params).as_bytes())
    }

    /// The signature of a form POST whose raw `application/x-www-form-urlencoded` body is
    /// `body`.
    pub fn sign_form_body(&self, url: &str, body: &[u8]) -> String {
        // The verifier's own decoding and ordering: signer and verifier cannot drift.
        let mut buffers = FormBuffers::reuse();
        let params = SigningParams::decode(body, &mut buffers);
        self.sign_suffix(url, params.by_bytes())
    }

    /// The signature of a request signed by URL alone (GET, or a URL carrying `bodySHA256`).
    pub fn sign_url(&self, url: &str) -> String {
        self.sign_suffix(url, b"")
    }

    /// Adds `bodySHA256` to `url` and signs the result, as Twilio does for JSON bodies.
    pub fn sign_body(&self, url: &str, body: &[u8]) -> SignedBody {
        let url = with_body_hash(url, body);
        let signature = self.sign_url(&url);
        SignedBody { url, signature }
    }

    /// The signature of `url` followed by the parameters' `suffix` (in byte order, as
    /// Twilio's back ends sign).
    fn sign_suffix(&self, url: &str, suffix: &[u8]) -> String {
        STANDARD.encode(self.mac.sign(self.algorithm, url, suffix))
    }
}

/// `url` with `bodySHA256=<hex of the body's SHA-256>` appended to its query.
///
/// ```
/// use twilio_auth_core::signer::with_body_hash;
///
/// assert_eq!(
///     with_body_hash("https://h/events?x=1", b"{}"),
///     "https://h/events?x=1&bodySHA256=44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
/// );
/// ```
pub fn with_body_hash(url: &str, body: &[u8]) -> String {
    let sep = match url.find('?') {
        Some(q) if q + 1 < url.len() => "&",
        Some(_) => "",
        None => "?",
    };
    format!("{url}{sep}bodySHA256={}", body_sha256_hex(body))
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("secret", &"***")
            .field("algorithm", &self.algorithm)
            .finish()
    }
}
