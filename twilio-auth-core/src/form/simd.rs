//! Decoding a form body 64 bytes at a time with AVX-512 (the only `unsafe` of the crate).
//!
//! Each block of 64 bytes is decoded in vector registers: the escapes (`%` and two hex
//! digits) become their byte, `+` a space, and the bytes that are not text (the two
//! digits of an escape, `&`, the first `=` of a pair) are squeezed out by one compress
//! instruction (`vpcompressb`, AVX512-VBMI2). Only the separators (`&` and `=`, one or
//! two per field) are looked at one by one, to record where each field lies. Decodes
//! exactly as the scalar [`super::decode`] does: a property test and the fuzz target
//! `form_decode` compare the two on arbitrary bytes.
//!
//! Used when the CPU has the instructions (checked at run time, once); otherwise the
//! scalar decoder runs.

#![deny(unsafe_op_in_unsafe_fn)]

use super::decode::Field;

/// How many bytes one step decodes.
pub(super) const BLOCK: usize = 64;

/// Decodes `body` into `out` (which must hold `body.len() + BLOCK` bytes: each step
/// stores a whole block) and `fields` (cleared first), as the scalar decoder does.
/// Returns the length of the decoded text, or `None` when the CPU lacks AVX-512 (F, BW,
/// VBMI2), POPCNT or BMI1, and nothing was written.
pub(super) fn decode(body: &[u8], out: &mut [u8], fields: &mut Vec<Field>) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512vbmi2")
            && std::arch::is_x86_feature_detected!("popcnt")
            && std::arch::is_x86_feature_detected!("bmi1")
        {
            assert!(
                out.len() >= body.len() + BLOCK,
                "room for a whole last block"
            );
            // SAFETY: the CPU has the five target features `decode_avx512` is compiled
            // for (checked just above), and `out` has the room it requires (asserted).
            return Some(unsafe { x86::decode_avx512(body, out, fields) });
        }
    }
    let _ = (body, out, fields);
    None
}

/// Where a field is, and what is known of the pair being read, from one block to the next.
struct Pairs {
    /// Where the current pair starts in the body.
    pair: usize,
    /// Where its name starts in the text.
    start: usize,
    /// Where its value starts, once its first `=` is seen.
    middle: Option<usize>,
}

impl Pairs {
    /// Handles the separator `byte` (`&` or `=`) at `at` in the body, which would be
    /// written at `to` in the text. Returns whether the separator stays out of the text.
    #[inline(always)]
    fn separator(&mut self, byte: u8, at: usize, to: usize, fields: &mut Vec<Field>) -> bool {
        if byte == b'&' {
            if at > self.pair {
                fields.push(Field {
                    start: self.start,
                    middle: self.middle.unwrap_or(to),
                    end: to,
                });
            }
            (self.pair, self.start, self.middle) = (at + 1, to, None);
            true
        } else if self.middle.is_none() {
            self.middle = Some(to); // the pair's first `=`
            true
        } else {
            false // a later `=`: part of the value
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{BLOCK, Field, Pairs};
    use std::arch::x86_64::*;

    /// The AVX-512 decoder (see the module).
    ///
    /// # Safety
    ///
    /// The CPU must have AVX512F, AVX512BW, AVX512VBMI2, POPCNT and BMI1, and `out.len()` must be at
    /// least `body.len() + BLOCK`.
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi2,popcnt,bmi1")]
    pub(super) unsafe fn decode_avx512(
        body: &[u8],
        out: &mut [u8],
        fields: &mut Vec<Field>,
    ) -> usize {
        fields.clear();
        fields.reserve(body.len() / 24 + 1);
        let mut pairs = Pairs {
            pair: 0,
            start: 0,
            middle: None,
        };
        let mut to = 0; // the length of the text so far
        let mut carry = 0u64; // the digits of an escape that began in the previous block
        // The last blocks are read from a zero-padded copy, so that every load (a block
        // and the two bytes after it) stays within the bytes it reads from.
        let mut padded = [0u8; 2 * BLOCK + 2];
        let mut at = 0;
        while at < body.len() {
            let left = body.len() - at;
            let bytes: &[u8] = if left >= BLOCK + 2 {
                &body[at..at + BLOCK + 2]
            } else {
                padded[..left].copy_from_slice(&body[at..]);
                padded[left..].fill(0);
                &padded[..BLOCK + 2]
            };
            let in_body = if left >= BLOCK {
                u64::MAX
            } else {
                (1u64 << left) - 1
            };
            // SAFETY: `bytes` has BLOCK + 2 bytes: the three unaligned loads of BLOCK
            // bytes at offsets 0, 1 and 2 read within it.
            let (v, next1, next2) = unsafe {
                let p = bytes.as_ptr();
                (
                    _mm512_loadu_si512(p.cast()),
                    _mm512_loadu_si512(p.add(1).cast()),
                    _mm512_loadu_si512(p.add(2).cast()),
                )
            };
            let (hi, hi_ok) = hex_digits(next1);
            let (lo, lo_ok) = hex_digits(next2);
            let percent = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b'%' as i8));
            let escapes = percent & hi_ok & lo_ok & in_body;
            // The two digits after each escape, those past this block next time.
            let digits = (escapes << 1) | (escapes << 2) | carry;
            carry = (escapes >> 63) | (escapes >> 62);
            let decoded = _mm512_or_si512(
                _mm512_and_si512(_mm512_slli_epi16::<4>(hi), _mm512_set1_epi8(0xF0u8 as i8)),
                lo,
            );
            let plus = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b'+' as i8));
            let text = _mm512_mask_blend_epi8(plus, v, _mm512_set1_epi8(b' ' as i8));
            let text = _mm512_mask_blend_epi8(escapes, text, decoded);

            let separators = (_mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b'&' as i8))
                | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b'=' as i8)))
                & in_body
                & !digits;
            let mut keep = in_body & !digits;
            let mut rest = separators;
            while rest != 0 {
                let bit = rest.trailing_zeros();
                rest &= rest - 1;
                let before = keep & ((1u64 << bit) - 1);
                let here = to + before.count_ones() as usize;
                if pairs.separator(bytes[bit as usize], at + bit as usize, here, fields) {
                    keep &= !(1u64 << bit);
                }
            }
            let squeezed = _mm512_maskz_compress_epi8(keep, text);
            let room = &mut out[to..to + BLOCK];
            // SAFETY: `room` is BLOCK bytes of `out` (`to` <= `at` < `body.len()`, and
            // `out` has BLOCK bytes past the body: the slice above cannot fail).
            unsafe { _mm512_storeu_si512(room.as_mut_ptr().cast(), squeezed) };
            to += keep.count_ones() as usize;
            at += BLOCK;
        }
        if body.len() > pairs.pair {
            fields.push(Field {
                start: pairs.start,
                middle: pairs.middle.unwrap_or(to),
                end: to,
            });
        }
        to
    }

    /// The value of each byte as a hex digit (0 when it is not one), and a bit for each
    /// byte that is one.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw")]
    fn hex_digits(v: __m512i) -> (__m512i, u64) {
        let decimal = _mm512_sub_epi8(v, _mm512_set1_epi8(b'0' as i8));
        let is_decimal = _mm512_cmplt_epu8_mask(decimal, _mm512_set1_epi8(10));
        let letter = _mm512_sub_epi8(
            _mm512_or_si512(v, _mm512_set1_epi8(0x20)),
            _mm512_set1_epi8(b'a' as i8),
        );
        let is_letter = _mm512_cmplt_epu8_mask(letter, _mm512_set1_epi8(6));
        let value = _mm512_mask_blend_epi8(
            is_decimal,
            _mm512_add_epi8(letter, _mm512_set1_epi8(10)),
            decimal,
        );
        (value, is_decimal | is_letter)
    }
}
