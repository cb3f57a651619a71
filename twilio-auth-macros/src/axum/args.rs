//! axum's arguments: `#[twilio_signed(state = AppState, http_auth = "digest",
//! signature = false, replay = GUARD.clone(), crate = "twilio_auth")]`.

use proc_macro2::TokenStream;
use syn::{Expr, Type};

use crate::args::{RoutePolicy, Shared, kw, parse_list};
use crate::errors::Errors;

/// What the unknown-argument message says is expected.
const EXPECTED: &str = "one of `state`, `crate`, `http_auth`, `signature`, `replay`";

/// The parsed arguments.
pub(super) struct Args {
    /// The router's state type (`state = …`), when given.
    pub state: Option<Type>,
    /// `crate`, `http_auth`, `signature`.
    pub shared: Shared,
    /// What `http_auth` and `signature` ask for.
    pub policy: RoutePolicy,
    /// `replay = …`: an expression giving the route's `ReplayGuard`, evaluated per request.
    pub replay: Option<Expr>,
}

impl Args {
    /// Reads the arguments; every mistake goes to `errors`.
    pub(super) fn parse(tokens: TokenStream, errors: &mut Errors) -> Args {
        let mut state = None;
        let mut replay = None;
        let mut shared = Shared::default();
        parse_list(tokens, errors, |input, list| {
            let lookahead = input.lookahead1();
            if lookahead.peek(kw::state) {
                list.key::<kw::state>(input, "state")?;
                state = Some(input.parse()?);
            } else if lookahead.peek(kw::replay) {
                list.key::<kw::replay>(input, "replay")?;
                replay = Some(input.parse()?);
            } else if !shared.parse(&lookahead, input, list)? {
                list.unknown(input, EXPECTED)?;
            }
            Ok(())
        });
        let policy = shared.policy(errors);
        Args {
            state,
            shared,
            policy,
            replay,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn parse(tokens: TokenStream) -> Result<Args, Vec<String>> {
        let mut errors = Errors::default();
        let args = Args::parse(tokens, &mut errors);
        match errors.finish() {
            Ok(()) => Ok(args),
            Err(error) => Err(error.into_iter().map(|e| e.to_string()).collect()),
        }
    }

    fn messages(tokens: TokenStream) -> Vec<String> {
        parse(tokens).err().unwrap_or_default()
    }

    #[test]
    fn reads_known_arguments() {
        let args = parse(quote!(state = AppState, crate = "my::twilio")).unwrap();
        assert!(args.state.is_some());
        let path = args.shared.crate_path.unwrap();
        assert_eq!(quote!(#path).to_string(), "my :: twilio");
        assert!(parse(quote!()).unwrap().state.is_none());
        assert!(parse(quote!(state = Generic<A, B>,)).is_ok());
        let args = parse(quote!(replay = guard(), state = S)).unwrap();
        assert!(args.replay.is_some() && args.state.is_some());
        assert!(parse(quote!()).unwrap().replay.is_none());
    }

    #[test]
    fn reads_the_route_policy() {
        let policy = |tokens| parse(tokens).unwrap().policy;
        assert_eq!(policy(quote!()), RoutePolicy::Signature);
        assert_eq!(policy(quote!(signature = true)), RoutePolicy::Signature);
        assert_eq!(policy(quote!(http_auth = "basic")), RoutePolicy::Basic);
        assert_eq!(policy(quote!(http_auth = "digest")), RoutePolicy::Digest);
        assert_eq!(
            policy(quote!(http_auth = "either", signature = true)),
            RoutePolicy::Either
        );
        assert_eq!(
            policy(quote!(signature = false, http_auth = "basic")),
            RoutePolicy::BasicOnly
        );
        assert_eq!(
            policy(quote!(http_auth = "digest", signature = false)),
            RoutePolicy::DigestOnly
        );
        assert_eq!(
            policy(quote!(state = S, http_auth = "either", signature = false)),
            RoutePolicy::EitherOnly
        );
    }

    #[test]
    fn reports_every_mistake() {
        assert_eq!(
            messages(quote!(
                stat = AppState,
                state = A,
                state = B,
                http_auth = "bearer"
            )),
            [
                "unknown argument `stat`; expected one of `state`, `crate`, `http_auth`, `signature`, `replay`",
                "duplicate argument `state`",
                "unknown `http_auth` value \"bearer\"; expected \"basic\", \"digest\" or \"either\"",
            ]
        );
        assert_eq!(
            messages(quote!(state AppState)),
            ["expected `=` after `state`, as in `state = …`"]
        );
        assert_eq!(
            messages(quote!(crate = "not a path")),
            ["`crate` must name a path, such as \"twilio_auth\", not \"not a path\""]
        );
        assert_eq!(
            messages(quote!(http_auth = basic, signature = "no")),
            [
                "`http_auth` takes a string: `http_auth = \"basic\"`, \"digest\" or \"either\"",
                "`signature` takes `true` or `false`: `signature = false` (together with `http_auth`)",
            ]
        );
        assert_eq!(
            messages(quote!(http_auth = "Digest")),
            ["unknown `http_auth` value \"Digest\"; expected \"basic\", \"digest\" or \"either\""]
        );
    }

    #[test]
    fn signature_off_needs_http_auth() {
        let message = "`signature = false` would leave this route unprotected: turn it off only together with HTTP authentication, e.g. `http_auth = \"basic\", signature = false`";
        assert_eq!(messages(quote!(signature = false)), [message]);
        assert_eq!(messages(quote!(state = S, signature = false)), [message]);
        // A misspelt `http_auth` value is reported as such, not as a missing `http_auth`.
        assert_eq!(
            messages(quote!(http_auth = "digets", signature = false)).len(),
            1
        );
    }
}
