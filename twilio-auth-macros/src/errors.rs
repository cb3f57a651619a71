//! Usage errors: collected as the attribute goes on, so every mistake is reported at once
//! (as serde's `Ctxt`), and emitted next to the user's item left as written (as
//! tokio-macros), so one mistake does not cascade into "cannot find function" errors.

use proc_macro2::{Span, TokenStream};

/// Errors collected while going on, combined into one at the end.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    /// Adds an error (which may itself combine several).
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(first) => first.combine(error),
            None => self.0 = Some(error),
        }
    }

    /// Adds an error at `span`.
    pub(crate) fn at(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push(syn::Error::new(span, message));
    }

    /// `Ok` when nothing was added.
    pub(crate) fn finish(self) -> Result<(), syn::Error> {
        self.0.map_or(Ok(()), Err)
    }
}

/// The user's item exactly as written, followed by the errors: the rest of the crate still
/// sees the function.
pub(crate) fn with_error(mut item: TokenStream, error: syn::Error) -> TokenStream {
    item.extend(error.into_compile_error());
    item
}
