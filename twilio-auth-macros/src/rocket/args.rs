//! Rocket's arguments: `#[twilio_signed(http_auth = "digest", signature = false,
//! replay = true, crate = "twilio_auth")]`. The method, path and body are the route
//! attribute's.

use proc_macro2::TokenStream;
use syn::LitBool;
use syn::spanned::Spanned;

use crate::args::{RoutePolicy, Shared, kw, parse_list, skip_value};
use crate::errors::Errors;

/// What the unknown-argument message says is expected.
const EXPECTED: &str = "one of `crate`, `http_auth`, `signature`, `replay`";

/// Said of `state = …`, which axum takes: not an unknown argument, a misplaced one.
const NO_STATE: &str = "`state` is for axum: a Rocket route takes its configuration from the \
     managed state that `TwilioAuth::fairing(config)` installs";

/// Said of `replay = <a guard>`, which axum takes: on Rocket the fairing carries the guard.
const REPLAY_TAKES_A_BOOL: &str = "`replay` on a Rocket route takes `true` or `false`: the \
     guard is the fairing's, `TwilioAuth::fairing(config).replay(guard)`";

/// The parsed arguments.
pub(super) struct Args {
    /// `crate`, `http_auth`, `signature`.
    pub shared: Shared,
    /// What `http_auth` and `signature` ask for.
    pub policy: RoutePolicy,
    /// `replay = true`: the route goes through the fairing's replay guard.
    pub replay: Option<LitBool>,
}

impl Args {
    /// Whether the route asks for the replay guard.
    pub(super) fn replays(&self) -> bool {
        self.replay.as_ref().is_some_and(|lit| lit.value)
    }
}

/// Reads the arguments; every mistake goes to `errors`.
pub(super) fn parse(tokens: TokenStream, errors: &mut Errors) -> Args {
    let mut shared = Shared::default();
    let mut replay = None;
    parse_list(tokens, errors, |input, list| {
        let lookahead = input.lookahead1();
        if lookahead.peek(kw::state) {
            list.key::<kw::state>(input, "state")?;
            let state: syn::Type = input.parse()?;
            list.errors.at(state.span(), NO_STATE);
        } else if lookahead.peek(kw::replay) {
            list.key::<kw::replay>(input, "replay")?;
            if input.peek(LitBool) {
                replay = Some(input.parse()?);
            } else {
                list.errors.at(input.span(), REPLAY_TAKES_A_BOOL);
                skip_value(input)?;
            }
        } else if !shared.parse(&lookahead, input, list)? {
            list.unknown(input, EXPECTED)?;
        }
        Ok(())
    });
    let policy = shared.policy(errors);
    Args {
        shared,
        policy,
        replay,
    }
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
                "unknown argument `stat`; expected one of `crate`, `http_auth`, `signature`, `replay`",
            ]
        );
        assert!(messages(quote!(crate = "twilio_auth_rocket", http_auth = "either")).is_empty());
    }

    #[test]
    fn replay_is_a_flag_not_a_guard() {
        let mut errors = Errors::default();
        let args = parse(quote!(replay = true, http_auth = "digest"), &mut errors);
        assert!(errors.finish().is_ok());
        assert!(args.replays());
        assert_eq!(args.policy, RoutePolicy::Digest);
        let mut errors = Errors::default();
        assert!(!parse(quote!(replay = false), &mut errors).replays());
        assert_eq!(
            messages(quote!(replay = GUARD.clone())),
            [REPLAY_TAKES_A_BOOL]
        );
    }
}
