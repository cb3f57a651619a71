//! The rewritten Rocket route. The `data = "<call>"` parameter `call: T` becomes
//! `__twilio_call: Verified<T>` (Rocket wants identifiers, so it is renamed, and the route
//! attribute follows), and `let call = __twilio_call.into_inner();` opens the body, which is
//! otherwise left as written. A route without `data` gets a `TwilioSignature` request guard.
//! A route policy (`http_auth`, `signature`) becomes the guards' policy type:
//! `Verified<T, __private::rocket::Digest>`; with `replay = true` it is wrapped:
//! `Verified<T, __private::rocket::ReplayGuarded<__private::rocket::Digest>>`.

use proc_macro2::{Literal, TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Attribute, FnArg, Ident, ItemFn, Meta, Pat, PatIdent, Type, parse_quote};

use super::parse::DataArgument;
use crate::args::RoutePolicy;
use crate::exports;

/// The prefix of a renamed data parameter: `call` becomes `__twilio_call`.
const RENAMED_PREFIX: &str = "__twilio_";

/// The route, rewritten: `attribute` is the index of its route attribute, `data` its data
/// argument with the index of the parameter it names.
pub(super) fn expand(
    mut function: ItemFn,
    attribute: usize,
    data: Option<(DataArgument, usize)>,
    policy: RoutePolicy,
    replay: bool,
    exports: &exports::Rocket,
) -> TokenStream {
    let policy = exports.policy(policy);
    let policy = match (replay, policy) {
        (false, policy) => policy,
        (true, policy) => {
            let inner = policy.unwrap_or_else(|| exports.signature());
            let guarded = exports.replay_guarded();
            Some(quote!(#guarded<#inner>))
        }
    };
    match data {
        Some((data, index)) => {
            let renamed = format_ident!("{RENAMED_PREFIX}{}", data.name);
            function.attrs[attribute] =
                with_data_argument(&function.attrs[attribute], &data, &renamed);
            let FnArg::Typed(param) = &mut function.sig.inputs[index] else {
                unreachable!("data_parameter returns typed parameters only");
            };
            let Pat::Ident(PatIdent {
                ident, mutability, ..
            }) = &*param.pat
            else {
                unreachable!("data_parameter returns identifier patterns only");
            };
            let binding = quote!(#mutability #ident);
            let ty = (*param.ty).clone();
            let span = ty.span();
            let verified = exports.verified();
            let policy = policy.map(|policy| quote!(, #policy));
            *param.pat = parse_quote!(#renamed);
            *param.ty = Type::Verbatim(quote_spanned!(span=> #verified<#ty #policy>));
            let assert = exports.assert_verified_data();
            let prologue: Vec<syn::Stmt> = vec![
                // At the user's type: "not a body `Verified` can provide" before Rocket's
                // less direct complaint about `FromData`.
                syn::Stmt::Expr(
                    syn::Expr::Verbatim(quote_spanned!(span=> #assert::<#ty>())),
                    Some(Default::default()),
                ),
                parse_quote!(let #binding = #renamed.into_inner();),
            ];
            function.block.stmts.splice(0..0, prologue);
        }
        None => {
            let guard = exports.twilio_signature();
            let policy = policy.map(|policy| quote!(<#policy>));
            let name = format_ident!("{RENAMED_PREFIX}signature");
            // First: Rocket runs request guards in order, so the signature is checked
            // before any other guard (a `WebSocket` guard that forwards a plain GET, a
            // guard with side effects) gets to answer.
            function
                .sig
                .inputs
                .insert(0, parse_quote!(#name: #guard #policy));
        }
    }
    function.into_token_stream()
}

/// The route attribute with `data = "<renamed>"`, everything else as written.
fn with_data_argument(attr: &Attribute, data: &DataArgument, renamed: &Ident) -> Attribute {
    let mut attr = attr.clone();
    if let Meta::List(list) = &mut attr.meta {
        let mut replacement = Literal::string(&format!("<{renamed}>"));
        replacement.set_span(data.literal.span());
        list.tokens = list
            .tokens
            .clone()
            .into_iter()
            .map(|tree| match tree {
                TokenTree::Literal(lit) if lit.to_string() == data.literal.to_string() => {
                    TokenTree::Literal(replacement.clone())
                }
                other => other,
            })
            .collect();
    }
    attr
}
