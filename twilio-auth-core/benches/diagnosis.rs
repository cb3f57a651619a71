//! The cost of a refusal's diagnosis (`twilio_auth_core::diagnosis`): the same forged
//! requests refused with diagnoses on (the default) and off, in the same run. A forged
//! request is what an attacker controls, so this is the cost that matters: the diagnosis
//! must not turn forged traffic into a CPU sink (at most `attempts::MAX_DIAGNOSTIC_HMACS`
//! more HMACs, and no more bytes than the refusal hashed already).
//!
//! `cargo bench -p twilio-auth-core --bench diagnosis`

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use twilio_auth_core::{Config, Signer, WebhookRequest};

#[path = "../tests/support/workloads.rs"]
mod workloads;
use workloads::{load, raw};

#[path = "../tests/support/worst_case.rs"]
mod worst_case;

const FORM: &str = "application/x-www-form-urlencoded";

/// A refused request: its target, headers and body.
struct Refused {
    path_and_query: String,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

fn configs(token: &str, secondary: Option<&str>) -> [(&'static str, Config); 2] {
    let build = |on: bool| {
        let mut builder = Config::builder().auth_token(token).body_limit(1 << 20);
        if let Some(secondary) = secondary {
            builder = builder.secondary_auth_token(secondary);
        }
        builder.diagnose_refusals(on).build().unwrap()
    };
    [("off", build(false)), ("on", build(true))]
}

fn bench_pair(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    configs: &[(&'static str, Config); 2],
    refused: &Refused,
    diagnosed: bool,
) {
    let headers: Vec<(&str, &str)> = refused
        .headers
        .iter()
        .map(|(n, v)| (*n, v.as_str()))
        .collect();
    for (mode, config) in configs {
        let req = WebhookRequest::new("POST", &refused.path_and_query)
            .headers(&headers)
            .body(&refused.body);
        let rejection = config.verify(&req).unwrap_err();
        assert_eq!(rejection.status(), 403, "{name}");
        let expected = diagnosed && *mode == "on";
        assert_eq!(rejection.diagnosis().is_some(), expected, "{name} {mode}");
        group.bench_function(format!("{name}_diagnosis_{mode}"), |b| {
            b.iter(|| {
                let req = WebhookRequest::new("POST", black_box(&refused.path_and_query))
                    .headers(&headers)
                    .body(black_box(&refused.body));
                black_box(config.verify(&req).is_err())
            })
        });
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("diagnosis");

    // A voice webhook's size (20 parameters), forged: nothing explains it, so every
    // guess is tried (up to the HMAC cap).
    let workloads = load();
    let w = &workloads.workloads["voice_20_params"];
    let voice = raw(w);
    let refused = Refused {
        path_and_query: voice.path_and_query.clone(),
        headers: vec![
            ("Host", voice.host.clone()),
            ("Content-Type", voice.content_type.to_owned()),
            ("X-Twilio-Signature", w.bad_signature.clone()),
        ],
        body: voice.body.clone(),
    };
    bench_pair(
        &mut group,
        "voice_forged",
        &configs(&workloads.token, None),
        &refused,
        false,
    );

    // The same voice webhook, signed for the URL with `/api` that a router stripped:
    // the diagnosis finds it (the cost of the answer, not only of the search).
    let signed_url = format!("https://{}/api{}", voice.host, voice.path_and_query);
    let refused = Refused {
        headers: vec![
            ("Host", voice.host.clone()),
            ("Content-Type", voice.content_type.to_owned()),
            (
                "X-Twilio-Signature",
                Signer::new(workloads.token.as_str()).sign_form_body(&signed_url, &voice.body),
            ),
        ],
        ..refused
    };
    bench_pair(
        &mut group,
        "voice_prefix_stripped",
        &configs(&workloads.token, None),
        &refused,
        true,
    );

    // A 64 KiB forged form (the default form limit), one token.
    let mut body = b"CallSid=CA1&Filler=".to_vec();
    body.resize(64 * 1024, b'a');
    let refused = Refused {
        path_and_query: "/sms".to_owned(),
        headers: vec![
            ("Host", "myapp.example.com".to_owned()),
            ("Content-Type", FORM.to_owned()),
            (
                "X-Twilio-Signature",
                Signer::new("not-the-token").sign_form_body("https://myapp.example.com/sms", &body),
            ),
        ],
        body,
    };
    bench_pair(
        &mut group,
        "form64k_forged",
        &configs(&workloads.token, None),
        &refused,
        false,
    );

    // The most expensive forged form within the default limits (tests/support/worst_case.rs:
    // 64 KiB, two orderings, three spellings of the query, two ports, two tokens).
    use worst_case::{HOST, PATH_AND_QUERY, SECONDARY, TOKEN, at_the_limit};
    let case = at_the_limit();
    let refused = Refused {
        path_and_query: PATH_AND_QUERY.to_owned(),
        headers: vec![
            ("Host", HOST.to_owned()),
            ("Content-Type", FORM.to_owned()),
            ("X-Twilio-Signature", case.forged_signature.clone()),
        ],
        body: case.body.clone(),
    };
    bench_pair(
        &mut group,
        "worst64k_forged",
        &configs(TOKEN, Some(SECONDARY)),
        &refused,
        false,
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
