//! The annotated item, as every framework reads it: a function, or an error at the item's
//! own keyword; and what a type's syntax says about it.

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::{Item, ItemFn};

/// Reads the annotated item; anything but a function is an error at that item's keyword,
/// saying that the attribute goes on `expected` ("an `async fn` handler").
pub(crate) fn function(item: TokenStream, expected: &str) -> syn::Result<ItemFn> {
    match syn::parse2::<Item>(item)? {
        Item::Fn(function) => Ok(function),
        other => Err(syn::Error::new(
            keyword_span(&other),
            format!(
                "`#[twilio_signed]` goes on {expected}, not on {}",
                describe(&other)
            ),
        )),
    }
}

// (axum, warp and actix-web read parameter types; Rocket leaves them to Rocket.)
#[cfg(any(feature = "axum", feature = "warp", feature = "actix"))]
/// The last path segment's name and its first type argument: `("Form", Some(T))` for
/// `axum::Form<T>`.
pub(crate) fn last_segment(ty: &syn::Type) -> Option<(String, Option<&syn::Type>)> {
    use syn::{GenericArgument, PathArguments, Type};
    match ty {
        Type::Paren(paren) => last_segment(&paren.elem),
        Type::Group(group) => last_segment(&group.elem),
        Type::Path(path) if path.qself.is_none() => {
            let segment = path.path.segments.last()?;
            let argument = match &segment.arguments {
                PathArguments::AngleBracketed(args) => args.args.iter().find_map(|arg| match arg {
                    GenericArgument::Type(ty) => Some(ty),
                    _ => None,
                }),
                _ => None,
            };
            Some((segment.ident.to_string(), argument))
        }
        _ => None,
    }
}

#[cfg(any(feature = "axum", feature = "warp", feature = "actix"))]
/// Whether `tokens` mention `Self` or `impl`, which an item generated next to the handler
/// (or inside its body) could not name.
pub(crate) fn mentions_self_or_impl(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|tree| match tree {
        TokenTree::Ident(ident) => ident == "Self" || ident == "impl",
        TokenTree::Group(group) => mentions_self_or_impl(group.stream()),
        _ => false,
    })
}

#[cfg(any(feature = "axum", feature = "actix"))]
/// The rewrite axum and actix-web share: the last parameter `pat: T` becomes
/// `verified(pat): verified<T, policy>` (spanned at `T`); a function without parameters
/// gets `_: guard<policy>`. A receiver (refused by validation) is left alone.
pub(crate) fn wrap_last_parameter(
    function: &mut ItemFn,
    verified: &TokenStream,
    guard: &TokenStream,
    policy: Option<TokenStream>,
) {
    use quote::{quote, quote_spanned};
    use syn::spanned::Spanned;
    use syn::{FnArg, PatType, Type, parse_quote};

    match function.sig.inputs.last_mut() {
        Some(FnArg::Typed(PatType { pat, ty, .. })) => {
            let span = ty.span();
            let policy = policy.map(|policy| quote!(, #policy));
            **pat = parse_quote!(#verified(#pat));
            **ty = Type::Verbatim(quote_spanned!(span=> #verified<#ty #policy>));
        }
        Some(FnArg::Receiver(_)) => {}
        None => {
            let policy = policy.map(|policy| quote!(<#policy>));
            function.sig.inputs.push(parse_quote!(_: #guard #policy));
        }
    }
}

/// "a struct", "an impl block", … for the not-a-function message.
fn describe(item: &Item) -> &'static str {
    match item {
        Item::Const(_) => "a const",
        Item::Enum(_) => "an enum",
        Item::ExternCrate(_) => "an extern crate",
        Item::ForeignMod(_) => "an extern block",
        Item::Impl(_) => "an impl block",
        Item::Macro(_) => "a macro invocation",
        Item::Mod(_) => "a module",
        Item::Static(_) => "a static",
        Item::Struct(_) => "a struct",
        Item::Trait(_) | Item::TraitAlias(_) => "a trait",
        Item::Type(_) => "a type alias",
        Item::Union(_) => "a union",
        Item::Use(_) => "a use declaration",
        _ => "this item",
    }
}

/// The span of an item's keyword (`struct`, `impl`, …), past its attributes and
/// visibility: short, so the error underlines little.
fn keyword_span(item: &Item) -> Span {
    let mut tokens = quote::ToTokens::to_token_stream(item)
        .into_iter()
        .peekable();
    while let Some(tree) = tokens.next() {
        match &tree {
            // `#[attr]`, `pub(crate)`: skip the group that follows.
            TokenTree::Punct(p) if p.as_char() == '#' => {
                tokens.next();
            }
            TokenTree::Ident(ident) if ident == "pub" => {
                if matches!(tokens.peek(), Some(TokenTree::Group(_))) {
                    tokens.next();
                }
            }
            _ => return tree.span(),
        }
    }
    Span::call_site()
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn refuses_what_is_not_a_function() {
        let error = function(quote! { #[derive(Debug)] pub struct Voice; }, "a handler")
            .err()
            .unwrap();
        assert_eq!(
            error.to_string(),
            "`#[twilio_signed]` goes on a handler, not on a struct"
        );
    }

    #[cfg(any(feature = "axum", feature = "warp", feature = "actix"))]
    #[test]
    fn reads_the_last_segment() {
        let ty: syn::Type = syn::parse_quote!((axum::Form<(A, B)>));
        let (name, argument) = last_segment(&ty).unwrap();
        assert_eq!(name, "Form");
        assert!(matches!(argument, Some(syn::Type::Tuple(_))));
        assert!(last_segment(&syn::parse_quote!(&str)).is_none());
    }
}
