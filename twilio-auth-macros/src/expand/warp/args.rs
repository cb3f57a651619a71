//! The warp attribute's arguments: `#[twilio_signed(post, path = "voice", http_auth =
//! "basic")]`. warp has no routing attribute of its own, so the method and path that the
//! generated filter matches are given here. They are taken out first; everything else
//! goes to the arguments every framework shares ([`Args`]), so `http_auth`, `signature`
//! and `crate` parse, and fail, exactly as they do for axum.

use proc_macro2::{Ident, TokenStream, TokenTree};
use syn::LitStr;
use syn::spanned::Spanned;

use crate::args::{ARGUMENTS, Args, Errors};

/// The methods warp has a filter for, as the attribute spells them (`warp::post()`, …).
pub(super) const METHODS: &[&str] = &["get", "post", "put", "patch", "delete", "head", "options"];

/// The parsed arguments.
#[derive(Default)]
pub(super) struct WarpArgs {
    /// `post`, `get`, …; `None`: any method.
    pub method: Option<Ident>,
    /// `path = "…"`, when given.
    pub path: Option<LitStr>,
    /// The arguments every framework shares.
    pub shared: Args,
}

impl WarpArgs {
    /// Parses the attribute's arguments; the error combines every mistake found.
    pub(super) fn parse(tokens: TokenStream) -> Result<WarpArgs, syn::Error> {
        let mut args = WarpArgs::default();
        let mut errors = Errors::default();
        let mut rest = TokenStream::new();
        for argument in split_arguments(tokens) {
            match argument.as_slice() {
                [TokenTree::Ident(word)] => {
                    let key = word.to_string();
                    if !METHODS.contains(&key.as_str()) {
                        errors.at(
                            word.span(),
                            format!(
                                "unknown method `{key}`; expected one of {}",
                                quoted(METHODS)
                            ),
                        );
                    } else if let Some(first) = &args.method {
                        errors.at(
                            word.span(),
                            format!("a route has one method, and `{first}` is already given: remove `{key}`"),
                        );
                    } else {
                        args.method = Some(word.clone());
                    }
                }
                [TokenTree::Ident(name), TokenTree::Punct(eq), value @ ..]
                    if name == "path" && eq.as_char() == '=' =>
                {
                    let value: TokenStream = value.iter().cloned().collect();
                    match syn::parse2::<LitStr>(value.clone()) {
                        Ok(_) if args.path.is_some() => {
                            errors.at(name.span(), "duplicate argument `path`");
                        }
                        Ok(path) => args.path = Some(path),
                        Err(_) => {
                            errors.at(value.span(), "`path` takes a string: `path = \"voice\"`")
                        }
                    }
                }
                _ => {
                    if !rest.is_empty() {
                        rest.extend(quote::quote!(,));
                    }
                    rest.extend(argument);
                }
            }
        }
        match Args::parse(rest) {
            Ok(shared) => {
                if let Some(state) = &shared.state {
                    errors.at(
                        state.span(),
                        "a warp route has no router state: the generated filter takes the configuration as its argument (`voice_filter(config)`)",
                    );
                }
                args.shared = shared;
            }
            Err(error) => {
                for error in error {
                    errors.push(for_warp(error));
                }
            }
        }
        errors.finish().map(|()| args)
    }
}

/// The shared "unknown argument" message, completed with what only warp takes.
fn for_warp(error: syn::Error) -> syn::Error {
    let message = error.to_string();
    match message.split_once("; expected one of ") {
        Some((unknown, _)) if message.starts_with("unknown argument") => {
            let known: Vec<&str> = ARGUMENTS
                .iter()
                .map(|(name, _)| *name)
                .filter(|name| *name != "state")
                .chain(["path"])
                .collect();
            syn::Error::new(
                error.span(),
                format!(
                    "{unknown}; expected a method ({}) or one of {}",
                    quoted(METHODS),
                    quoted(&known)
                ),
            )
        }
        _ => error,
    }
}

/// The top-level, comma-separated arguments, each as its tokens.
fn split_arguments(tokens: TokenStream) -> Vec<Vec<TokenTree>> {
    let mut arguments = vec![Vec::new()];
    for tree in tokens {
        match &tree {
            TokenTree::Punct(p) if p.as_char() == ',' => arguments.push(Vec::new()),
            _ => {
                if let Some(argument) = arguments.last_mut() {
                    argument.push(tree);
                }
            }
        }
    }
    arguments.retain(|a| !a.is_empty());
    arguments
}

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
    use crate::args::HttpAuth;
    use quote::quote;

    fn messages(tokens: TokenStream) -> Vec<String> {
        match WarpArgs::parse(tokens) {
            Ok(_) => Vec::new(),
            Err(error) => error.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn reads_method_path_and_shared_arguments() {
        let args = WarpArgs::parse(quote!(
            post,
            path = "basic/voice",
            http_auth = "basic",
            crate = "twilio_auth_warp"
        ))
        .unwrap();
        assert_eq!(args.method.unwrap().to_string(), "post");
        assert_eq!(args.path.unwrap().value(), "basic/voice");
        assert_eq!(args.shared.http_auth, Some(HttpAuth::Basic));
        assert!(args.shared.crate_path.is_some());
        let args = WarpArgs::parse(quote!()).unwrap();
        assert!(args.method.is_none() && args.path.is_none());
        let args = WarpArgs::parse(quote!(get, signature = false, http_auth = "digest",)).unwrap();
        assert_eq!(args.shared.signature, Some(false));
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
                "duplicate argument `path`",
                "unknown argument `pth`; expected a method (`get`, `post`, `put`, `patch`, `delete`, `head`, `options`) or one of `crate`, `http_auth`, `signature`, `path`",
                "unknown `http_auth` value \"bearer\"; expected \"basic\", \"digest\" or \"either\"",
            ]
        );
        assert_eq!(
            messages(quote!(state = AppState)),
            [
                "a warp route has no router state: the generated filter takes the configuration as its argument (`voice_filter(config)`)"
            ]
        );
        assert_eq!(
            messages(quote!(path = voice)),
            ["`path` takes a string: `path = \"voice\"`"]
        );
        assert_eq!(messages(quote!(post, signature = false)).len(), 1);
    }
}
