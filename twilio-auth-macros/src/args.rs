//! The attribute's arguments: `#[twilio_signed(state = AppState, crate = "twilio_auth")]`.
//!
//! One table, [`ARGUMENTS`], lists every argument, so the unknown-argument message and the
//! parser cannot disagree. Every mistake is reported (not only the first), each at its own
//! span.

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Ident, LitStr, Path, Token, Type};

/// Every argument the attribute knows, with what its value looks like.
pub(crate) const ARGUMENTS: &[(&str, &str)] = &[
    ("state", "a type: `state = AppState`"),
    ("crate", "a string: `crate = \"twilio_auth\"`"),
    // HTTP Basic/Digest per route (issue 4): parsed now, so that adding it changes no syntax.
    ("http_auth", "a string: `http_auth = \"basic\"`"),
];

/// The parsed arguments.
#[derive(Default)]
pub(crate) struct Args {
    /// The router's state type, when given.
    pub state: Option<Type>,
    /// Where the runtime support lives (`crate = "…"`), when given.
    pub crate_path: Option<Path>,
}

impl Args {
    /// Parses the attribute's arguments; the error combines every mistake found.
    pub(crate) fn parse(tokens: TokenStream) -> Result<Args, syn::Error> {
        let mut args = Args::default();
        let mut errors = Errors::default();
        let parser = |input: ParseStream<'_>| {
            let mut seen: Vec<String> = Vec::new();
            while !input.is_empty() {
                let name = input.call(Ident::parse_any).map_err(|e| {
                    syn::Error::new(e.span(), "expected an argument such as `state = AppState`")
                })?;
                let key = name.to_string();
                if !input.peek(Token![=]) {
                    return Err(syn::Error::new(
                        input.span(),
                        format!("expected `=` after `{key}`, as in `{key} = …`"),
                    ));
                }
                input.parse::<Token![=]>()?;
                if seen.contains(&key) {
                    errors.push(syn::Error::new(
                        name.span(),
                        format!("duplicate argument `{key}`"),
                    ));
                }
                match key.as_str() {
                    "state" => args.state = Some(input.parse()?),
                    "crate" => {
                        let lit: LitStr = input.parse()?;
                        match lit.parse::<Path>() {
                            Ok(path) => args.crate_path = Some(path),
                            Err(_) => errors.push(syn::Error::new(
                                lit.span(),
                                format!(
                                    "`crate` must name a path, such as \"twilio_auth\", not {:?}",
                                    lit.value()
                                ),
                            )),
                        }
                    }
                    "http_auth" => {
                        let lit: LitStr = input.parse()?;
                        errors.push(syn::Error::new(
                            lit.span(),
                            "`http_auth` is not supported yet: HTTP Basic/Digest authentication per route comes in a later release",
                        ));
                    }
                    _ => {
                        errors.push(syn::Error::new(name.span(), unknown_argument(&key)));
                        skip_value(input)?;
                    }
                }
                seen.push(key);
                if !input.is_empty() {
                    input.parse::<Token![,]>()?;
                }
            }
            Ok(())
        };
        if let Err(error) = parser.parse2(tokens) {
            errors.push(error);
        }
        errors.finish().map(|()| args)
    }
}

/// The message for an argument not in [`ARGUMENTS`].
fn unknown_argument(name: &str) -> String {
    let known: Vec<String> = ARGUMENTS
        .iter()
        .map(|(name, _)| format!("`{name}`"))
        .collect();
    format!(
        "unknown argument `{name}`; expected one of {}",
        known.join(", ")
    )
}

/// Skips an unknown argument's value, up to the next top-level comma.
fn skip_value(input: ParseStream<'_>) -> syn::Result<()> {
    while !input.is_empty() && !input.peek(Token![,]) {
        input.parse::<proc_macro2::TokenTree>()?;
    }
    Ok(())
}

/// Errors collected while going on, combined into one at the end.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    /// Adds an error.
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(first) => first.combine(error),
            None => self.0 = Some(error),
        }
    }

    /// Adds an error at `span`.
    pub(crate) fn at(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push(syn::Error::new(span, message));
    }

    /// `Ok` when nothing was added.
    pub(crate) fn finish(self) -> Result<(), syn::Error> {
        self.0.map_or(Ok(()), Err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn messages(tokens: TokenStream) -> Vec<String> {
        match Args::parse(tokens) {
            Ok(_) => Vec::new(),
            Err(error) => error.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn reads_known_arguments() {
        let args = Args::parse(quote!(state = AppState, crate = "my::twilio")).unwrap();
        assert!(args.state.is_some());
        let path = args.crate_path.unwrap();
        assert_eq!(quote!(#path).to_string(), "my :: twilio");
        assert!(Args::parse(quote!()).unwrap().state.is_none());
        assert!(Args::parse(quote!(state = Generic<A, B>,)).is_ok());
    }

    #[test]
    fn reports_every_mistake() {
        assert_eq!(
            messages(quote!(
                stat = AppState,
                state = A,
                state = B,
                http_auth = "basic"
            )),
            [
                "unknown argument `stat`; expected one of `state`, `crate`, `http_auth`",
                "duplicate argument `state`",
                "`http_auth` is not supported yet: HTTP Basic/Digest authentication per route comes in a later release",
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
    }
}
