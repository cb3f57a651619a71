//! What verification concludes: [`Verified`], or a [`Rejection`] that knows its HTTP
//! status, its `WWW-Authenticate` challenges and a reason for the log — never a secret.

use std::fmt;

use crate::algorithm::Algorithm;
use crate::diagnosis::Diagnosis;
use crate::hints::Hint;
use crate::http_auth::{DigestNonceUse, HttpAuthFailureReason};
use crate::status::RejectionStatus;

/// Which configured secret signed an accepted request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// The primary Auth Token.
    PrimaryToken,
    /// The secondary Auth Token (during rotation).
    SecondaryToken,
    /// A sub-account's Auth Token, chosen by the request's `AccountSid`.
    Account(String),
    /// A SharedKey secret, chosen by the signature-settings header.
    SharedKey(String),
}

impl fmt::Display for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeySource::PrimaryToken => f.write_str("primary Auth Token"),
            KeySource::SecondaryToken => f.write_str("secondary Auth Token"),
            KeySource::Account(sid) => write!(f, "Auth Token of account {sid}"),
            KeySource::SharedKey(id) => write!(f, "SharedKey {id}"),
        }
    }
}

/// What verification proved about an accepted request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verified {
    /// The signature that matched (`None` on a route that HTTP authentication alone
    /// protects).
    pub signature: Option<SignatureMatch>,
    /// The user that passed HTTP authentication (`None` when the route requires none).
    pub user: Option<String>,
    /// The Digest `(nonce, nc)` pair the request authenticated with (`None` without Digest):
    /// what a replay store records so that the same `Authorization` is refused twice.
    pub nonce_use: Option<DigestNonceUse>,
}

impl Verified {
    /// The URL whose signature matched, if the route checks signatures.
    pub fn url(&self) -> Option<&str> {
        self.signature.as_ref().map(|s| s.url.as_str())
    }

    /// The secret that signed the request, if the route checks signatures.
    pub fn key(&self) -> Option<&KeySource> {
        self.signature.as_ref().map(|s| &s.key)
    }
}

/// A signature that matched: which URL, which secret, which algorithm.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignatureMatch {
    /// The candidate URL whose signature matched, with any password shown as `***`.
    pub url: String,
    /// The secret that signed it.
    pub key: KeySource,
    /// The algorithm that signed it.
    pub algorithm: Algorithm,
}

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RejectionReason {
    /// The body is larger than the configured limit.
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// No `Host` header (nor trusted forwarded host) to rebuild the URL from.
    MissingHost,
    /// The `Host` or forwarded host cannot stand in a URL.
    InvalidHost,
    /// The request URL is not an absolute URL with a valid host and port.
    InvalidUrl,
    /// No `X-Twilio-Signature` header, or an empty one.
    MissingSignature,
    /// The signature is not padded standard base64 of the algorithm's output length.
    MalformedSignature,
    /// The signature matches none of the candidate URLs.
    SignatureMismatch,
    /// The signature-settings header names an algorithm other than HMAC_SHA1/HMAC_SHA256.
    UnknownAlgorithm,
    /// The signature-settings header names a SharedKey that is not configured, or has no key.
    UnknownSharedKey,
    /// A non-form body, but the URL has no `bodySHA256` parameter.
    MissingBodyHash,
    /// `bodySHA256` does not match the SHA-256 of the body.
    BodyHashMismatch,
    /// HTTP Basic or Digest authentication failed; the reason says how.
    HttpAuth(HttpAuthFailureReason),
    /// The route requires HTTP authentication but the configuration has no credentials.
    HttpAuthNotConfigured,
    /// The request carries a body its signature does not cover: a `GET` or `HEAD` body
    /// without `bodySHA256` in the URL (Twilio signs these methods URL-only), or any body
    /// where a guard that cannot read it stands.
    UnsignedBody,
    /// Per-account tokens are configured and the request's `AccountSid` values disagree
    /// (two different ones in the body, or body and query).
    ConflictingAccountSid,
    /// The signature-settings header names a configured SharedKey with another algorithm
    /// than the one it is configured with.
    SharedKeyAlgorithmMismatch,
    /// Only SharedKeys are accepted, and the request names none.
    SharedKeyRequired,
    /// Only sub-account tokens are configured, and the request's `AccountSid` (if any)
    /// names none of them.
    UnknownAccount,
}

impl RejectionReason {
    /// The HTTP status for this reason (SPEC §5).
    pub fn http_status(&self) -> RejectionStatus {
        match self {
            RejectionReason::BodyTooLarge { .. } => RejectionStatus::PayloadTooLarge,
            RejectionReason::MissingHost
            | RejectionReason::InvalidHost
            | RejectionReason::InvalidUrl => RejectionStatus::BadRequest,
            RejectionReason::HttpAuth(_) | RejectionReason::HttpAuthNotConfigured => {
                RejectionStatus::Unauthorized
            }
            _ => RejectionStatus::Forbidden,
        }
    }

    /// The HTTP status code for this reason: [`RejectionReason::http_status`] as a number.
    pub fn status(&self) -> u16 {
        self.http_status().code()
    }

    /// A stable `snake_case` name for this reason, for metrics labels and log queries
    /// (`signature_mismatch`, `body_too_large`, `http_auth_missing_credentials`, …).
    ///
    /// ```
    /// use twilio_auth_core::RejectionReason;
    /// use twilio_auth_core::http_auth::HttpAuthFailureReason;
    ///
    /// assert_eq!(RejectionReason::MissingSignature.code(), "missing_signature");
    /// let stale = RejectionReason::HttpAuth(HttpAuthFailureReason::StaleNonce);
    /// assert_eq!(stale.code(), "http_auth_stale_nonce");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            RejectionReason::BodyTooLarge { .. } => "body_too_large",
            RejectionReason::MissingHost => "missing_host",
            RejectionReason::InvalidHost => "invalid_host",
            RejectionReason::InvalidUrl => "invalid_url",
            RejectionReason::MissingSignature => "missing_signature",
            RejectionReason::MalformedSignature => "malformed_signature",
            RejectionReason::SignatureMismatch => "signature_mismatch",
            RejectionReason::UnknownAlgorithm => "unknown_algorithm",
            RejectionReason::UnknownSharedKey => "unknown_shared_key",
            RejectionReason::MissingBodyHash => "missing_body_hash",
            RejectionReason::BodyHashMismatch => "body_hash_mismatch",
            RejectionReason::HttpAuth(reason) => match reason {
                HttpAuthFailureReason::MissingCredentials => "http_auth_missing_credentials",
                HttpAuthFailureReason::Malformed(_) => "http_auth_malformed",
                HttpAuthFailureReason::WrongScheme => "http_auth_wrong_scheme",
                HttpAuthFailureReason::UnknownUser | HttpAuthFailureReason::WrongPassword => {
                    "http_auth_bad_credentials"
                }
                HttpAuthFailureReason::StaleNonce => "http_auth_stale_nonce",
                HttpAuthFailureReason::BadNonce => "http_auth_bad_nonce",
                HttpAuthFailureReason::ReplayedNonce => "http_auth_replayed_nonce",
                HttpAuthFailureReason::RealmMismatch
                | HttpAuthFailureReason::UriMismatch
                | HttpAuthFailureReason::OpaqueMismatch => "http_auth_digest_mismatch",
                HttpAuthFailureReason::UnsupportedAlgorithm
                | HttpAuthFailureReason::UnsupportedQop => "http_auth_unsupported",
            },
            RejectionReason::HttpAuthNotConfigured => "http_auth_not_configured",
            RejectionReason::UnsignedBody => "unsigned_body",
            RejectionReason::ConflictingAccountSid => "conflicting_account_sid",
            RejectionReason::SharedKeyAlgorithmMismatch => "shared_key_algorithm_mismatch",
            RejectionReason::SharedKeyRequired => "shared_key_required",
            RejectionReason::UnknownAccount => "unknown_account",
        }
    }
}

impl fmt::Display for RejectionReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RejectionReason::BodyTooLarge { limit } => {
                write!(f, "body larger than the {limit}-byte limit")
            }
            RejectionReason::MissingHost => {
                f.write_str("no Host header to rebuild the request URL")
            }
            RejectionReason::InvalidHost => {
                f.write_str("Host or forwarded host is not a valid URL authority")
            }
            RejectionReason::InvalidUrl => {
                f.write_str("request URL has no valid scheme, host or port")
            }
            RejectionReason::MissingSignature => f.write_str("missing X-Twilio-Signature header"),
            RejectionReason::MalformedSignature => {
                f.write_str("X-Twilio-Signature is not base64 of the right length")
            }
            RejectionReason::SignatureMismatch => {
                f.write_str("X-Twilio-Signature matches none of the candidate URLs")
            }
            RejectionReason::UnknownAlgorithm => {
                f.write_str("unknown algorithm in X-Twilio-Webhooks-Signature-Settings")
            }
            RejectionReason::UnknownSharedKey => {
                f.write_str("unknown or missing key in X-Twilio-Webhooks-Signature-Settings")
            }
            RejectionReason::MissingBodyHash => {
                f.write_str("non-form body without bodySHA256 in the URL")
            }
            RejectionReason::BodyHashMismatch => f.write_str("bodySHA256 does not match the body"),
            RejectionReason::HttpAuth(why) => write!(f, "HTTP authentication failed: {why}"),
            RejectionReason::HttpAuthNotConfigured => {
                f.write_str("route requires HTTP authentication but no credentials are configured")
            }
            RejectionReason::UnsignedBody => f.write_str(
                "request carries a body its signature does not cover (a GET/HEAD body needs \
                 bodySHA256 in the signed URL; a header-only guard verifies none)",
            ),
            RejectionReason::ConflictingAccountSid => {
                f.write_str("the request's AccountSid values disagree (body, query)")
            }
            RejectionReason::SharedKeyAlgorithmMismatch => f.write_str(
                "X-Twilio-Webhooks-Signature-Settings names another algorithm than its SharedKey's",
            ),
            RejectionReason::SharedKeyRequired => f.write_str(
                "only SharedKeys are accepted and X-Twilio-Webhooks-Signature-Settings is missing",
            ),
            RejectionReason::UnknownAccount => {
                f.write_str("no Auth Token is configured for the request's AccountSid")
            }
        }
    }
}

/// A refused request: its status, challenges, reason and the URLs that were tried.
///
/// `Display` gives the reason (for logs); [`Rejection::body`] the short text for the client;
/// [`Rejection::log_event`] the one log line an adapter writes for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    reason: RejectionReason,
    candidate_urls: Vec<String>,
    challenges: Vec<String>,
    hints: Vec<Hint>,
    diagnosis: Option<Box<Diagnosis>>,
}

impl Rejection {
    /// A rejection with no candidate URLs and no challenges.
    pub fn new(reason: RejectionReason) -> Self {
        Rejection {
            reason,
            candidate_urls: Vec::new(),
            challenges: Vec::new(),
            hints: Vec::new(),
            diagnosis: None,
        }
    }

    /// Adds the candidate URLs that were tried.
    pub fn with_candidate_urls(mut self, urls: Vec<String>) -> Self {
        self.candidate_urls = urls;
        self
    }

    /// Adds `WWW-Authenticate` challenge values (for a 401).
    pub fn with_challenges(mut self, challenges: Vec<String>) -> Self {
        self.challenges = challenges;
        self
    }

    /// Adds hints about the likely cause (computed by the core on a signature mismatch).
    pub(crate) fn with_hints(mut self, hints: Vec<Hint>) -> Self {
        self.hints = hints;
        self
    }

    /// Adds the diagnosis of a signature that matched no candidate URL.
    pub(crate) fn with_diagnosis(mut self, diagnosis: Option<Diagnosis>) -> Self {
        self.diagnosis = diagnosis.map(Box::new);
        self
    }

    /// What the signature does match, and what to configure so that such requests are
    /// accepted (a signature that matches no candidate URL, when diagnoses are on:
    /// [`ConfigBuilder::diagnose_refusals`](crate::ConfigBuilder::diagnose_refusals)).
    /// `None` when nothing tried explains the refusal — a forgery, or a mistake not
    /// covered. Also at the end of the rejection's `Display` (`; diagnosis: …`), and so in
    /// its log line; never holds a secret.
    pub fn diagnosis(&self) -> Option<&Diagnosis> {
        self.diagnosis.as_deref()
    }

    /// The HTTP status to answer with.
    pub fn http_status(&self) -> RejectionStatus {
        self.reason.http_status()
    }

    /// The HTTP status code to answer with: 400, 401, 403 or 413.
    pub fn status(&self) -> u16 {
        self.reason.status()
    }

    /// Why the request was refused.
    pub fn reason(&self) -> &RejectionReason {
        &self.reason
    }

    /// The URLs whose signatures were compared (empty when none was).
    pub fn candidate_urls(&self) -> &[String] {
        &self.candidate_urls
    }

    /// The `WWW-Authenticate` values to send with a 401, one header each.
    pub fn challenges(&self) -> &[String] {
        &self.challenges
    }

    /// What may have caused the refusal, for the log (a signature that matches no
    /// candidate URL: untrusted forwarded headers, no base URL, a `Host` or forwarded host
    /// that differs from the base URL's). Empty for other refusals; never holds a secret.
    pub fn hints(&self) -> &[Hint] {
        &self.hints
    }

    /// A short plain-text body for the client, which says no more than the status does.
    pub fn body(&self) -> &'static str {
        if self.reason == RejectionReason::UnsignedBody {
            return "Forbidden: request body not covered by the Twilio signature\n";
        }
        match self.http_status() {
            RejectionStatus::BadRequest => "Bad Request\n",
            RejectionStatus::Unauthorized => "Unauthorized\n",
            RejectionStatus::PayloadTooLarge => "Payload Too Large\n",
            RejectionStatus::Forbidden => "Forbidden: invalid Twilio signature\n",
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.reason, self.status())?;
        if !self.candidate_urls.is_empty() {
            write!(f, "; tried {}", self.candidate_urls.join(" | "))?;
        }
        if let Some(diagnosis) = &self.diagnosis {
            write!(f, "; diagnosis: {}", diagnosis.advice())?;
        }
        Ok(())
    }
}

impl std::error::Error for Rejection {}
