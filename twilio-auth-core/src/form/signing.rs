//! A form body as the verifier uses it: decoded once into one buffer, ordered, and turned
//! into the parameter suffix of the signed string, computed once for all candidate URLs.

use std::borrow::Cow;
use std::cell::Cell;
use std::cmp::Ordering;

use super::decode::{Field, decode};
use super::utf16_cmp;

/// The memory a form body is decoded into: the text and the list of fields. Each thread
/// keeps the last ones between verifications, so a request reuses the previous one's
/// memory, still in cache, instead of allocating its own (up to
/// [`FormBuffers::MAX_KEPT`] bytes; larger ones are freed).
#[derive(Default)]
pub(crate) struct FormBuffers {
    text: Vec<u8>,
    fields: Vec<Field>,
}

thread_local! {
    /// The buffers of this thread's last verification.
    static THREAD_BUFFERS: Cell<(Vec<u8>, Vec<Field>)> =
        const { Cell::new((Vec::new(), Vec::new())) };
}

impl FormBuffers {
    /// At most this many bytes are kept per thread, text and fields together: enough for
    /// a form at the default form limit ([`crate::DEFAULT_FORM_BODY_LIMIT`]), whose text
    /// is at most as long as the body.
    const MAX_KEPT: usize = 128 * 1024;

    /// This thread's kept buffers (empty ones when there are none, or when a verification
    /// further up this thread's stack holds them).
    pub fn reuse() -> Self {
        let (text, fields) = THREAD_BUFFERS.try_with(Cell::take).unwrap_or_default();
        FormBuffers { text, fields }
    }
}

impl Drop for FormBuffers {
    /// Hands the buffers back to the thread, unless they are large.
    fn drop(&mut self) {
        let size = self.text.capacity() + self.fields.capacity() * size_of::<Field>();
        if size <= FormBuffers::MAX_KEPT {
            let kept = (
                std::mem::take(&mut self.text),
                std::mem::take(&mut self.fields),
            );
            // The previous content of the cell (empty) is dropped: no recursion.
            let _ = THREAD_BUFFERS.try_with(|cell| cell.set(kept));
        }
    }
}

/// A form body's parameters as the verifier uses them: decoded exactly as
/// [`super::reference::parse`] decodes them, in the orderings of [`super::reference::orderings`], each as its
/// suffix of the signed string. The decoded text lives in one buffer that everything
/// borrows, so a body costs the same few allocations however many parameters it has.
pub(crate) struct SigningParams<'t> {
    /// Every name and value in it is UTF-8 on its own.
    text: &'t [u8],
    /// In byte order, without repeats.
    fields: &'t [Field],
    by_bytes: Cow<'t, [u8]>,
    /// The suffix in UTF-16 order, when it differs.
    by_utf16: Option<Vec<u8>>,
}

impl<'t> SigningParams<'t> {
    /// No parameters (a body that is not a form): an empty suffix.
    pub fn none() -> Self {
        SigningParams {
            text: b"",
            fields: &[],
            by_bytes: Cow::Borrowed(b""),
            by_utf16: None,
        }
    }

    /// Decodes a form body into `buffers`.
    pub fn decode(body: &[u8], buffers: &'t mut FormBuffers) -> Self {
        let astral = decode(body, &mut buffers.text, &mut buffers.fields);
        let text: &'t [u8] = &buffers.text;
        into_byte_order(text, &mut buffers.fields);
        let fields: &'t [Field] = &buffers.fields;
        let by_bytes = suffix_of(text, fields);
        // Only text outside the BMP can order differently in UTF-16.
        let by_utf16 = astral.then(|| utf16_suffix(text, fields)).flatten();
        SigningParams {
            text,
            fields,
            by_bytes,
            by_utf16,
        }
    }

    /// The values of the parameter `name`, in byte order, without repeats.
    pub fn values_of<'n>(&self, name: &'n str) -> impl Iterator<Item = &'t str> + use<'t, 'n> {
        let text = self.text;
        self.fields
            .iter()
            .filter(move |f| &text[f.start..f.middle] == name.as_bytes())
            .filter_map(move |f| std::str::from_utf8(&text[f.middle..f.end]).ok())
    }

    /// The suffix in byte order: what Twilio's back ends sign.
    pub fn by_bytes(&self) -> &[u8] {
        &self.by_bytes
    }

    /// The suffix of each ordering to try, byte order first.
    pub fn suffixes(&self) -> impl Iterator<Item = &[u8]> {
        std::iter::once(self.by_bytes.as_ref()).chain(self.by_utf16.as_deref())
    }
}

/// Sorts fields by name, then value, in byte order, and drops repeats.
///
/// Twilio sends its parameters in runs already in order: all of them for voice webhooks
/// (which are then only checked), a few dozen runs at most for messages. The fields that
/// break the order are moved into place one by one (found by binary search); bodies with
/// more than [`MAX_PLACED`] fields are sorted.
fn into_byte_order(text: &[u8], fields: &mut Vec<Field>) {
    // In order already? Each name's first 16 bytes, as an integer, are read once.
    let mut keyed = fields
        .iter()
        .map(|f| (key_part(text, f.start, f.middle - f.start), f));
    let in_order = keyed.next().is_none_or(|first| {
        keyed
            .try_fold(first, |(previous_key, previous), (key, field)| {
                let order = previous_key.cmp(&key);
                let order = order.then_with(|| rest_order(text, previous, field));
                order.is_lt().then_some((key, field))
            })
            .is_some()
    });
    if in_order {
        return;
    }
    // Each name's first 32 bytes, zero-padded, as two big-endian integers, next to its
    // field: they order as the names do, so most comparisons of two fields are of
    // integers, with no indirection.
    let order = |a: &Keyed, b: &Keyed| {
        a.key
            .cmp(&b.key)
            .then_with(|| rest_order(text, &a.field, &b.field))
    };
    let mut keyed: Vec<Keyed> = fields
        .iter()
        .map(|&field| Keyed {
            key: name_key(text, &field),
            field,
        })
        .collect();
    fields.clear();
    if keyed.len() > MAX_PLACED {
        keyed.sort_unstable_by(order);
        keyed.dedup_by(|a, b| order(a, b).is_eq());
        fields.extend(keyed.iter().map(|k| k.field));
        return;
    }
    // The fields in order, as indices into `keyed`: most fields come after the last one
    // placed; the others are moved into place (two bytes each to move).
    let mut placed = [0u16; MAX_PLACED];
    let mut len = 0;
    for (i, next) in keyed.iter().enumerate() {
        let before = |&p: &u16| order(&keyed[usize::from(p)], next);
        let at = match placed[..len].last() {
            Some(last) if before(last).is_lt() => len,
            _ => placed[..len].partition_point(|p| before(p).is_lt()),
        };
        if placed[..len].get(at).is_some_and(|p| before(p).is_eq()) {
            continue; // a repeat
        }
        placed.copy_within(at..len, at + 1);
        placed[at] = i as u16;
        len += 1;
    }
    // Written back in order, so that `fields` keeps its room for the next body.
    fields.extend(placed[..len].iter().map(|&p| keyed[usize::from(p)].field));
}

/// Bodies of up to this many fields are put in order by moving indices of two bytes
/// (Twilio's have about 20 for a call, up to 100 for a message with media); larger ones
/// are sorted.
const MAX_PLACED: usize = 256;

/// A field with the first 32 bytes of its name as two big-endian integers.
struct Keyed {
    key: (u128, u128),
    field: Field,
}

/// The first 32 bytes of a field's name, zero-padded, as two big-endian integers.
fn name_key(text: &[u8], field: &Field) -> (u128, u128) {
    let len = field.middle - field.start;
    (
        key_part(text, field.start, len),
        key_part(text, field.start + 16, len.saturating_sub(16)),
    )
}

/// Byte order of (name, value), for two fields whose keys are equal. (A key is
/// zero-padded, so equal keys do not mean equal first bytes: `A` and `A\0` share one.)
fn rest_order(text: &[u8], a: &Field, b: &Field) -> Ordering {
    let name = |f: &Field| &text[f.start..f.middle];
    let value = |f: &Field| &text[f.middle..f.end];
    name(a).cmp(name(b)).then_with(|| value(a).cmp(value(b)))
}

/// The names and values of `fields`, in their order, one after the other. Fields that
/// follow each other in the text as well are copied as one run; when they all do, the
/// text is the suffix.
fn suffix_of<'t>(text: &'t [u8], fields: &[Field]) -> Cow<'t, [u8]> {
    let (Some(first), Some(last)) = (fields.first(), fields.last()) else {
        return Cow::Borrowed(b"");
    };
    if fields.windows(2).all(|w| w[0].end == w[1].start) {
        return Cow::Borrowed(&text[first.start..last.end]);
    }
    let mut suffix = Vec::with_capacity(fields.iter().map(|f| f.end - f.start).sum());
    let mut run = first.start..first.end;
    for field in &fields[1..] {
        if field.start == run.end {
            run.end = field.end;
        } else {
            suffix.extend_from_slice(&text[run]);
            run = field.start..field.end;
        }
    }
    suffix.extend_from_slice(&text[run]);
    Cow::Owned(suffix)
}

/// The suffix in UTF-16 order, when that differs from byte order.
fn utf16_suffix(text: &[u8], by_bytes: &[Field]) -> Option<Vec<u8>> {
    // (Each component is UTF-8: checked again, 16 or 32 bytes at a time, to borrow it as
    // `str` without `unsafe`.)
    let str_of = |range: std::ops::Range<usize>| {
        simdutf8::basic::from_utf8(&text[range]).unwrap_or_default()
    };
    let pair = |f: &Field| (str_of(f.start..f.middle), str_of(f.middle..f.end));
    let mut by_utf16 = by_bytes.to_vec();
    by_utf16.sort_by(|a, b| utf16_cmp(pair(a), pair(b)));
    (by_utf16 != by_bytes).then(|| suffix_of(text, &by_utf16).into_owned())
}

/// The `len` bytes of `text` at `at`, at most 16 and zero-padded, as a big-endian integer.
/// Read as 16 bytes at once where `text` has them, with the bytes past `len` masked off:
/// a copy of `len` bytes would cost a call and a stalled load.
fn key_part(text: &[u8], at: usize, len: usize) -> u128 {
    let sixteen = text
        .get(at..at + 16)
        .and_then(|s| <[u8; 16]>::try_from(s).ok());
    let bytes = sixteen.unwrap_or_else(|| {
        let mut bytes = [0; 16];
        let part = text.get(at..).unwrap_or_default();
        let len = len.min(16).min(part.len());
        bytes[..len].copy_from_slice(&part[..len]);
        bytes
    });
    u128::from_be_bytes(bytes) & KEEP_FIRST[len.min(16)]
}

/// `KEEP_FIRST[n]` keeps the first `n` bytes of a big-endian `u128`: a lookup, where a
/// shift of a `u128` by a variable amount is several instructions and a branch.
const KEEP_FIRST: [u128; 17] = {
    let mut masks = [0; 17];
    let mut n = 1;
    while n <= 16 {
        masks[n] = u128::MAX << (8 * (16 - n));
        n += 1;
    }
    masks
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::reference::{orderings, parse, suffix};

    fn suffixes(body: &[u8]) -> Vec<String> {
        let mut buffers = FormBuffers::default();
        let decoded = SigningParams::decode(body, &mut buffers);
        decoded
            .suffixes()
            .map(|s| String::from_utf8(s.to_vec()).unwrap())
            .collect()
    }

    fn expected(body: &[u8]) -> Vec<String> {
        let params = parse(body);
        let (by_bytes, by_utf16) = orderings(&params);
        let mut want = vec![suffix(&by_bytes)];
        want.extend(by_utf16.map(|o| suffix(&o)));
        want
    }

    #[test]
    fn sorted_bodies_borrow_the_text_and_others_are_sorted() {
        let mut buffers = FormBuffers::default();
        let sorted = SigningParams::decode(b"A=1&B=%2B2&C=3", &mut buffers);
        assert!(matches!(sorted.by_bytes, Cow::Borrowed(b"A1B+2C3")));
        let mut buffers = FormBuffers::default();
        let unsorted = SigningParams::decode(b"MediaUrl1=b&MediaUrl0=a&B=2&B=2&A", &mut buffers);
        assert_eq!(unsorted.by_bytes.as_ref(), b"AB2MediaUrl0aMediaUrl1b");
        assert_eq!(unsorted.values_of("B").next(), Some("2"));
        assert_eq!(unsorted.values_of("C").next(), None);
        // Names that share their first eight bytes, and a name that is a prefix of another.
        assert_eq!(
            suffixes(b"ABCDEFGHb=2&ABCDEFGH=1&ABCDEFGHa=3&ABCDEFG%00=4"),
            ["ABCDEFG\u{0}4ABCDEFGH1ABCDEFGHa3ABCDEFGHb2"]
        );
        // Equal zero-padded keys, different names: `A` comes before `A\0`.
        assert_eq!(suffixes(b"A%00=1&A=2"), ["A2A\u{0}1"]);
        assert_eq!(suffixes(b"A=2&A%00=1"), ["A2A\u{0}1"]);
    }

    #[test]
    fn bodies_past_the_placed_limit_are_sorted_as_well() {
        // Reversed, with repeats: every field moves, on both sides of the limit.
        for n in [MAX_PLACED - 1, MAX_PLACED, MAX_PLACED + 1, 3 * MAX_PLACED] {
            let body: Vec<String> = (0..n)
                .rev()
                .map(|i| format!("F{}={}", i / 2, i % 3))
                .collect();
            let body = body.join("&");
            assert_eq!(suffixes(body.as_bytes()), expected(body.as_bytes()), "{n}");
        }
    }

    #[test]
    fn key_parts_hold_the_first_bytes_zero_padded() {
        let text = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        for at in [0, 5, 10, 20] {
            for len in 0..=20 {
                let mut want = [0u8; 16];
                let n = len.min(16).min(text.len() - at);
                want[..n].copy_from_slice(&text[at..at + n]);
                assert_eq!(
                    key_part(text, at, len),
                    u128::from_be_bytes(want),
                    "{at} {len}"
                );
            }
        }
    }

    #[test]
    fn buffers_are_reused_by_the_thread_and_large_ones_freed() {
        let mut buffers = FormBuffers::reuse();
        let first = SigningParams::decode(b"B=2&A=1&C=3333333333", &mut buffers);
        assert_eq!(first.by_bytes.as_ref(), b"A1B2C3333333333");
        // A shorter body in the same buffers: nothing of the first one shows.
        let second = SigningParams::decode(b"Z=%39", &mut buffers);
        assert_eq!(second.by_bytes.as_ref(), b"Z9");
        assert_eq!(second.values_of("B").next(), None);
        let capacity = buffers.text.capacity();
        drop(buffers);
        // The next verification on this thread gets them back...
        let mut buffers = FormBuffers::reuse();
        assert_eq!(buffers.text.capacity(), capacity);
        // ...unless they grew past what a thread keeps.
        let large = vec![b'x'; FormBuffers::MAX_KEPT + 1];
        SigningParams::decode(&large, &mut buffers);
        drop(buffers);
        assert_eq!(FormBuffers::reuse().text.capacity(), 0);
    }

    proptest::proptest! {
        /// The verifier's suffixes agree with `parse` + `orderings` on bodies made of the
        /// bytes that matter, names sharing long prefixes included.
        #[test]
        fn suffixes_are_those_of_parse_and_orderings(
            body in proptest::collection::vec(proptest::sample::select(vec![
                &b"&"[..], b"=", b"+", b"%", b"a", b"B", b"%41", b"%F0%9F%98%80", b"\xEF\xBF\xBD",
                b"\xC3", b"\xFF", b"%00", b"X-Custom-Field-0", b"X-Custom-Field-", b"MediaUrl",
            ]), 0..40)
        ) {
            let body = body.concat();
            proptest::prop_assert_eq!(suffixes(&body), expected(&body));
        }
    }
}
