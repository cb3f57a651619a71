//! `#[twilio_signed]` when the `twilio-auth` facade has no framework feature on. Written
//! with `proc_macro` alone, so a build without frameworks compiles no parser.

use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

/// What the user is told.
pub(crate) const MESSAGE: &str = "`#[twilio_signed]` needs a web framework: enable the `axum`, `rocket` or `warp` \
     feature of `twilio-auth` (e.g. `twilio-auth = { version = \"0.1\", features = [\"axum\"] }`)";

/// The item unchanged, followed by `compile_error!(MESSAGE);` at the attribute.
pub(crate) fn expand(item: TokenStream) -> TokenStream {
    let span = Span::call_site();
    let with_span = |mut tree: TokenTree| {
        tree.set_span(span);
        tree
    };
    let message = TokenStream::from(with_span(Literal::string(MESSAGE).into()));
    let mut out = item;
    out.extend([
        with_span(Ident::new("compile_error", span).into()),
        with_span(Punct::new('!', Spacing::Alone).into()),
        with_span(Group::new(Delimiter::Parenthesis, message).into()),
        with_span(Punct::new(';', Spacing::Alone).into()),
    ]);
    out
}
