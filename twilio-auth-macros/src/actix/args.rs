//! actix-web's arguments: `#[twilio_signed(http_auth = "digest", signature = false,
//! crate = "twilio_auth_actix")]`. The path and method belong to actix's own route
//! attribute or `web::resource`; the configuration comes from the app data.

use proc_macro2::TokenStream;

use crate::args::PolicyArgs;
use crate::errors::Errors;

/// What the unknown-argument message says is expected.
const EXPECTED: &str = "one of `crate`, `http_auth`, `signature` (the path and method go in \
     actix's route attribute, below: `#[post(\"/voice\")]`)";

/// Said of `state = …`, which axum takes: not an unknown argument, a misplaced one.
const NO_STATE: &str = "actix-web handlers take no `state`: the configuration comes from the \
     app data (`App::new().app_data(config)`)";

/// Reads the arguments; every mistake goes to `errors`.
pub(super) fn parse(tokens: TokenStream, errors: &mut Errors) -> PolicyArgs {
    PolicyArgs::parse(tokens, errors, EXPECTED, NO_STATE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::RoutePolicy;
    use quote::quote;

    fn messages(tokens: TokenStream) -> Vec<String> {
        let mut errors = Errors::default();
        parse(tokens, &mut errors);
        match errors.finish() {
            Ok(()) => Vec::new(),
            Err(error) => error.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn reads_the_policy_and_refuses_what_actix_does_not_take() {
        let mut errors = Errors::default();
        let args = parse(quote!(http_auth = "digest", signature = false), &mut errors);
        assert!(errors.finish().is_ok());
        assert_eq!(args.policy, RoutePolicy::DigestOnly);
        assert_eq!(
            messages(quote!(state = AppState, path = "voice")),
            [
                NO_STATE,
                &format!("unknown argument `path`; expected {EXPECTED}"),
            ]
        );
    }
}
