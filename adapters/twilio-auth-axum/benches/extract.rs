//! The adapter's own cost, without a network or a server: axum's `Form<T>` extractor alone
//! against `Verified<Form<T>>` (what `#[twilio_signed]` generates) on the voice workload of
//! `tests/data/workloads.json`, as axum hands the request over (headers, `OriginalUri`,
//! a body of one chunk). The difference is what verification adds to a request; the load
//! test (`benches/load/run.sh`) measures the same through a real server.
//!
//! `cargo bench -p twilio-auth-axum --bench extract`

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, OriginalUri, Request};
use axum::http::Uri;
use criterion::{Criterion, criterion_group, criterion_main};
use serde::Deserialize;
use twilio_auth_axum::Verified;
use twilio_auth_core::Config;

#[path = "../../../twilio-auth-core/tests/support/workloads.rs"]
mod workloads;

/// A few fields of the voice webhook, as a handler would take them.
#[derive(Deserialize)]
#[allow(dead_code)]
struct IncomingCall {
    #[serde(rename = "CallSid")]
    call_sid: String,
    #[serde(rename = "From")]
    from: String,
    #[serde(rename = "CallStatus")]
    call_status: String,
}

/// Runs a future that never waits (the body is already in memory) to completion.
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

fn bench(c: &mut Criterion) {
    let workloads = workloads::load();
    let w = &workloads.workloads["voice_20_params"];
    let raw = workloads::raw(w);
    let config = Config::builder()
        .auth_token(workloads.token.as_str())
        .build()
        .unwrap();
    let body = Bytes::from(raw.body.clone());
    let uri: Uri = raw.path_and_query.parse().unwrap();
    let request = || {
        let mut req = Request::post(uri.clone())
            .header("host", raw.host.as_str())
            .header("content-type", raw.content_type)
            .header("x-twilio-signature", w.signature.as_str())
            .body(Body::from(body.clone()))
            .unwrap();
        req.extensions_mut().insert(OriginalUri(uri.clone()));
        req
    };
    let verified = |req| {
        ready(Verified::<axum::Form<IncomingCall>>::from_request(
            req, &config,
        ))
        .is_ok()
    };
    assert!(verified(request()), "the workload's signature verifies");

    let mut group = c.benchmark_group("extract");
    group.bench_function("voice_form_plain", |b| {
        b.iter_batched(
            request,
            |req| black_box(ready(axum::Form::<IncomingCall>::from_request(req, &config)).is_ok()),
            criterion::BatchSize::SmallInput,
        )
    });
    group.bench_function("voice_form_verified", |b| {
        b.iter_batched(
            request,
            |req| black_box(verified(req)),
            criterion::BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
