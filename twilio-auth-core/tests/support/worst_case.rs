//! The most expensive forged form request within the default limits, and a valid one of
//! the same size: shared by `benches/verify.rs` and `tests/work_bound.rs`.
//!
//! Every multiplier of the signature work an attacker can reach without the app's help:
//! the largest form body ([`DEFAULT_FORM_BODY_LIMIT`]) of plain bytes (escapes would
//! shrink what is hashed), names that order differently in UTF-16 than in bytes (two
//! orderings), a query with both `'` and `%27` (three spellings of the URL), no port
//! (each spelling also with `:443`), and an app that accepts two Auth Tokens (rotation).
//! Without a bound that is 3 × 2 × 2 × 2 = 24 HMACs over 64 KiB.

#![allow(dead_code)]

use twilio_auth_core::{Config, DEFAULT_FORM_BODY_LIMIT, Signer};

pub const TOKEN: &str = "12345678901234567890123456789012";
pub const SECONDARY: &str = "abcdefabcdefabcdefabcdefabcdefab";
pub const HOST: &str = "myapp.example.com";
pub const PATH_AND_QUERY: &str = "/twilio/sms?name=O'Brien&alt=O%27Brien";
pub const FORM: &str = "application/x-www-form-urlencoded";

pub struct WorstCase {
    pub config: Config,
    pub url: String,
    pub body: Vec<u8>,
    pub valid_signature: String,
    pub forged_signature: String,
}

/// The worst case with a body of `len` bytes.
pub fn worst_case(len: usize) -> WorstCase {
    let config = Config::builder()
        .auth_token(TOKEN)
        .secondary_auth_token(SECONDARY)
        .build()
        .unwrap();
    // U+FF61 sorts before U+1F600 in bytes (EF < F0), after it in UTF-16 (FF61 > D83D).
    let mut body = b"%EF%BD%A1=x&%F0%9F%98%80=y&Filler=".to_vec();
    body.resize(len, b'a');
    let url = format!("https://{HOST}{PATH_AND_QUERY}");
    let valid_signature = Signer::new(TOKEN).sign_form_body(&url, &body);
    let forged_signature = Signer::new("not-the-token").sign_form_body(&url, &body);
    WorstCase {
        config,
        url,
        body,
        valid_signature,
        forged_signature,
    }
}

/// The worst case at the default form limit.
pub fn at_the_limit() -> WorstCase {
    worst_case(DEFAULT_FORM_BODY_LIMIT)
}
