//! Every path generated code names, in one table per framework (as Rocket's
//! `codegen/src/exports.rs`): each is an absolute path into the hidden `__private` module of
//! the runtime crate, whose root is the default below unless `crate = "…"` names another.
//! Generated code names nothing else, so the user's imports never matter.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::Path;

use crate::args::RoutePolicy;

/// A framework's table: `Table::new(crate_path)` roots it, and each `method()` is the path
/// `<root>::<private>::<Name>`. Every table also maps a [`RoutePolicy`] to its marker type.
macro_rules! exports {
    (
        $(#[$doc:meta])*
        $table:ident (feature = $feature:literal, default = $(::$root:ident)+, private = $($private:ident)::+) {
            $($method:ident => $name:ident,)*
        }
    ) => {
        $(#[$doc])*
        #[cfg(feature = $feature)]
        pub(crate) struct $table {
            private: TokenStream,
        }

        #[cfg(feature = $feature)]
        impl $table {
            /// The table rooted at `crate_path`, or at the default.
            pub(crate) fn new(crate_path: Option<&Path>) -> Self {
                let root = match crate_path {
                    Some(path) => path.to_token_stream(),
                    None => quote!($(::$root)+),
                };
                $table {
                    private: quote!(#root $(::$private)+),
                }
            }

            $(
                #[doc = concat!("The path of `", stringify!($name), "` in the runtime's private module.")]
                pub(crate) fn $method(&self) -> TokenStream {
                    let private = &self.private;
                    quote!(#private::$name)
                }
            )*

            /// The marker type of `policy`; `None` for the default (the signature alone),
            /// which the guards' policy parameter defaults to.
            pub(crate) fn policy(&self, policy: RoutePolicy) -> Option<TokenStream> {
                let private = &self.private;
                Some(match policy {
                    RoutePolicy::Signature => return None,
                    RoutePolicy::Basic => quote!(#private::Basic),
                    RoutePolicy::Digest => quote!(#private::Digest),
                    RoutePolicy::Either => quote!(#private::Either),
                    RoutePolicy::BasicOnly => quote!(#private::BasicOnly),
                    RoutePolicy::DigestOnly => quote!(#private::DigestOnly),
                    RoutePolicy::EitherOnly => quote!(#private::EitherOnly),
                })
            }
        }
    };
}

exports! {
    /// axum: `twilio_auth_axum::__private`, re-exported as `twilio_auth::__private`.
    Axum(feature = "axum", default = ::twilio_auth, private = __private) {
        verified => Verified,
        twilio_signature => TwilioSignature,
        config => Config,
        assert_state_provides_config => assert_state_provides_config,
        assert_extractor => assert_extractor,
        replayable => Replayable,
        replay_guard => ReplayGuard,
        response_trait => IntoResponse,
        response => Response,
    }
}

exports! {
    /// Rocket: `twilio_auth_rocket::__private::rocket`, re-exported by the facade.
    Rocket(feature = "rocket", default = ::twilio_auth, private = __private::rocket) {
        verified => Verified,
        twilio_signature => TwilioSignature,
        assert_verified_data => assert_verified_data,
        signature => Signature,
        replay_guarded => ReplayGuarded,
    }
}

exports! {
    /// warp: `twilio_auth_warp::__private`, the facade's `twilio_auth::warp::__private`.
    Warp(feature = "warp", default = ::twilio_auth::warp, private = __private) {
        warp => warp,
        any_method => any_method,
        route => route,
        route_replay => route_replay,
        extract => extract,
        reply => reply,
        config => Config,
        verified_request => VerifiedRequest,
        response => Response,
        policy_trait => Policy,
        signature => Signature,
    }
}

exports! {
    /// actix-web: `twilio_auth_actix::__private`, the facade's `twilio_auth::actix::__private`.
    Actix(feature = "actix", default = ::twilio_auth::actix, private = __private) {
        verified => Verified,
        twilio_signature => TwilioSignature,
        assert_extractor => assert_extractor,
    }
}
