//! What Rocket's own checks would report less directly: the parameter that `data` names
//! must exist, as `name: T`. (Whether `T` is a body `Verified` can provide is checked by an
//! assertion the expansion emits at the user's type.)

use syn::{FnArg, ItemFn, Pat};

use super::parse::DataArgument;

/// The index of the parameter `name: T` that receives the body; an error at the route's
/// `data = "<name>"` when there is none.
pub(super) fn data_parameter(function: &ItemFn, data: &DataArgument) -> syn::Result<usize> {
    let found = function.sig.inputs.iter().position(|input| match input {
        FnArg::Typed(param) => matches!(
            &*param.pat,
            Pat::Ident(pat) if pat.ident == data.name && pat.subpat.is_none()
        ),
        FnArg::Receiver(_) => false,
    });
    found.ok_or_else(|| {
        syn::Error::new(
            data.literal.span(),
            format!(
                "the route reads its body into `{name}`, but `{function}` has no parameter \
                 `{name}`: add one, such as `{name}: Form<…>`",
                name = data.name,
                function = function.sig.ident,
            ),
        )
    })
}
