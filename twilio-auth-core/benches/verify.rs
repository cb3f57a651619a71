//! Verification cost on the workloads of `tests/data/workloads.json` (the requests the
//! official libraries were measured on), from raw request data as an adapter passes it,
//! next to the floor: one bare HMAC-SHA1 of the same signed string (for JSON, the SHA-256
//! of the body as well).
//!
//! `cargo bench -p twilio-auth-core --bench verify`; `bash twilio-auth-core/benches/callgrind.sh`
//! counts instructions and branch misses per verification.

use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use std::hint::black_box;
use twilio_auth_core::{Config, WebhookRequest};

#[path = "../tests/support/workloads.rs"]
mod workloads;
use workloads::{load, raw};

#[path = "../tests/support/worst_case.rs"]
mod worst_case;

fn bench(c: &mut Criterion) {
    let workloads = load();
    let config = Config::builder()
        .auth_token(workloads.token.as_str())
        .body_limit(1 << 20)
        .build()
        .unwrap();
    let mut group = c.benchmark_group("verify");
    for (name, key) in [
        ("voice", "voice_20_params"),
        ("sms", "sms_100_params_8k"),
        ("json64k", "json_64k"),
    ] {
        let w = &workloads.workloads[key];
        let raw = raw(w);
        for (suffix, signature, valid) in [
            ("valid", &w.signature, true),
            ("forged", &w.bad_signature, false),
        ] {
            let headers = [
                ("Host", raw.host.as_str()),
                ("Content-Type", raw.content_type),
                ("X-Twilio-Signature", signature.as_str()),
            ];
            let req = WebhookRequest::new("POST", &raw.path_and_query)
                .headers(&headers)
                .body(&raw.body);
            assert_eq!(config.verify(&req).is_ok(), valid, "{name}_{suffix}");
            group.bench_function(format!("{name}_{suffix}"), |b| {
                b.iter(|| {
                    let req = WebhookRequest::new("POST", black_box(&raw.path_and_query))
                        .headers(&headers)
                        .body(black_box(&raw.body));
                    black_box(config.verify(&req).is_ok())
                })
            });
        }
        let key = workloads.token.as_bytes();
        if name == "json64k" {
            // The JSON floor: SHA-256 of the body, and one HMAC of the URL.
            group.bench_function("floor_json64k", |b| {
                b.iter(|| {
                    let digest = Sha256::digest(black_box(&raw.body));
                    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key).unwrap();
                    mac.update(black_box(raw.signed_string.as_bytes()));
                    black_box((digest, mac.finalize().into_bytes()))
                })
            });
        } else {
            group.bench_function(format!("hmac_floor_{name}"), |b| {
                b.iter(|| {
                    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key).unwrap();
                    mac.update(black_box(raw.signed_string.as_bytes()));
                    black_box(mac.finalize().into_bytes())
                })
            });
        }
    }
    worst_case(&mut group);
    group.finish();
}

/// The most expensive forged form within the default limits (`tests/support/worst_case.rs`:
/// 64 KiB, two orderings, three spellings of the query, two ports, two tokens), next to a
/// valid request of the same size and the bare HMAC-SHA1 of its signed string.
fn worst_case(group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    use worst_case::{FORM, HOST, PATH_AND_QUERY, TOKEN, at_the_limit};
    let case = at_the_limit();
    for (id, signature, valid) in [
        ("worst_valid_64k", &case.valid_signature, true),
        ("worst_forged_64k", &case.forged_signature, false),
    ] {
        let headers = [
            ("Host", HOST),
            ("Content-Type", FORM),
            ("X-Twilio-Signature", signature.as_str()),
        ];
        let req = WebhookRequest::new("POST", PATH_AND_QUERY)
            .headers(&headers)
            .body(&case.body);
        assert_eq!(case.config.verify(&req).is_ok(), valid, "{id}");
        group.bench_function(id, |b| {
            b.iter(|| {
                let req = WebhookRequest::new("POST", black_box(PATH_AND_QUERY))
                    .headers(&headers)
                    .body(black_box(&case.body));
                black_box(case.config.verify(&req).is_ok())
            })
        });
    }
    // The signed string: the URL, then the decoded parameters in byte order.
    let params = twilio_auth_core::form::parse(&case.body);
    let (by_bytes, _) = twilio_auth_core::form::orderings(&params);
    let signed = format!("{}{}", case.url, twilio_auth_core::form::suffix(&by_bytes));
    group.bench_function("hmac_floor_worst_64k", |b| {
        b.iter(|| {
            let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(TOKEN.as_bytes()).unwrap();
            mac.update(black_box(signed.as_bytes()));
            black_box(mac.finalize().into_bytes())
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
