//! What the attribute's arguments have in common across frameworks: the reading of a
//! comma-separated list (each argument's keyword peeked with `lookahead1`, duplicates and
//! unknown names reported at their own spans, every mistake collected), and the arguments
//! every framework takes: `crate = "…"`, `http_auth = "…"` and `signature = false`, which
//! together name the [`RoutePolicy`]. Which keys a framework takes, and what it says about
//! the others, is in its own `args.rs`.

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::parse::{Lookahead1, Parse, ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{Ident, LitBool, LitStr, Path, Token};

use crate::errors::Errors;

/// The argument names that are not Rust keywords (`crate` is `Token![crate]`).
pub(crate) mod kw {
    syn::custom_keyword!(state);
    syn::custom_keyword!(http_auth);
    syn::custom_keyword!(signature);
    syn::custom_keyword!(path);
    syn::custom_keyword!(replay);
}

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

/// What a route requires, as the adapters' policy marker types name it
/// (`exports.rs` maps each to its path).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RoutePolicy {
    /// The default: the signature, no HTTP authentication.
    Signature,
    /// HTTP authentication, then the signature.
    Basic,
    Digest,
    Either,
    /// HTTP authentication alone (`signature = false`).
    BasicOnly,
    DigestOnly,
    EitherOnly,
}

/// The arguments every framework takes.
#[derive(Default)]
pub(crate) struct Shared {
    /// Where the runtime support lives (`crate = "…"`), when given.
    pub crate_path: Option<Path>,
    /// `http_auth = "…"`, when given with a known value.
    http_auth: Option<HttpAuth>,
    /// Whether `http_auth` was written at all (a misspelt value is not a missing one).
    http_auth_given: bool,
    /// `signature = …`, when given.
    signature: Option<LitBool>,
}

impl Shared {
    /// Reads `crate`, `http_auth` or `signature` when `lookahead` sees one of them;
    /// `false` when it sees none (the framework's parser goes on with its own keys).
    pub(crate) fn parse(
        &mut self,
        lookahead: &Lookahead1<'_>,
        input: ParseStream<'_>,
        list: &mut ArgumentList<'_>,
    ) -> syn::Result<bool> {
        if lookahead.peek(Token![crate]) {
            list.key::<Token![crate]>(input, "crate")?;
            let lit: LitStr = input.parse()?;
            match lit.parse::<Path>() {
                Ok(path) => self.crate_path = Some(path),
                Err(_) => list.errors.at(
                    lit.span(),
                    format!(
                        "`crate` must name a path, such as \"twilio_auth\", not {:?}",
                        lit.value()
                    ),
                ),
            }
        } else if lookahead.peek(kw::http_auth) {
            list.key::<kw::http_auth>(input, "http_auth")?;
            self.http_auth_given = true;
            if input.peek(LitStr) {
                let lit: LitStr = input.parse()?;
                match HttpAuth::from_value(&lit.value()) {
                    Some(auth) => self.http_auth = Some(auth),
                    None => list.errors.at(
                        lit.span(),
                        format!(
                            "unknown `http_auth` value {:?}; expected \"basic\", \"digest\" or \"either\"",
                            lit.value()
                        ),
                    ),
                }
            } else {
                list.errors.at(
                    input.span(),
                    "`http_auth` takes a string: `http_auth = \"basic\"`, \"digest\" or \"either\"",
                );
                skip_value(input)?;
            }
        } else if lookahead.peek(kw::signature) {
            list.key::<kw::signature>(input, "signature")?;
            if input.peek(LitBool) {
                self.signature = Some(input.parse()?);
            } else {
                list.errors.at(
                    input.span(),
                    "`signature` takes `true` or `false`: `signature = false` (together with `http_auth`)",
                );
                skip_value(input)?;
            }
        } else {
            return Ok(false);
        }
        Ok(true)
    }

    /// The route's policy; `signature = false` without `http_auth` is an error (the route
    /// would accept anyone), at the `false`.
    pub(crate) fn policy(&self, errors: &mut Errors) -> RoutePolicy {
        let signature = self.signature.as_ref().is_none_or(|lit| lit.value);
        match (self.http_auth, signature) {
            (None, true) => RoutePolicy::Signature,
            (None, false) => {
                if !self.http_auth_given
                    && let Some(lit) = &self.signature
                {
                    errors.at(
                        lit.span(),
                        "`signature = false` would leave this route unprotected: turn it off only \
                         together with HTTP authentication, e.g. `http_auth = \"basic\", signature = false`",
                    );
                }
                RoutePolicy::Signature
            }
            (Some(HttpAuth::Basic), true) => RoutePolicy::Basic,
            (Some(HttpAuth::Digest), true) => RoutePolicy::Digest,
            (Some(HttpAuth::Either), true) => RoutePolicy::Either,
            (Some(HttpAuth::Basic), false) => RoutePolicy::BasicOnly,
            (Some(HttpAuth::Digest), false) => RoutePolicy::DigestOnly,
            (Some(HttpAuth::Either), false) => RoutePolicy::EitherOnly,
        }
    }
}

/// The list being read: the keys seen so far (to report a repeated one) and the errors.
pub(crate) struct ArgumentList<'a> {
    /// Every mistake found.
    pub errors: &'a mut Errors,
    seen: Vec<&'static str>,
}

impl ArgumentList<'_> {
    /// Reads the keyword `K` (spelled `name`) and its `=`; a repeated key is reported at
    /// its span, and its value still read.
    pub(crate) fn key<K: Parse + Spanned>(
        &mut self,
        input: ParseStream<'_>,
        name: &'static str,
    ) -> syn::Result<Span> {
        let span = input.parse::<K>()?.span();
        if !input.peek(Token![=]) {
            return Err(syn::Error::new(
                input.span(),
                format!("expected `=` after `{name}`, as in `{name} = …`"),
            ));
        }
        input.parse::<Token![=]>()?;
        if self.seen.contains(&name) {
            self.errors.at(span, format!("duplicate argument `{name}`"));
        }
        self.seen.push(name);
        Ok(span)
    }

    /// Reports the argument ahead as unknown, saying what `expected` ("one of `crate`, …"),
    /// and skips it.
    pub(crate) fn unknown(&mut self, input: ParseStream<'_>, expected: &str) -> syn::Result<()> {
        let name = input
            .call(Ident::parse_any)
            .map_err(|e| syn::Error::new(e.span(), format!("expected an argument: {expected}")))?;
        self.errors.at(
            name.span(),
            format!("unknown argument `{name}`; expected {expected}"),
        );
        if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
        }
        skip_value(input)
    }
}

/// Reads `tokens` as comma-separated arguments, each with `one`. A syntax error stops the
/// reading; every other mistake is collected in `errors` and the reading goes on.
pub(crate) fn parse_list(
    tokens: TokenStream,
    errors: &mut Errors,
    mut one: impl FnMut(ParseStream<'_>, &mut ArgumentList<'_>) -> syn::Result<()>,
) {
    let mut list = ArgumentList {
        errors,
        seen: Vec::new(),
    };
    let parser = |input: ParseStream<'_>| {
        while !input.is_empty() {
            one(input, &mut list)?;
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(())
    };
    if let Err(error) = parser.parse2(tokens) {
        list.errors.push(error);
    }
}

/// Skips a value, up to the next top-level comma.
pub(crate) fn skip_value(input: ParseStream<'_>) -> syn::Result<()> {
    while !input.is_empty() && !input.peek(Token![,]) {
        input.parse::<proc_macro2::TokenTree>()?;
    }
    Ok(())
}

/// The arguments of a framework whose route takes its configuration from elsewhere
/// (actix-web's app data): the shared ones only, with `state = …`
/// refused by `no_state` (at its type: a misplaced argument, not an unknown one) and any
/// other key as unknown, `expected` saying what is.
#[cfg(feature = "actix")]
pub(crate) struct PolicyArgs {
    /// `crate`, `http_auth`, `signature`.
    pub shared: Shared,
    /// What `http_auth` and `signature` ask for.
    pub policy: RoutePolicy,
}

#[cfg(feature = "actix")]
impl PolicyArgs {
    /// Reads the arguments; every mistake goes to `errors`.
    pub(crate) fn parse(
        tokens: TokenStream,
        errors: &mut Errors,
        expected: &str,
        no_state: &str,
    ) -> PolicyArgs {
        let mut shared = Shared::default();
        parse_list(tokens, errors, |input, list| {
            let lookahead = input.lookahead1();
            if lookahead.peek(kw::state) {
                list.key::<kw::state>(input, "state")?;
                let state: syn::Type = input.parse()?;
                list.errors.at(state.span(), no_state);
            } else if !shared.parse(&lookahead, input, list)? {
                list.unknown(input, expected)?;
            }
            Ok(())
        });
        let policy = shared.policy(errors);
        PolicyArgs { shared, policy }
    }
}
