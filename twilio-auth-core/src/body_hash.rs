//! The `bodySHA256` query parameter that covers non-form bodies (SPEC §2), and reading
//! parameters out of a URL's raw query.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Lower-case hex SHA-256 of a body: the value Twilio puts in `bodySHA256`.
///
/// ```
/// use twilio_auth_core::body_hash::body_sha256_hex;
///
/// assert_eq!(
///     body_sha256_hex(b"{}"),
///     "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
/// );
/// ```
pub fn body_sha256_hex(body: &[u8]) -> String {
    hex_sha256(body)
        .iter()
        .map(|&digit| char::from(digit))
        .collect()
}

/// The lower-case hex SHA-256 of `body`, on the stack.
fn hex_sha256(body: &[u8]) -> [u8; 64] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0; 64];
    for (pair, b) in out.chunks_exact_mut(2).zip(Sha256::digest(body)) {
        pair[0] = DIGITS[usize::from(b >> 4)];
        pair[1] = DIGITS[usize::from(b & 0xF)];
    }
    out
}

/// The raw (undecoded) values of query parameter `name` in `url`, in order.
///
/// ```
/// use twilio_auth_core::body_hash::query_values;
///
/// let url = "https://h/p?a=1&bodySHA256=ab&b&bodySHA256=cd#frag";
/// assert_eq!(query_values(url, "bodySHA256").collect::<Vec<_>>(), ["ab", "cd"]);
/// ```
pub fn query_values<'u>(url: &'u str, name: &'u str) -> impl Iterator<Item = &'u str> + 'u {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    query.split('&').filter_map(move |pair| {
        let (n, v) = pair.split_once('=').unwrap_or((pair, ""));
        (n == name).then_some(v)
    })
}

/// Whether `url` carries `bodySHA256` at all, and if so whether every occurrence equals
/// the hash of `body` (compared in constant time, case-sensitively).
pub(crate) fn check(url: &str, body: &[u8]) -> BodyHash {
    let mut values = query_values(url, "bodySHA256").peekable();
    if values.peek().is_none() {
        return BodyHash::Missing;
    }
    let expected = hex_sha256(body);
    let mut all_match = true;
    for value in values {
        all_match &= bool::from(value.as_bytes().ct_eq(&expected));
    }
    if all_match {
        BodyHash::Matches
    } else {
        BodyHash::Mismatch
    }
}

/// The outcome of [`check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyHash {
    Missing,
    Matches,
    Mismatch,
}
