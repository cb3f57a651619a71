//! Decoding a form body 64 bytes at a time with vector instructions (the only `unsafe` of
//! the crate).
//!
//! Each block of 64 bytes is decoded in vector registers: the escapes (`%` and two hex
//! digits) become their byte, `+` a space, and the bytes that are not text (the two
//! digits of an escape, `&`, the first `=` of a pair) are squeezed out: by one compress
//! instruction with AVX-512 (`vpcompressb`, AVX512-VBMI2), or eight bytes at a time by a
//! byte shuffle from a table with AVX2 (`pshufb`). Only the separators (`&` and `=`, one
//! or two per field) are looked at one by one, to record where each field lies. Decodes
//! exactly as the scalar [`super::decode`] does: a property test and the fuzz target
//! `form_decode` compare each vector decoder the CPU has with it on arbitrary bytes.
//!
//! Used when the CPU has the instructions (checked at run time); otherwise the scalar
//! decoder runs.

#![deny(unsafe_op_in_unsafe_fn)]

use super::decode::Field;

/// How many bytes one step decodes.
pub(super) const BLOCK: usize = 64;

/// The vector decoders, fastest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Isa {
    /// AVX-512 F, BW and VBMI2 (Ice Lake, Zen 4 and later).
    Avx512,
    /// AVX2 (Haswell, Zen and later).
    Avx2,
}

impl Isa {
    /// Every vector decoder, fastest first.
    pub const ALL: [Isa; 2] = [Isa::Avx512, Isa::Avx2];

    /// Whether this CPU has the instructions this decoder is compiled for.
    fn available(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            let base = has!("popcnt") && has!("bmi1") && has!("bmi2");
            match self {
                Isa::Avx512 => base && has!("avx512f") && has!("avx512bw") && has!("avx512vbmi2"),
                Isa::Avx2 => base && has!("avx2"),
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = self;
            false
        }
    }
}

/// Decodes `body` with the fastest vector decoder this CPU has (chosen once); `None` when
/// it has none, and nothing was written. See [`decode_with`].
pub(super) fn decode(body: &[u8], out: &mut [u8], fields: &mut Vec<Field>) -> Option<(usize, u8)> {
    static FASTEST: std::sync::OnceLock<Option<Isa>> = std::sync::OnceLock::new();
    let isa = (*FASTEST.get_or_init(|| Isa::ALL.into_iter().find(|isa| isa.available())))?;
    decode_with(isa, body, out, fields)
}

/// Decodes `body` into `out` (which must hold `body.len() + BLOCK` bytes: each step
/// stores a whole block) and `fields` (cleared first), as the scalar decoder does, with
/// the decoder `isa`. Returns the length of the decoded text and a byte that stands for
/// its highest (0 when it is ASCII, 0xF0 when a byte is 0xF0 or above, else 0x80), or
/// `None` when the CPU lacks the instructions of `isa`, and nothing was written.
pub(super) fn decode_with(
    isa: Isa,
    body: &[u8],
    out: &mut [u8],
    fields: &mut Vec<Field>,
) -> Option<(usize, u8)> {
    if !isa.available() {
        return None;
    }
    assert!(
        out.len() >= body.len() + BLOCK,
        "room for a whole last block"
    );
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: the CPU has the target features each decoder is compiled for (checked
        // by `available` just above), and `out` has the room they require (asserted).
        Some(unsafe {
            match isa {
                Isa::Avx512 => x86::decode_avx512(body, out, fields),
                Isa::Avx2 => x86::decode_avx2(body, out, fields),
            }
        })
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (body, out, fields);
        None
    }
}

/// The pairs of a body, one block of 64 bytes after the other: which separators are left
/// out of the text, and where each field lies in it. Only bit operations, and one turn
/// of a loop per `&`: no branch on which separator comes next.
struct Pairs {
    /// Where the current pair's name starts in the text.
    start: usize,
    /// Where its value starts, when `named`.
    middle: usize,
    /// Whether the current pair's first `=` has been seen.
    named: bool,
    /// Whether the byte before the block is a `&`, or there is none (a pair that starts
    /// the block is empty when it ends at once).
    after_amp: bool,
}

impl Pairs {
    /// The state at the start of a body of `len` bytes; `fields` cleared, with room for
    /// the fields such a body usually has.
    fn new(len: usize, fields: &mut Vec<Field>) -> Self {
        fields.clear();
        fields.reserve(len / 24 + 1);
        Pairs {
            start: 0,
            middle: 0,
            named: false,
            after_amp: true,
        }
    }

    /// The separators of one block: a bit for each `&` (`amps`) and each `=` (`equals`)
    /// in it (none among the digits of escapes). Returns the `=` left out of the text
    /// (the first of each pair). That is the first separator after each `&` (or after the
    /// start of the block, when the pair going on is not yet named) when it is an `=`:
    /// adding a bit just after each `&` to the bits between separators carries it up to
    /// the next separator.
    #[inline(always)]
    fn first_equals(&self, amps: u64, equals: u64) -> (u64, bool) {
        let separators = amps | equals;
        let starts = (amps << 1) | u64::from(!self.named);
        let (sum, carried_out) = starts.overflowing_add(!separators);
        // Still unnamed after the block: the carry from the last `&` (or from the start)
        // met no separator, or the last `&` is the block's last byte.
        let unnamed = carried_out | (amps >> 63 == 1);
        (sum & equals, unnamed)
    }

    /// Records the fields that end in this block, given its `&` bits, its first `=` bits,
    /// the bits of the bytes that stay in the text (`kept`, neither of those), where
    /// the block's text starts (`to`) and the bit of its last byte (63 but at the end).
    #[inline(always)]
    fn block(
        &mut self,
        (amps, firsts, kept): (u64, u64, u64),
        to: usize,
        last: u32,
        fields: &mut Vec<Field>,
    ) {
        let at = |bit: u32| to + (kept & ((1u64 << bit) - 1)).count_ones() as usize;
        let empty = amps & ((amps << 1) | u64::from(self.after_amp));
        let mut rest = amps;
        let mut below = 0u64; // the bits before the current pair
        while rest != 0 {
            let bit = rest.trailing_zeros();
            rest &= rest - 1;
            let end = at(bit);
            let own = firsts & !below & ((1u64 << bit) - 1);
            let middle = if self.named {
                self.middle
            } else if own != 0 {
                at(own.trailing_zeros())
            } else {
                end
            };
            if empty & (1u64 << bit) == 0 {
                fields.push(Field {
                    start: self.start,
                    middle,
                    end,
                });
            }
            (self.start, self.named) = (end, false);
            below = (2u64 << bit).wrapping_sub(1);
        }
        let own = firsts & !below;
        if own != 0 {
            (self.middle, self.named) = (at(own.trailing_zeros()), true);
        }
        self.after_amp = (amps >> last) & 1 == 1;
    }

    /// The last field, at the end of a body of `len` bytes whose text is `to` bytes long.
    fn finish(&self, len: usize, to: usize, fields: &mut Vec<Field>) {
        if len > 0 && !self.after_amp {
            let middle = if self.named { self.middle } else { to };
            fields.push(Field {
                start: self.start,
                middle,
                end: to,
            });
        }
    }
}

/// The digits of this block's escapes (`escapes`: a bit for each `%` that starts one): the
/// two bytes after each, and those carried from the block before. `carry` becomes the
/// digits that lie past this block.
#[inline(always)]
fn escape_digits(escapes: u64, carry: &mut u64) -> u64 {
    let digits = (escapes << 1) | (escapes << 2) | *carry;
    *carry = (escapes >> 63) | (escapes >> 62);
    digits
}

/// What the caller needs of the text's highest byte: is a byte 0xF0 or above (`astral`),
/// is one 0x80 or above (`high`)? See [`decode_with`].
fn highest_class(astral: bool, high: bool) -> u8 {
    match (astral, high) {
        (true, _) => 0xF0,
        (false, true) => 0x80,
        (false, false) => 0,
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{BLOCK, Field, Pairs, escape_digits, highest_class};
    use std::arch::x86_64::*;

    /// The AVX-512 decoder (see the module).
    ///
    /// # Safety
    ///
    /// The CPU must have AVX512F, AVX512BW, AVX512VBMI2, POPCNT, BMI1 and BMI2, and
    /// `out.len()` must be at least `body.len() + BLOCK`.
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi2,popcnt,bmi1,bmi2")]
    pub(super) unsafe fn decode_avx512(
        body: &[u8],
        out: &mut [u8],
        fields: &mut Vec<Field>,
    ) -> (usize, u8) {
        let mut pairs = Pairs::new(body.len(), fields);
        let mut to = 0; // the length of the text so far
        let mut carry = 0u64; // the digits of an escape that began in the previous block
        let mut highest = _mm512_setzero_si512();
        let mut at = 0;
        while at < body.len() {
            let left = body.len() - at;
            // The bits of the bytes `k` bytes into the block that are in the body.
            let within = |k: usize| match left.saturating_sub(k) {
                n if n >= BLOCK => u64::MAX,
                n => (1u64 << n) - 1,
            };
            let in_body = within(0);
            let p = body.as_ptr().wrapping_add(at);
            // SAFETY: each masked load reads only the bytes its mask selects (AVX-512
            // masked loads do not access the others, nor fault on them): those of
            // `body[at + k..]`, at most BLOCK of them. The pointers are formed with
            // `wrapping_add`, so one past the end of `body` is no undefined behaviour.
            let (v, next1, next2) = unsafe {
                (
                    _mm512_maskz_loadu_epi8(in_body, p.cast()),
                    _mm512_maskz_loadu_epi8(within(1), p.wrapping_add(1).cast()),
                    _mm512_maskz_loadu_epi8(within(2), p.wrapping_add(2).cast()),
                )
            };
            let (hi, hi_ok) = hex_digits(next1);
            let (lo, lo_ok) = hex_digits(next2);
            let percent = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b'%' as i8));
            let escapes = percent & hi_ok & lo_ok & in_body;
            // The two digits after each escape, those past this block next time.
            let digits = escape_digits(escapes, &mut carry);
            let decoded = _mm512_or_si512(
                _mm512_and_si512(_mm512_slli_epi16::<4>(hi), _mm512_set1_epi8(0xF0u8 as i8)),
                lo,
            );
            let plus = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b'+' as i8));
            let text = _mm512_mask_blend_epi8(plus, v, _mm512_set1_epi8(b' ' as i8));
            let text = _mm512_mask_blend_epi8(escapes, text, decoded);
            highest = _mm512_max_epu8(highest, text);

            let amps = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b'&' as i8)) & in_body;
            let equals = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b'=' as i8)) & in_body;
            let (firsts, unnamed) = pairs.first_equals(amps, equals);
            let kept = in_body & !digits & !amps & !firsts;
            let squeezed = _mm512_maskz_compress_epi8(kept, text);
            let room = &mut out[to..to + BLOCK];
            // SAFETY: `room` is BLOCK bytes of `out` (`to` <= `at` < `body.len()`, and
            // `out` has BLOCK bytes past the body: the slice above cannot fail).
            unsafe { _mm512_storeu_si512(room.as_mut_ptr().cast(), squeezed) };
            let last = left.min(BLOCK) as u32 - 1;
            pairs.block((amps, firsts, kept), to, last, fields);
            pairs.named = !unnamed;
            to += kept.count_ones() as usize;
            at += BLOCK;
        }
        pairs.finish(body.len(), to, fields);
        let astral = _mm512_cmpge_epu8_mask(highest, _mm512_set1_epi8(0xF0u8 as i8));
        let high = _mm512_movepi8_mask(highest);
        (to, highest_class(astral != 0, high != 0))
    }

    /// The AVX2 decoder (see the module): each block as two halves of 32 bytes, the text
    /// squeezed eight bytes at a time by a shuffle from [`SQUEEZE`].
    ///
    /// # Safety
    ///
    /// The CPU must have AVX2, POPCNT, BMI1 and BMI2, and `out.len()` must be at least
    /// `body.len() + BLOCK`.
    #[target_feature(enable = "avx2,popcnt,bmi1,bmi2")]
    pub(super) unsafe fn decode_avx2(
        body: &[u8],
        out: &mut [u8],
        fields: &mut Vec<Field>,
    ) -> (usize, u8) {
        let mut pairs = Pairs::new(body.len(), fields);
        let mut to = 0; // the length of the text so far
        let mut carry = 0u64; // the digits of an escape that began in the previous block
        let mut highest = _mm256_setzero_si256();
        // The last block and the two bytes after it, zero past the body (a zero byte is
        // neither a separator, nor `%`, `+` or a hex digit: as if it were not there).
        let mut tail = [0u8; BLOCK + 2];
        let mut at = 0;
        while at < body.len() {
            let left = body.len() - at;
            let bytes: &[u8] = match body.get(at..at + BLOCK + 2) {
                Some(bytes) => bytes,
                None => {
                    // (Twice at most: a block of 65 bytes leaves one for the next.)
                    tail.fill(0);
                    tail[..left].copy_from_slice(&body[at..]);
                    &tail
                }
            };
            // SAFETY: `bytes` holds BLOCK + 2 bytes: the two loads read its first BLOCK.
            let (first, second) = unsafe {
                (
                    _mm256_loadu_si256(bytes.as_ptr().cast()),
                    _mm256_loadu_si256(bytes.as_ptr().add(BLOCK / 2).cast()),
                )
            };
            if carry == 0 && left >= BLOCK && is_plain(first) && is_plain(second) {
                // Plain text (no escape, `+` nor separator, no digits of an escape begun
                // before): the block is its own text, and no field ends in it.
                out[to..to + BLOCK].copy_from_slice(&bytes[..BLOCK]);
                highest = _mm256_max_epu8(highest, _mm256_max_epu8(first, second));
                pairs.after_amp = false;
                to += BLOCK;
                at += BLOCK;
                continue;
            }
            let in_body = if left >= BLOCK {
                u64::MAX
            } else {
                (1u64 << left) - 1
            };
            // SAFETY: `bytes` holds BLOCK + 2 bytes, and each half reads the 34 bytes from
            // its offset (0 or 32) on.
            let (low, high) =
                unsafe { (half(bytes.as_ptr()), half(bytes.as_ptr().add(BLOCK / 2))) };
            let join = |l: u32, h: u32| (u64::from(h) << 32 | u64::from(l)) & in_body;
            let escapes = join(low.escapes, high.escapes);
            let amps = join(low.amps, high.amps);
            let equals = join(low.equals, high.equals);
            // The two digits after each escape, those past this block next time.
            let digits = escape_digits(escapes, &mut carry);
            highest = _mm256_max_epu8(highest, _mm256_max_epu8(low.text, high.text));

            let (firsts, unnamed) = pairs.first_equals(amps, equals);
            let kept = in_body & !digits & !amps & !firsts;
            let room = &mut out[to..to + BLOCK];
            let mut len = 0;
            let lanes = [
                _mm256_castsi256_si128(low.text),
                _mm256_extracti128_si256::<1>(low.text),
                _mm256_castsi256_si128(high.text),
                _mm256_extracti128_si256::<1>(high.text),
            ];
            for (i, lane) in lanes.into_iter().enumerate() {
                let first = (kept >> (16 * i)) as u8;
                let second = (kept >> (16 * i + 8)) as u8;
                // The kept bytes of each eight to the front of its half of the lane.
                let shuffle = _mm_set_epi64x(
                    (SQUEEZE[usize::from(second)] | 0x0808_0808_0808_0808) as i64,
                    SQUEEZE[usize::from(first)] as i64,
                );
                let squeezed = _mm_shuffle_epi8(lane, shuffle);
                // Eight bytes stored for each eight, of which the kept ones stay: at most
                // 56 bytes of the block precede the last eight (`len + 8 <= BLOCK`).
                let front = _mm_cvtsi128_si64(squeezed) as u64;
                room[len..len + 8].copy_from_slice(&front.to_le_bytes());
                len += first.count_ones() as usize;
                let back = _mm_cvtsi128_si64(_mm_unpackhi_epi64(squeezed, squeezed)) as u64;
                room[len..len + 8].copy_from_slice(&back.to_le_bytes());
                len += second.count_ones() as usize;
            }
            let last = left.min(BLOCK) as u32 - 1;
            pairs.block((amps, firsts, kept), to, last, fields);
            pairs.named = !unnamed;
            to += len;
            at += BLOCK;
        }
        pairs.finish(body.len(), to, fields);
        let astral = _mm256_cmpeq_epi8(
            _mm256_min_epu8(highest, _mm256_set1_epi8(0xF0u8 as i8)),
            _mm256_set1_epi8(0xF0u8 as i8),
        );
        let astral = _mm256_testz_si256(astral, astral) == 0;
        (
            to,
            highest_class(astral, _mm256_movemask_epi8(highest) != 0),
        )
    }

    /// Whether none of the 32 bytes of `v` is `%`, `+`, `&` or `=`.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn is_plain(v: __m256i) -> bool {
        let is = |byte: u8| _mm256_cmpeq_epi8(v, _mm256_set1_epi8(byte as i8));
        let special = _mm256_or_si256(
            _mm256_or_si256(is(b'%'), is(b'+')),
            _mm256_or_si256(is(b'&'), is(b'=')),
        );
        _mm256_testz_si256(special, special) == 1
    }

    /// One half of a block (32 bytes) as the AVX2 decoder sees it.
    struct Half {
        /// Each byte decoded: an escape's `%` as its byte, `+` as a space.
        text: __m256i,
        /// A bit for each `%` that starts an escape, `&` and `=`.
        escapes: u32,
        amps: u32,
        equals: u32,
    }

    /// Decodes the 32 bytes at `p`, given the two after them.
    ///
    /// # Safety
    ///
    /// The CPU must have AVX2, and `p` must be valid for reads of 34 bytes.
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn half(p: *const u8) -> Half {
        // SAFETY: the three unaligned loads read bytes 0..32, 1..33 and 2..34 of `p`.
        let (v, next1, next2) = unsafe {
            (
                _mm256_loadu_si256(p.cast()),
                _mm256_loadu_si256(p.add(1).cast()),
                _mm256_loadu_si256(p.add(2).cast()),
            )
        };
        let is = |byte: u8| _mm256_cmpeq_epi8(v, _mm256_set1_epi8(byte as i8));
        let (hi, hi_ok) = hex_digits_avx2(next1);
        let (lo, lo_ok) = hex_digits_avx2(next2);
        let escapes = _mm256_and_si256(is(b'%'), _mm256_and_si256(hi_ok, lo_ok));
        let decoded = _mm256_or_si256(
            _mm256_and_si256(_mm256_slli_epi16::<4>(hi), _mm256_set1_epi8(0xF0u8 as i8)),
            lo,
        );
        let text = _mm256_blendv_epi8(v, _mm256_set1_epi8(b' ' as i8), is(b'+'));
        let text = _mm256_blendv_epi8(text, decoded, escapes);
        let mask = |m: __m256i| _mm256_movemask_epi8(m) as u32;
        Half {
            text,
            escapes: mask(escapes),
            amps: mask(is(b'&')),
            equals: mask(is(b'=')),
        }
    }

    /// [`hex_digits`] with AVX2: each byte's value as a hex digit, and all ones in each
    /// byte that is one.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn hex_digits_avx2(v: __m256i) -> (__m256i, __m256i) {
        // `x <= n` for unsigned bytes: `min(x, n) == x`.
        let at_most =
            |x: __m256i, n: u8| _mm256_cmpeq_epi8(_mm256_min_epu8(x, _mm256_set1_epi8(n as i8)), x);
        let decimal = _mm256_sub_epi8(v, _mm256_set1_epi8(b'0' as i8));
        let letter = _mm256_sub_epi8(
            _mm256_or_si256(v, _mm256_set1_epi8(0x20)),
            _mm256_set1_epi8(b'a' as i8),
        );
        let (is_decimal, is_letter) = (at_most(decimal, 9), at_most(letter, 5));
        let value = _mm256_blendv_epi8(
            _mm256_add_epi8(letter, _mm256_set1_epi8(10)),
            decimal,
            is_decimal,
        );
        (value, _mm256_or_si256(is_decimal, is_letter))
    }

    /// `SQUEEZE[m]`: the positions (0 to 7) of the bits set in `m`, lowest first, one per
    /// byte from the lowest byte, zero after them: the shuffle that moves the bytes an
    /// eight-bit mask keeps to the front.
    const SQUEEZE: [u64; 256] = {
        let mut table = [0u64; 256];
        let mut m = 0;
        while m < 256 {
            let (mut bit, mut n) = (0, 0);
            while bit < 8 {
                if m & (1 << bit) != 0 {
                    table[m] |= (bit as u64) << (8 * n);
                    n += 1;
                }
                bit += 1;
            }
            m += 1;
        }
        table
    };

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
