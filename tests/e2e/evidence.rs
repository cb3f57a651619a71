//! What the app's log proves about one scenario: which handlers ran, and which requests our
//! verifier refused (with the core's reason), so that a refused row cannot pass because a
//! framework extractor, the router or the HTTP layer answered with the same status, nor
//! because the handler ran and something answered an error afterwards.
//!
//! The runner reads the part of the log between two fences: the end of the previous
//! scenario's probe and the start of this scenario's probe (a genuine `GET /status` with a
//! `CallSid` of its own, whose handler line it waits for). Every line a request caused is
//! written before its response leaves the app, and the probe is sent only after the
//! scenario's last response arrived, so that part of the log holds exactly the lines of the
//! scenario's requests.
//!
//! Two kinds of lines count:
//!
//! - a handler line: the contract's `handler` field (`handler="voice"`), logged once each
//!   time a handler runs (`examples/axum_app.rs`);
//! - a refusal by our verifier: a line with `rejected a Twilio webhook` (every adapter's
//!   warning for a refusal) and the text of one of the core's [`RejectionReason`]s; its
//!   status is that reason's. The adapters' other `rejected a Twilio webhook` lines (a
//!   verified body that does not deserialize, a body that broke off) name no core reason and
//!   do not count. A new `RejectionReason` must be added to [`verifier_reasons`].

use twilio_auth::http_auth::HttpAuthFailureReason;
use twilio_auth::{Rejection, RejectionReason};

/// The marker of every adapter's refusal warning.
const REFUSAL_MARK: &str = "rejected a Twilio webhook";
/// The contract's handler field, as the log formats it.
const HANDLER_MARK: &str = "handler=";

/// The lines of one scenario that count.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Evidence {
    /// The handlers that ran, in order (`voice`, `status`, …).
    pub handlers: Vec<String>,
    /// Our verifier's refusals, in order: status and the reason's text.
    pub refusals: Vec<(u16, String)>,
}

impl Evidence {
    /// Reads the lines of `log` (one scenario's part of the app's log).
    pub fn read(log: &str) -> Self {
        let reasons = verifier_reasons();
        let mut evidence = Evidence::default();
        for line in log.lines().map(strip_ansi) {
            // A refusal line quotes the request's URLs, so it is read first.
            if line.contains(REFUSAL_MARK) {
                if let Some((text, status)) = reasons
                    .iter()
                    .find(|(text, _)| line.contains(text.as_str()))
                {
                    evidence.refusals.push((*status, text.clone()));
                }
            } else if let Some((_, rest)) = line.split_once(HANDLER_MARK) {
                let name = rest
                    .trim_start_matches('"')
                    .split(['"', ' '])
                    .next()
                    .unwrap_or_default();
                evidence.handlers.push(name.to_owned());
            }
        }
        evidence
    }

    /// The statuses of the refusals, sorted (to compare with the refused responses).
    pub fn refusal_statuses(&self) -> Vec<u16> {
        let mut statuses: Vec<u16> = self.refusals.iter().map(|(s, _)| *s).collect();
        statuses.sort_unstable();
        statuses
    }

    /// One line for a report: `handlers [voice], verifier [403 …]`.
    pub fn summary(&self) -> String {
        let refusals: Vec<String> = self
            .refusals
            .iter()
            .map(|(status, text)| format!("{status} {text:?}"))
            .collect();
        format!(
            "handlers ran {:?}, verifier refused [{}]",
            self.handlers,
            refusals.join(", ")
        )
    }
}

/// The text of every core rejection reason (for the two that carry data, the part before
/// it), with its status: the core's own `Display` and `status()`, so a change of wording
/// cannot make every refusal line go unrecognised silently.
pub fn verifier_reasons() -> Vec<(String, u16)> {
    let prefix = |reason: RejectionReason, cut: &str| {
        let text = reason.to_string();
        let head = text.split(cut).next().unwrap_or_default().to_owned();
        (head, reason.status())
    };
    let mut reasons = vec![
        prefix(RejectionReason::BodyTooLarge { limit: 0 }, "0-byte"),
        prefix(
            RejectionReason::HttpAuth(HttpAuthFailureReason::MissingCredentials),
            ": ",
        ),
    ];
    reasons.extend(
        [
            RejectionReason::MissingHost,
            RejectionReason::InvalidHost,
            RejectionReason::InvalidUrl,
            RejectionReason::MissingSignature,
            RejectionReason::MalformedSignature,
            RejectionReason::SignatureMismatch,
            RejectionReason::UnknownAlgorithm,
            RejectionReason::UnknownSharedKey,
            RejectionReason::MissingBodyHash,
            RejectionReason::BodyHashMismatch,
            RejectionReason::HttpAuthNotConfigured,
            RejectionReason::UnsignedBody,
            RejectionReason::ConflictingAccountSid,
            RejectionReason::SharedKeyAlgorithmMismatch,
            RejectionReason::SharedKeyRequired,
            RejectionReason::UnknownAccount,
        ]
        .into_iter()
        .map(|reason| (reason.to_string(), reason.status())),
    );
    reasons
}

/// Whether `body` is what our verifier answers a refusal of `status` with
/// (`Rejection::body` of a reason of that status).
pub fn is_verifier_body(status: u16, body: &str) -> bool {
    let reasons = [
        RejectionReason::MissingHost,
        RejectionReason::HttpAuthNotConfigured,
        RejectionReason::SignatureMismatch,
        RejectionReason::UnsignedBody,
        RejectionReason::BodyTooLarge { limit: 0 },
    ];
    reasons
        .into_iter()
        .filter(|reason| reason.status() == status)
        .any(|reason| Rejection::new(reason).body() == body)
}

/// `line` without ANSI colour sequences (`ESC [ … m`), should the log be coloured.
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
