//! The guard's cost per request with the in-memory store: a new request (key derivation,
//! `begin`, then `complete` after the handler) and a duplicate of a completed one (key
//! derivation, `begin` finding it done, the refusal).
//!
//! ```text
//! cargo bench -p twilio-auth-replay --bench guard
//! # and the same two rows against a Redis on this machine:
//! REDIS_URL=redis://127.0.0.1:6379/ cargo bench -p twilio-auth-replay --features redis --bench guard
//! ```

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use twilio_auth_core::{Config, Signer, Verified, WebhookRequest};
use twilio_auth_replay::{Admission, MemoryStore, ReplayGuard, RequestFacts};

const URL: &str = "https://example.com/voice";
const FORM: &str = "application/x-www-form-urlencoded";

fn facts<'a>(signature: &'a str, body: &'a [u8], verified: &'a Verified) -> RequestFacts<'a> {
    RequestFacts {
        method: "POST",
        signature: Some(signature),
        query: None,
        content_type: Some(FORM),
        body,
        verified,
        idempotency_token: None,
    }
}

fn bench(c: &mut Criterion) {
    let config = Config::builder().auth_token("12345").build().unwrap();
    let params = [
        ("CallSid", "CA1234567890abcdef1234567890abcdef"),
        ("From", "+14155550100"),
        ("To", "+14155550199"),
        ("CallStatus", "ringing"),
    ];
    let signature = Signer::new("12345").sign_form(URL, &params);
    let body = twilio_auth_core::form::encode(&params).into_bytes();
    let headers = [
        ("X-Twilio-Signature", signature.as_str()),
        ("Content-Type", FORM),
    ];
    let verified = config
        .verify(
            &WebhookRequest::from_url("POST", URL)
                .headers(&headers)
                .body(&body),
        )
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    let guard = ReplayGuard::new(MemoryStore::new());
    c.bench_function("key derivation (signature key)", |b| {
        b.iter(|| black_box(guard.key_of(black_box(&facts(&signature, &body, &verified)))))
    });

    // New requests: a distinct signature value each time (the guard hashes it; the
    // verification result is reused, as it is not what is measured).
    let mut n = 0u64;
    c.bench_function("memory store: new request (admit + finish 200)", |b| {
        b.iter(|| {
            n += 1;
            let sig = format!("{n:028}");
            rt.block_on(async {
                match guard.admit(&facts(&sig, &body, &verified)).await {
                    Admission::Proceed(ticket) => ticket.finish(200).await,
                    Admission::Refuse(r) => panic!("{r:?}"),
                }
            })
        })
    });

    let done = facts(&signature, &body, &verified);
    rt.block_on(async {
        if let Admission::Proceed(t) = guard.admit(&done).await {
            t.finish(200).await;
        }
    });
    c.bench_function("memory store: duplicate (refused 200)", |b| {
        b.iter(|| {
            rt.block_on(async {
                match guard.admit(black_box(&done)).await {
                    Admission::Refuse(r) => black_box(r),
                    Admission::Proceed(_) => panic!("duplicate processed"),
                }
            })
        })
    });

    #[cfg(feature = "redis")]
    if let Ok(url) = std::env::var("REDIS_URL") {
        let store = twilio_auth_replay::RedisStore::new(&url)
            .unwrap()
            .prefix(format!("twilio-auth:bench:{}:", std::process::id()));
        let guard = ReplayGuard::new(store);
        c.bench_function("redis store: new request (admit + finish 200)", |b| {
            b.iter(|| {
                n += 1;
                let sig = format!("{n:028}");
                rt.block_on(async {
                    match guard.admit(&facts(&sig, &body, &verified)).await {
                        Admission::Proceed(ticket) => ticket.finish(200).await,
                        Admission::Refuse(r) => panic!("{r:?}"),
                    }
                })
            })
        });
        rt.block_on(async {
            if let Admission::Proceed(t) = guard.admit(&done).await {
                t.finish(200).await;
            }
        });
        c.bench_function("redis store: duplicate (refused 200)", |b| {
            b.iter(|| {
                rt.block_on(async {
                    match guard.admit(black_box(&done)).await {
                        Admission::Refuse(r) => black_box(r),
                        Admission::Proceed(_) => panic!("duplicate processed"),
                    }
                })
            })
        });
    }

    c.bench_function("verification alone (for scale)", |b| {
        b.iter(|| {
            black_box(
                config
                    .verify(
                        &WebhookRequest::from_url("POST", URL)
                            .headers(&headers)
                            .body(&body),
                    )
                    .unwrap(),
            )
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
