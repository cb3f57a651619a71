//! Usage errors in a warp handler that syntax reveals, all collected and each at the
//! user's own span: a free, non-generic `async fn` whose parameters can be taken, by type,
//! from a verified request. (Whether each type can be, and whether the handler returns a
//! reply, is checked where the expansion names them.)

use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{FnArg, ItemFn, Type};

use crate::errors::Errors;
use crate::handler::{last_segment, mentions_self_or_impl};

/// axum extractors a warp handler cannot take, with what to take instead.
const AXUM_ONLY: &[(&str, &str)] = &[
    ("RawForm", "`Bytes` (the raw body) or `Form<T>`"),
    (
        "Body",
        "`Bytes`: the body is read, within the limit, to verify it",
    ),
    (
        "Request",
        "`VerifiedRequest` (method, path and query, headers, body)",
    ),
    (
        "Multipart",
        "`Bytes`: Twilio does not send multipart webhooks",
    ),
];

/// Checks the handler; every mistake goes to `errors`.
pub(super) fn validate(function: &ItemFn, errors: &mut Errors) {
    let sig = &function.sig;
    if sig.asyncness.is_none() {
        errors.at(
            sig.fn_token.span(),
            "`#[twilio_signed]` handlers must be `async fn`",
        );
    }
    if !sig.generics.params.is_empty() {
        errors.at(
            sig.generics.span(),
            "a `#[twilio_signed]` warp handler cannot be generic: its filter takes each parameter, by type, from the verified request",
        );
    }
    for arg in &sig.inputs {
        let typed = match arg {
            FnArg::Receiver(receiver) => {
                errors.at(
                    receiver.span(),
                    "`#[twilio_signed]` handlers must be free functions: the generated filter calls the handler by name",
                );
                continue;
            }
            FnArg::Typed(typed) => typed,
        };
        match axum_extractor(&typed.ty).as_deref() {
            Some("State") => errors.at(
                typed.ty.span(),
                "a warp route has no router state: take `Form<T>`, `Json<T>`, `Query<T>`, `Bytes`, … from `twilio_auth::warp`, \
                 or write the route with its filters to add your own",
            ),
            Some(name) => {
                if let Some((_, instead)) = AXUM_ONLY.iter().find(|(axum, _)| *axum == name) {
                    errors.at(
                        typed.ty.span(),
                        format!("`{name}` is an axum extractor; a warp handler takes {instead}"),
                    );
                }
            }
            None => {}
        }
        if mentions_self_or_impl(typed.ty.to_token_stream()) {
            errors.at(
                typed.ty.span(),
                "name this parameter's type: the generated filter takes it, by type, from the verified request",
            );
        }
    }
}

/// The axum extractor a parameter's type names (`State<S>` or one of [`AXUM_ONLY`]), seen
/// through `Option` and `Result`.
fn axum_extractor(ty: &Type) -> Option<String> {
    let (name, argument) = last_segment(ty)?;
    match (name.as_str(), argument) {
        ("Option" | "Result", Some(inner)) => axum_extractor(inner),
        ("State", Some(_)) => Some(name),
        _ => AXUM_ONLY
            .iter()
            .any(|(axum, _)| *axum == name)
            .then_some(name),
    }
}
