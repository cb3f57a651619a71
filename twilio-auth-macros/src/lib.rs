//! The `#[twilio_signed]` attribute of twilio-auth: use it through the `twilio-auth` crate
//! (`use twilio_auth::twilio_signed;`), which re-exports the entry point of the enabled
//! framework feature.
//!
//! Each framework has its own entry point behind its own additive feature (`axum` now;
//! `rocket` and `warp` later). All of them go through the same steps, one module each:
//! `args` (the attribute's arguments), `parse` (the handler), `validate` (usage errors,
//! all reported at once, at the user's own spans) and `expand` (one module per
//! framework). Generated code names only absolute paths into the runtime crate's hidden
//! `__private` module. Without any framework feature the crate compiles no parser and
//! offers only `twilio_signed_without_framework`, an error that names the feature to
//! enable.

#![forbid(unsafe_code)]

#[cfg(feature = "axum")]
mod args;
#[cfg(feature = "axum")]
mod expand;
mod no_framework;
#[cfg(feature = "axum")]
mod parse;
#[cfg(feature = "axum")]
mod validate;

use proc_macro::TokenStream;

/// Verifies that requests to an axum handler come from Twilio.
///
/// The handler's last parameter `pat: T` becomes `Verified(pat): Verified<T>`, which reads
/// the body, verifies it and then runs `T` on the same bytes; a handler without
/// parameters gets a header-only `TwilioSignature` guard. The body is left alone.
///
/// Arguments: `state = Type` (the router's state, when no `State<Type>` parameter says
/// it), `crate = "path"` (where the runtime support lives; default `::twilio_auth`).
/// See the `twilio-auth` crate's documentation.
#[cfg(feature = "axum")]
#[proc_macro_attribute]
pub fn twilio_signed_axum(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::twilio_signed(expand::Framework::Axum, args.into(), item.into()).into()
}

/// The attribute as seen without any framework feature: a compile error that says which
/// feature to enable, next to the function left as it was.
#[doc(hidden)]
#[proc_macro_attribute]
pub fn twilio_signed_without_framework(_args: TokenStream, item: TokenStream) -> TokenStream {
    no_framework::expand(item)
}
