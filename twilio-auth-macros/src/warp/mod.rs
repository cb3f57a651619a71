//! warp: the handler stays as written, and next to it comes `<name>_filter(config)`, the
//! whole route — the path and method of the attribute (in that order, so an unknown path
//! is a 404, not a 405), then verification, then the
//! handler called with values taken from the verified request. Arguments (`args.rs`) →
//! usage errors in the handler (`validate.rs`) → the filter (`expand.rs`).

mod args;
mod expand;
mod validate;

use proc_macro2::TokenStream;

use crate::errors::{Errors, with_error};
use crate::{exports, handler};

/// The attribute on a warp handler, re-emitted unchanged next to any error.
pub(crate) fn twilio_signed(args: TokenStream, item: TokenStream) -> TokenStream {
    let function = match handler::function(item.clone(), "an `async fn` handler") {
        Ok(function) => function,
        Err(error) => return with_error(item, error),
    };
    let mut errors = Errors::default();
    let args = args::Args::parse(args, &mut errors);
    validate::validate(&function, &mut errors);
    if let Err(error) = errors.finish() {
        return with_error(item, error);
    }
    let exports = exports::Warp::new(args.shared.crate_path.as_ref());
    expand::expand(&function, &args, &exports)
}
