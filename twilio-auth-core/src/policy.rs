//! Route policies as numbers, so that adapters can carry a route's [`RouteOptions`] in a
//! const generic parameter (`Verified<E, DIGEST>`) and `#[twilio_signed(http_auth = …)]`
//! can name them. Every adapter re-exports this module as its own `policy`.

use crate::RouteOptions;
use crate::http_auth::HttpAuthRequirement;

/// The type of a route policy: one of the constants of this module.
pub type Policy = u8;

/// The signature only (the default): no HTTP authentication.
pub const SIGNATURE: Policy = 0;
/// HTTP Basic authentication, then the signature.
pub const BASIC: Policy = 1;
/// HTTP Digest authentication (SHA-256 or MD5), then the signature.
pub const DIGEST: Policy = 2;
/// HTTP Basic or Digest authentication, whichever the client sends, then the signature.
pub const EITHER: Policy = BASIC | DIGEST;
/// HTTP Basic authentication, and no signature check.
pub const BASIC_ONLY: Policy = BASIC | NO_SIGNATURE;
/// HTTP Digest authentication, and no signature check.
pub const DIGEST_ONLY: Policy = DIGEST | NO_SIGNATURE;
/// HTTP Basic or Digest authentication, and no signature check.
pub const EITHER_ONLY: Policy = EITHER | NO_SIGNATURE;

/// The bit that turns the signature check off; valid only with [`BASIC`] or [`DIGEST`] bits.
const NO_SIGNATURE: Policy = 4;

/// Whether `policy` is one of this module's constants.
pub const fn is_valid(policy: Policy) -> bool {
    policy <= EITHER_ONLY && policy != NO_SIGNATURE
}

/// The core's [`RouteOptions`] for `policy`, or `None` if it is not one of this module's
/// constants.
///
/// ```
/// use twilio_auth_core::policy::{self, route_options};
/// use twilio_auth_core::http_auth::HttpAuthRequirement;
///
/// let options = route_options(policy::DIGEST_ONLY).unwrap();
/// assert_eq!(options.http_auth, HttpAuthRequirement::Digest);
/// assert!(!options.signature);
/// assert!(route_options(4).is_none());
/// ```
pub fn route_options(policy: Policy) -> Option<RouteOptions> {
    if !is_valid(policy) {
        return None;
    }
    let http_auth = match policy & EITHER {
        BASIC => HttpAuthRequirement::Basic,
        DIGEST => HttpAuthRequirement::Digest,
        EITHER => HttpAuthRequirement::Either,
        _ => HttpAuthRequirement::None,
    };
    Some(
        RouteOptions::default()
            .http_auth(http_auth)
            .signature(policy & NO_SIGNATURE == 0),
    )
}

/// [`route_options`] for a policy that the extractors have already checked at compile time
/// (see [`assert_valid`]); an invalid one still never checks less than the signature.
pub fn options_of<const POLICY: Policy>() -> RouteOptions {
    const { assert_valid(POLICY) };
    route_options(POLICY).unwrap_or_default()
}

/// Fails the build (when an extractor with this policy is instantiated) unless `policy` is
/// one of this module's constants.
pub const fn assert_valid(policy: Policy) {
    assert!(
        is_valid(policy),
        "not a twilio_auth route policy: use one of SIGNATURE, BASIC, DIGEST, EITHER, BASIC_ONLY, DIGEST_ONLY, EITHER_ONLY"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_constant_maps_to_its_options() {
        use HttpAuthRequirement::{Basic, Digest, Either, None};
        let cases = [
            (SIGNATURE, None, true),
            (BASIC, Basic, true),
            (DIGEST, Digest, true),
            (EITHER, Either, true),
            (BASIC_ONLY, Basic, false),
            (DIGEST_ONLY, Digest, false),
            (EITHER_ONLY, Either, false),
        ];
        for (policy, http_auth, signature) in cases {
            let options = route_options(policy).unwrap();
            assert_eq!(
                (options.http_auth, options.signature),
                (http_auth, signature),
                "{policy}"
            );
        }
        for invalid in [NO_SIGNATURE, 8, 255] {
            assert!(route_options(invalid).is_none(), "{invalid}");
        }
    }
}
