//! Parser for `Authorization` header values (RFC 9110 §11.6.2 / RFC 7235 §2.1).
//!
//! The header is attacker-controlled, so the parser is a bounded, byte-oriented state machine: it
//! caps the header size and the number of parameters, never indexes out of bounds and reports a
//! typed [`MalformedAuthorization`] that carries no part of the input (it may hold a password).

use std::fmt;

/// Longest `Authorization` value accepted, in bytes. Real Basic and Digest credentials are a few
/// hundred bytes; anything larger is rejected before any parsing work is done.
pub const MAX_AUTHORIZATION_LEN: usize = 8 * 1024;

/// Most auth-params accepted in one Digest header (RFC 7616 defines twelve).
pub const MAX_AUTH_PARAMS: usize = 32;

/// Credentials as sent by the client, after syntax checks and before any verification.
///
/// # Examples
///
/// ```
/// use twilio_auth_core::http_auth::{Credentials, parse_authorization};
///
/// let parsed = parse_authorization(r#"Digest username="Mufasa", qop=auth"#).unwrap();
/// let Credentials::Digest(params) = parsed else { panic!("expected Digest") };
/// assert_eq!(params.get("username"), Some("Mufasa"));
/// assert_eq!(params.get("QOP"), Some("auth"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// `Basic <token68>`: the still-encoded base64 token.
    Basic(String),
    /// `Digest <auth-params>`: the parameters, with quoted strings unescaped.
    Digest(AuthParams),
    /// A syntactically valid scheme other than Basic or Digest (e.g. `Bearer`); its contents are
    /// not parsed.
    Other,
}

// The Basic token is the password in base64: keep it out of `Debug`.
impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Basic(_) => f.write_str("Basic(***)"),
            Self::Digest(params) => f.debug_tuple("Digest").field(params).finish(),
            Self::Other => f.write_str("Other"),
        }
    }
}

/// The auth-params of a Digest header: names are case-insensitive, each appears at most once.
///
/// None of the Digest parameters is a secret (the `response` is a one-way hash), so `Debug` prints
/// them as received.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuthParams {
    /// `(lower-cased name, unescaped value)` in the order received.
    params: Vec<(String, String)>,
}

impl AuthParams {
    /// The value of the parameter `name` (matched case-insensitively), if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.params.len()
    }

    /// Whether there are no parameters.
    pub fn is_empty(&self) -> bool {
        self.params.is_empty()
    }
}

/// Why an `Authorization` header (or the credentials inside it) could not be read.
///
/// Variants describe the *kind* of problem only: no part of the header is copied into the error,
/// because the header may contain a password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MalformedAuthorization {
    /// The value is longer than [`MAX_AUTHORIZATION_LEN`].
    TooLong,
    /// The value does not start with an auth-scheme token followed by a space or the end.
    InvalidScheme,
    /// `Basic` without a token, or a token with characters outside the token68 alphabet.
    InvalidToken68,
    /// The Basic token is not valid base64.
    InvalidBase64,
    /// The decoded Basic credentials or a Digest parameter are not valid UTF-8.
    NotUtf8,
    /// The decoded Basic credentials contain no `:` between user and password.
    MissingColon,
    /// A Digest auth-param is not `name=token` or `name="quoted string"`, or the list separators
    /// are wrong.
    InvalidParameter,
    /// A quoted string has no closing `"` or contains a control character.
    InvalidQuotedString,
    /// The same Digest parameter appears twice.
    DuplicateParameter,
    /// More than [`MAX_AUTH_PARAMS`] Digest parameters.
    TooManyParameters,
    /// A Digest parameter required by RFC 7616 is missing (the name is the parameter's).
    MissingParameter(&'static str),
    /// `nc` is not exactly eight hexadecimal digits.
    InvalidNonceCount,
}

impl fmt::Display for MalformedAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLong => write!(f, "longer than {MAX_AUTHORIZATION_LEN} bytes"),
            Self::InvalidScheme => f.write_str("invalid auth-scheme"),
            Self::InvalidToken68 => f.write_str("missing or invalid Basic token"),
            Self::InvalidBase64 => f.write_str("Basic token is not valid base64"),
            Self::NotUtf8 => f.write_str("credentials are not valid UTF-8"),
            Self::MissingColon => f.write_str("Basic credentials have no ':' separator"),
            Self::InvalidParameter => f.write_str("invalid auth-param syntax"),
            Self::InvalidQuotedString => f.write_str("unterminated or invalid quoted string"),
            Self::DuplicateParameter => f.write_str("repeated auth-param"),
            Self::TooManyParameters => write!(f, "more than {MAX_AUTH_PARAMS} auth-params"),
            Self::MissingParameter(name) => write!(f, "missing Digest parameter `{name}`"),
            Self::InvalidNonceCount => f.write_str("`nc` is not 8 hexadecimal digits"),
        }
    }
}

impl std::error::Error for MalformedAuthorization {}

/// Parses an `Authorization` header value into [`Credentials`].
///
/// Accepts any input without panicking. The scheme is matched case-insensitively; optional
/// whitespace around the value and around `=` and `,` is tolerated, as are empty list elements
/// (RFC 9110 §5.6.1). Parameter values may be tokens or quoted strings with backslash escapes.
/// A repeated parameter, a value over [`MAX_AUTHORIZATION_LEN`] bytes or more than
/// [`MAX_AUTH_PARAMS`] parameters is an error.
///
/// # Examples
///
/// ```
/// use twilio_auth_core::http_auth::{Credentials, MalformedAuthorization, parse_authorization};
///
/// assert_eq!(
///     parse_authorization("basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="),
///     Ok(Credentials::Basic("QWxhZGRpbjpvcGVuIHNlc2FtZQ==".to_owned())),
/// );
/// assert_eq!(parse_authorization("Bearer abc"), Ok(Credentials::Other));
/// assert_eq!(
///     parse_authorization(r#"Digest realm="a", realm="b""#),
///     Err(MalformedAuthorization::DuplicateParameter),
/// );
/// ```
pub fn parse_authorization(value: &str) -> Result<Credentials, MalformedAuthorization> {
    if value.len() > MAX_AUTHORIZATION_LEN {
        return Err(MalformedAuthorization::TooLong);
    }
    let value = value.trim_matches(is_ows_char);
    let scheme_len = value.bytes().take_while(|&b| is_tchar(b)).count();
    if scheme_len == 0 {
        return Err(MalformedAuthorization::InvalidScheme);
    }
    let (scheme, rest) = value.split_at(scheme_len);
    if !rest.is_empty() && !rest.starts_with(is_ows_char) {
        return Err(MalformedAuthorization::InvalidScheme);
    }
    let rest = rest.trim_start_matches(is_ows_char);
    if scheme.eq_ignore_ascii_case("Basic") {
        parse_token68(rest).map(|token| Credentials::Basic(token.to_owned()))
    } else if scheme.eq_ignore_ascii_case("Digest") {
        parse_auth_params(rest).map(Credentials::Digest)
    } else {
        Ok(Credentials::Other)
    }
}

/// `token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`
fn parse_token68(input: &str) -> Result<&str, MalformedAuthorization> {
    let body_len = input
        .bytes()
        .take_while(|&b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
        .count();
    let padding_ok = input.bytes().skip(body_len).all(|b| b == b'=');
    if body_len == 0 || !padding_ok {
        return Err(MalformedAuthorization::InvalidToken68);
    }
    Ok(input)
}

/// `#auth-param` where `auth-param = token BWS "=" BWS ( token / quoted-string )`.
fn parse_auth_params(input: &str) -> Result<AuthParams, MalformedAuthorization> {
    let mut cursor = Cursor {
        bytes: input.as_bytes(),
        pos: 0,
    };
    let mut params: Vec<(String, String)> = Vec::new();
    loop {
        // Empty list elements (",,") are allowed by the list syntax.
        while cursor.skip_ows() || cursor.eat(b',') {}
        if cursor.at_end() {
            break;
        }
        let name = cursor
            .token()
            .ok_or(MalformedAuthorization::InvalidParameter)?;
        cursor.skip_ows();
        if !cursor.eat(b'=') {
            return Err(MalformedAuthorization::InvalidParameter);
        }
        cursor.skip_ows();
        let value = if cursor.peek() == Some(b'"') {
            cursor.quoted_string()?
        } else {
            cursor
                .token()
                .ok_or(MalformedAuthorization::InvalidParameter)?
                .to_vec()
        };
        let name = String::from_utf8(name.to_ascii_lowercase())
            .map_err(|_| MalformedAuthorization::NotUtf8)?;
        let value = String::from_utf8(value).map_err(|_| MalformedAuthorization::NotUtf8)?;
        if params.iter().any(|(existing, _)| *existing == name) {
            return Err(MalformedAuthorization::DuplicateParameter);
        }
        if params.len() == MAX_AUTH_PARAMS {
            return Err(MalformedAuthorization::TooManyParameters);
        }
        params.push((name, value));
        cursor.skip_ows();
        if !cursor.at_end() && !cursor.eat(b',') {
            return Err(MalformedAuthorization::InvalidParameter);
        }
    }
    Ok(AuthParams { params })
}

/// A read position in the header bytes; every accessor is bounds-checked.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn eat(&mut self, expected: u8) -> bool {
        let matched = self.peek() == Some(expected);
        if matched {
            self.pos += 1;
        }
        matched
    }

    /// Skips spaces and tabs; reports whether anything was skipped.
    fn skip_ows(&mut self) -> bool {
        let start = self.pos;
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
        self.pos != start
    }

    fn token(&mut self) -> Option<&'a [u8]> {
        let rest = self.bytes.get(self.pos..)?;
        let len = rest.iter().take_while(|&&b| is_tchar(b)).count();
        self.pos += len;
        (len > 0).then(|| &rest[..len])
    }

    /// `quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE`, returning the unescaped bytes.
    fn quoted_string(&mut self) -> Result<Vec<u8>, MalformedAuthorization> {
        if !self.eat(b'"') {
            return Err(MalformedAuthorization::InvalidQuotedString);
        }
        let mut out = Vec::new();
        loop {
            let byte = self
                .peek()
                .ok_or(MalformedAuthorization::InvalidQuotedString)?;
            self.pos += 1;
            match byte {
                b'"' => return Ok(out),
                b'\\' => {
                    let escaped = self
                        .peek()
                        .filter(|&b| is_quotable(b))
                        .ok_or(MalformedAuthorization::InvalidQuotedString)?;
                    self.pos += 1;
                    out.push(escaped);
                }
                b if is_quotable(b) => out.push(b),
                _ => return Err(MalformedAuthorization::InvalidQuotedString),
            }
        }
    }
}

/// `tchar` of RFC 9110 §5.6.2.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// HTAB, SP, visible ASCII and obs-text: what may appear (escaped or not) in a quoted string.
fn is_quotable(b: u8) -> bool {
    b == b'\t' || (b' '..=b'~').contains(&b) || b >= 0x80
}

fn is_ows_char(c: char) -> bool {
    c == ' ' || c == '\t'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(input: &str) -> AuthParams {
        match parse_authorization(input) {
            Ok(Credentials::Digest(params)) => params,
            other => panic!("expected Digest params, got {other:?}"),
        }
    }

    #[test]
    fn scheme_is_case_insensitive() {
        assert!(matches!(
            parse_authorization("bAsIc YQ=="),
            Ok(Credentials::Basic(_))
        ));
        assert!(matches!(
            parse_authorization("DIGEST a=b"),
            Ok(Credentials::Digest(_))
        ));
    }

    #[test]
    fn quoted_strings_are_unescaped() {
        let params = digest(r#"Digest username="Mu\"fa\\sa", realm = "a, b" , nc=00000001"#);
        assert_eq!(params.get("username"), Some(r#"Mu"fa\sa"#));
        assert_eq!(params.get("realm"), Some("a, b"));
        assert_eq!(params.get("nc"), Some("00000001"));
        assert_eq!(params.len(), 3);
    }

    #[test]
    fn non_ascii_is_kept_in_quoted_strings() {
        let params = digest("Digest username=\"J\u{e4}s\u{f8}n\\\u{e9}\"");
        assert_eq!(params.get("username"), Some("J\u{e4}s\u{f8}n\u{e9}"));
    }

    #[test]
    fn empty_list_elements_are_skipped() {
        let params = digest("Digest ,, a=1 ,, b=\"2\",");
        assert_eq!((params.get("a"), params.get("b")), (Some("1"), Some("2")));
    }

    #[test]
    fn repeated_parameter_is_rejected_case_insensitively() {
        assert_eq!(
            parse_authorization("Digest nonce=a, NONCE=b"),
            Err(MalformedAuthorization::DuplicateParameter)
        );
    }

    #[test]
    fn syntax_errors_are_typed() {
        let cases = [
            ("", MalformedAuthorization::InvalidScheme),
            ("   ", MalformedAuthorization::InvalidScheme),
            ("\"Basic\" abc", MalformedAuthorization::InvalidScheme),
            ("Basic,abc", MalformedAuthorization::InvalidScheme),
            ("Basic", MalformedAuthorization::InvalidToken68),
            ("Basic abc def", MalformedAuthorization::InvalidToken68),
            ("Basic ab=c", MalformedAuthorization::InvalidToken68),
            ("Digest a", MalformedAuthorization::InvalidParameter),
            ("Digest a=", MalformedAuthorization::InvalidParameter),
            ("Digest a=b c=d", MalformedAuthorization::InvalidParameter),
            ("Digest =b", MalformedAuthorization::InvalidParameter),
            ("Digest a=\"b", MalformedAuthorization::InvalidQuotedString),
            (
                "Digest a=\"b\\",
                MalformedAuthorization::InvalidQuotedString,
            ),
            (
                "Digest a=\"b\nc\"",
                MalformedAuthorization::InvalidQuotedString,
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_authorization(input), Err(expected), "input {input:?}");
        }
    }

    #[test]
    fn size_limits_are_enforced() {
        let huge = format!("Basic {}", "A".repeat(MAX_AUTHORIZATION_LEN));
        assert_eq!(
            parse_authorization(&huge),
            Err(MalformedAuthorization::TooLong)
        );
        let many: Vec<String> = (0..=MAX_AUTH_PARAMS).map(|i| format!("p{i}=v")).collect();
        assert_eq!(
            parse_authorization(&format!("Digest {}", many.join(","))),
            Err(MalformedAuthorization::TooManyParameters)
        );
        let exactly_max: Vec<String> = (0..MAX_AUTH_PARAMS).map(|i| format!("p{i}=v")).collect();
        assert_eq!(
            digest(&format!("Digest {}", exactly_max.join(","))).len(),
            MAX_AUTH_PARAMS
        );
    }

    #[test]
    fn debug_hides_basic_token() {
        let parsed = parse_authorization("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        let shown = format!("{parsed:?}");
        assert!(!shown.contains("QWxh"), "{shown}");
    }
}
