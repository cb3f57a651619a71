//! Counters of accepted and refused webhooks, through the [`metrics`](https://docs.rs/metrics)
//! facade (feature `metrics`): install any exporter (`metrics-exporter-prometheus`, StatsD,
//! …) and the adapters' counts reach it. Without the feature these functions do nothing.
//!
//! | counter | labels | counted |
//! |---|---|---|
//! | `twilio_auth_accepted_total` | `key`: `primary_token`, `secondary_token`, `account_token`, `shared_key`, `none` (HTTP authentication alone) | once per request let through |
//! | `twilio_auth_refused_total` | `reason`: [`RejectionReason::code`](crate::RejectionReason::code), or `key_store_unavailable` (a key resolver failed); `status`: `400`, `401`, `403`, `413`, `503` | once per request refused |
//! | `twilio_auth_report_only_total` | `reason`: [`RejectionReason::code`](crate::RejectionReason::code) | once per request a report-only route let through unverified |
//!
//! The labels take a handful of values each: no URL, account or key id goes into them. A
//! rising `reason="signature_mismatch"` after a deployment is a URL problem (the refusal's
//! log line says which); `key="secondary_token"` falling to zero says a rotation is done.
//!
//! Adapters call [`accepted`], [`refused`] and [`report_only`] where they let a request through or answer
//! it, once per request; an application does not need to.
//!
//! ```
//! use twilio_auth_core::{metrics, Rejection, RejectionReason};
//!
//! let rejection = Rejection::new(RejectionReason::SignatureMismatch);
//! assert_eq!(rejection.reason().code(), "signature_mismatch");
//! metrics::refused(&rejection); // a no-op without a recorder (or without the feature)
//! ```

use crate::outcome::{KeySource, Rejection, Verified};
use crate::report_only::Unverified;

/// Name of the counter of requests let through.
pub const ACCEPTED_TOTAL: &str = "twilio_auth_accepted_total";
/// Name of the counter of requests refused.
pub const REFUSED_TOTAL: &str = "twilio_auth_refused_total";
/// Name of the counter of requests a report-only route let through unverified.
pub const REPORT_ONLY_TOTAL: &str = "twilio_auth_report_only_total";

/// Counts a request let through, labelled with the kind of key that signed it.
#[inline]
pub fn accepted(verified: &Verified) {
    #[cfg(feature = "metrics")]
    ::metrics::counter!(ACCEPTED_TOTAL, "key" => key_label(verified.key())).increment(1);
    #[cfg(not(feature = "metrics"))]
    let _ = verified;
}

/// Counts a request refused, labelled with its reason and status.
#[inline]
pub fn refused(rejection: &Rejection) {
    #[cfg(feature = "metrics")]
    ::metrics::counter!(
        REFUSED_TOTAL,
        "reason" => rejection.reason().code(),
        "status" => status_label(rejection.status()),
    )
    .increment(1);
    #[cfg(not(feature = "metrics"))]
    let _ = rejection;
}

/// The `reason` of a request refused because the key store failed ([`key_store_unavailable`]).
pub const KEY_STORE_UNAVAILABLE: &str = "key_store_unavailable";

/// Counts a request refused with `503` because the key store (a key resolver) failed:
/// `twilio_auth_refused_total{reason="key_store_unavailable",status="503"}`.
#[inline]
pub fn key_store_unavailable() {
    #[cfg(feature = "metrics")]
    ::metrics::counter!(REFUSED_TOTAL, "reason" => KEY_STORE_UNAVAILABLE, "status" => "503")
        .increment(1);
}

/// Counts a request a report-only route let through unverified, labelled with the reason
/// enforcement would have refused it for.
#[inline]
pub fn report_only(unverified: &Unverified) {
    #[cfg(feature = "metrics")]
    ::metrics::counter!(REPORT_ONLY_TOTAL, "reason" => unverified.rejection().reason().code())
        .increment(1);
    #[cfg(not(feature = "metrics"))]
    let _ = unverified;
}

/// The `key` label: the kind of key, never its id.
pub fn key_label(key: Option<&KeySource>) -> &'static str {
    match key {
        None => "none",
        Some(KeySource::PrimaryToken) => "primary_token",
        Some(KeySource::SecondaryToken) => "secondary_token",
        Some(KeySource::Account(_)) => "account_token",
        Some(KeySource::SharedKey(_)) => "shared_key",
    }
}

/// The `status` label, without formatting a number on each request.
pub fn status_label(status: u16) -> &'static str {
    match status {
        400 => "400",
        401 => "401",
        403 => "403",
        413 => "413",
        503 => "503",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RejectionReason;

    #[test]
    fn labels_name_kinds_not_ids() {
        assert_eq!(
            key_label(Some(&KeySource::Account("AC123".into()))),
            "account_token"
        );
        assert_eq!(
            key_label(Some(&KeySource::SharedKey("KS9".into()))),
            "shared_key"
        );
        assert_eq!(key_label(None), "none");
        let too_large = Rejection::new(RejectionReason::BodyTooLarge { limit: 10 });
        assert_eq!(status_label(too_large.status()), "413");
        assert_eq!(too_large.reason().code(), "body_too_large");
    }
}
