//! Which framework an annotated function is written for, read from its shape alone, so that
//! `twilio_auth::twilio_signed` means the same whatever framework features a build turns on
//! (Cargo unifies features: another crate turning `axum` on must not change a Rocket route).
//!
//! - **actix-web**: the function carries a route attribute qualified by `actix_web`
//!   (`#[actix_web::post(…)]`), or one that only actix takes arguments of (`name`, `guard`,
//!   `wrap`, `method`), or its signature names an actix type (`web::…`, `actix_web::…`,
//!   `HttpRequest`, `HttpResponse`, `Responder`).
//! - **Rocket**: the function carries any other route attribute (`#[post(…)]`,
//!   `#[rocket::get(…)]`, `#[route(…)]`) below ours. An unqualified one on an actix handler
//!   whose signature names no actix type reads as Rocket's: the actix attribute
//!   (`twilio_auth::actix::twilio_signed`) takes it, and the messages say so.
//! - **warp**: the attribute's arguments name a method (`post`, `get`, …) or a `path`: only
//!   the warp attribute builds the route itself.
//! - **axum**: anything else.
//!
//! The framework's own attributes (`twilio_auth::axum::twilio_signed`, …) use the same
//! reading to refuse a function written for another framework, with one error that names
//! the attribute to use ([`own`]).

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::{Attribute, ItemFn};

use crate::errors::with_error;

/// The route attributes of Rocket, as written (`#[post]`) or qualified (`#[rocket::post]`).
pub(crate) const ROUTE_ATTRIBUTES: &[&str] = &[
    "route", "get", "put", "post", "delete", "head", "patch", "options",
];

/// The methods the warp attribute takes as bare arguments.
const WARP_METHODS: &[&str] = &["get", "post", "put", "delete", "patch", "head", "options"];

/// A framework the attribute can be written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Framework {
    Axum,
    Rocket,
    Warp,
    Actix,
}

impl Framework {
    /// The feature of `twilio-auth` that enables it.
    pub(crate) fn feature(self) -> &'static str {
        match self {
            Framework::Axum => "axum",
            Framework::Rocket => "rocket",
            Framework::Warp => "warp",
            Framework::Actix => "actix",
        }
    }

    /// What the function looks like, for messages.
    pub(crate) fn shape(self) -> &'static str {
        match self {
            Framework::Axum => "an axum handler",
            Framework::Rocket => "a Rocket route",
            Framework::Warp => "a warp handler (a method or `path` argument)",
            Framework::Actix => "an actix-web handler",
        }
    }

    /// What the framework's attribute goes on, in the plural.
    fn plural(self) -> &'static str {
        match self {
            Framework::Axum => "axum handlers",
            Framework::Rocket => "Rocket routes",
            Framework::Warp => "warp handlers",
            Framework::Actix => "actix-web handlers",
        }
    }

    /// The framework's own attribute, at the path that never moves.
    pub(crate) fn attribute(self) -> &'static str {
        match self {
            Framework::Axum => "twilio_auth::axum::twilio_signed",
            Framework::Rocket => "twilio_auth::rocket::twilio_signed",
            Framework::Warp => "twilio_auth::warp::twilio_signed",
            Framework::Actix => "twilio_auth::actix::twilio_signed",
        }
    }
}

/// The framework `item`, annotated with `#[twilio_signed(args)]`, is written for.
pub(crate) fn framework(args: &TokenStream, item: &TokenStream) -> Framework {
    reading(args, item).0
}

/// The framework, and whether the function's shape says so for certain: an unqualified
/// route attribute on a function that names no actix type, or a function with no sign of
/// any framework, is a guess (Rocket, resp. axum) that another framework's own attribute
/// may take as its own.
fn reading(args: &TokenStream, item: &TokenStream) -> (Framework, bool) {
    let Ok(function) = syn::parse2::<ItemFn>(item.clone()) else {
        return (Framework::Axum, false);
    };
    let route = function
        .attrs
        .iter()
        .find(|attr| is_any_route_attribute(attr));
    match route {
        Some(attr) if qualified_by(attr, "actix_web") || takes_actix_arguments(attr) => {
            (Framework::Actix, true)
        }
        Some(attr) if qualified_by(attr, "rocket") => (Framework::Rocket, true),
        Some(_) if names_actix_type(&function) => (Framework::Actix, true),
        Some(_) if function.sig.asyncness.is_none() => (Framework::Rocket, true),
        Some(attr) => (Framework::Rocket, takes_rocket_arguments(attr)),
        None if names_warp_route(args) => (Framework::Warp, true),
        None if names_actix_type(&function) => (Framework::Actix, true),
        None => (Framework::Axum, false),
    }
}

/// The framework's own attribute: `flow` when `item` is written for `ours`, else one error
/// naming the attribute to use. A function with neither a Rocket route attribute nor warp's
/// arguments reads as axum's, but the Rocket and warp attributes take it as theirs: to the
/// Rocket attribute it is a route whose attribute is misplaced (its flow says to move it
/// above), to warp's a route for any method at any path.
pub(crate) fn own(
    ours: Framework,
    args: TokenStream,
    item: TokenStream,
    flow: fn(TokenStream, TokenStream) -> TokenStream,
) -> TokenStream {
    let (other, certain) = reading(&args, &item);
    // An uncertain reading is a guess: axum's for a function without any sign of a
    // framework, which the other attributes take; Rocket's for an unqualified route
    // attribute on a function naming no actix type, which the actix attribute takes.
    let guessed = !certain
        && (other == Framework::Axum && ours != Framework::Axum
            || other == Framework::Rocket && ours == Framework::Actix);
    if other == ours || guessed {
        flow(args, item)
    } else {
        with_error(item, wrong_framework(ours, other))
    }
}

/// The error of a framework's own attribute placed on a function for `other`: one message
/// naming the attribute to use, at the attribute.
fn wrong_framework(ours: Framework, other: Framework) -> syn::Error {
    syn::Error::new(
        Span::call_site(),
        format!(
            "this is {shape}, but `{ours_attr}` is for {ours_plural}: use `#[{attr}]` \
             (or `#[twilio_auth::twilio_signed]`, which recognises the framework)",
            shape = other.shape(),
            ours_attr = ours.attribute(),
            ours_plural = ours.plural(),
            attr = other.attribute(),
        ),
    )
}

/// The error of `twilio_auth::twilio_signed` on a function for a framework whose feature
/// is off.
pub(crate) fn feature_off(framework: Framework) -> syn::Error {
    let mut message = format!(
        "this is {shape}, but the `{feature}` feature of `twilio-auth` is off: enable it \
         (`twilio-auth = {{ version = \"0.1\", features = [\"{feature}\"] }}`)",
        shape = framework.shape(),
        feature = framework.feature(),
    );
    if framework == Framework::Rocket {
        message.push_str(
            "; if it is an actix-web handler, qualify its route attribute \
             (`#[actix_web::post(…)]`) or use `#[twilio_auth::actix::twilio_signed]`",
        );
    }
    if framework == Framework::Axum {
        message.push_str(
            "; a Rocket route needs `#[twilio_signed]` above its route attribute, and a warp \
             handler a method or `path` argument (`#[twilio_signed(post, path = \"voice\")]`)",
        );
    }
    syn::Error::new(Span::call_site(), message)
}

/// A route attribute of Rocket or actix-web: `#[post(…)]`, `#[rocket::get(…)]`,
/// `#[actix_web::route(…)]`.
fn is_any_route_attribute(attr: &Attribute) -> bool {
    let segments = &attr.path().segments;
    let Some(last) = segments.last() else {
        return false;
    };
    let qualified_ok = match segments.len() {
        1 => true,
        2 => segments[0].ident == "rocket" || segments[0].ident == "actix_web",
        _ => false,
    };
    qualified_ok
        && (ROUTE_ATTRIBUTES.iter().any(|name| last.ident == name) || last.ident == "routes")
}

/// Whether `attr` is written `#[<krate>::…]`.
fn qualified_by(attr: &Attribute, krate: &str) -> bool {
    let segments = &attr.path().segments;
    segments.len() == 2 && segments[0].ident == krate
}

/// Whether the attribute's arguments include a key only actix's route attributes take.
fn takes_actix_arguments(attr: &Attribute) -> bool {
    argument_keys(attr)
        .iter()
        .any(|key| ["name", "guard", "wrap", "method"].contains(&key.as_str()))
}

/// Whether the attribute's arguments include a key only Rocket's route attributes take.
fn takes_rocket_arguments(attr: &Attribute) -> bool {
    argument_keys(attr)
        .iter()
        .any(|key| ["data", "rank", "format", "uri"].contains(&key.as_str()))
}

/// The `key` of every `key = value` among the attribute's arguments.
fn argument_keys(attr: &Attribute) -> Vec<String> {
    let syn::Meta::List(list) = &attr.meta else {
        return Vec::new();
    };
    let tokens: Vec<TokenTree> = list.tokens.clone().into_iter().collect();
    tokens
        .windows(2)
        .filter_map(|pair| match pair {
            [TokenTree::Ident(key), TokenTree::Punct(eq)] if eq.as_char() == '=' => {
                Some(key.to_string())
            }
            _ => None,
        })
        .collect()
}

/// Types only actix-web handlers name, in their parameters or return type.
const ACTIX_TYPES: &[&str] = &[
    "actix_web",
    "web",
    "HttpRequest",
    "HttpResponse",
    "Responder",
];

/// Whether the function's signature names an actix-web type (see [`ACTIX_TYPES`]).
fn names_actix_type(function: &ItemFn) -> bool {
    fn mentions(tokens: TokenStream) -> bool {
        tokens.into_iter().any(|tree| match tree {
            TokenTree::Ident(ident) => ACTIX_TYPES.iter().any(|name| ident == name),
            TokenTree::Group(group) => mentions(group.stream()),
            _ => false,
        })
    }
    let sig = &function.sig;
    sig.inputs.iter().any(|input| match input {
        syn::FnArg::Typed(typed) => mentions(typed.ty.to_token_stream()),
        syn::FnArg::Receiver(_) => false,
    }) || mentions(sig.output.to_token_stream())
}

/// `#[post(…)]`, `#[rocket::get(…)]`, `#[route(…)]`.
#[cfg(feature = "rocket")]
pub(crate) fn is_route_attribute(attr: &Attribute) -> bool {
    let segments = &attr.path().segments;
    let Some(last) = segments.last() else {
        return false;
    };
    let qualified_by_rocket = match segments.len() {
        1 => true,
        2 => segments[0].ident == "rocket",
        _ => false,
    };
    qualified_by_rocket && ROUTE_ATTRIBUTES.iter().any(|name| last.ident == name)
}

/// Whether the arguments name a method (a bare `post`) or a `path = …`.
fn names_warp_route(args: &TokenStream) -> bool {
    let tokens: Vec<TokenTree> = args.clone().into_iter().collect();
    tokens.iter().enumerate().any(|(i, token)| {
        let TokenTree::Ident(ident) = token else {
            return false;
        };
        let starts_argument =
            i == 0 || matches!(&tokens[i - 1], TokenTree::Punct(p) if p.as_char() == ',');
        let followed_by_eq =
            matches!(tokens.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '=');
        let name = ident.to_string();
        starts_argument
            && ((!followed_by_eq && WARP_METHODS.contains(&name.as_str()))
                || (followed_by_eq && name == "path"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn each_shape_is_recognised() {
        let axum = quote!(
            async fn voice(Form(c): Form<C>) -> String {
                c.sid
            }
        );
        let rocket = quote!(
            #[post("/voice", data = "<c>")]
            fn voice(c: Form<C>) {}
        );
        let qualified = quote!(
            #[rocket::get("/status")]
            fn status() {}
        );
        assert_eq!(framework(&quote!(), &axum), Framework::Axum);
        assert_eq!(
            framework(&quote!(state = S, http_auth = "basic"), &axum),
            Framework::Axum
        );
        assert_eq!(framework(&quote!(), &rocket), Framework::Rocket);
        assert_eq!(framework(&quote!(), &qualified), Framework::Rocket);
        // The arguments of a Rocket route never make it a warp handler.
        assert_eq!(
            framework(&quote!(http_auth = "digest"), &rocket),
            Framework::Rocket
        );
        assert_eq!(
            framework(&quote!(post, path = "voice"), &axum),
            Framework::Warp
        );
        assert_eq!(framework(&quote!(path = "voice"), &axum), Framework::Warp);
        assert_eq!(
            framework(&quote!(http_auth = "basic", get), &axum),
            Framework::Warp
        );
        // A value that happens to be spelled like a method is not one.
        assert_eq!(framework(&quote!(state = post), &axum), Framework::Axum);
    }

    #[test]
    fn actix_handlers_are_told_from_rocket_routes_by_their_shape() {
        let read = |item: TokenStream| reading(&quote!(), &item);
        // Qualified, with an actix-only argument, or naming an actix type.
        assert_eq!(
            read(quote!(
                #[actix_web::get("/s")]
                async fn s() -> String {
                    todo!()
                }
            )),
            (Framework::Actix, true)
        );
        assert_eq!(
            read(quote!(
                #[post("/v", name = "voice")]
                async fn v() {}
            )),
            (Framework::Actix, true)
        );
        assert_eq!(
            read(quote!(
                #[post("/v")]
                async fn v(f: web::Form<F>) -> impl Responder {
                    f
                }
            )),
            (Framework::Actix, true)
        );
        assert_eq!(
            read(quote!(
                async fn v(req: HttpRequest) -> HttpResponse {
                    todo!()
                }
            )),
            (Framework::Actix, true)
        );
        // Rocket for certain: qualified, a plain `fn`, or a Rocket-only argument.
        assert_eq!(
            read(quote!(
                #[rocket::post("/v")]
                async fn v() {}
            )),
            (Framework::Rocket, true)
        );
        assert_eq!(
            read(quote!(
                #[get("/s")]
                fn s() {}
            )),
            (Framework::Rocket, true)
        );
        assert_eq!(
            read(quote!(
                #[post("/v", data = "<f>")]
                async fn v(f: Form<F>) {}
            )),
            (Framework::Rocket, true)
        );
        // A guess: an unqualified attribute on an `async fn` naming no actix type.
        assert_eq!(
            read(quote!(
                #[get("/s")]
                async fn s() -> String {
                    todo!()
                }
            )),
            (Framework::Rocket, false)
        );
        // The actix attribute takes the guess as its own; the warp attribute does not.
        let guess = quote!(
            #[get("/s")]
            async fn s() -> String {
                todo!()
            }
        );
        let taken = own(Framework::Actix, quote!(), guess.clone(), |_, _| quote!(ok));
        assert_eq!(taken.to_string(), "ok");
        let refused = own(Framework::Warp, quote!(), guess, |_, _| quote!(ok));
        assert!(refused.to_string().contains("compile_error"), "{refused}");
    }
}
