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
    if let Some(replay) = &args.replay {
        return expand_replay(handler.item, replay, args, exports, checks);
    }
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

/// With `replay = GUARD`: the handler's body becomes an inner `async fn` with the original
/// parameters and return type; the outer handler takes the same leading parameters and a
/// `Replayable<T, Policy>` in place of the last, asks the guard (a refusal is answered
/// without running the body), runs the body, and reports its status to the guard (2xx:
/// done; otherwise released for Twilio's retry).
fn expand_replay(
    item: syn::ItemFn,
    replay: &syn::Expr,
    args: &Args,
    exports: &exports::Axum,
    checks: Option<TokenStream>,
) -> TokenStream {
    let mut inner = item.clone();
    inner.attrs = vec![parse_quote!(#[allow(clippy::too_many_arguments)])];
    inner.vis = syn::Visibility::Inherited;
    inner.sig.ident = syn::Ident::new("__twilio_handler", item.sig.ident.span());
    let mut outer = item;
    let mut outer_sig = outer.sig.clone();
    let response = exports.response();
    outer_sig.output = parse_quote!(-> #response);
    let count = outer_sig.inputs.len();
    let mut call_args = Vec::with_capacity(count);
    for (index, input) in outer_sig.inputs.iter_mut().enumerate() {
        let FnArg::Typed(PatType { pat, ty, .. }) = input else {
            continue;
        };
        let name = syn::Ident::new(&format!("__twilio_arg{index}"), pat.span());
        **pat = parse_quote!(#name);
        if index + 1 == count {
            let replayable = exports.replayable();
            let policy = exports.policy(args.policy).map(|policy| quote!(, #policy));
            let span = ty.span();
            **ty = Type::Verbatim(quote_spanned!(span=> #replayable<#ty #policy>));
        }
        call_args.push(name);
    }
    let last = call_args.pop();
    let guard = exports.replay_guard();
    let into_response = exports.response_trait();
    let checks = checks.map(|c| quote!(#c));
    outer.sig = outer_sig;
    outer.block = parse_quote!({
            #checks
            #inner
            let __twilio_guard: #guard = #replay;
            let (__twilio_value, __twilio_ticket) = match #last.admit(&__twilio_guard).await {
                ::core::result::Result::Ok(admitted) => admitted,
                ::core::result::Result::Err(refusal) => return refusal,
            };
            let __twilio_response = #into_response::into_response(
                __twilio_handler(#(#call_args,)* __twilio_value).await,
            );
            __twilio_ticket.finish(__twilio_response.status().as_u16()).await;
            __twilio_response
    });
    outer.into_token_stream()
}
