//! The layer's own cost, without a network or a server: a tower service that reads the body
//! alone, against the same service behind `TwilioAuthLayer`, on the voice workload of
//! `tests/data/workloads.json` (a hyper-like request: headers, a body of one frame). The
//! difference is what buffering and verification add to a request.
//!
//! `cargo bench -p twilio-auth-tower --bench layer`

use std::convert::Infallible;
use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use http::{Request, Response, Uri};
use http_body_util::{BodyExt, Full};
use tower::{ServiceExt, service_fn};
use tower_layer::Layer;
use tower_service::Service;
use twilio_auth_core::Config;
use twilio_auth_tower::TwilioAuthLayer;

#[path = "../../../twilio-auth-core/tests/support/workloads.rs"]
mod workloads;

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

/// The handler: reads the whole body, answers with its length.
async fn handler(req: Request<Full<Bytes>>) -> Result<Response<Full<Bytes>>, Infallible> {
    let body = req.into_body().collect().await?.to_bytes();
    Ok(Response::new(Full::new(Bytes::from(
        body.len().to_string(),
    ))))
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
        Request::post(uri.clone())
            .header("host", raw.host.as_str())
            .header("content-type", raw.content_type)
            .header("x-twilio-signature", w.signature.as_str())
            .body(Full::new(body.clone()))
            .unwrap()
    };
    let plain = service_fn(handler);
    let layered = TwilioAuthLayer::new(config).layer(service_fn(handler));
    let verified = ready(layered.clone().oneshot(request())).unwrap();
    assert_eq!(verified.status(), 200, "the workload's signature verifies");

    let mut group = c.benchmark_group("layer");
    group.bench_function("voice_form_plain", |b| {
        b.iter_batched(
            request,
            |req| black_box(ready(plain.clone().call(req)).is_ok()),
            criterion::BatchSize::SmallInput,
        )
    });
    group.bench_function("voice_form_verified", |b| {
        b.iter_batched(
            request,
            |req| black_box(ready(layered.clone().call(req)).map(|r| r.status())),
            criterion::BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
