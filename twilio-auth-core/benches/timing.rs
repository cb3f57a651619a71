//! A dudect-style timing check: does verification take longer when a forged signature
//! shares more leading bytes with the valid one? Two classes of forged signatures — wrong
//! in the first byte, wrong only in the last byte — are verified in random interleaving,
//! and Welch's t-statistic of their timings is computed. With constant-time comparison
//! (`subtle`) the classes are indistinguishable (|t| stays small).
//!
//! A test that never sees a difference proves nothing unless it could have seen one, so
//! two controls run in the same interleaving, and each must be detected:
//!
//! - **early exit**: the same two forged signatures, each verified and then compared with
//!   the expected MAC by a deliberate early-exit loop (the non-constant-time comparison this
//!   check exists to catch, on the same bytes). The two classes differ only by the bytes
//!   that loop visits before the first difference: the size of the leak the main test must
//!   be able to see;
//! - **valid**: a valid signature against a forged one (one candidate HMAC against two), a
//!   coarse sanity check of the set-up.
//!
//! Checked by hand: replacing `ct_eq` in the core by a byte-by-byte early exit gives
//! |t| ≈ 200 here. A plain `==` on the two 20-byte MACs (`memcmp`, which compares whole
//! words) is not seen: its difference between the first and the last byte is below what
//! any timer resolves.
//!
//! Exits non-zero when the main test sees a difference (|t| > 10), or when a control is not
//! detected (|t| ≤ 10): such a run is inconclusive, and the quick run tries it again twice
//! (a busy machine) before failing.
//!
//! `cargo bench -p twilio-auth-core --bench timing` (40,000 samples of 8 verifications per
//! class), or with `-- --quick` (or `TWILIO_TIMING_QUICK=1`) for the short run CI uses
//! (10,000; about a second once built).

use std::hint::black_box;
use std::time::Instant;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use twilio_auth_core::{Config, Signer, WebhookRequest, form};

const FULL_SAMPLES: usize = 40_000;
const QUICK_SAMPLES: usize = 10_000;
const THRESHOLD: f64 = 10.0;
/// Verifications per sample, all of one class: a leak of a few nanoseconds adds up over the
/// batch while the timer's own jitter does not.
const BATCH: usize = 8;

/// What one measurement does.
#[derive(Clone, Copy, PartialEq)]
enum Class {
    /// Verify a signature wrong in its first byte.
    ForgedFirst,
    /// Verify a signature wrong only in its last byte.
    ForgedLast,
    /// Verify the valid signature.
    Valid,
    /// Verify the first-byte forgery, then compare it with an early exit.
    EarlyExitFirst,
    /// Verify the last-byte forgery, then compare it with an early exit.
    EarlyExitLast,
}

const CLASSES: [Class; 5] = [
    Class::ForgedFirst,
    Class::ForgedLast,
    Class::Valid,
    Class::EarlyExitFirst,
    Class::EarlyExitLast,
];

/// The comparison a careless verifier would write: stops at the first differing byte.
/// `black_box` on each byte keeps the compiler from turning it into one wide compare.
fn early_exit_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| black_box(*x) == black_box(*y))
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick")
        || std::env::var("TWILIO_TIMING_QUICK").is_ok_and(|v| v == "1");
    let samples = if quick { QUICK_SAMPLES } else { FULL_SAMPLES };

    let token = "timing-token";
    let url = "https://example.com/voice";
    let params = [("CallSid", "CA0123456789"), ("From", "+14155550100")];
    let body = form::encode(&params);
    let valid = STANDARD
        .decode(Signer::new(token).sign_form(url, &params))
        .unwrap();
    let forged_bytes = |at: usize| {
        let mut sig = valid.clone();
        sig[at] ^= 0x01;
        sig
    };
    let (first, last) = (forged_bytes(0), forged_bytes(valid.len() - 1));
    let header = |class: Class| match class {
        Class::ForgedFirst | Class::EarlyExitFirst => STANDARD.encode(&first),
        Class::ForgedLast | Class::EarlyExitLast => STANDARD.encode(&last),
        Class::Valid => STANDARD.encode(&valid),
    };
    let headers: Vec<[(&str, String); 2]> = CLASSES
        .iter()
        .map(|&class| {
            [
                ("X-Twilio-Signature", header(class)),
                (
                    "Content-Type",
                    "application/x-www-form-urlencoded".to_owned(),
                ),
            ]
        })
        .collect();
    let config = Config::builder().auth_token(token).build().unwrap();

    let measure = || {
        // xorshift: no dependency, fixed seed, so runs are comparable.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut timings: [Vec<f64>; 5] = std::array::from_fn(|_| Vec::with_capacity(samples));
        while timings.iter().any(|t| t.len() < samples) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let index = (state % CLASSES.len() as u64) as usize;
            if timings[index].len() == samples {
                continue;
            }
            let class = CLASSES[index];
            let req = WebhookRequest::from_url("POST", url)
                .headers(&headers[index])
                .body(body.as_bytes());
            let forged = match class {
                Class::EarlyExitFirst => Some(first.as_slice()),
                Class::EarlyExitLast => Some(last.as_slice()),
                _ => None,
            };
            let mut accepted = 0;
            let mut leaked = 0;
            let start = Instant::now();
            for _ in 0..BATCH {
                accepted += usize::from(black_box(config.verify(black_box(&req))).is_ok());
                if let Some(forged) = forged {
                    leaked += usize::from(early_exit_eq(black_box(forged), black_box(&valid)));
                }
            }
            let elapsed = start.elapsed().as_nanos() as f64;
            assert_eq!(accepted, if class == Class::Valid { BATCH } else { 0 });
            assert_eq!(leaked, 0);
            timings[index].push(elapsed);
        }

        // Keep the fastest half of each class: interrupts, preemption and a busy machine only
        // ever add time, and a leak shifts the whole distribution, its fast half included.
        let cropped: Vec<Vec<f64>> = timings
            .iter()
            .map(|t| {
                let mut t = t.clone();
                t.sort_by(f64::total_cmp);
                t.truncate(t.len() / 2);
                t
            })
            .collect();
        let stats = |t: &[f64]| {
            let n = t.len() as f64;
            let mean = t.iter().sum::<f64>() / n;
            let var = t.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
            (mean, var, n)
        };
        let welch = |a: &[f64], b: &[f64]| {
            let ((m0, v0, n0), (m1, v1, n1)) = (stats(a), stats(b));
            (m0 - m1) / (v0 / n0 + v1 / n1).sqrt()
        };
        let names = [
            "forged_first_byte",
            "forged_last_byte",
            "valid",
            "early_exit_first",
            "early_exit_last",
        ];
        for (name, t) in names.iter().zip(&cropped) {
            let (mean, _, n) = stats(t);
            println!(
                "timing/{name:<18} mean {:.1} ns per verification  ({n} samples of {BATCH})",
                mean / BATCH as f64
            );
        }
        let t = welch(&cropped[0], &cropped[1]);
        let early_exit = welch(&cropped[3], &cropped[4]);
        let valid_control = welch(&cropped[0], &cropped[2]);
        println!(
            "timing/welch_t first vs last byte: {t:.2}  (|t| > {THRESHOLD} would indicate a leak)"
        );
        println!(
            "timing/welch_t early-exit control, first vs last byte (must be large): {early_exit:.2}"
        );
        println!("timing/welch_t forged vs valid (control, must be large): {valid_control:.2}");
        if t.abs() > THRESHOLD {
            Verdict::Leak(t)
        } else if early_exit.abs() <= THRESHOLD || valid_control.abs() <= THRESHOLD {
            Verdict::NoPower
        } else {
            Verdict::ConstantTime
        }
    };

    // A run that could not see the controls is inconclusive, not a pass: try again (a busy
    // machine adds noise), and fail if no run has the power. A leak fails at once.
    let attempts = if quick { 3 } else { 1 };
    for attempt in 1..=attempts {
        match measure() {
            Verdict::ConstantTime => return,
            Verdict::Leak(t) => {
                eprintln!("timing leak suspected: |t| = {:.2}", t.abs());
                std::process::exit(1);
            }
            Verdict::NoPower => eprintln!(
                "attempt {attempt}/{attempts}: a control was not detected (|t| <= {THRESHOLD}): \
                 this run could not have seen a comparison that stops at the first differing byte"
            ),
        }
    }
    std::process::exit(1);
}

/// What one run concludes.
enum Verdict {
    /// The controls were detected and the forged classes were not told apart.
    ConstantTime,
    /// The forged classes were told apart: Welch's t.
    Leak(f64),
    /// A control was not detected: the run could not have seen a leak.
    NoPower,
}
