//! warp's arguments: `#[twilio_signed(post, path = "voice", http_auth = "basic",
//! signature = false, replay = GUARD.clone(), crate = "twilio_auth::warp")]`. warp has no routing attribute of its
//! own, so the method and path that the generated filter matches are given here.

use proc_macro2::TokenStream;
use syn::spanned::Spanned;
use syn::{Expr, Ident, LitStr, Token, Type};

use crate::args::{RoutePolicy, Shared, kw, parse_list, skip_value};
use crate::errors::Errors;

/// The methods warp has a filter for, as the attribute spells them (`warp::post()`, …).
const METHODS: &[&str] = &["get", "post", "put", "patch", "delete", "head", "options"];

/// Said of `state = …`, which axum takes: not an unknown argument, a misplaced one.
const NO_STATE: &str = "a warp route has no router state: the generated filter takes the \
     configuration as its argument (`voice_filter(config)`)";

/// The parsed arguments.
pub(super) struct Args {
    /// `post`, `get`, …; `None`: any method.
    pub method: Option<Ident>,
    /// The segments of `path = "…"`: `"/api/voice"` → `["api", "voice"]`, `"/"` → `[]`;
    /// `None`: wherever the filter is mounted.
    pub segments: Option<Vec<String>>,
    /// `crate`, `http_auth`, `signature`.
    pub shared: Shared,
    /// What `http_auth` and `signature` ask for.
    pub policy: RoutePolicy,
    /// `replay = …`: an expression giving the route's `ReplayGuard`, evaluated when the
    /// filter is built.
    pub replay: Option<Expr>,
}

impl Args {
    /// Reads the arguments; every mistake goes to `errors`.
    pub(super) fn parse(tokens: TokenStream, errors: &mut Errors) -> Args {
        let expected = format!(
            "a method ({}) or one of `crate`, `http_auth`, `signature`, `path`, `replay`",
            quoted(METHODS)
        );
        let mut method: Option<Ident> = None;
        let mut segments = None;
        let mut replay = None;
        let mut shared = Shared::default();
        parse_list(tokens, errors, |input, list| {
            // A bare word is a method; anything else is `key = value`.
            if input.peek(Ident) && !input.peek2(Token![=]) {
                let word: Ident = input.parse()?;
                if !METHODS.iter().any(|m| word == m) {
                    list.errors.at(
                        word.span(),
                        format!(
                            "unknown method `{word}`; expected one of {}",
                            quoted(METHODS)
                        ),
                    );
                } else if let Some(first) = &method {
                    list.errors.at(
                        word.span(),
                        format!("a route has one method, and `{first}` is already given: remove `{word}`"),
                    );
                } else {
                    method = Some(word);
                }
                return Ok(());
            }
            let lookahead = input.lookahead1();
            if lookahead.peek(kw::path) {
                list.key::<kw::path>(input, "path")?;
                if input.peek(LitStr) {
                    let path: LitStr = input.parse()?;
                    match path_segments(&path) {
                        Ok(path) => segments = Some(path),
                        Err(error) => list.errors.push(error),
                    }
                } else {
                    list.errors
                        .at(input.span(), "`path` takes a string: `path = \"voice\"`");
                    skip_value(input)?;
                }
            } else if lookahead.peek(kw::replay) {
                list.key::<kw::replay>(input, "replay")?;
                replay = Some(input.parse()?);
            } else if lookahead.peek(kw::state) {
                list.key::<kw::state>(input, "state")?;
                let state: Type = input.parse()?;
                list.errors.at(state.span(), NO_STATE);
            } else if !shared.parse(&lookahead, input, list)? {
                list.unknown(input, &expected)?;
            }
            Ok(())
        });
        let policy = shared.policy(errors);
        Args {
            method,
            segments,
            shared,
            policy,
            replay,
        }
    }
}

/// The segments of `path = "…"`; an error at the string when it is not literal segments.
fn path_segments(path: &LitStr) -> syn::Result<Vec<String>> {
    let value = path.value();
    let error = |message: String| Err(syn::Error::new(path.span(), message));
    let trimmed = value.strip_prefix('/').unwrap_or(&value);
    if trimmed.is_empty() {
        return Ok(Vec::new());
    }
    if let Some(c) = trimmed
        .chars()
        .find(|c| matches!(c, '?' | '#' | '{' | '}' | '<' | '>' | ':') || c.is_whitespace())
    {
        return error(format!(
            "the path is literal segments such as \"api/voice\", matched against the request's path; \
             {c:?} cannot be in it (no query, no parameters)"
        ));
    }
    let segments: Vec<String> = trimmed.split('/').map(str::to_owned).collect();
    if segments.iter().any(String::is_empty) {
        return error(format!(
            "{value:?} has an empty segment: write the path without `//` or a trailing `/`"
        ));
    }
    Ok(segments)
}

/// "`a`, `b`, `c`", for messages.
fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
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
    fn reads_method_path_and_shared_arguments() {
        let args = parse(quote!(
            post,
            path = "/basic/voice",
            http_auth = "basic",
            crate = "twilio_auth_warp"
        ))
        .unwrap();
        assert_eq!(args.method.unwrap().to_string(), "post");
        assert_eq!(args.segments.unwrap(), ["basic", "voice"]);
        assert_eq!(args.policy, RoutePolicy::Basic);
        assert!(args.shared.crate_path.is_some());
        let args = parse(quote!()).unwrap();
        assert!(args.method.is_none() && args.segments.is_none());
        assert_eq!(
            parse(quote!(path = "/")).unwrap().segments.unwrap(),
            [""; 0]
        );
        let args = parse(quote!(get, signature = false, http_auth = "digest",)).unwrap();
        assert_eq!(args.policy, RoutePolicy::DigestOnly);
        assert!(args.replay.is_none());
        let args = parse(quote!(post, path = "voice", replay = guard())).unwrap();
        assert!(args.replay.is_some());
    }

    #[test]
    fn reports_every_mistake() {
        assert_eq!(
            messages(quote!(
                post,
                get,
                pots,
                pth = "voice",
                path = "a",
                path = "b",
                http_auth = "bearer",
                state = AppState
            )),
            [
                "a route has one method, and `post` is already given: remove `get`",
                "unknown method `pots`; expected one of `get`, `post`, `put`, `patch`, `delete`, `head`, `options`",
                "unknown argument `pth`; expected a method (`get`, `post`, `put`, `patch`, `delete`, `head`, `options`) or one of `crate`, `http_auth`, `signature`, `path`, `replay`",
                "duplicate argument `path`",
                "unknown `http_auth` value \"bearer\"; expected \"basic\", \"digest\" or \"either\"",
                NO_STATE,
            ]
        );
        assert_eq!(
            messages(quote!(path = voice)),
            ["`path` takes a string: `path = \"voice\"`"]
        );
        assert_eq!(messages(quote!(post, signature = false)).len(), 1);
        assert_eq!(
            messages(quote!(path = "calls/{sid}", path = "a//b")),
            [
                "the path is literal segments such as \"api/voice\", matched against the request's path; '{' cannot be in it (no query, no parameters)",
                "duplicate argument `path`",
                "\"a//b\" has an empty segment: write the path without `//` or a trailing `/`",
            ]
        );
    }
}
