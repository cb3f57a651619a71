//! actix-web: the last parameter `pat: T` becomes `Verified(pat): Verified<T>`; a handler
//! without parameters gets a `TwilioSignature` guard. The attribute goes above actix's route
//! attribute (`#[post("/voice")]`), which is left as written, or on a handler registered
//! with `web::resource(…).route(…)`. Arguments (`args.rs`) → the handler and its usage
//! errors (`validate.rs`) → the rewritten handler (`expand.rs`).

mod args;
mod expand;
mod validate;

use proc_macro2::TokenStream;

use crate::errors::{Errors, with_error};
use crate::{exports, handler};

/// The attribute on an actix-web handler, re-emitted unchanged next to any error.
pub(crate) fn twilio_signed(args: TokenStream, item: TokenStream) -> TokenStream {
    let function = match handler::function(item.clone(), "an actix-web `async fn` handler") {
        Ok(function) => function,
        Err(error) => return with_error(item, error),
    };
    let mut errors = Errors::default();
    let args = args::parse(args, &mut errors);
    validate::validate(&function, &mut errors);
    if let Err(error) = errors.finish() {
        return with_error(item, error);
    }
    let exports = exports::Actix::new(args.shared.crate_path.as_ref());
    expand::expand(function, args.policy, &exports)
}
