//! axum: the last parameter `pat: T` becomes `Verified(pat): Verified<T>`; a handler without
//! parameters gets a `TwilioSignature` guard. Arguments (`args.rs`) → the handler
//! (`parse.rs`) → usage errors (`validate.rs`) → the rewritten handler (`expand.rs`).

mod args;
mod expand;
mod parse;
mod validate;

use proc_macro2::TokenStream;

use crate::errors::{Errors, with_error};
use crate::exports;

/// The attribute on an axum handler: `args` from `#[twilio_signed(args)]`, `item` the
/// annotated item, re-emitted unchanged next to any error.
pub(crate) fn twilio_signed(args: TokenStream, item: TokenStream) -> TokenStream {
    let handler = match parse::handler(item.clone()) {
        Ok(handler) => handler,
        Err(error) => return with_error(item, error),
    };
    let mut errors = Errors::default();
    let args = args::Args::parse(args, &mut errors);
    validate::validate(&handler, &args, &mut errors);
    if let Err(error) = errors.finish() {
        return with_error(item, error);
    }
    let exports = exports::Axum::new(args.shared.crate_path.as_ref());
    expand::expand(handler, &args, &exports)
}
