//! The route, as the Rocket attribute reads it: which of the function's attributes is
//! Rocket's route attribute, and the parameter its `data = "<call>"` names.

use proc_macro2::{Literal, TokenTree};
use quote::{ToTokens, quote};
use syn::{Attribute, Ident, ItemFn, LitStr, Meta};

use crate::errors::Errors;
use crate::recognize::is_route_attribute;

/// Where to put the attribute, said when it finds no route attribute to read.
const MOVE_ABOVE: &str = "`#[twilio_signed]` must come before (above) the route attribute: \
     `#[twilio_signed] #[post(\"/voice\", data = \"<call>\")] fn voice(…)`; placed after it, it \
     runs once Rocket has already generated the route, and cannot change it (on an axum \
     handler, use `twilio_auth::axum::twilio_signed`)";

/// A Rocket route.
pub(super) struct Route {
    /// The index of the route attribute among the function's attributes.
    pub attribute: usize,
    /// Its `data = "<name>"`, when it has a well-formed one.
    pub data: Option<DataArgument>,
}

/// The route's `data = "<name>"` argument.
pub(super) struct DataArgument {
    /// The parameter it names.
    pub name: Ident,
    /// The string literal, to replace and to point at.
    pub literal: Literal,
}

/// Reads the route attribute. Without one, the attribute was placed below it (Rocket has
/// already expanded it) or on a function that is no route: an error at `fn name`, and
/// `None`.
pub(super) fn route(function: &ItemFn, errors: &mut Errors) -> Option<Route> {
    let Some(attribute) = function.attrs.iter().position(is_route_attribute) else {
        let (fn_token, name) = (&function.sig.fn_token, &function.sig.ident);
        errors.push(syn::Error::new_spanned(quote!(#fn_token #name), MOVE_ABOVE));
        return None;
    };
    let data = data_argument(&function.attrs[attribute]).unwrap_or_else(|error| {
        errors.push(error);
        None
    });
    Some(Route { attribute, data })
}

/// Reads `data = "<name>"` from the route attribute's arguments, if there is one.
fn data_argument(attr: &Attribute) -> syn::Result<Option<DataArgument>> {
    let Meta::List(list) = &attr.meta else {
        // `#[post]` without arguments: Rocket reports it.
        return Ok(None);
    };
    let tokens: Vec<TokenTree> = list.tokens.clone().into_iter().collect();
    for window in tokens.windows(3) {
        let [
            TokenTree::Ident(key),
            TokenTree::Punct(eq),
            TokenTree::Literal(literal),
        ] = window
        else {
            continue;
        };
        if key != "data" || eq.as_char() != '=' {
            continue;
        }
        let value = syn::parse2::<LitStr>(literal.to_token_stream())
            .map(|lit| lit.value())
            .unwrap_or_default();
        let name = value
            .strip_prefix('<')
            .and_then(|rest| rest.strip_suffix('>'))
            .and_then(|name| syn::parse_str::<Ident>(name).ok());
        return match name {
            Some(name) => Ok(Some(DataArgument {
                name,
                literal: literal.clone(),
            })),
            None => Err(syn::Error::new(
                literal.span(),
                "`data` must name the parameter that receives the body: `data = \"<call>\"`",
            )),
        };
    }
    Ok(None)
}
