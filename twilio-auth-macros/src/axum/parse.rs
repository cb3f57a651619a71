//! The annotated item, read into a [`Handler`]: the function and what each of its
//! parameters is to axum, as far as syntax can tell.

use proc_macro2::{Span, TokenStream};
use syn::spanned::Spanned;
use syn::{FnArg, ItemFn, Type};

use crate::handler::{function, last_segment};

/// Extractors that read the request body, recognised by the last segment of their path
/// (`axum::Form<T>`, `Form<T>`, …). Anything else is assumed to read only the request's
/// parts; axum itself will complain if that is wrong.
const BODY_EXTRACTORS: &[&str] = &[
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
pub(super) struct Handler {
    /// The function as written.
    pub item: ItemFn,
    /// Its parameters, in order.
    pub params: Vec<Param>,
}

/// One parameter of a handler.
pub(super) struct Param {
    /// What it is.
    pub kind: ParamKind,
    /// Where it is, for error messages.
    pub span: Span,
}

/// What a parameter is, from its syntax alone.
pub(super) enum ParamKind {
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
pub(super) fn handler(item: TokenStream) -> syn::Result<Handler> {
    let item = function(item, "an `async fn` handler")?;
    let params = item
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
    Ok(Handler { item, params })
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
}
