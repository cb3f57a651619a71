//! The rewritten axum handler. A route policy (`http_auth`, `signature`) becomes the
//! guards' policy type: `Verified<T, __private::Digest>`,
//! `TwilioSignature<__private::BasicOnly>`. Assertions placed at the user's own types turn
//! "this handler is not a `Handler`" at the router into a clear error at the handler.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, PatType, Type, parse_quote};

use super::args::Args;
use super::parse::Handler;
use super::validate::state_type;
use crate::exports;
use crate::handler::{mentions_self_or_impl, wrap_last_parameter};

/// The handler, rewritten.
pub(super) fn expand(handler: Handler, args: &Args, exports: &exports::Axum) -> TokenStream {
    let checks = checks(&handler, args, exports);
    let Handler { mut item, .. } = handler;
    wrap_last_parameter(
        &mut item,
        &exports.verified(),
        &exports.twilio_signature(),
        exports.policy(args.policy),
    );
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
/// `.with_state(…)`; `tests/ui/fail/state_not_named.rs`). No item at the handler can name
/// that state, so only `state = …` (or a `State<S>` parameter) makes that error local.
fn checks(handler: &Handler, args: &Args, exports: &exports::Axum) -> Option<TokenStream> {
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
    let (state, state_span) = match state {
        Some(state) => (state.to_token_stream(), state.span()),
        None => (exports.config(), Span::call_site()),
    };
    let assert_state = exports.assert_state_provides_config();
    let state_check = quote_spanned!(state_span=> #assert_state::<#state>(););
    let extractor_check = match sig.inputs.last() {
        Some(FnArg::Typed(PatType { ty, .. })) => {
            let assert_extractor = exports.assert_extractor();
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
