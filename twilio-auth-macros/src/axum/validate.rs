//! Usage errors that syntax alone reveals, all collected and each at the user's own span.
//! (What needs types — is the last parameter an extractor, does the state provide the
//! configuration — is checked by assertions the expansion emits.)

use quote::ToTokens;
use syn::Type;
use syn::spanned::Spanned;

use super::args::Args;
use super::parse::{Handler, ParamKind};
use crate::errors::Errors;

/// An axum handler is an `async fn`; a plain `fn` under the attribute is most often a
/// Rocket route whose route attribute came first and has already been expanded.
const NOT_ASYNC: &str = "`#[twilio_signed]` axum handlers must be `async fn` (on a Rocket \
     route, put `#[twilio_signed]` above the route attribute: placed below it, it runs after \
     Rocket has generated the route)";

/// Checks the handler: a free `async fn`, at most one body extractor and that one last,
/// one state type.
pub(super) fn validate(handler: &Handler, args: &Args, errors: &mut Errors) {
    let sig = &handler.item.sig;
    if sig.asyncness.is_none() {
        errors.at(sig.fn_token.span(), NOT_ASYNC);
    }

    let bodies: Vec<(usize, &'static str)> = handler
        .params
        .iter()
        .enumerate()
        .filter_map(|(index, param)| match param.kind {
            ParamKind::Body(name) => Some((index, name)),
            _ => None,
        })
        .collect();
    match bodies.as_slice() {
        [] => {}
        [(index, name)] => {
            if *index + 1 != handler.params.len() {
                errors.at(
                    handler.params[*index].span,
                    format!("`{name}` reads the request body, so it must be the handler's last parameter"),
                );
            }
        }
        [(_, first), rest @ ..] => {
            for (index, name) in rest {
                errors.at(
                    handler.params[*index].span,
                    format!("only one parameter can read the request body, and `{first}` already does: remove this `{name}`"),
                );
            }
        }
    }

    if let Some(replay) = &args.replay
        && !matches!(sig.inputs.last(), Some(syn::FnArg::Typed(_)))
    {
        errors.at(
            replay.span(),
            "`replay` needs a handler whose last parameter is its extractor (e.g. `Form<T>`): \
             the guard runs between it and the handler's body",
        );
    }

    let mut first_state: Option<&Type> = None;
    for param in &handler.params {
        match &param.kind {
            ParamKind::Receiver => errors.at(
                param.span,
                "`#[twilio_signed]` handlers must be free functions: axum cannot call a method that takes `self`",
            ),
            ParamKind::State(state) => match first_state {
                Some(first) if args.state.is_none() && !same_type(first, state) => errors.at(
                    state.span(),
                    "cannot tell the router's state type from two different `State` parameters; \
                     name it: `#[twilio_signed(state = AppState)]`",
                ),
                Some(_) => {}
                None => first_state = Some(state),
            },
            ParamKind::Body(_) | ParamKind::Other => {}
        }
    }
}

/// The router's state type, when the handler says it: `state = S`, else a `State<S>`
/// parameter. `None`: the handler does not say, and works in any router whose state
/// provides the configuration; the attribute cannot see that state, so its checks use the
/// `Config` (a state without one is then a compiler error where the router is built, not ours).
pub(super) fn state_type<'a>(handler: &'a Handler, args: &'a Args) -> Option<&'a Type> {
    args.state.as_ref().or_else(|| {
        handler.params.iter().find_map(|param| match &param.kind {
            ParamKind::State(state) => Some(&**state),
            _ => None,
        })
    })
}

fn same_type(a: &Type, b: &Type) -> bool {
    a.to_token_stream().to_string() == b.to_token_stream().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::axum::parse::handler;
    use quote::quote;

    fn messages(item: proc_macro2::TokenStream) -> Vec<String> {
        let mut errors = Errors::default();
        let args = Args::parse(quote!(), &mut errors);
        validate(&handler(item).unwrap(), &args, &mut errors);
        match errors.finish() {
            Ok(()) => Vec::new(),
            Err(error) => error.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn accepts_handlers() {
        assert!(messages(quote! { async fn h(Form(f): Form<F>) {} }).is_empty());
        assert!(
            messages(quote! { async fn h(State(s): State<S>, Query(q): Query<Q>) {} }).is_empty()
        );
        assert!(messages(quote! { async fn h() {} }).is_empty());
    }

    #[test]
    fn reports_every_mistake() {
        assert_eq!(
            messages(
                quote! { fn h(&self, a: Json<A>, State(x): State<X>, State(y): State<Y>, b: String) {} }
            ),
            [
                NOT_ASYNC,
                "only one parameter can read the request body, and `Json` already does: remove this `String`",
                "`#[twilio_signed]` handlers must be free functions: axum cannot call a method that takes `self`",
                "cannot tell the router's state type from two different `State` parameters; name it: `#[twilio_signed(state = AppState)]`",
            ]
        );
        assert_eq!(
            messages(quote! { async fn h(a: Json<A>, q: Query<Q>) {} }),
            ["`Json` reads the request body, so it must be the handler's last parameter"]
        );
    }
}
