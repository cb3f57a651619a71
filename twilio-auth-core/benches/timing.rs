//! A dudect-style timing check: does verification take longer when a forged signature
//! shares more leading bytes with the valid one? Two classes of forged signatures — wrong
//! in the first byte, wrong only in the last byte — are verified in random interleaving,
//! and Welch's t-statistic of their timings is printed. With constant-time comparison
//! (`subtle`) the classes are indistinguishable (|t| stays small); an early-exit
//! comparison shows up as a large |t| given enough samples. Exits non-zero when |t| > 10.
//!
//! `cargo bench -p twilio-auth-core --bench timing`

use std::hint::black_box;
use std::time::Instant;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use twilio_auth_core::{Config, Signer, WebhookRequest, form};

const SAMPLES: usize = 200_000;
const THRESHOLD: f64 = 10.0;

fn main() {
    let token = "timing-token";
    let url = "https://example.com/voice";
    let params = [("CallSid", "CA0123456789"), ("From", "+14155550100")];
    let body = form::encode(&params);
    let valid = STANDARD
        .decode(Signer::new(token).sign_form(url, &params))
        .unwrap();
    let forged = |at: usize| {
        let mut sig = valid.clone();
        sig[at] ^= 0x01;
        STANDARD.encode(sig)
    };
    // Class 2 is a control with a real difference (a valid signature stops after one
    // candidate, a forged one tries two): the test must see it, or it has no power.
    let classes = [forged(0), forged(valid.len() - 1), STANDARD.encode(&valid)];
    let config = Config::builder().auth_token(token).build().unwrap();

    // xorshift: no dependency, fixed seed, so runs are comparable.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut timings: [Vec<f64>; 3] = std::array::from_fn(|_| Vec::with_capacity(SAMPLES));
    while timings.iter().any(|t| t.len() < SAMPLES) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let class = (state % 3) as usize;
        if timings[class].len() == SAMPLES {
            continue;
        }
        let headers = [
            ("X-Twilio-Signature", classes[class].as_str()),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ];
        let req = WebhookRequest::from_url("POST", url)
            .headers(&headers)
            .body(body.as_bytes());
        let start = Instant::now();
        let outcome = black_box(config.verify(black_box(&req)));
        let elapsed = start.elapsed().as_nanos() as f64;
        assert_eq!(outcome.is_ok(), class == 2);
        timings[class].push(elapsed);
    }

    // Drop the slowest 5% of each class (interrupts, preemption) before the test.
    let cropped: Vec<Vec<f64>> = timings
        .iter()
        .map(|t| {
            let mut t = t.clone();
            t.sort_by(f64::total_cmp);
            t.truncate(t.len() * 95 / 100);
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
    for (name, t) in [
        ("forged_first_byte", &cropped[0]),
        ("forged_last_byte", &cropped[1]),
        ("valid_control", &cropped[2]),
    ] {
        let (mean, _, n) = stats(t);
        println!("timing/{name:<18} mean {mean:.1} ns  ({n} samples)");
    }
    let t = welch(&cropped[0], &cropped[1]);
    let control = welch(&cropped[0], &cropped[2]);
    println!(
        "timing/welch_t first vs last byte: {t:.2}  (|t| > {THRESHOLD} would indicate a leak)"
    );
    println!("timing/welch_t forged vs valid (control, must be large): {control:.2}");
    if control.abs() <= THRESHOLD {
        eprintln!("the control difference was not detected: the measurement has no power");
        std::process::exit(1);
    }
    if t.abs() > THRESHOLD {
        eprintln!("timing leak suspected: |t| = {:.2}", t.abs());
        std::process::exit(1);
    }
}
