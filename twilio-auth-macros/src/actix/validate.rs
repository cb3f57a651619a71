//! Usage errors that syntax alone reveals, all collected and each at the user's own span.
//! (Whether the last parameter is an extractor is checked by an assertion the expansion
//! emits.)

use syn::spanned::Spanned;
use syn::{FnArg, ItemFn, Type};

use crate::errors::Errors;
use crate::handler::last_segment;

/// actix-web extractors that read the request body, recognised by the last segment of their
/// path (`web::Form<T>`, `Form<T>`, …). Anything else is assumed to read only the request's
/// head; actix itself decides.
const BODY_EXTRACTORS: &[&str] = &["Form", "Json", "Bytes", "String", "Payload", "Multipart"];

/// An actix-web handler is an `async fn`.
const NOT_ASYNC: &str = "`#[twilio_signed]` actix-web handlers must be `async fn`";

/// Checks the handler: a free `async fn`, at most one body extractor and that one last.
pub(super) fn validate(function: &ItemFn, errors: &mut Errors) {
    let sig = &function.sig;
    if sig.asyncness.is_none() {
        errors.at(sig.fn_token.span(), NOT_ASYNC);
    }
    let count = sig.inputs.len();
    let mut first_body: Option<&'static str> = None;
    for (index, input) in sig.inputs.iter().enumerate() {
        let ty = match input {
            FnArg::Receiver(receiver) => {
                errors.at(
                    receiver.span(),
                    "`#[twilio_signed]` handlers must be free functions: actix-web cannot call a method that takes `self`",
                );
                continue;
            }
            FnArg::Typed(typed) => &typed.ty,
        };
        let Some(name) = body_extractor(ty) else {
            continue;
        };
        match first_body {
            Some(first) => errors.at(
                ty.span(),
                format!("only one parameter can read the request body, and `{first}` already does: remove this `{name}`"),
            ),
            None => {
                first_body = Some(name);
                if index + 1 != count {
                    errors.at(
                        ty.span(),
                        format!("`{name}` reads the request body, so it must be the handler's last parameter"),
                    );
                }
            }
        }
    }
}

/// The body extractor `ty` is, if it is one (`Option<…>` and `Result<…>` look inside).
fn body_extractor(ty: &Type) -> Option<&'static str> {
    let (name, argument) = last_segment(ty)?;
    match (name.as_str(), argument) {
        ("Option" | "Result", Some(inner)) => body_extractor(inner),
        _ => BODY_EXTRACTORS.iter().find(|body| **body == name).copied(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn messages(item: proc_macro2::TokenStream) -> Vec<String> {
        let mut errors = Errors::default();
        validate(&syn::parse2(item).unwrap(), &mut errors);
        match errors.finish() {
            Ok(()) => Vec::new(),
            Err(error) => error.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn accepts_handlers() {
        assert!(messages(quote! { async fn h(req: HttpRequest, f: web::Form<F>) {} }).is_empty());
        assert!(messages(quote! { async fn h(q: web::Query<Q>) {} }).is_empty());
        assert!(messages(quote! { async fn h() {} }).is_empty());
    }

    #[test]
    fn reports_every_mistake() {
        assert_eq!(
            messages(quote! { fn h(&self, a: web::Json<A>, b: Option<String>, r: HttpRequest) {} }),
            [
                NOT_ASYNC,
                "`#[twilio_signed]` handlers must be free functions: actix-web cannot call a method that takes `self`",
                "`Json` reads the request body, so it must be the handler's last parameter",
                "only one parameter can read the request body, and `Json` already does: remove this `String`",
            ]
        );
    }
}
