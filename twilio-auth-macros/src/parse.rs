//! The annotated item, read into a [`Handler`]: the function and what each of its
//! parameters is, as far as syntax can tell.

use proc_macro2::{TokenStream, TokenTree};
use syn::spanned::Spanned;
use syn::{FnArg, GenericArgument, Item, ItemFn, PathArguments, Type};

/// Extractors that read the request body, recognised by the last segment of their path
/// (`axum::Form<T>`, `Form<T>`, …). Anything else is assumed to read only the request's
/// parts; axum itself will complain if that is wrong.
pub(crate) const BODY_EXTRACTORS: &[&str] = &[
    "Form",
    "Json",
    "Bytes",
    "String",
    "RawForm",
    "Body",
    "Request",
    "Multipart",
];

/// A handler function.
pub(crate) struct Handler {
    /// The function as written.
    pub item: ItemFn,
    /// Its parameters, in order.
    pub params: Vec<Param>,
}

/// One parameter of a handler.
pub(crate) struct Param {
    /// What it is.
    pub kind: ParamKind,
    /// Where it is, for error messages.
    pub span: proc_macro2::Span,
}

/// What a parameter is, from its syntax alone.
pub(crate) enum ParamKind {
    /// `self`, `&self`, `mut self: Box<Self>`, …
    Receiver,
    /// An extractor that reads the body; the name is the one in [`BODY_EXTRACTORS`].
    Body(&'static str),
    /// `State<S>`: the state type `S`.
    State(Box<Type>),
    /// Anything else.
    Other,
}

/// Reads the annotated item; anything but a function is an error at that item.
pub(crate) fn handler(item: TokenStream) -> syn::Result<Handler> {
    let item_fn = match syn::parse2::<Item>(item)? {
        Item::Fn(item_fn) => item_fn,
        other => {
            let what = describe(&other);
            return Err(syn::Error::new(
                first_token_span(&other),
                format!("`#[twilio_signed]` goes on an `async fn` handler, not on {what}"),
            ));
        }
    };
    let params = item_fn
        .sig
        .inputs
        .iter()
        .map(|arg| match arg {
            FnArg::Receiver(receiver) => Param {
                kind: ParamKind::Receiver,
                span: receiver.span(),
            },
            FnArg::Typed(typed) => Param {
                kind: classify(&typed.ty),
                span: typed.ty.span(),
            },
        })
        .collect();
    Ok(Handler {
        item: item_fn,
        params,
    })
}

/// What a parameter of type `ty` is.
fn classify(ty: &Type) -> ParamKind {
    let Some((name, argument)) = last_segment(ty) else {
        return ParamKind::Other;
    };
    match (name.as_str(), argument) {
        // `Option<Form<T>>`, `Result<Json<T>, JsonRejection>`: what is inside decides.
        ("Option" | "Result", Some(inner)) => classify(inner),
        ("State", Some(state)) => ParamKind::State(Box::new(state.clone())),
        _ => BODY_EXTRACTORS
            .iter()
            .find(|body| **body == name)
            .map_or(ParamKind::Other, |body| ParamKind::Body(body)),
    }
}

/// The last path segment's name and its first type argument: `("Form", Some(T))` for
/// `axum::Form<T>`.
fn last_segment(ty: &Type) -> Option<(String, Option<&Type>)> {
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

/// Whether `tokens` mention `Self` or `impl`, which a check item inside the handler's body
/// could not name.
pub(crate) fn mentions_self_or_impl(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|tree| match tree {
        TokenTree::Ident(ident) => ident == "Self" || ident == "impl",
        TokenTree::Group(group) => mentions_self_or_impl(group.stream()),
        _ => false,
    })
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
fn first_token_span(item: &Item) -> proc_macro2::Span {
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
    proc_macro2::Span::call_site()
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn kinds(item: TokenStream) -> Vec<String> {
        handler(item)
            .unwrap()
            .params
            .iter()
            .map(|p| match &p.kind {
                ParamKind::Receiver => "self".to_owned(),
                ParamKind::Body(name) => (*name).to_owned(),
                ParamKind::State(ty) => format!("State({})", quote!(#ty)),
                ParamKind::Other => "other".to_owned(),
            })
            .collect()
    }

    #[test]
    fn classifies_parameters() {
        assert_eq!(
            kinds(quote! {
                async fn h(State(s): State<AppState>, q: axum::extract::Query<Q>, b: Option<Form<F>>, r: Result<Json<J>, E>) {}
            }),
            ["State(AppState)", "other", "Form", "Json"]
        );
        assert_eq!(
            kinds(quote! { async fn h(&self, body: String) {} }),
            ["self", "String"]
        );
    }

    #[test]
    fn refuses_what_is_not_a_function() {
        let error = handler(quote! { #[derive(Debug)] pub struct Voice; })
            .err()
            .unwrap();
        assert_eq!(
            error.to_string(),
            "`#[twilio_signed]` goes on an `async fn` handler, not on a struct"
        );
    }
}
