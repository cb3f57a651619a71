//! Decoding a whole form body into one buffer, fast: the verifier's path. Decodes exactly
//! as [`super::reference::parse`] does (a property test holds them together).
//!
//! Twilio's bodies have a byte that needs attention every eight or so (every `/` and `:`
//! of a media URL is escaped, every space is a `+`), so the cost per escape matters as
//! much as the cost per byte. The bytes that end a run of plain text (`&`, `=`, `%`) are
//! found 64 at a time, and the run before each is copied in one fixed-size piece, its
//! `+`s turned into spaces on the way.

use super::has_astral;
use super::simd::Isa;

/// Where one decoded pair lies in the text: the name, then the value right after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Field {
    pub start: usize,
    pub middle: usize,
    pub end: usize,
}

impl Field {
    fn new(start: usize, middle: usize, end: usize) -> Self {
        Field { start, middle, end }
    }
}

/// Decodes a form body into `text` (every name and value, one after the other) and
/// `fields` (where each pair lies in it, in body order), replacing what they held. Each
/// name and value is valid UTF-8 on its own, with invalid sequences replaced by U+FFFD as
/// in [`super::reference::parse`]. Returns whether the text may hold a character outside the BMP (a
/// byte 0xF0 or above).
pub(super) fn decode(body: &[u8], text: &mut Vec<u8>, fields: &mut Vec<Field>) -> bool {
    // Every byte up to the end of the decoded text is written by either decoder: what the
    // buffer held before is overwritten, and only growth is zeroed.
    text.resize(body.len() + super::simd::BLOCK, 0);
    let highest = match super::simd::decode(body, text, fields) {
        Some((len, highest)) => {
            text.truncate(len);
            highest
        }
        None => decode_scalar(body, text, fields),
    };
    checked(body, text, fields, highest)
}

/// [`decode`] without vector instructions: into `out` (as long as the body, at least),
/// truncated to the text. Returns the highest byte of the text.
pub(super) fn decode_scalar(body: &[u8], out: &mut Vec<u8>, fields: &mut Vec<Field>) -> u8 {
    fields.clear();
    fields.reserve(body.len() / 24 + 1);
    let (mut from, mut to) = (0, 0); // next byte to read, next byte to write
    let mut pair = 0; // where the current pair starts in the body
    let mut start = 0; // where its name starts in `out`
    let mut middle = None; // where its value starts, once its first `=` is seen
    let mut escaped = 0; // the highest byte an escape made

    for (index, block) in body.chunks(BLOCK).enumerate() {
        let mut specials = special_bytes(block);
        while specials != 0 {
            let at = index * BLOCK + specials.trailing_zeros() as usize;
            specials &= specials - 1;
            // `at >= from` always: the two digits an escape consumes are never special.
            let len = at.saturating_sub(from);
            copy_run(body, from, out, to, len);
            to += len;
            from = at + 1;
            let byte = match body[at] {
                b'%' => {
                    let digit = |i: usize| body.get(i).map_or(NOT_HEX, |&b| HEX[usize::from(b)]);
                    let (hi, lo) = (digit(at + 1), digit(at + 2));
                    if hi | lo < 16 {
                        from = at + 3;
                        escaped = escaped.max(hi << 4);
                        hi << 4 | lo
                    } else {
                        b'%' // not an escape: itself
                    }
                }
                b'&' => {
                    if at > pair {
                        fields.push(Field::new(start, middle.unwrap_or(to), to));
                    }
                    (pair, start, middle) = (at + 1, to, None);
                    continue;
                }
                _ if middle.is_none() => {
                    middle = Some(to); // the pair's first `=`
                    continue;
                }
                other => other, // a later `=`: part of the value
            };
            if let Some(slot) = out.get_mut(to) {
                *slot = byte;
            }
            to += 1;
        }
    }
    let len = body.len().saturating_sub(from);
    copy_run(body, from, out, to, len);
    to += len;
    if body.len() > pair {
        fields.push(Field::new(start, middle.unwrap_or(to), to));
    }
    out.truncate(to);
    if body.is_ascii() {
        escaped
    } else {
        escaped.max(body.iter().fold(0, |highest, &b| highest.max(b)))
    }
}

/// The end of [`decode`], given the highest byte of the text (is it ASCII, may it hold
/// astral text?).
fn checked(body: &[u8], out: &mut Vec<u8>, fields: &mut Vec<Field>, highest: u8) -> bool {
    // Each name and value must be UTF-8 on its own. Text that is all ASCII is. Otherwise,
    // text that is UTF-8 as a whole (checked 16 or 32 bytes at a time, without a branch
    // per character), with no name or value starting inside a character (on a
    // continuation byte), is UTF-8 in each piece: the pieces follow each other in the text.
    // When it is not (rare, and never from Twilio), each component is decoded with its
    // invalid sequences replaced, as `parse` does.
    let valid = highest < 0x80
        || (simdutf8::basic::from_utf8(out).is_ok()
            && fields.iter().all(|f| {
                !is_continuation(out.get(f.start)) && !is_continuation(out.get(f.middle))
            }));
    if !valid {
        return decode_lossy(body, out, fields);
    }
    highest >= 0xF0
}

/// A decoded body: its text and where its fields lie.
pub(super) type Decoded = (Vec<u8>, Vec<Field>);

/// The text and fields of each vector decoder this CPU has (from buffers holding other
/// bytes), next to the scalar decoder's.
pub(super) fn vectors_and_scalar(body: &[u8]) -> (Vec<(Isa, Decoded)>, Decoded) {
    let vectors = Isa::ALL
        .into_iter()
        .filter_map(|isa| {
            let mut text = vec![0xAA; body.len() + super::simd::BLOCK];
            let mut fields = vec![Field::new(1, 2, 3); 3];
            let (len, _) = super::simd::decode_with(isa, body, &mut text, &mut fields)?;
            text.truncate(len);
            Some((isa, (text, fields)))
        })
        .collect();
    let (mut scalar, mut scalar_fields) = (vec![0x55; body.len()], Vec::new());
    decode_scalar(body, &mut scalar, &mut scalar_fields);
    (vectors, (scalar, scalar_fields))
}

/// Whether a byte (if any) continues a UTF-8 character rather than starting one.
fn is_continuation(byte: Option<&u8>) -> bool {
    byte.is_some_and(|&b| b & 0xC0 == 0x80)
}

/// Copies `len` bytes from `src[from..]` to `dst[to..]` (`to <= from`), each `+` as a
/// space. Runs of up to 16 bytes, most of them, are copied as 16 bytes whose tail the
/// caller overwrites, and runs of up to 64 as 64: a fixed-size copy is a few vector
/// loads, compares and stores, a copy of any other size a loop.
fn copy_run(src: &[u8], from: usize, dst: &mut [u8], to: usize, len: usize) {
    fn fixed<const N: usize>(src: &[u8], from: usize, dst: &mut [u8], to: usize) -> bool {
        let src = src
            .get(from..from + N)
            .and_then(|s| <&[u8; N]>::try_from(s).ok());
        let dst = dst
            .get_mut(to..to + N)
            .and_then(|d| <&mut [u8; N]>::try_from(d).ok());
        match (src, dst) {
            (Some(src), Some(dst)) => {
                *dst = *src;
                for b in dst.iter_mut() {
                    *b = plus_as_space(*b);
                }
                true
            }
            _ => false,
        }
    }
    let copied = match len {
        0..=16 => fixed::<16>(src, from, dst, to),
        17..=64 => fixed::<64>(src, from, dst, to),
        _ => false,
    };
    if !copied
        && let (Some(src), Some(dst)) = (src.get(from..from + len), dst.get_mut(to..to + len))
    {
        for (d, &s) in dst.iter_mut().zip(src) {
            *d = plus_as_space(s);
        }
    }
}

/// A form's `+` is a space.
fn plus_as_space(b: u8) -> u8 {
    if b == b'+' { b' ' } else { b }
}

/// The slow path for bodies that are not UTF-8 once decoded: each component decoded on
/// its own, its invalid sequences replaced by U+FFFD (as python and node decode forms).
fn decode_lossy(body: &[u8], text: &mut Vec<u8>, fields: &mut Vec<Field>) -> bool {
    text.clear();
    fields.clear();
    let mut astral = false;
    let mut component = Vec::new();
    let mut push_text = |raw: &[u8], text: &mut Vec<u8>| {
        component.clear();
        let mut i = 0;
        while i < raw.len() {
            let (byte, len) = match raw[i] {
                b'+' => (b' ', 1),
                b'%' if raw.len() - i >= 3 => {
                    let (hi, lo) = (HEX[usize::from(raw[i + 1])], HEX[usize::from(raw[i + 2])]);
                    if hi == NOT_HEX || lo == NOT_HEX {
                        (b'%', 1)
                    } else {
                        (hi << 4 | lo, 3)
                    }
                }
                b => (b, 1),
            };
            component.push(byte);
            i += len;
        }
        let decoded = String::from_utf8_lossy(&component);
        astral |= has_astral(&decoded);
        text.extend_from_slice(decoded.as_bytes());
    };
    for pair in body.split(|&b| b == b'&').filter(|pair| !pair.is_empty()) {
        let (name, value) = match pair.iter().position(|&b| b == b'=') {
            Some(eq) => (&pair[..eq], &pair[eq + 1..]),
            None => (pair, &pair[pair.len()..]),
        };
        let start = text.len();
        push_text(name, text);
        let middle = text.len();
        push_text(value, text);
        fields.push(Field::new(start, middle, text.len()));
    }
    astral
}

/// How many bytes [`special_bytes`] looks at at once.
const BLOCK: usize = 64;

/// A bit for each `&`, `=` or `%` in `block` (bit `i` for `block[i]`; at most 64 bytes).
/// Written so that the compiler compares 16 bytes per instruction: a flag per byte, then
/// each eight flags gathered into a byte of the mask by one multiplication.
fn special_bytes(block: &[u8]) -> u64 {
    let mut padded = [0; BLOCK];
    let bytes: &[u8; BLOCK] = match block.try_into() {
        Ok(full) => full,
        Err(_) => {
            let len = block.len().min(BLOCK);
            padded[..len].copy_from_slice(&block[..len]);
            &padded
        }
    };
    let mut flags = [0u8; BLOCK];
    for (flag, &b) in flags.iter_mut().zip(bytes) {
        *flag = u8::from((b == b'&') | (b == b'=') | (b == b'%'));
    }
    let mut mask = 0;
    for (i, eight) in flags.chunks_exact(8).enumerate() {
        let mut word = [0; 8];
        word.copy_from_slice(eight);
        // Flag j (0 or 1) lands on bit 56 + j of the product, and nothing carries into it.
        let gathered = u64::from_le_bytes(word).wrapping_mul(0x0102_0408_1020_4080) >> 56;
        mask |= gathered << (8 * i);
    }
    mask
}

/// The value of each byte as a hex digit ([`super::hex_value`]), or `NOT_HEX`: a lookup
/// rather than a branch per digit.
const HEX: [u8; 256] = {
    let mut table = [NOT_HEX; 256];
    let mut b = 0;
    while b < 256 {
        if let Some(digit) = super::hex_value(b as u8) {
            table[b] = digit;
        }
        b += 1;
    }
    table
};
const NOT_HEX: u8 = 0x10;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::reference::parse;

    /// Asserts that every vector decoder this CPU has decodes `body` as the scalar one.
    fn assert_vectors_agree(body: &[u8]) {
        let (vectors, scalar) = vectors_and_scalar(body);
        for (isa, vector) in vectors {
            assert_eq!(
                vector,
                scalar,
                "{isa:?} on {:?}",
                String::from_utf8_lossy(body)
            );
        }
    }

    fn pairs(body: &[u8]) -> Vec<(String, String)> {
        let (mut text, mut fields) = (Vec::new(), Vec::new());
        decode(body, &mut text, &mut fields);
        let text = |range: std::ops::Range<usize>| String::from_utf8(text[range].to_vec()).unwrap();
        fields
            .iter()
            .map(|f| (text(f.start..f.middle), text(f.middle..f.end)))
            .collect()
    }

    #[test]
    fn special_bytes_are_found_in_every_position() {
        for len in [1, 7, 8, 9, 63, 64] {
            for at in 0..len {
                for special in [b'&', b'=', b'%'] {
                    let mut block = vec![b'a'; len];
                    block[at] = special;
                    assert_eq!(special_bytes(&block), 1 << at, "{len} {at}");
                }
            }
        }
        // `+` is the copies' work; neighbours of the special bytes and high bytes are plain.
        assert_eq!(special_bytes(b"+$'*,<>\x00\xFF\xA5\xA6\xBD"), 0);
        assert_eq!(special_bytes(&[b'%'; 64]), u64::MAX);
    }

    #[test]
    fn runs_longer_than_a_copy_and_escapes_across_blocks() {
        let long = "x".repeat(100);
        let body = format!("{long}={long}%41&b=%4");
        let got = pairs(body.as_bytes());
        assert_eq!(got[0], (long.clone(), format!("{long}A")));
        assert_eq!(got[1], ("b".to_owned(), "%4".to_owned()));
        // An escape whose digits lie in the next block of 64.
        let body = format!("{}=%41%42", "n".repeat(61));
        assert_eq!(pairs(body.as_bytes())[0].1, "AB");
        // A block that ends with `&`, a block of plain text, a block that starts with `&`:
        // the plain block is a whole name.
        let body = format!("a={}&{}&c=d", "v".repeat(61), "x".repeat(64));
        assert_vectors_agree(body.as_bytes());
        assert_eq!(pairs(body.as_bytes())[1], ("x".repeat(64), String::new()));
    }

    #[test]
    fn components_that_split_a_character_are_replaced_on_their_own() {
        // `%C3` ends a value and `%A9` starts the next name: together they would be `é`.
        assert_eq!(
            pairs(b"a=%C3&%A9=x"),
            [
                ("a".into(), "\u{FFFD}".into()),
                ("\u{FFFD}".into(), "x".into())
            ]
        );
        assert_eq!(pairs(b"a=\xC3&\xA9=x")[1].0, "\u{FFFD}");
    }

    #[test]
    fn every_vector_decoder_of_this_cpu_is_compared() {
        // The tests below compare nothing on a CPU without vector decoders: say which ran.
        let (vectors, _) = vectors_and_scalar(b"a=%41&b");
        let ran: Vec<Isa> = vectors.into_iter().map(|(isa, _)| isa).collect();
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            assert_eq!(ran.contains(&Isa::Avx2), has!("avx2") && has!("bmi2"));
            assert_eq!(ran.contains(&Isa::Avx512), has!("avx512vbmi2"));
        }
        eprintln!("vector decoders compared with the scalar one: {ran:?}");
    }

    #[test]
    fn vector_and_scalar_agree_on_escapes_and_separators_at_every_offset() {
        for piece in [
            &b"%41"[..],
            b"%4",
            b"%",
            b"%zz",
            b"&",
            b"=",
            b"+",
            b"&=",
            b"%2B%C3%A9",
        ] {
            for at in 0..140 {
                for len in [at + piece.len(), at + piece.len() + 1, 200, 330] {
                    let mut body = b"a=b&".repeat(50);
                    body.truncate(at);
                    body.extend_from_slice(piece);
                    body.resize(len.max(body.len()), b'x');
                    assert_vectors_agree(&body);
                    // Whole blocks of plain text (the AVX2 decoder's shortcut) between a
                    // pair's start and its `=`, or an escape's `%` and its digits.
                    body.extend_from_slice(b"=v&z%4");
                    assert_vectors_agree(&body);
                    body.extend_from_slice(b"1");
                    assert_vectors_agree(&body);
                }
            }
        }
    }

    proptest::proptest! {
        /// Each vector decoder the CPU has writes the same text and fields as the
        /// scalar one, on any bytes: invalid escapes, `+`, non-UTF-8, empty names and
        /// values, repeated names, across blocks.
        #[test]
        fn vector_decoding_is_the_scalar_one(
            body in proptest::collection::vec(proptest::prop_oneof![
                proptest::sample::select(vec![
                    b'&', b'=', b'+', b'%', b'a', b'F', b'3', b'g', 0xC3, 0xA9, 0xF0, 0xFF, 0,
                ]),
                proptest::num::u8::ANY,
            ], 0..400)
        ) {
            assert_vectors_agree(&body);
        }

        /// The fast decoding agrees with `parse` on bodies made of the bytes that matter:
        /// delimiters, escapes, hex digits, multi-byte and invalid UTF-8, raw and escaped,
        /// long enough to cross blocks.
        #[test]
        fn decodes_as_parse_does(
            body in proptest::collection::vec(proptest::sample::select(vec![
                b'&', b'=', b'+', b'%', b'a', b'B', b'3', b'F', b'f', b'0', b'8', b'9', b'C',
                b'E', 0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80, 0xFF,
            ]), 0..160)
        ) {
            let want: Vec<(String, String)> = parse(&body)
                .into_iter()
                .map(|(n, v)| (n.into_owned(), v.into_owned()))
                .collect();
            proptest::prop_assert_eq!(pairs(&body), want);
        }
    }
}
