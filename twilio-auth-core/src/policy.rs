//! What a route demands of a request, as a value ([`RoutePolicy`]) and as a type (the
//! markers [`Signature`], [`Basic`], [`Digest`], [`Either`], [`BasicOnly`],
//! [`DigestOnly`], [`EitherOnly`]), so that adapters can carry a route's policy in a type
//! parameter (`Verified<Form<T>, Digest>`) and `#[twilio_signed(http_auth = …)]` can name
//! it. Neither can say "check nothing": every policy checks the signature, HTTP
//! authentication, or both. Every adapter re-exports this module as its own `policy`.
//!
//! ```
//! use twilio_auth_core::policy::{Digest, DigestOnly, HttpAuth, Policy, RoutePolicy};
//!
//! assert_eq!(Digest::ROUTE, RoutePolicy::HttpAuthThenSignature(HttpAuth::Digest));
//! assert_eq!(DigestOnly::ROUTE, RoutePolicy::HttpAuthOnly(HttpAuth::Digest));
//! assert!(!DigestOnly::ROUTE.checks_signature());
//! ```

use crate::http_auth::HttpAuthRequirement;

/// The HTTP authentication scheme a route requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HttpAuth {
    /// HTTP Basic (RFC 7617).
    Basic,
    /// HTTP Digest, SHA-256 or MD5 (RFC 7616).
    Digest,
    /// Basic or Digest, whichever the client sends; challenges offer Digest first.
    Either,
}

impl From<HttpAuth> for HttpAuthRequirement {
    fn from(scheme: HttpAuth) -> Self {
        match scheme {
            HttpAuth::Basic => HttpAuthRequirement::Basic,
            HttpAuth::Digest => HttpAuthRequirement::Digest,
            HttpAuth::Either => HttpAuthRequirement::Either,
        }
    }
}

/// What a route demands. There is no value that checks nothing.
///
/// ```
/// use twilio_auth_core::policy::{HttpAuth, RoutePolicy};
///
/// assert_eq!(RoutePolicy::default(), RoutePolicy::Signature);
/// let digest = RoutePolicy::HttpAuthThenSignature(HttpAuth::Digest);
/// assert!(digest.checks_signature());
/// assert!(digest.http_auth().is_required());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum RoutePolicy {
    /// `X-Twilio-Signature` only (the default).
    #[default]
    Signature,
    /// HTTP authentication first (a `401` with challenges), then the signature (`403`).
    HttpAuthThenSignature(HttpAuth),
    /// HTTP authentication alone, for a route that credentials in the URL protect.
    HttpAuthOnly(HttpAuth),
}

impl RoutePolicy {
    /// The HTTP authentication this policy requires ([`HttpAuthRequirement::None`] for
    /// [`RoutePolicy::Signature`]).
    pub const fn http_auth(self) -> HttpAuthRequirement {
        match self {
            RoutePolicy::Signature => HttpAuthRequirement::None,
            RoutePolicy::HttpAuthThenSignature(scheme) | RoutePolicy::HttpAuthOnly(scheme) => {
                match scheme {
                    HttpAuth::Basic => HttpAuthRequirement::Basic,
                    HttpAuth::Digest => HttpAuthRequirement::Digest,
                    HttpAuth::Either => HttpAuthRequirement::Either,
                }
            }
        }
    }

    /// Whether `X-Twilio-Signature` is checked.
    pub const fn checks_signature(self) -> bool {
        !matches!(self, RoutePolicy::HttpAuthOnly(_))
    }
}

mod sealed {
    pub trait Sealed {}
}

/// A route policy as a type: one of the markers of this module. Sealed: no other type can
/// be a policy, so no adapter needs to check one.
pub trait Policy: sealed::Sealed + Send + Sync + 'static {
    /// The policy as a value.
    const ROUTE: RoutePolicy;

    /// `E` itself, for every policy. An extractor `Verified<E, P>` holds a
    /// `P::Inner<E>`, so that it carries its policy in its type and still has one field
    /// (`Verified(Form(call))` as a pattern).
    #[doc(hidden)]
    type Inner<E>;

    /// `E` as [`Policy::Inner`].
    #[doc(hidden)]
    fn wrap<E>(inner: E) -> Self::Inner<E>;
}

macro_rules! policies {
    ($($(#[$doc:meta])* $name:ident => $route:expr;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct $name;

        impl sealed::Sealed for $name {}

        impl Policy for $name {
            const ROUTE: RoutePolicy = $route;
            type Inner<E> = E;

            fn wrap<E>(inner: E) -> E {
                inner
            }
        }
    )*};
}

policies! {
    /// The signature only (the default).
    Signature => RoutePolicy::Signature;
    /// HTTP Basic authentication, then the signature.
    Basic => RoutePolicy::HttpAuthThenSignature(HttpAuth::Basic);
    /// HTTP Digest authentication (SHA-256 or MD5), then the signature.
    Digest => RoutePolicy::HttpAuthThenSignature(HttpAuth::Digest);
    /// HTTP Basic or Digest authentication, whichever the client sends, then the signature.
    Either => RoutePolicy::HttpAuthThenSignature(HttpAuth::Either);
    /// HTTP Basic authentication, and no signature check.
    BasicOnly => RoutePolicy::HttpAuthOnly(HttpAuth::Basic);
    /// HTTP Digest authentication, and no signature check.
    DigestOnly => RoutePolicy::HttpAuthOnly(HttpAuth::Digest);
    /// HTTP Basic or Digest authentication, and no signature check.
    EitherOnly => RoutePolicy::HttpAuthOnly(HttpAuth::Either);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_marker_maps_to_its_policy() {
        use HttpAuthRequirement as R;
        let cases = [
            (Signature::ROUTE, R::None, true),
            (Basic::ROUTE, R::Basic, true),
            (Digest::ROUTE, R::Digest, true),
            (Either::ROUTE, R::Either, true),
            (BasicOnly::ROUTE, R::Basic, false),
            (DigestOnly::ROUTE, R::Digest, false),
            (EitherOnly::ROUTE, R::Either, false),
        ];
        for (route, http_auth, signature) in cases {
            assert_eq!(
                (route.http_auth(), route.checks_signature()),
                (http_auth, signature),
                "{route:?}"
            );
            // The one property no policy may lose: it checks something.
            assert!(route.checks_signature() || route.http_auth().is_required());
        }
    }
}
