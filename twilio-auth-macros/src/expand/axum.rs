//! axum: the last parameter `pat: T` becomes `Verified(pat): Verified<T>`; a handler without
//! parameters gets a `TwilioSignature` guard. A route policy (`http_auth`, `signature`)
//! becomes their policy type: `Verified<T, __private::Digest>`,
//! `TwilioSignature<__private::BasicOnly>`. Assertions placed at the user's own types turn
//! "this handler is not a `Handler`" at the router into a clear error at the handler.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, PatType, Type, parse_quote};

use super::Runtime;
use crate::args::Args;
use crate::parse::{Handler, mentions_self_or_impl};
use crate::validate::state_type;

/// The handler, rewritten.
pub(super) fn expand(handler: Handler, args: &Args, runtime: &Runtime) -> TokenStream {
    let checks = checks(&handler, args, runtime);
    let Handler { mut item, .. } = handler;
    let verified = runtime.path("Verified");
    // `, <crate>::__private::Digest` when the route has a policy other than the default.
    let policy = args.route_policy().map(|name| {
        let name = runtime.path(name);
        quote!(, #name)
    });
    match item.sig.inputs.last_mut() {
        Some(FnArg::Typed(PatType { pat, ty, .. })) => {
            let span = ty.span();
            **pat = parse_quote!(#verified(#pat));
            **ty = Type::Verbatim(quote_spanned!(span=> #verified<#ty #policy>));
        }
        // A receiver was refused by validation.
        Some(FnArg::Receiver(_)) => {}
        None => {
            let guard = runtime.path("TwilioSignature");
            let policy = args.route_policy().map(|name| {
                let name = runtime.path(name);
                quote!(<#name>)
            });
            item.sig.inputs.push(parse_quote!(_: #guard #policy));
        }
    }
    if let Some(checks) = checks {
        item.block.stmts.insert(0, parse_quote!(#checks));
    }
    item.into_token_stream()
}

/// `const _: () = { … };` asserting that the state provides the configuration and that the
/// last parameter is an extractor for that state, each spanned at the user's type. `None`
/// for generic handlers (or types naming `Self`/`impl`), which an item cannot name.
///
/// Without a named state (`state_type` is `None`) the state is only known where the handler
/// is routed, so the checks use the `Config` as the state: the first holds trivially, and a
/// router state without a `Config` is reported where the router is built (`.route(…)`,
/// `.with_state(…)`; `tests/ui/fail/state_not_named.rs`). No item at the
/// handler can name that state, so only `state = …` (or a `State<S>` parameter) makes that
/// error local.
fn checks(handler: &Handler, args: &Args, runtime: &Runtime) -> Option<TokenStream> {
    let sig = &handler.item.sig;
    let inputs = sig.inputs.to_token_stream();
    let state = state_type(handler, args);
    let generic = sig
        .generics
        .params
        .iter()
        .any(|p| !matches!(p, syn::GenericParam::Lifetime(_)));
    if generic
        || mentions_self_or_impl(inputs)
        || state.is_some_and(|s| mentions_self_or_impl(s.to_token_stream()))
    {
        return None;
    }
    let config = runtime.path("Config");
    let (state, state_span) = match state {
        Some(state) => (state.to_token_stream(), state.span()),
        None => (config.clone(), Span::call_site()),
    };
    let assert_state = runtime.path("assert_state_provides_config");
    let state_check = quote_spanned!(state_span=> #assert_state::<#state>(););
    let extractor_check = match sig.inputs.last() {
        Some(FnArg::Typed(PatType { ty, .. })) => {
            let assert_extractor = runtime.path("assert_extractor");
            let ty: &Type = ty;
            quote_spanned!(ty.span()=> #assert_extractor::<#state, _, #ty>();)
        }
        _ => TokenStream::new(),
    };
    Some(quote! {
        const _: () = {
            #state_check
            #extractor_check
        };
    })
}

#[cfg(test)]
mod tests {
    use super::super::{Framework, twilio_signed};
    use quote::quote;

    fn expand(args: proc_macro2::TokenStream, item: proc_macro2::TokenStream) -> String {
        twilio_signed(Framework::Axum, args, item).to_string()
    }

    #[test]
    fn wraps_the_last_parameter() {
        let out = expand(
            quote!(state = AppState),
            quote! {
                async fn voice(State(s): State<AppState>, Form(call): Form<IncomingCall>) -> impl IntoResponse { call.sid }
            },
        );
        assert!(
            out.contains(":: twilio_auth :: __private :: Verified (Form (call)) : :: twilio_auth :: __private :: Verified < Form < IncomingCall > >"),
            "{out}"
        );
        assert!(
            out.contains("assert_state_provides_config :: < AppState >"),
            "{out}"
        );
        assert!(
            out.contains("assert_extractor :: < AppState , _ , Form < IncomingCall > >"),
            "{out}"
        );
        assert!(out.contains("State (s) : State < AppState >"), "{out}");
        println!("{out}");
    }

    #[test]
    fn guards_handlers_without_parameters() {
        let out = expand(
            quote!(crate = "twilio_auth_axum"),
            quote! { async fn ping() -> &'static str { "ok" } },
        );
        assert!(
            out.contains("_ : twilio_auth_axum :: __private :: TwilioSignature"),
            "{out}"
        );
        assert!(
            out.contains(
                "assert_state_provides_config :: < twilio_auth_axum :: __private :: Config >"
            ),
            "{out}"
        );
    }

    #[test]
    fn passes_the_route_policy() {
        let out = expand(
            quote!(http_auth = "digest"),
            quote! { async fn voice(Form(call): Form<IncomingCall>) -> String { call.sid } },
        );
        assert!(
            out.contains(":: twilio_auth :: __private :: Verified < Form < IncomingCall > , :: twilio_auth :: __private :: Digest >"),
            "{out}"
        );
        let out = expand(
            quote!(
                http_auth = "basic",
                signature = false,
                crate = "twilio_auth_axum"
            ),
            quote! { async fn ping() -> &'static str { "ok" } },
        );
        assert!(
            out.contains("_ : twilio_auth_axum :: __private :: TwilioSignature < twilio_auth_axum :: __private :: BasicOnly >"),
            "{out}"
        );
        let out = expand(quote!(signature = true), quote! { async fn ping() {} });
        assert!(
            out.contains("_ : :: twilio_auth :: __private :: TwilioSignature)"),
            "{out}"
        );
    }

    #[test]
    fn skips_checks_for_generic_handlers() {
        let out = expand(
            quote!(),
            quote! { async fn h<S>(State(s): State<S>, body: String) {} },
        );
        assert!(!out.contains("assert_"), "{out}");
        assert!(out.contains("Verified (body)"), "{out}");
    }

    #[test]
    fn reemits_the_function_unchanged_on_error() {
        let item = quote! { fn h(body: String) -> String { body } };
        let out = expand(quote!(nope = 1), item.clone());
        assert!(out.starts_with(&item.to_string()), "{out}");
        assert!(out.contains("unknown argument `nope`"), "{out}");
        assert!(out.contains("must be `async fn`"), "{out}");
    }
}
