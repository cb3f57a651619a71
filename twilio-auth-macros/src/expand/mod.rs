//! From a validated handler to code, one module per framework. This module holds what they
//! share: the entry flow (parse → validate → expand, with the user's item re-emitted
//! unchanged next to any error) and the table of paths generated code may name.

#[cfg(feature = "axum")]
mod axum;
#[cfg(feature = "rocket")]
pub(crate) mod rocket;
#[cfg(feature = "warp")]
pub(crate) mod warp;

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

use crate::args::{Args, Errors};
use crate::{parse, validate};

/// The framework an entry point generates code for.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Framework {
    /// axum: the last parameter is wrapped in `Verified<E>`.
    #[cfg(feature = "axum")]
    Axum,
}

/// The whole attribute: `args` from `#[twilio_signed(args)]`, `item` the annotated item.
pub(crate) fn twilio_signed(
    framework: Framework,
    args: TokenStream,
    item: TokenStream,
) -> TokenStream {
    let handler = match parse::handler(item.clone()) {
        Ok(handler) => handler,
        Err(error) => return with_error(item, error),
    };
    let mut errors = Errors::default();
    let args = Args::parse(args).unwrap_or_else(|error| {
        errors.push(error);
        Args::default()
    });
    if let Err(error) = validate::validate(&handler, &args) {
        errors.push(error);
    }
    if let Err(error) = errors.finish() {
        return with_error(item, error);
    }
    let runtime = Runtime::new(&args);
    match framework {
        #[cfg(feature = "axum")]
        Framework::Axum => axum::expand(handler, &args, &runtime),
    }
}

/// The user's item exactly as written, followed by the errors: the rest of the crate still
/// sees the function, so one mistake does not cascade into "cannot find function" errors.
pub(crate) fn with_error(mut item: TokenStream, error: syn::Error) -> TokenStream {
    item.extend(error.into_compile_error());
    item
}

/// The paths generated code uses: every one is `<crate>::__private::<name>`, where the
/// crate is `::twilio_auth` unless `crate = "…"` says otherwise.
pub(crate) struct Runtime {
    private: TokenStream,
}

impl Runtime {
    fn new(args: &Args) -> Self {
        let root = match &args.crate_path {
            Some(path) => path.to_token_stream(),
            None => quote!(::twilio_auth),
        };
        Runtime {
            private: quote!(#root::__private),
        }
    }

    /// `<crate>::__private::<name>`.
    pub(crate) fn path(&self, name: &str) -> TokenStream {
        let private = &self.private;
        let name = proc_macro2::Ident::new(name, proc_macro2::Span::call_site());
        quote!(#private::#name)
    }
}
