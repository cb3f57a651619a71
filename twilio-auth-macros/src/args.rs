//! The attribute's arguments: `#[twilio_signed(state = AppState, crate = "twilio_auth",
//! http_auth = "digest", signature = false)]`.
//!
//! One table, [`ARGUMENTS`], lists every argument, so the unknown-argument message and the
//! parser cannot disagree. Every mistake is reported (not only the first), each at its own
//! span. Nothing here is specific to a framework: every entry point parses the same
//! arguments, and [`Args::route_policy`] names the route's policy the same way for all of
//! them.

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Ident, LitBool, LitStr, Path, Token, Type};

/// Every argument the attribute knows, with what its value looks like.
pub(crate) const ARGUMENTS: &[(&str, &str)] = &[
    ("state", "a type: `state = AppState`"),
    ("crate", "a string: `crate = \"twilio_auth\"`"),
    (
        "http_auth",
        "a string: `http_auth = \"basic\"`, `\"digest\"` or `\"either\"`",
    ),
    (
        "signature",
        "a bool: `signature = false` (with `http_auth`)",
    ),
];

/// The HTTP authentication a route requires before its signature (`http_auth = "…"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HttpAuth {
    /// `"basic"`: RFC 7617 Basic.
    Basic,
    /// `"digest"`: RFC 7616 Digest.
    Digest,
    /// `"either"`: Basic or Digest, whichever the client sends.
    Either,
}

impl HttpAuth {
    /// Every accepted value of `http_auth`, with its meaning.
    const VALUES: &[(&str, HttpAuth)] = &[
        ("basic", HttpAuth::Basic),
        ("digest", HttpAuth::Digest),
        ("either", HttpAuth::Either),
    ];

    fn from_value(value: &str) -> Option<HttpAuth> {
        Self::VALUES
            .iter()
            .find(|(name, _)| *name == value)
            .map(|(_, auth)| *auth)
    }
}

/// The parsed arguments.
#[derive(Default)]
pub(crate) struct Args {
    /// The router's state type, when given.
    pub state: Option<Type>,
    /// Where the runtime support lives (`crate = "…"`), when given.
    pub crate_path: Option<Path>,
    /// `http_auth = "…"`, when given.
    pub http_auth: Option<HttpAuth>,
    /// `signature = …`, when given (`true` is the default).
    pub signature: Option<bool>,
}

impl Args {
    /// The name of the route's policy, as every adapter's `__private` module exports it:
    /// The policy marker type: `Signature` (the default: no HTTP authentication), `Basic`,
    /// `Digest`, `Either` (HTTP authentication, then the signature) or `BasicOnly`,
    /// `DigestOnly`, `EitherOnly` (`signature = false`). `None` when the arguments leave
    /// the default.
    pub(crate) fn route_policy(&self) -> Option<&'static str> {
        let signature = self.signature.unwrap_or(true);
        Some(match (self.http_auth?, signature) {
            (HttpAuth::Basic, true) => "Basic",
            (HttpAuth::Digest, true) => "Digest",
            (HttpAuth::Either, true) => "Either",
            (HttpAuth::Basic, false) => "BasicOnly",
            (HttpAuth::Digest, false) => "DigestOnly",
            (HttpAuth::Either, false) => "EitherOnly",
        })
    }

    /// Parses the attribute's arguments; the error combines every mistake found.
    pub(crate) fn parse(tokens: TokenStream) -> Result<Args, syn::Error> {
        let mut args = Args::default();
        let mut errors = Errors::default();
        // Where `signature = false` was written, to point at it if `http_auth` is missing.
        let mut signature_off: Option<Span> = None;
        let mut http_auth_given = false;
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
                        http_auth_given = true;
                        if input.peek(LitStr) {
                            let lit: LitStr = input.parse()?;
                            match HttpAuth::from_value(&lit.value()) {
                                Some(auth) => args.http_auth = Some(auth),
                                None => errors.push(syn::Error::new(
                                    lit.span(),
                                    format!(
                                        "unknown `http_auth` value {:?}; expected \"basic\", \"digest\" or \"either\"",
                                        lit.value()
                                    ),
                                )),
                            }
                        } else {
                            errors.push(syn::Error::new(
                                input.span(),
                                "`http_auth` takes a string: `http_auth = \"basic\"`, \"digest\" or \"either\"",
                            ));
                            skip_value(input)?;
                        }
                    }
                    "signature" => {
                        if input.peek(LitBool) {
                            let lit: LitBool = input.parse()?;
                            if !lit.value {
                                signature_off = Some(lit.span());
                            }
                            args.signature = Some(lit.value);
                        } else {
                            errors.push(syn::Error::new(
                                input.span(),
                                "`signature` takes `true` or `false`: `signature = false` (together with `http_auth`)",
                            ));
                            skip_value(input)?;
                        }
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
        if let Some(span) = signature_off
            && !http_auth_given
        {
            errors.push(syn::Error::new(
                span,
                "`signature = false` would leave this route unprotected: turn it off only \
                 together with HTTP authentication, e.g. `http_auth = \"basic\", signature = false`",
            ));
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
    fn reads_route_options() {
        let policy = |tokens| Args::parse(tokens).unwrap().route_policy();
        assert_eq!(policy(quote!()), None);
        assert_eq!(policy(quote!(signature = true)), None);
        assert_eq!(policy(quote!(http_auth = "basic")), Some("Basic"));
        assert_eq!(policy(quote!(http_auth = "digest")), Some("Digest"));
        assert_eq!(
            policy(quote!(http_auth = "either", signature = true)),
            Some("Either")
        );
        assert_eq!(
            policy(quote!(signature = false, http_auth = "basic")),
            Some("BasicOnly")
        );
        assert_eq!(
            policy(quote!(http_auth = "digest", signature = false)),
            Some("DigestOnly")
        );
        assert_eq!(
            policy(quote!(state = S, http_auth = "either", signature = false)),
            Some("EitherOnly")
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
                "unknown argument `stat`; expected one of `state`, `crate`, `http_auth`, `signature`",
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
