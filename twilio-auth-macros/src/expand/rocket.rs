//! Rocket: `#[twilio_signed]` goes above the route attribute, which it reads before Rocket
//! expands it. The `data = "<call>"` parameter `call: T` becomes
//! `__twilio_call: Verified<T>` (Rocket wants identifiers, so it is renamed, and the route
//! attribute follows), and `let call = __twilio_call.into_inner();` opens the body, which is
//! otherwise left as written. A route without `data` gets a `TwilioSignature` request guard.
//! A route policy (`http_auth`, `signature`) becomes the guards' policy type:
//! `Verified<T, __private::rocket::Digest>`.

use proc_macro2::{Literal, Span, TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Attribute, FnArg, Ident, ItemFn, LitStr, Meta, Pat, PatIdent, Type, parse_quote};

use super::{Runtime, with_error};
use crate::args::{Args, Errors};
use crate::recognize::{self, Framework, is_route_attribute};

/// Where to put the attribute, said when it finds no route attribute to read.
const MOVE_ABOVE: &str = "`#[twilio_signed]` must come before (above) the route attribute: \
     `#[twilio_signed] #[post(\"/voice\", data = \"<call>\")] fn voice(…)`; placed after it, it \
     runs once Rocket has already generated the route, and cannot change it (on an axum \
     handler, use `twilio_auth::axum::twilio_signed`)";

/// The prefix of a renamed data parameter: `call` becomes `__twilio_call`.
const RENAMED_PREFIX: &str = "__twilio_";

/// The whole attribute on a Rocket route.
pub(crate) fn twilio_signed(args: TokenStream, item: TokenStream) -> TokenStream {
    if recognize::framework(&args, &item) == Framework::Warp {
        let error = recognize::wrong_framework(Framework::Rocket, Framework::Warp);
        return with_error(item, error);
    }
    let mut function = match syn::parse2::<ItemFn>(item.clone()) {
        Ok(function) => function,
        Err(_) => {
            let error = syn::Error::new(
                Span::call_site(),
                "`#[twilio_signed]` goes on a Rocket route function, above its route attribute",
            );
            return with_error(item, error);
        }
    };
    let mut errors = Errors::default();
    let args = Args::parse(args).unwrap_or_else(|error| {
        errors.push(error);
        Args::default()
    });
    if let Some(state) = &args.state {
        errors.at(
            state.span(),
            "`state` is for axum: a Rocket route takes its configuration from the managed \
             state that `TwilioAuth::fairing(config)` installs",
        );
    }
    let Some(route) = function.attrs.iter().position(is_route_attribute) else {
        errors.at(Span::call_site(), MOVE_ABOVE);
        return with_error(item, errors.finish().unwrap_err());
    };
    let data = match data_argument(&function.attrs[route]) {
        Ok(data) => data,
        Err(error) => {
            errors.push(error);
            None
        }
    };
    let mut unroutable = false;
    let data_param = data.as_ref().and_then(|data| {
        let found = data_parameter(&function, &data.name);
        if found.is_none() {
            unroutable = true;
            errors.at(
                data.literal.span(),
                format!(
                    "the route reads its body into `{name}`, but `{function}` has no parameter \
                     `{name}`: add one, such as `{name}: Form<…>`",
                    name = data.name,
                    function = function.sig.ident,
                ),
            );
        }
        found
    });
    if let Err(error) = errors.finish() {
        if unroutable {
            // Rocket would only repeat the error about `data`, and emit nothing else: the
            // function alone keeps the rest of the crate compiling.
            function.attrs.remove(route);
            return with_error(function.into_token_stream(), error);
        }
        return with_error(item, error);
    }

    let private = Runtime::new(&args).path("rocket");
    let policy = args.route_policy().map(|name| {
        let name = Ident::new(name, Span::call_site());
        quote!(#private::#name)
    });
    match (data, data_param) {
        (Some(data), Some(index)) => {
            let renamed = format_ident!("{RENAMED_PREFIX}{}", data.name);
            function.attrs[route] = with_data_argument(&function.attrs[route], &data, &renamed);
            let FnArg::Typed(param) = &mut function.sig.inputs[index] else {
                unreachable!("data_parameter returns typed parameters only");
            };
            let Pat::Ident(PatIdent {
                ident, mutability, ..
            }) = &*param.pat
            else {
                unreachable!("data_parameter returns identifier patterns only");
            };
            let binding = quote!(#mutability #ident);
            let ty = (*param.ty).clone();
            let span = ty.span();
            let verified = quote!(#private::Verified);
            let policy = policy.map(|policy| quote!(, #policy));
            *param.pat = parse_quote!(#renamed);
            *param.ty = Type::Verbatim(quote_spanned!(span=> #verified<#ty #policy>));
            let assert = quote!(#private::assert_verified_data);
            let prologue: Vec<syn::Stmt> = vec![
                // At the user's type: "not a body `Verified` can provide" before Rocket's
                // less direct complaint about `FromData`.
                syn::Stmt::Expr(
                    syn::Expr::Verbatim(quote_spanned!(span=> #assert::<#ty>())),
                    Some(Default::default()),
                ),
                parse_quote!(let #binding = #renamed.into_inner();),
            ];
            function.block.stmts.splice(0..0, prologue);
        }
        _ => {
            let guard = quote!(#private::TwilioSignature);
            let policy = policy.map(|policy| quote!(<#policy>));
            let name = format_ident!("{RENAMED_PREFIX}signature");
            function
                .sig
                .inputs
                .push(parse_quote!(#name: #guard #policy));
        }
    }
    function.into_token_stream()
}

/// The route's `data = "<name>"` argument.
struct DataArgument {
    /// The parameter it names.
    name: Ident,
    /// The string literal, to replace and to point at.
    literal: Literal,
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

/// The index of the parameter `name: T` that receives the body.
fn data_parameter(function: &ItemFn, name: &Ident) -> Option<usize> {
    function.sig.inputs.iter().position(|input| match input {
        FnArg::Typed(param) => {
            matches!(&*param.pat, Pat::Ident(pat) if pat.ident == *name && pat.subpat.is_none())
        }
        FnArg::Receiver(_) => false,
    })
}

/// The route attribute with `data = "<renamed>"`, everything else as written.
fn with_data_argument(attr: &Attribute, data: &DataArgument, renamed: &Ident) -> Attribute {
    let mut attr = attr.clone();
    if let Meta::List(list) = &mut attr.meta {
        let mut replacement = Literal::string(&format!("<{renamed}>"));
        replacement.set_span(data.literal.span());
        list.tokens = list
            .tokens
            .clone()
            .into_iter()
            .map(|tree| match tree {
                TokenTree::Literal(lit) if lit.to_string() == data.literal.to_string() => {
                    TokenTree::Literal(replacement.clone())
                }
                other => other,
            })
            .collect();
    }
    attr
}

#[cfg(test)]
mod tests {
    use super::twilio_signed;
    use quote::quote;

    fn expand(args: proc_macro2::TokenStream, item: proc_macro2::TokenStream) -> String {
        twilio_signed(args, item).to_string()
    }

    #[test]
    fn wraps_and_renames_the_data_parameter() {
        let out = expand(
            quote!(),
            quote! {
                #[post("/voice", data = "<call>")]
                fn voice(call: Form<IncomingCall>) -> String { call.call_sid.clone() }
            },
        );
        assert!(
            out.contains("# [post (\"/voice\" , data = \"<__twilio_call>\")]"),
            "{out}"
        );
        assert!(
            out.contains(
                "__twilio_call : :: twilio_auth :: __private :: rocket :: Verified < Form < IncomingCall > >"
            ),
            "{out}"
        );
        assert!(
            out.contains("assert_verified_data :: < Form < IncomingCall > > () ;"),
            "{out}"
        );
        assert!(
            out.contains("let call = __twilio_call . into_inner () ; call . call_sid . clone ()"),
            "{out}"
        );
    }

    #[test]
    fn keeps_mut_and_passes_the_policy() {
        let out = expand(
            quote!(http_auth = "digest", crate = "twilio_auth_rocket"),
            quote! {
                #[rocket::post("/digest/voice", format = "form", data = "<call>", rank = 2)]
                async fn voice(id: u8, mut call: Form<IncomingCall>) {}
            },
        );
        assert!(
            out.contains("Verified < Form < IncomingCall > , twilio_auth_rocket :: __private :: rocket :: Digest >"),
            "{out}"
        );
        assert!(
            out.contains("let mut call = __twilio_call . into_inner () ;"),
            "{out}"
        );
        assert!(
            out.contains("format = \"form\" , data = \"<__twilio_call>\" , rank = 2"),
            "{out}"
        );
    }

    #[test]
    fn guards_routes_without_data() {
        let out = expand(
            quote!(http_auth = "basic", signature = false),
            quote! {
                #[get("/status?<sid>")]
                fn status(sid: &str) -> &'static str { "ok" }
            },
        );
        assert!(
            out.contains("sid : & str , __twilio_signature : :: twilio_auth :: __private :: rocket :: TwilioSignature < :: twilio_auth :: __private :: rocket :: BasicOnly >"),
            "{out}"
        );
        let out = expand(quote!(), quote! { #[get("/ping")] fn ping() {} });
        assert!(
            out.contains(
                "fn ping (__twilio_signature : :: twilio_auth :: __private :: rocket :: TwilioSignature)"
            ),
            "{out}"
        );
    }

    #[test]
    fn reports_mistakes_next_to_the_unchanged_function() {
        let item = quote! { fn voice(call: Form<Call>) {} };
        let out = expand(quote!(), item.clone());
        assert!(out.starts_with(&item.to_string()), "{out}");
        assert!(
            out.contains("must come before (above) the route attribute"),
            "{out}"
        );

        let item = quote! { #[post("/voice", data = "<call>")] fn voice(call: Form<Call>) {} };
        let out = expand(quote!(state = AppState), item.clone());
        assert!(out.starts_with(&item.to_string()), "{out}");
        assert!(out.contains("`state` is for axum"), "{out}");

        // Rocket would only repeat this one: the function goes on without its route.
        let out = expand(
            quote!(),
            quote! { #[post("/voice", data = "<call>")] fn voice(form: Form<Call>) {} },
        );
        assert!(
            out.starts_with("fn voice (form : Form < Call >) { }"),
            "{out}"
        );
        assert!(
            out.contains(
                "the route reads its body into `call`, but `voice` has no parameter `call`"
            ),
            "{out}"
        );

        let out = expand(
            quote!(),
            quote! { #[post("/voice", data = "call")] fn voice(call: Form<Call>) {} },
        );
        assert!(out.contains("`data` must name the parameter"), "{out}");
    }
}
