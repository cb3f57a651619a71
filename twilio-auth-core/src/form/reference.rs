//! The reference decoding and ordering of form parameters: written for clarity, one
//! parameter at a time, and used only as the oracle the fast pipeline (`decode.rs`,
//! `signing.rs`) is checked against — by the property tests here and in `decode.rs`, the
//! `form_parse` fuzz target and the tests of the crate. Not public API: production code
//! (the verifier and the signer) goes through the fast pipeline alone.

use std::borrow::Cow;

use super::{has_astral, hex_value, utf16_cmp};

/// One decoded form parameter, borrowed from the body where no decoding was needed.
pub type Param<'a> = (Cow<'a, str>, Cow<'a, str>);

/// Decodes a form body into its parameters, in body order: `&` separates pairs, the first
/// `=` separates name from value (a pair without `=` has an empty value), `+` is a space,
/// then percent-decoding, then UTF-8 with invalid sequences replaced by U+FFFD (as python
/// and node do). Empty pairs are skipped; a malformed `%` escape is kept literally.
///
/// ```
/// use twilio_auth_core::form::reference::parse;
///
/// let params = parse(b"Body=It%27s+amazing&From=%2B1415&Flag");
/// assert_eq!(params[0].1, "It's amazing");
/// assert_eq!(params[1].1, "+1415");
/// assert_eq!((params[2].0.as_ref(), params[2].1.as_ref()), ("Flag", ""));
/// ```
pub fn parse(body: &[u8]) -> Vec<Param<'_>> {
    // One pass over the body finds the pairs, their `=`, and whether each side needs
    // decoding at all; most Twilio parameters do not, and are borrowed as they are.
    let mut params = Vec::with_capacity(body.len() / 24 + 1);
    let mut start = 0;
    let mut eq = None;
    let mut escaped = [false; 2];
    let mut push = |start: usize, end: usize, eq: Option<usize>, escaped: [bool; 2]| {
        if start == end {
            return;
        }
        let (name, value) = match eq {
            Some(eq) => (&body[start..eq], &body[eq + 1..end]),
            None => (&body[start..end], &body[end..end]),
        };
        params.push((component(name, escaped[0]), component(value, escaped[1])));
    };
    for (i, &b) in body.iter().enumerate() {
        match b {
            b'&' => {
                push(start, i, eq, escaped);
                start = i + 1;
                eq = None;
                escaped = [false; 2];
            }
            b'=' if eq.is_none() => eq = Some(i),
            b'+' | b'%' => escaped[usize::from(eq.is_some())] = true,
            _ => {}
        }
    }
    push(start, body.len(), eq, escaped);
    params
}

fn component(raw: &[u8], escaped: bool) -> Cow<'_, str> {
    if escaped {
        decode_component(raw)
    } else {
        utf8(Cow::Borrowed(raw))
    }
}

/// Decodes one form component (`+` and `%XX`), borrowing when nothing needs decoding.
pub fn decode_component(raw: &[u8]) -> Cow<'_, str> {
    if find_escape(raw).is_none() {
        return utf8(Cow::Borrowed(raw));
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut rest = raw;
    // Copy the runs between escapes whole, not byte by byte.
    while let Some(at) = find_escape(rest) {
        out.extend_from_slice(&rest[..at]);
        let (byte, len) = unescape(&rest[at..]);
        out.push(byte);
        rest = &rest[at + len..];
    }
    out.extend_from_slice(rest);
    utf8(Cow::Owned(out))
}

/// Where the next `+` or `%` is.
fn find_escape(raw: &[u8]) -> Option<usize> {
    raw.iter().position(|&b| b == b'+' || b == b'%')
}

/// The byte that the escape at the start of `escaped` (a `+` or a `%`) stands for, and
/// how many bytes it takes. A `%` without two hex digits after it stands for itself.
fn unescape(escaped: &[u8]) -> (u8, usize) {
    match escaped {
        [b'+', ..] => (b' ', 1),
        [b'%', hi, lo, ..] => match (hex_value(*hi), hex_value(*lo)) {
            (Some(hi), Some(lo)) => (hi << 4 | lo, 3),
            _ => (b'%', 1),
        },
        _ => (b'%', 1),
    }
}

/// Bytes as text, invalid UTF-8 replaced by U+FFFD (as python and node decode forms).
fn utf8(bytes: Cow<'_, [u8]>) -> Cow<'_, str> {
    match bytes {
        Cow::Borrowed(b) => String::from_utf8_lossy(b),
        Cow::Owned(b) => Cow::Owned(
            String::from_utf8(b)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        ),
    }
}

/// The parameter orderings to try: byte order always, and UTF-16 order as a second one
/// when it differs (only possible when some text lies outside the BMP).
pub fn orderings<'a, 'p>(
    params: &'p [Param<'a>],
) -> (Vec<&'p Param<'a>>, Option<Vec<&'p Param<'a>>>) {
    let mut by_bytes: Vec<&Param<'a>> = params.iter().collect();
    by_bytes.sort_unstable_by(|a, b| {
        (a.0.as_bytes(), a.1.as_bytes()).cmp(&(b.0.as_bytes(), b.1.as_bytes()))
    });
    by_bytes.dedup_by(|a, b| a == b);

    let astral = params.iter().any(|(n, v)| has_astral(n) || has_astral(v));
    if !astral {
        return (by_bytes, None);
    }
    let mut by_utf16 = by_bytes.clone();
    by_utf16.sort_by(|a, b| utf16_cmp((&a.0, &a.1), (&b.0, &b.1)));
    if by_utf16 == by_bytes {
        (by_bytes, None)
    } else {
        (by_bytes, Some(by_utf16))
    }
}

/// The parameter suffix of the signed string for already-ordered parameters.
pub fn suffix(ordered: &[&Param<'_>]) -> String {
    let len = ordered.iter().map(|(n, v)| n.len() + v.len()).sum();
    let mut out = String::with_capacity(len);
    for (name, value) in ordered {
        out.push_str(name);
        out.push_str(value);
    }
    out
}

/// The parameter part of the signed string, in byte order (what Twilio's python library
/// computes), for parameters given as decoded name/value pairs.
///
/// ```
/// use twilio_auth_core::form::reference::params_suffix;
///
/// let suffix = params_suffix(&[("Digits", "5678"), ("Sid", "CA1"), ("Digits", "1234"), ("Digits", "1234")]);
/// assert_eq!(suffix, "Digits1234Digits5678SidCA1");
/// ```
pub fn params_suffix<N: AsRef<str>, V: AsRef<str>>(params: &[(N, V)]) -> String {
    let owned: Vec<Param<'_>> = params
        .iter()
        .map(|(n, v)| (Cow::Borrowed(n.as_ref()), Cow::Borrowed(v.as_ref())))
        .collect();
    suffix(&orderings(&owned).0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::is_form_content_type;

    fn owned(pairs: &[(&'static str, &'static str)]) -> Vec<Param<'static>> {
        pairs
            .iter()
            .map(|&(n, v)| (Cow::Borrowed(n), Cow::Borrowed(v)))
            .collect()
    }

    #[test]
    fn names_sort_in_byte_order_values_sorted_and_deduplicated() {
        let params = owned(&[
            ("callSid", "3"),
            ("ReasonConferenceEnded", "x"),
            ("CallSid", "2"),
            ("Reason", "y"),
            ("CALLSID", "1"),
            ("Digits", "5678"),
            ("Digits", "1234"),
            ("Digits", "1234"),
        ]);
        let (ordered, utf16) = orderings(&params);
        assert_eq!(
            suffix(&ordered),
            "CALLSID1CallSid2Digits1234Digits5678ReasonyReasonConferenceEndedxcallSid3"
        );
        assert!(utf16.is_none());
    }

    #[test]
    fn astral_text_adds_the_utf16_ordering() {
        // U+FFFD is EF BF BD in UTF-8 but 0xFFFD in UTF-16; U+1F600 is F0.. but 0xD83D ...
        let params = owned(&[("A\u{FFFD}", "1"), ("A\u{1F600}", "2")]);
        let (by_bytes, by_utf16) = orderings(&params);
        assert_eq!(suffix(&by_bytes), "A\u{FFFD}1A\u{1F600}2");
        assert_eq!(suffix(&by_utf16.unwrap()), "A\u{1F600}2A\u{FFFD}1");
        // Astral text whose order is the same either way adds nothing.
        let same = owned(&[("A", "\u{1F600}"), ("B", "x")]);
        assert!(orderings(&same).1.is_none());
    }

    #[test]
    fn decoding_is_lenient_and_never_fails() {
        let params = parse(b"a=%zz&b=%4&c=%C3%28&&d=%2b+%2B&=e&f==");
        let got: Vec<(&str, &str)> = params
            .iter()
            .map(|(n, v)| (n.as_ref(), v.as_ref()))
            .collect();
        assert_eq!(
            got,
            [
                ("a", "%zz"),
                ("b", "%4"),
                ("c", "\u{FFFD}("),
                ("d", "+ +"),
                ("", "e"),
                ("f", "=")
            ]
        );
    }

    #[test]
    fn content_type_matching() {
        assert!(is_form_content_type("Application/X-WWW-Form-Urlencoded"));
        assert!(is_form_content_type(
            " application/x-www-form-urlencoded ;charset=utf-8"
        ));
        assert!(!is_form_content_type("application/x-www-form-urlencodedX"));
        assert!(!is_form_content_type(""));
    }
}
