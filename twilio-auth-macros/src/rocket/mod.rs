//! Rocket: `#[twilio_signed]` goes above the route attribute, which it reads before Rocket
//! expands it. Arguments (`args.rs`) → the route attribute and its `data = "<…>"`
//! (`parse.rs`) → the parameter that receives the body (`validate.rs`) → the rewritten
//! route (`expand.rs`).

mod args;
mod expand;
mod parse;
mod validate;

use proc_macro2::TokenStream;
use quote::ToTokens;

use crate::errors::{Errors, with_error};
use crate::{exports, handler};

/// The attribute on a Rocket route, re-emitted unchanged next to any error.
pub(crate) fn twilio_signed(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut function = match handler::function(
        item.clone(),
        "a Rocket route function, above its route attribute",
    ) {
        Ok(function) => function,
        Err(error) => return with_error(item, error),
    };
    let mut errors = Errors::default();
    let args = args::parse(args, &mut errors);
    let Some(route) = parse::route(&function, &mut errors) else {
        return with_error(item, errors.finish().unwrap_err());
    };
    let mut unroutable = false;
    if let Some(replay) = args.replay.as_ref().filter(|lit| lit.value)
        && route.data.is_none()
    {
        errors.at(
            replay.span(),
            "`replay = true` needs a route that reads its body (`data = \"<…>\"`): the replay \
             guard runs in the `Verified` data guard",
        );
    }
    let data = route
        .data
        .and_then(|data| match validate::data_parameter(&function, &data) {
            Ok(index) => Some((data, index)),
            Err(error) => {
                errors.push(error);
                unroutable = true;
                None
            }
        });
    if let Err(error) = errors.finish() {
        if unroutable {
            // Rocket would only repeat the error about `data`, and emit nothing else: the
            // function alone keeps the rest of the crate compiling.
            function.attrs.remove(route.attribute);
            return with_error(function.into_token_stream(), error);
        }
        return with_error(item, error);
    }
    let exports = exports::Rocket::new(args.shared.crate_path.as_ref());
    expand::expand(
        function,
        route.attribute,
        data,
        args.policy,
        args.replays(),
        &exports,
    )
}
