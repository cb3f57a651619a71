//! Rocket's arguments: `#[twilio_signed(http_auth = "digest", signature = false,
//! crate = "twilio_auth")]`. The method, path and body are the route attribute's.

use proc_macro2::TokenStream;

use crate::args::PolicyArgs;
use crate::errors::Errors;

/// What the unknown-argument message says is expected.
const EXPECTED: &str = "one of `crate`, `http_auth`, `signature`";

/// Said of `state = …`, which axum takes: not an unknown argument, a misplaced one.
const NO_STATE: &str = "`state` is for axum: a Rocket route takes its configuration from the \
     managed state that `TwilioAuth::fairing(config)` installs";

/// Reads the arguments; every mistake goes to `errors`.
pub(super) fn parse(tokens: TokenStream, errors: &mut Errors) -> PolicyArgs {
    PolicyArgs::parse(tokens, errors, EXPECTED, NO_STATE)
}

#[cfg(test)]
mod tests {
    use super::*;
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
    fn takes_no_state_and_does_not_suggest_it() {
        assert_eq!(
            messages(quote!(state = AppState, stat = 1, http_auth = "basic")),
            [
                NO_STATE,
                "unknown argument `stat`; expected one of `crate`, `http_auth`, `signature`",
            ]
        );
        assert!(messages(quote!(crate = "twilio_auth_rocket", http_auth = "either")).is_empty());
    }
}
