//! The `#[twilio_signed]` attribute of twilio-auth: use it through the `twilio-auth` crate,
//! as `twilio_auth::twilio_signed` (which recognises the framework a function is written
//! for: see `recognize.rs`) or as a framework's own `twilio_auth::axum::twilio_signed`,
//! `twilio_auth::rocket::twilio_signed`, `twilio_auth::warp::twilio_signed`.
//!
//! This file holds the entry points only. Each framework has its own module behind its own
//! additive feature (`axum`, `rocket`, `warp`; turning another on never changes what an
//! attribute means), with the same steps, one file each: `args.rs` (the arguments that
//! framework takes, read with `custom_keyword!` and `lookahead1`), then the handler read
//! and checked (usage errors all reported at once, at the user's own spans), then
//! `expand.rs`. What they share: `args.rs` (the argument list, `crate`, `http_auth`,
//! `signature`), `handler.rs` (the annotated function), `errors.rs` (collecting errors,
//! re-emitting the item) and `exports.rs` (the one table of paths generated code names).
//! Without any framework feature the crate compiles no parser and offers only
//! `twilio_signed_without_framework`, an error that names the feature to enable.

#![forbid(unsafe_code)]

#[cfg(feature = "actix")]
mod actix;
#[cfg(any(
    feature = "axum",
    feature = "rocket",
    feature = "warp",
    feature = "actix"
))]
mod args;
#[cfg(feature = "axum")]
mod axum;
#[cfg(any(
    feature = "axum",
    feature = "rocket",
    feature = "warp",
    feature = "actix"
))]
mod errors;
#[cfg(any(
    feature = "axum",
    feature = "rocket",
    feature = "warp",
    feature = "actix"
))]
mod exports;
#[cfg(any(
    feature = "axum",
    feature = "rocket",
    feature = "warp",
    feature = "actix"
))]
mod handler;
mod no_framework;
#[cfg(any(
    feature = "axum",
    feature = "rocket",
    feature = "warp",
    feature = "actix"
))]
mod recognize;
#[cfg(feature = "rocket")]
mod rocket;
#[cfg(feature = "warp")]
mod warp;

use proc_macro::TokenStream;
#[cfg(any(
    feature = "axum",
    feature = "rocket",
    feature = "warp",
    feature = "actix"
))]
use recognize::Framework;

/// Verifies that requests to an axum handler come from Twilio.
///
/// The handler's last parameter `pat: T` becomes `Verified(pat): Verified<T>`, which reads
/// the body, verifies it and then runs `T` on the same bytes; a handler without
/// parameters gets the `TwilioSignature` guard, which verifies the request with its body.
/// The handler's body is left alone.
///
/// Arguments: `state = Type` (the router's state, when no `State<Type>` parameter says
/// it), `http_auth = "basic" | "digest" | "either"`, `signature = false` (with
/// `http_auth`), `crate = "path"` (where the runtime support lives; default
/// `::twilio_auth`). Named, the state is checked at the handler: one without a `Config` is
/// an error there, with the crate's message. Not named, the handler works with any router
/// state that provides a `Config` (the `Config` itself, or an `AppState` with `FromRef`),
/// and a state that does not is reported where the router is built (`.route(…)`,
/// `.with_state(…)`): the attribute cannot see the router's state. See the `twilio-auth` crate's documentation.
#[cfg(feature = "axum")]
#[proc_macro_attribute]
pub fn twilio_signed_axum(args: TokenStream, item: TokenStream) -> TokenStream {
    recognize::own(
        Framework::Axum,
        args.into(),
        item.into(),
        axum::twilio_signed,
    )
    .into()
}

/// Verifies that requests to a handler come from Twilio, for whichever framework the
/// handler is written for: a Rocket route (a route attribute below this one), a warp
/// handler (a method or `path` argument), or else an axum handler. See the `twilio-auth`
/// crate's documentation.
#[cfg(any(
    feature = "axum",
    feature = "rocket",
    feature = "warp",
    feature = "actix"
))]
#[proc_macro_attribute]
pub fn twilio_signed(args: TokenStream, item: TokenStream) -> TokenStream {
    let (args, item): (proc_macro2::TokenStream, proc_macro2::TokenStream) =
        (args.into(), item.into());
    match recognize::framework(&args, &item) {
        #[cfg(feature = "axum")]
        Framework::Axum => axum::twilio_signed(args, item),
        #[cfg(feature = "rocket")]
        Framework::Rocket => rocket::twilio_signed(args, item),
        #[cfg(feature = "warp")]
        Framework::Warp => warp::twilio_signed(args, item),
        #[cfg(feature = "actix")]
        Framework::Actix => actix::twilio_signed(args, item),
        #[allow(unreachable_patterns)]
        off => errors::with_error(item, recognize::feature_off(off)),
    }
    .into()
}

/// Verifies that requests to a warp handler come from Twilio.
///
/// The handler stays as written; next to it comes `<name>_filter(config)`, the whole
/// route: the path and method of the attribute (`#[twilio_signed(post, path = "voice")]`;
/// the path first, so an unknown path is a 404 and a known path with another method a 405),
/// then verification, then the handler, called with values taken from the verified request
/// (`Form<T>`, `Json<T>`, `Query<T>`, `Bytes`, …). Once the path and method matched, every
/// outcome is a reply, so a refused request never reaches another `.or()` branch.
///
/// Arguments: a method (`get`, `post`, …; none: any), `path = "api/voice"` (none: wherever
/// the filter is mounted), `http_auth = "basic" | "digest" | "either"`, `signature = false`
/// (with `http_auth`), `crate = "path"` (where the warp adapter is; default
/// `::twilio_auth::warp`). See the `twilio-auth` crate's documentation.
#[cfg(feature = "warp")]
#[proc_macro_attribute]
pub fn twilio_signed_warp(args: TokenStream, item: TokenStream) -> TokenStream {
    recognize::own(
        Framework::Warp,
        args.into(),
        item.into(),
        warp::twilio_signed,
    )
    .into()
}

/// Verifies that requests to a Rocket route come from Twilio.
///
/// Placed above the route attribute, it reads `data = "<call>"` and turns the parameter
/// `call: T` into a `Verified<T>` data guard (renamed, with `let call = …` opening the
/// body); a route without `data` gets a `TwilioSignature` request guard. Below the route
/// attribute it is a compile error that says to move it.
///
/// Arguments: `http_auth = "basic" | "digest" | "either"`, `signature = false` (with
/// `http_auth`), `crate = "path"` (where the runtime support lives; default
/// `::twilio_auth`). See the `twilio-auth` crate's documentation.
#[cfg(feature = "rocket")]
#[proc_macro_attribute]
pub fn twilio_signed_rocket(args: TokenStream, item: TokenStream) -> TokenStream {
    recognize::own(
        Framework::Rocket,
        args.into(),
        item.into(),
        rocket::twilio_signed,
    )
    .into()
}

/// Verifies that requests to an actix-web handler come from Twilio.
///
/// Placed above actix's route attribute (`#[post("/voice")]`, left as written) or on a
/// handler registered with `web::resource(…).route(…)`: the handler's last parameter
/// `pat: T` becomes `Verified(pat): Verified<T>`, which takes the body, verifies it and
/// then runs `T` on the same bytes; a handler without parameters gets the
/// `TwilioSignature` guard. The configuration comes from the app data.
///
/// Arguments: `http_auth = "basic" | "digest" | "either"`, `signature = false` (with
/// `http_auth`), `crate = "path"` (where the actix adapter is; default
/// `::twilio_auth::actix`). See the `twilio-auth` crate's documentation.
#[cfg(feature = "actix")]
#[proc_macro_attribute]
pub fn twilio_signed_actix(args: TokenStream, item: TokenStream) -> TokenStream {
    recognize::own(
        Framework::Actix,
        args.into(),
        item.into(),
        actix::twilio_signed,
    )
    .into()
}

/// The attribute as seen without any framework feature: a compile error that says which
/// feature to enable, next to the function left as it was.
#[doc(hidden)]
#[proc_macro_attribute]
pub fn twilio_signed_without_framework(_args: TokenStream, item: TokenStream) -> TokenStream {
    no_framework::expand(item)
}
