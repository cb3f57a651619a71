//! `application/x-www-form-urlencoded` bodies: decoding them the way Twilio's libraries
//! see them, and the parameter part of the signed string (SPEC §1).
//!
//! Names are sorted in byte order; each name's values are sorted and de-duplicated; then
//! `name` + `value` is appended for each, with no delimiters. When a name or value lies
//! outside the Basic Multilingual Plane, UTF-16 order (node, java, C#) can differ from
//! byte order (python), and both orderings are candidates.

mod decode;
mod signing;
#[allow(unsafe_code)]
mod simd;

#[doc(hidden)]
pub mod reference;

pub(crate) use signing::{FormBuffers, SigningParams};

#[doc(hidden)]
pub use reference::{Param, decode_component, orderings, params_suffix, parse, suffix};

use std::cmp::Ordering;

/// For the fuzz target `form_decode`: whether each vector decoder this CPU has (AVX-512,
/// AVX2) decodes `body` into the same text and fields as the scalar one. `Ok` when they
/// agree or when there is no vector decoder here; otherwise both results, for the report.
#[doc(hidden)]
pub fn vector_decoding_agrees(body: &[u8]) -> Result<(), String> {
    let (vectors, scalar) = decode::vectors_and_scalar(body);
    match vectors.into_iter().find(|(_, vector)| *vector != scalar) {
        Some((isa, vector)) => Err(format!(
            "{isa:?} {vector:?}\nscalar {scalar:?}\nbody {:?}",
            String::from_utf8_lossy(body)
        )),
        None => Ok(()),
    }
}

/// Whether a `Content-Type` value names a form body (parameters such as `charset` and the
/// letter case of the media type are ignored).
///
/// ```
/// use twilio_auth_core::form::is_form_content_type;
///
/// assert!(is_form_content_type("application/x-www-form-urlencoded; charset=UTF-8"));
/// assert!(!is_form_content_type("application/json"));
/// ```
pub fn is_form_content_type(content_type: &str) -> bool {
    let media_type = content_type.split(';').next().unwrap_or("").trim();
    media_type.eq_ignore_ascii_case("application/x-www-form-urlencoded")
}

/// The value of a hex digit (the one definition: the verifier's lookup table and the
/// reference are built from it).
const fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Encodes parameters as a form body (UTF-8, `application/x-www-form-urlencoded`, spaces
/// as `+`), the way Twilio sends them. Useful with [`crate::Signer`] in tests.
///
/// ```
/// use twilio_auth_core::form::encode;
///
/// let body = encode(&[("Body", "It's 5€ & more"), ("From", "+14155550100")]);
/// assert_eq!(body, "Body=It%27s+5%E2%82%AC+%26+more&From=%2B14155550100");
/// ```
pub fn encode<N: AsRef<str>, V: AsRef<str>>(params: &[(N, V)]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in params.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode_component(name.as_ref(), &mut out);
        out.push('=');
        encode_component(value.as_ref(), &mut out);
    }
    out
}

fn encode_component(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in text.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 0xF)] as char);
            }
        }
    }
}

/// Whether `text` has a character outside the BMP (a four-byte sequence, lead byte
/// 0xF0 or above). Looks at blocks of bytes without stopping early, which the compiler
/// turns into vector instructions: this runs over whole bodies.
pub(super) fn has_astral(text: &str) -> bool {
    !text.is_ascii()
        && text
            .as_bytes()
            .chunks(64)
            .any(|block| block.iter().fold(false, |seen, &b| seen | (b >= 0xF0)))
}

/// Compares two (name, value) pairs in UTF-16 order.
pub(super) fn utf16_cmp(a: (&str, &str), b: (&str, &str)) -> Ordering {
    let in_utf16 = |x: &str, y: &str| x.encode_utf16().cmp(y.encode_utf16());
    in_utf16(a.0, b.0).then_with(|| in_utf16(a.1, b.1))
}
