//! The one log line a refusal gets, and how loud it is: adapters write
//! [`Rejection::log_event`] with their logger at its [`LogLevel`], and add nothing. The
//! core itself logs nothing.

use std::fmt;

use crate::http_auth::HttpAuthFailureReason;
use crate::outcome::{Rejection, RejectionReason};

/// The words every refusal line starts with (log readers look for them).
pub const REFUSAL_LOG_PREFIX: &str = "rejected a Twilio webhook";

/// How loud a refusal is in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogLevel {
    /// Expected traffic: Twilio's first request to a URL with credentials carries none and
    /// gets the challenge it retries with.
    Debug,
    /// A request refused for a reason that needs a look (a forgery, or a deployment
    /// mistake that the hints may explain).
    Warn,
    /// The configuration cannot serve the route: every request to it fails.
    Error,
}

/// A refusal as a log line: `Display` is the whole message (the reason once, the status,
/// the candidate URLs tried and the hints), never a secret.
///
/// ```
/// use twilio_auth_core::http_auth::HttpAuthFailureReason;
/// use twilio_auth_core::{LogLevel, Rejection, RejectionReason};
///
/// let rejection = Rejection::new(RejectionReason::MissingSignature);
/// let event = rejection.log_event();
/// assert_eq!(event.level(), LogLevel::Warn);
/// assert_eq!(
///     event.to_string(),
///     "rejected a Twilio webhook: missing X-Twilio-Signature header (403)"
/// );
///
/// let first = Rejection::new(RejectionReason::HttpAuth(HttpAuthFailureReason::MissingCredentials));
/// assert_eq!(first.log_event().level(), LogLevel::Debug);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct LogEvent<'r> {
    rejection: &'r Rejection,
}

impl Rejection {
    /// The log line for this refusal, and its level.
    pub fn log_event(&self) -> LogEvent<'_> {
        LogEvent { rejection: self }
    }
}

impl LogEvent<'_> {
    /// The level to log at: [`LogLevel::Debug`] for the expected first request without
    /// credentials, [`LogLevel::Error`] for a route that requires HTTP authentication the
    /// configuration has no credentials for, else [`LogLevel::Warn`].
    pub fn level(&self) -> LogLevel {
        match self.rejection.reason() {
            RejectionReason::HttpAuth(HttpAuthFailureReason::MissingCredentials) => LogLevel::Debug,
            RejectionReason::HttpAuthNotConfigured => LogLevel::Error,
            _ => LogLevel::Warn,
        }
    }

    /// The HTTP status code answered (also in the message).
    pub fn status(&self) -> u16 {
        self.rejection.status()
    }
}

impl fmt::Display for LogEvent<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rejection = self.rejection;
        // The rejection's `Display`: the reason, the status, the candidate URLs (the core
        // has taken any password out of them).
        write!(f, "{REFUSAL_LOG_PREFIX}: {rejection}")?;
        match rejection.reason() {
            RejectionReason::HttpAuth(HttpAuthFailureReason::MissingCredentials) => f.write_str(
                "; answered with the challenge (Twilio's first request to a URL with \
                 user:password@ carries no credentials, and it retries with them)",
            )?,
            RejectionReason::HttpAuthNotConfigured => f.write_str(
                "; set WEBHOOK_USER and WEBHOOK_PASSWORD (or ConfigBuilder::http_auth): until \
                 then every request to this route is refused",
            )?,
            _ => {}
        }
        for hint in rejection.hints() {
            write!(f, "; hint: {hint}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_the_reason_once() {
        let cases = [
            (
                RejectionReason::HttpAuth(HttpAuthFailureReason::MissingCredentials),
                LogLevel::Debug,
            ),
            (
                RejectionReason::HttpAuth(HttpAuthFailureReason::WrongPassword),
                LogLevel::Warn,
            ),
            (RejectionReason::HttpAuthNotConfigured, LogLevel::Error),
            (RejectionReason::SignatureMismatch, LogLevel::Warn),
            (RejectionReason::BodyTooLarge { limit: 10 }, LogLevel::Warn),
            (RejectionReason::MissingHost, LogLevel::Warn),
        ];
        for (reason, level) in cases {
            let rejection = Rejection::new(reason.clone());
            let line = rejection.log_event().to_string();
            assert_eq!(rejection.log_event().level(), level, "{line}");
            assert!(line.starts_with(REFUSAL_LOG_PREFIX), "{line}");
            assert_eq!(line.matches(&reason.to_string()).count(), 1, "{line}");
            assert!(line.contains(&format!("({})", reason.status())), "{line}");
        }
    }

    #[test]
    fn candidate_urls_and_hints_follow_the_reason() {
        let rejection = Rejection::new(RejectionReason::SignatureMismatch)
            .with_candidate_urls(vec!["https://a/voice".into(), "https://a:443/voice".into()])
            .with_hints(vec![crate::hints::Hint::RebuiltFromRequest {
                host_from: "Host",
                scheme: "https".into(),
                scheme_from: None,
            }]);
        let line = rejection.log_event().to_string();
        assert!(
            line.starts_with(
                "rejected a Twilio webhook: X-Twilio-Signature matches none of the candidate \
                 URLs (403); tried https://a/voice | https://a:443/voice; hint: no public base \
                 URL is configured"
            ),
            "{line}"
        );
    }
}
