//! `WWW-Authenticate` challenge values (RFC 7617 §2, RFC 7616 §3.3).

use super::HttpAuthConfig;
use super::digest::DigestAlgorithm;

/// `Basic realm="…", charset="UTF-8"`.
pub(crate) fn basic(config: &HttpAuthConfig) -> String {
    format!(r#"Basic realm={}, charset="UTF-8""#, quote(config.realm()))
}

/// One Digest challenge per offered algorithm, SHA-256 first (RFC 7616 §3.7: the server lists
/// them in order of preference), all with the same fresh nonce.
pub(crate) fn digest(config: &HttpAuthConfig, now: u64, stale: bool) -> [String; 2] {
    let secret = config.nonce_secret();
    let nonce = secret.issue_nonce(config.realm(), now);
    let opaque = secret.opaque(config.realm());
    let stale = if stale { ", stale=true" } else { "" };
    [DigestAlgorithm::Sha256, DigestAlgorithm::Md5].map(|algorithm| {
        format!(
            r#"Digest realm={}, qop="auth", algorithm={algorithm}, nonce="{nonce}", opaque="{opaque}"{stale}"#,
            quote(config.realm()),
        )
    })
}

/// A quoted-string: the realm is validated to be printable ASCII, so only `"` and `\` need
/// escaping.
fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_escapes_quote_and_backslash() {
        assert_eq!(quote(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(quote(""), r#""""#);
    }
}
