//! actix-web's arguments: `#[twilio_signed(http_auth = "digest", signature = false,
//! crate = "twilio_auth_actix")]`. The path and method belong to actix's own route
//! attribute or `web::resource`; the configuration comes from the app data.

use proc_macro2::TokenStream;

use crate::args::{RoutePolicy, Shared, kw, parse_list};
use crate::errors::Errors;

/// What the unknown-argument message says is expected.
const EXPECTED: &str = "one of `crate`, `http_auth`, `signature` (the path and method go in \
     actix's route attribute, below: `#[post(\"/voice\")]`)";

/// The parsed arguments.
pub(super) struct Args {
    /// `crate`, `http_auth`, `signature`.
    pub shared: Shared,
    /// What `http_auth` and `signature` ask for.
    pub policy: RoutePolicy,
}

impl Args {
    /// Reads the arguments; every mistake goes to `errors`.
    pub(super) fn parse(tokens: TokenStream, errors: &mut Errors) -> Args {
        let mut shared = Shared::default();
        parse_list(tokens, errors, |input, list| {
            let lookahead = input.lookahead1();
            if lookahead.peek(kw::state) {
                let span = input.span();
                list.key::<kw::state>(input, "state")?;
                let _: syn::Type = input.parse()?;
                list.errors.at(
                    span,
                    "actix-web handlers take no `state`: the configuration comes from the app \
                     data (`App::new().app_data(config)`)",
                );
            } else if !shared.parse(&lookahead, input, list)? {
                list.unknown(input, EXPECTED)?;
            }
            Ok(())
        });
        let policy = shared.policy(errors);
        Args { shared, policy }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn messages(tokens: TokenStream) -> Vec<String> {
        let mut errors = Errors::default();
        Args::parse(tokens, &mut errors);
        match errors.finish() {
            Ok(()) => Vec::new(),
            Err(error) => error.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn reads_the_policy_and_refuses_what_actix_does_not_take() {
        let mut errors = Errors::default();
        let args = Args::parse(quote!(http_auth = "digest", signature = false), &mut errors);
        assert!(errors.finish().is_ok());
        assert_eq!(args.policy, RoutePolicy::DigestOnly);
        assert_eq!(
            messages(quote!(state = AppState, path = "voice")),
            [
                "actix-web handlers take no `state`: the configuration comes from the app data (`App::new().app_data(config)`)",
                &format!("unknown argument `path`; expected {EXPECTED}"),
            ]
        );
    }
}
