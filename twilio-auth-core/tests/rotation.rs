//! Token rotation while serving (`Config::rotate`, `Config::set_auth_tokens`): every clone
//! sees the new keys on its next verification, and a verification in flight finishes with
//! the set it loaded, so no request signed with a token configured throughout fails.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::thread;

use twilio_auth_core::{Algorithm, Config, ConfigError, KeySet, KeySource, Signer, WebhookRequest};

const URL: &str = "https://example.com/status?CallSid=CA1";

fn verify_signed_with(config: &Config, token: &str) -> Result<KeySource, String> {
    let signature = Signer::new(token).sign_url(URL);
    let headers = [("X-Twilio-Signature", signature.as_str())];
    let req = WebhookRequest::from_url("GET", URL).headers(&headers);
    config
        .verify(&req)
        .map(|v| v.key().cloned().unwrap())
        .map_err(|r| r.to_string())
}

#[test]
fn rotate_swaps_keys_for_every_clone() {
    let config = Config::builder()
        .auth_token("old")
        .account_token("AC1", "sub")
        .build()
        .unwrap();
    let clone = config.clone();
    assert_eq!(
        verify_signed_with(&clone, "old"),
        Ok(KeySource::PrimaryToken)
    );
    assert!(verify_signed_with(&clone, "new").is_err());

    config
        .rotate(KeySet::new().auth_token("new").secondary_auth_token("old"))
        .unwrap();
    assert_eq!(
        verify_signed_with(&clone, "new"),
        Ok(KeySource::PrimaryToken)
    );
    assert_eq!(
        verify_signed_with(&clone, "old"),
        Ok(KeySource::SecondaryToken)
    );

    config.rotate(KeySet::new().auth_token("new")).unwrap();
    assert!(verify_signed_with(&clone, "old").is_err());
    assert!(format!("{clone:?}").contains("primary Auth Token"));
    // `rotate` replaces everything: the sub-account token is gone.
    assert!(!format!("{clone:?}").contains("AC1"));
}

#[test]
fn a_refused_key_set_leaves_the_keys_in_use() {
    let config = Config::builder().auth_token("old").build().unwrap();
    assert_eq!(config.rotate(KeySet::new()), Err(ConfigError::NoSecret));
    assert_eq!(
        config.rotate(KeySet::new().auth_token("")),
        Err(ConfigError::EmptySecret("Auth Token".into()))
    );
    assert_eq!(
        config.rotate(KeySet::new().auth_token("t").shared_keys_only(true)),
        Err(ConfigError::SharedKeysOnlyWithoutKeys)
    );
    assert!(config.set_auth_tokens("", None::<&str>).is_err());
    assert!(config.set_auth_tokens("new", Some("")).is_err());
    assert_eq!(
        verify_signed_with(&config, "old"),
        Ok(KeySource::PrimaryToken)
    );
}

#[test]
fn set_auth_tokens_keeps_accounts_and_shared_keys() {
    let config = Config::builder()
        .auth_token("old")
        .account_token("AC1", "sub")
        .shared_key("KS1", "shared", Algorithm::HmacSha256)
        .build()
        .unwrap();
    config.set_auth_tokens("new", Some("old")).unwrap();
    let debug = format!("{config:?}");
    assert!(debug.contains("Auth Token of account AC1"), "{debug}");
    assert!(debug.contains("SharedKey KS1"), "{debug}");
    assert!(debug.contains("secondary Auth Token"), "{debug}");
    assert!(
        !debug.contains("sub") && !debug.contains("shared\""),
        "{debug}"
    );
    assert_eq!(
        verify_signed_with(&config, "new"),
        Ok(KeySource::PrimaryToken)
    );
    assert_eq!(
        verify_signed_with(&config, "old"),
        Ok(KeySource::SecondaryToken)
    );
    config.set_auth_tokens("newer", None::<&str>).unwrap();
    assert!(verify_signed_with(&config, "old").is_err());
    assert!(
        config
            .summary()
            .to_string()
            .contains("1 Auth Token, 1 sub-account token")
    );
}

fn token(generation: u64) -> String {
    format!("token-{generation}")
}

/// Verifiers hammer the configuration on threads while another thread rotates it, as a
/// rotation does: `primary = new, secondary = old`. Generation `k` holds `token(k)` and
/// `token(k - 1)`. A seqlock-style version (odd while a swap is under way) tells each
/// verifier which generations may have been in place during its verification: a request
/// signed with a token present in all of them must be accepted.
#[test]
fn no_valid_request_fails_while_tokens_rotate() {
    const WORKERS: usize = 4;
    const ROTATIONS: u64 = 600;
    let config = Config::builder()
        .auth_token(token(1))
        .secondary_auth_token(token(0))
        .build()
        .unwrap();
    let version = Arc::new(AtomicU64::new(2)); // generation = version / 2
    let done = Arc::new(AtomicBool::new(false));
    let checked = Arc::new(AtomicUsize::new(0));
    let straddled = Arc::new(AtomicUsize::new(0));
    let secondary_hits = Arc::new(AtomicUsize::new(0));

    let workers: Vec<_> = (0..WORKERS)
        .map(|w| {
            let (config, version, done) = (config.clone(), version.clone(), done.clone());
            let (checked, straddled) = (checked.clone(), straddled.clone());
            let secondary_hits = secondary_hits.clone();
            thread::spawn(move || {
                let mut i = 0u64;
                while !done.load(Ordering::Acquire) {
                    i += 1;
                    let v1 = version.load(Ordering::Acquire);
                    if !v1.is_multiple_of(2) {
                        continue; // a swap is under way: which set is in place is unknown
                    }
                    let generation = v1 / 2;
                    // The new token, or the old one (the secondary), in turn.
                    let signed_with = if (i + w as u64).is_multiple_of(2) {
                        generation
                    } else {
                        generation - 1
                    };
                    let outcome = verify_signed_with(&config, &token(signed_with));
                    let v2 = version.load(Ordering::Acquire);
                    // Generations possibly in place during the verification.
                    let last = v2.div_ceil(2);
                    let configured_throughout =
                        (generation..=last).all(|k| signed_with == k || signed_with + 1 == k);
                    if configured_throughout {
                        checked.fetch_add(1, Ordering::Relaxed);
                        if v2 != v1 {
                            straddled.fetch_add(1, Ordering::Relaxed);
                        }
                        match outcome {
                            Ok(KeySource::SecondaryToken) => {
                                secondary_hits.fetch_add(1, Ordering::Relaxed);
                            }
                            Ok(_) => {}
                            Err(e) => panic!(
                                "token {signed_with} configured in generations \
                                 {generation}..={last} was refused: {e}"
                            ),
                        }
                    }
                }
            })
        })
        .collect();

    for generation in 2..2 + ROTATIONS {
        version.fetch_add(1, Ordering::AcqRel); // odd: swapping
        if generation.is_multiple_of(2) {
            config
                .rotate(
                    KeySet::new()
                        .auth_token(token(generation))
                        .secondary_auth_token(token(generation - 1)),
                )
                .unwrap();
        } else {
            config
                .set_auth_tokens(token(generation), Some(token(generation - 1)))
                .unwrap();
        }
        version.fetch_add(1, Ordering::AcqRel); // even: generation in place
        // Let the verifiers work between rotations (however the threads are scheduled).
        let target = checked.load(Ordering::Relaxed) + 2 * WORKERS;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
        while checked.load(Ordering::Relaxed) < target && std::time::Instant::now() < deadline {
            thread::yield_now();
        }
    }
    done.store(true, Ordering::Release);
    for worker in workers {
        worker.join().unwrap();
    }
    let (checked, straddled) = (
        checked.load(Ordering::Relaxed),
        straddled.load(Ordering::Relaxed),
    );
    eprintln!(
        "{checked} valid requests checked, {straddled} while a rotation happened, \
         {} accepted by the secondary",
        secondary_hits.load(Ordering::Relaxed)
    );
    assert!(checked > ROTATIONS as usize, "{checked}");
    assert!(secondary_hits.load(Ordering::Relaxed) > 0);
    // The run does not prove much unless rotations happened during verifications.
    assert!(straddled > 0, "no verification overlapped a rotation");
    // After the last rotation, only the last two tokens are accepted.
    let last = 1 + ROTATIONS;
    assert_eq!(
        verify_signed_with(&config, &token(last)),
        Ok(KeySource::PrimaryToken)
    );
    assert!(verify_signed_with(&config, &token(last - 2)).is_err());
}
