//! warp: the handler stays as written, and next to it comes `<name>_filter(config)`, the
//! whole route — the path and method of the attribute (in that order, so that an unknown
//! path is a 404, not a 405), then verification, then the handler called with values taken
//! from the verified request. Once the path and method matched, every outcome is a reply,
//! so a refused request can never go on to another `.or()` branch.
//!
//! warp's arguments (a method, `path`) differ from the other frameworks', so this module
//! has its own argument parser (`warp/args.rs`) and checks; it shares the handler parser,
//! the error collection and the runtime paths.

mod args;

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, LitStr, Path, ReturnType, parse_quote};

use self::args::WarpArgs;
use super::{Runtime, with_error};
use crate::args::{Args, Errors};
use crate::parse::{self, Handler, ParamKind, mentions_self_or_impl};
use crate::recognize::{self, Framework};

/// axum extractors a warp handler cannot take, with what to take instead.
const AXUM_ONLY: &[(&str, &str)] = &[
    ("RawForm", "`Bytes` (the raw body) or `Form<T>`"),
    (
        "Body",
        "`Bytes`: the body is read, within the limit, to verify it",
    ),
    (
        "Request",
        "`VerifiedRequest` (method, path and query, headers, body)",
    ),
    (
        "Multipart",
        "`Bytes`: Twilio does not send multipart webhooks",
    ),
];

/// The whole attribute for warp: parse → validate → expand, with the user's item
/// re-emitted unchanged next to any error.
pub(crate) fn twilio_signed(args: TokenStream, item: TokenStream) -> TokenStream {
    // (A function without a method or path is a warp route for any method at any path.)
    if recognize::framework(&args, &item) == Framework::Rocket {
        let error = recognize::wrong_framework(Framework::Warp, Framework::Rocket);
        return with_error(item, error);
    }
    let handler = match parse::handler(item.clone()) {
        Ok(handler) => handler,
        Err(error) => return with_error(item, error),
    };
    let mut errors = Errors::default();
    let args = WarpArgs::parse(args).unwrap_or_else(|error| {
        errors.push(error);
        WarpArgs::default()
    });
    let segments = match &args.path {
        Some(path) => path_segments(path).map_err(|error| errors.push(error)).ok(),
        None => None,
    };
    if let Err(error) = validate(&handler) {
        errors.push(error);
    }
    if let Err(error) = errors.finish() {
        return with_error(item, error);
    }
    expand(&handler, &args, segments.as_deref())
}

/// The segments of `path = "…"`: `"/api/voice"` → `["api", "voice"]`, `"/"` → `[]`.
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

/// Checks what syntax reveals: a free, non-generic `async fn` whose parameters can be
/// taken from a verified request.
fn validate(handler: &Handler) -> syn::Result<()> {
    let mut errors = Errors::default();
    let sig = &handler.item.sig;
    if sig.asyncness.is_none() {
        errors.at(
            sig.fn_token.span(),
            "`#[twilio_signed]` handlers must be `async fn`",
        );
    }
    if !sig.generics.params.is_empty() {
        errors.at(
            sig.generics.span(),
            "a `#[twilio_signed]` warp handler cannot be generic: its filter takes each parameter, by type, from the verified request",
        );
    }
    for (param, arg) in handler.params.iter().zip(&sig.inputs) {
        match &param.kind {
            ParamKind::Receiver => errors.at(
                param.span,
                "`#[twilio_signed]` handlers must be free functions: the generated filter calls the handler by name",
            ),
            ParamKind::State(_) => errors.at(
                param.span,
                "a warp route has no router state: take `Form<T>`, `Json<T>`, `Query<T>`, `Bytes`, … from `twilio_auth::warp`, \
                 or write the route with its filters to add your own",
            ),
            ParamKind::Body(name) => {
                if let Some((_, instead)) = AXUM_ONLY.iter().find(|(axum, _)| axum == name) {
                    errors.at(
                        param.span,
                        format!("`{name}` is an axum extractor; a warp handler takes {instead}"),
                    );
                }
            }
            ParamKind::Other => {}
        }
        if let FnArg::Typed(typed) = arg
            && mentions_self_or_impl(typed.ty.to_token_stream())
        {
            errors.at(
                typed.ty.span(),
                "name this parameter's type: the generated filter takes it, by type, from the verified request",
            );
        }
    }
    errors.finish()
}

/// The handler, unchanged, and its filter.
fn expand(handler: &Handler, args: &WarpArgs, segments: Option<&[String]>) -> TokenStream {
    let root: Path = args
        .shared
        .crate_path
        .clone()
        .unwrap_or_else(|| parse_quote!(::twilio_auth::warp));
    let runtime = Runtime::new(&Args {
        crate_path: Some(root),
        ..Args::default()
    });
    let item = &handler.item;
    let sig = &item.sig;
    let vis = &item.vis;
    let name = &sig.ident;
    let filter_name = format_ident!("{}_filter", name, span = name.span());

    let warp = runtime.path("warp");
    // The path before the method: when every branch of an `.or()` rejects, warp answers
    // with the most specific rejection, and it ranks 405 above 404. A method filter that
    // ran first would make a request for an unknown path a 405 whenever any route has
    // another method; path first, an unknown path is a 404 and a known path with the
    // wrong method a 405.
    let mut filters = Vec::new();
    if let Some(segments) = segments {
        filters.extend(segments.iter().map(|segment| quote!(#warp::path(#segment))));
        filters.push(quote!(#warp::path::end()));
    }
    if let Some(method) = &args.method {
        filters.push(quote!(#warp::#method()));
    }
    // `Filter::and(a, b)`, not `a.and(b)`: the user's module need not import `Filter`.
    let prefix = filters
        .into_iter()
        .reduce(|prefix, filter| quote!(#warp::Filter::and(#prefix, #filter)))
        .unwrap_or_else(|| {
            let any_method = runtime.path("any_method");
            quote!(#any_method())
        });

    let options = match args.shared.route_policy() {
        Some(name) => runtime.path(name),
        None => runtime.path("Signature"),
    };
    let policy_trait = runtime.path("Policy");
    let options = quote!(<#options as #policy_trait>::ROUTE);

    let extract = runtime.path("extract");
    let reply = runtime.path("reply");
    let mut values = Vec::new();
    let mut takes = Vec::new();
    for (index, arg) in sig.inputs.iter().enumerate() {
        let FnArg::Typed(typed) = arg else { continue };
        let ty = &typed.ty;
        let value = format_ident!("__twilio_auth_arg{index}");
        takes.push(quote_spanned! {ty.span()=>
            let #value: #ty = match #extract::<#ty>(&request) {
                ::core::result::Result::Ok(value) => value,
                ::core::result::Result::Err(refusal) => return #reply(refusal),
            };
        });
        values.push(value);
    }
    // A return type that is not a warp reply is reported at the return type.
    let output_span = match &sig.output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => name.span(),
    };
    let call = quote_spanned!(output_span=> #reply(#name(#(#values),*).await));

    let doc = format!(
        " The warp route of [`{name}`]: {}, verified by twilio-auth (generated by `#[twilio_signed]`).\n\n \
         Once the path and method match, the route answers every request itself: a refused one \
         with 401, 403, 413 or 400, so it never reaches another `.or()` branch.",
        describe_route(args, segments)
    );
    let route = runtime.path("route");
    let config = runtime.path("Config");
    let verified_request = runtime.path("VerifiedRequest");
    let response = runtime.path("Response");
    quote! {
        #item

        #[doc = #doc]
        #vis fn #filter_name(
            config: #config,
        ) -> impl #warp::Filter<Extract = (#response,), Error = #warp::Rejection> + ::core::clone::Clone {
            #route(
                #prefix,
                config,
                #options,
                move |request: #verified_request| async move {
                    #(#takes)*
                    #call
                },
            )
        }
    }
}

/// "`POST /voice`", "any method on `/`", "`GET` (path: where it is mounted)".
fn describe_route(args: &WarpArgs, segments: Option<&[String]>) -> String {
    let method = args
        .method
        .as_ref()
        .map(|m| m.to_string().to_ascii_uppercase());
    match (method, segments) {
        (Some(method), Some(segments)) => format!("`{method} /{}`", segments.join("/")),
        (None, Some(segments)) => format!("any method on `/{}`", segments.join("/")),
        (Some(method), None) => format!("`{method}` requests to wherever it is mounted"),
        (None, None) => "any request to wherever it is mounted".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::twilio_signed;
    use quote::quote;

    fn expand(args: proc_macro2::TokenStream, item: proc_macro2::TokenStream) -> String {
        twilio_signed(args, item).to_string()
    }

    #[test]
    fn generates_the_route_next_to_the_handler() {
        let out = expand(
            quote!(post, path = "/api/voice", http_auth = "basic"),
            quote! {
                pub async fn voice(Form(call): Form<IncomingCall>, q: Query<Q>) -> impl Reply { call.sid }
            },
        );
        // The handler is unchanged.
        assert!(
            out.starts_with(
                "pub async fn voice (Form (call) : Form < IncomingCall > , q : Query < Q >) -> impl Reply { call . sid }"
            ),
            "{out}"
        );
        for fragment in [
            "pub fn voice_filter (config : :: twilio_auth :: warp :: __private :: Config ,)",
            // The path first, then the method (an unknown path is a 404).
            ":: twilio_auth :: warp :: __private :: route (:: twilio_auth :: warp :: __private :: warp :: Filter :: and (\
             :: twilio_auth :: warp :: __private :: warp :: Filter :: and (\
             :: twilio_auth :: warp :: __private :: warp :: Filter :: and (\
             :: twilio_auth :: warp :: __private :: warp :: path (\"api\") , \
             :: twilio_auth :: warp :: __private :: warp :: path (\"voice\")) , \
             :: twilio_auth :: warp :: __private :: warp :: path :: end ()) , \
             :: twilio_auth :: warp :: __private :: warp :: post ()) ,",
            "< :: twilio_auth :: warp :: __private :: Basic as :: twilio_auth :: warp :: __private :: Policy > :: ROUTE",
            "let __twilio_auth_arg0 : Form < IncomingCall > = match :: twilio_auth :: warp :: __private :: extract :: < Form < IncomingCall > > (& request)",
            "let __twilio_auth_arg1 : Query < Q > =",
            ":: twilio_auth :: warp :: __private :: reply (voice (__twilio_auth_arg0 , __twilio_auth_arg1) . await)",
        ] {
            assert!(out.contains(fragment), "{fragment}\nnot in\n{out}");
        }
        assert!(!out.contains("Only"), "{out}");
    }

    #[test]
    fn any_method_no_path_and_crate() {
        let out = expand(
            quote!(
                crate = "twilio_auth_warp",
                signature = false,
                http_auth = "either"
            ),
            quote! { async fn ping() -> &'static str { "ok" } },
        );
        assert!(
            out.contains("twilio_auth_warp :: __private :: route (twilio_auth_warp :: __private :: any_method () ,"),
            "{out}"
        );
        assert!(
            out.contains("< twilio_auth_warp :: __private :: EitherOnly as twilio_auth_warp :: __private :: Policy > :: ROUTE"),
            "{out}"
        );
        assert!(out.contains("reply (ping () . await)"), "{out}");
        assert!(!out.contains("warp :: path"), "{out}");
    }

    #[test]
    fn path_without_method() {
        let out = expand(
            quote!(path = "any/voice"),
            quote! { async fn any_voice(body: Bytes) -> String { String::new() } },
        );
        assert!(
            out.contains(
                "route (:: twilio_auth :: warp :: __private :: warp :: Filter :: and (\
                 :: twilio_auth :: warp :: __private :: warp :: Filter :: and (\
                 :: twilio_auth :: warp :: __private :: warp :: path (\"any\") , \
                 :: twilio_auth :: warp :: __private :: warp :: path (\"voice\")) , \
                 :: twilio_auth :: warp :: __private :: warp :: path :: end ()) ,"
            ),
            "{out}"
        );
        assert!(!out.contains("any_method"), "{out}");
    }

    #[test]
    fn root_path() {
        let out = expand(
            quote!(get, path = "/"),
            quote! { async fn root() -> String { String::new() } },
        );
        assert!(
            out.contains("route (:: twilio_auth :: warp :: __private :: warp :: Filter :: and (:: twilio_auth :: warp :: __private :: warp :: path :: end () , :: twilio_auth :: warp :: __private :: warp :: get ()) ,"),
            "{out}"
        );
    }

    #[test]
    fn reports_every_mistake_and_keeps_the_function() {
        let item =
            quote! { fn h(&self, s: State<S>, b: RawForm, i: impl Into<String>) -> String { b } };
        let out = expand(quote!(post, path = "a//b"), item.clone());
        assert!(out.starts_with(&item.to_string()), "{out}");
        for message in [
            "has an empty segment",
            "must be `async fn`",
            "must be free functions",
            "a warp route has no router state",
            "`RawForm` is an axum extractor",
            "name this parameter's type",
        ] {
            assert!(out.contains(message), "{message}\nnot in\n{out}");
        }
        let out = expand(quote!(signature = false), quote! { async fn c() {} });
        assert!(out.contains("would leave this route unprotected"), "{out}");
        let out = expand(quote!(path = "calls/{sid}"), quote! { async fn c() {} });
        assert!(out.contains("cannot be in it"), "{out}");
        let out = expand(quote!(), quote! { async fn g<T>(t: T) {} });
        assert!(out.contains("cannot be generic"), "{out}");
    }
}
