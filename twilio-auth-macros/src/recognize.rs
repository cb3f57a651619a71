//! Which framework an annotated function is written for, read from its shape alone, so that
//! `twilio_auth::twilio_signed` means the same whatever framework features a build turns on
//! (Cargo unifies features: another crate turning `axum` on must not change a Rocket route).
//!
//! - **Rocket**: the function carries a Rocket route attribute (`#[post(…)]`,
//!   `#[rocket::get(…)]`, `#[route(…)]`) below ours.
//! - **warp**: the attribute's arguments name a method (`post`, `get`, …) or a `path`: only
//!   the warp attribute builds the route itself.
//! - **axum**: anything else.
//!
//! The framework's own attributes (`twilio_auth::axum::twilio_signed`, …) use the same
//! reading to refuse a function written for another framework, with one error that names
//! the attribute to use ([`own`]).

use proc_macro2::{Span, TokenStream, TokenTree};
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
}

impl Framework {
    /// The feature of `twilio-auth` that enables it.
    pub(crate) fn feature(self) -> &'static str {
        match self {
            Framework::Axum => "axum",
            Framework::Rocket => "rocket",
            Framework::Warp => "warp",
        }
    }

    /// What the function looks like, for messages.
    pub(crate) fn shape(self) -> &'static str {
        match self {
            Framework::Axum => "an axum handler",
            Framework::Rocket => "a Rocket route",
            Framework::Warp => "a warp handler (a method or `path` argument)",
        }
    }

    /// What the framework's attribute goes on, in the plural.
    fn plural(self) -> &'static str {
        match self {
            Framework::Axum => "axum handlers",
            Framework::Rocket => "Rocket routes",
            Framework::Warp => "warp handlers",
        }
    }

    /// The framework's own attribute, at the path that never moves.
    pub(crate) fn attribute(self) -> &'static str {
        match self {
            Framework::Axum => "twilio_auth::axum::twilio_signed",
            Framework::Rocket => "twilio_auth::rocket::twilio_signed",
            Framework::Warp => "twilio_auth::warp::twilio_signed",
        }
    }
}

/// The framework `item`, annotated with `#[twilio_signed(args)]`, is written for.
pub(crate) fn framework(args: &TokenStream, item: &TokenStream) -> Framework {
    let rocket_route = syn::parse2::<ItemFn>(item.clone())
        .is_ok_and(|function| function.attrs.iter().any(is_route_attribute));
    if rocket_route {
        Framework::Rocket
    } else if names_warp_route(args) {
        Framework::Warp
    } else {
        Framework::Axum
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
    let other = framework(&args, &item);
    if other == ours || (ours != Framework::Axum && other == Framework::Axum) {
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
    if framework == Framework::Axum {
        message.push_str(
            "; a Rocket route needs `#[twilio_signed]` above its route attribute, and a warp \
             handler a method or `path` argument (`#[twilio_signed(post, path = \"voice\")]`)",
        );
    }
    syn::Error::new(Span::call_site(), message)
}

/// `#[post(…)]`, `#[rocket::get(…)]`, `#[route(…)]`.
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
}
