//! The rewritten actix-web handler. A route policy (`http_auth`, `signature`) becomes the
//! guards' policy type: `Verified<T, __private::Digest>`,
//! `TwilioSignature<__private::BasicOnly>`. An assertion at the user's own type turns "this
//! is not a `Handler`" at `.service(…)`/`.to(…)` into a clear error at the handler.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, ItemFn, PatType, Type, parse_quote};

use crate::args::RoutePolicy;
use crate::exports;
use crate::handler::{mentions_self_or_impl, wrap_last_parameter};

/// The handler, rewritten.
pub(super) fn expand(
    mut function: ItemFn,
    policy: RoutePolicy,
    exports: &exports::Actix,
) -> TokenStream {
    let check = check(&function, exports);
    wrap_last_parameter(
        &mut function,
        &exports.verified(),
        &exports.twilio_signature(),
        exports.policy(policy),
    );
    if let Some(check) = check {
        function.block.stmts.insert(0, parse_quote!(#check));
    }
    function.into_token_stream()
}

/// `const _: () = { assert_extractor::<T>(); };` at the user's last parameter type; `None`
/// without parameters, and for generic handlers (or types naming `Self`/`impl`), which an
/// item cannot name.
fn check(function: &ItemFn, exports: &exports::Actix) -> Option<TokenStream> {
    let sig = &function.sig;
    let generic = sig
        .generics
        .params
        .iter()
        .any(|p| !matches!(p, syn::GenericParam::Lifetime(_)));
    let Some(FnArg::Typed(PatType { ty, .. })) = sig.inputs.last() else {
        return None;
    };
    if generic || mentions_self_or_impl(ty.to_token_stream()) {
        return None;
    }
    let assert_extractor = exports.assert_extractor();
    let ty: &Type = ty;
    let check = quote_spanned!(ty.span()=> #assert_extractor::<#ty>(););
    Some(quote! {
        const _: () = {
            #check
        };
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expanded(item: TokenStream, policy: RoutePolicy) -> String {
        let function = syn::parse2(item).unwrap();
        expand(function, policy, &exports::Actix::new(None)).to_string()
    }

    #[test]
    fn wraps_the_last_parameter_and_keeps_the_route_attribute() {
        let out = expanded(
            quote! { #[post("/voice")] async fn voice(req: HttpRequest, form: web::Form<F>) -> String { form.0 } },
            RoutePolicy::Digest,
        );
        assert!(out.starts_with("# [post (\"/voice\")]"), "{out}");
        assert!(
            out.contains("form) : :: twilio_auth :: actix :: __private :: Verified < web :: Form < F > , :: twilio_auth :: actix :: __private :: Digest >"),
            "{out}"
        );
        assert!(out.contains("req : HttpRequest"), "{out}");
        assert!(
            out.contains("assert_extractor :: < web :: Form < F > > ()"),
            "{out}"
        );
    }

    #[test]
    fn adds_the_guard_to_a_handler_without_parameters() {
        let out = expanded(
            quote! { async fn status() -> String { String::new() } },
            RoutePolicy::BasicOnly,
        );
        assert!(
            out.contains("_ : :: twilio_auth :: actix :: __private :: TwilioSignature < :: twilio_auth :: actix :: __private :: BasicOnly >"),
            "{out}"
        );
    }
}
