//! A verification that reports every comparison it made: the answer to "why is my valid
//! request rejected?". Used by the `twilio-auth verify --explain` command.

use crate::algorithm::Algorithm;
use crate::config::Config;
use crate::diagnosis::Diagnosis;
use crate::outcome::{Rejection, Verified};
use crate::request::WebhookRequest;

/// One signed string that was compared with the request's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplainedAttempt {
    /// The candidate URL.
    pub url: String,
    /// The full string that was signed: the URL followed by the sorted parameters.
    pub signed_string: String,
    /// Which secret was used (named, never shown).
    pub key: String,
    /// Which HMAC.
    pub algorithm: Algorithm,
    /// Whether it matched the signature.
    pub matched: bool,
}

/// Every comparison made, and the outcome.
#[derive(Debug, Clone)]
pub struct Explanation {
    /// The comparisons, in the order they were made.
    pub attempts: Vec<ExplainedAttempt>,
    /// The guesses of the refusal's diagnosis, in the order they were compared (the
    /// variants of the usual mistakes, tried for the diagnosis only: a match is never
    /// accepted). Empty when the request was accepted or diagnoses are off.
    pub guesses: Vec<ExplainedAttempt>,
    /// The verdict, as [`Config::verify`] gives it.
    pub outcome: Result<Verified, Rejection>,
}

impl Explanation {
    /// The refusal's diagnosis: what the signature does match and what to configure
    /// ([`Rejection::diagnosis`]); `None` for an accepted request, or when nothing tried
    /// explains the refusal.
    pub fn diagnosis(&self) -> Option<&Diagnosis> {
        self.outcome.as_ref().err().and_then(Rejection::diagnosis)
    }
}

impl Config {
    /// Verifies like [`Config::verify`], recording each candidate and signed string.
    ///
    /// ```
    /// use twilio_auth_core::{Config, WebhookRequest};
    ///
    /// let config = Config::builder().auth_token("12345").build().unwrap();
    /// let headers = [("X-Twilio-Signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")];
    /// let req = WebhookRequest::from_url("GET", "https://example.com/status").headers(&headers);
    /// let explanation = config.explain(&req);
    /// assert!(explanation.outcome.is_err());
    /// assert_eq!(explanation.attempts[0].signed_string, "https://example.com/status");
    /// assert!(explanation.attempts.iter().any(|a| a.url == "https://example.com:443/status"));
    /// ```
    pub fn explain(&self, req: &WebhookRequest<'_>) -> Explanation {
        let mut attempts = Vec::new();
        let mut guesses = Vec::new();
        let outcome = self.verify_observed(req, None, None, &mut |attempt| {
            let suffix = String::from_utf8_lossy(attempt.suffix);
            let signed_string = format!("{}{suffix}", attempt.url);
            let list = if attempt.diagnostic {
                &mut guesses
            } else {
                &mut attempts
            };
            list.push(ExplainedAttempt {
                url: attempt.url.to_owned(),
                signed_string,
                key: attempt.key.to_string(),
                algorithm: attempt.algorithm,
                matched: attempt.matched,
            });
        });
        let outcome = outcome.map(|signature| Verified {
            signature: Some(signature),
            user: None,
            nonce_use: None,
        });
        Explanation {
            attempts,
            guesses,
            outcome,
        }
    }
}
