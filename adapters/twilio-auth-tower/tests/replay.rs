//! `TwilioAuthLayer::replay`: the guard between verification and the inner service.
#![cfg(feature = "replay")]

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use tower::{Service, ServiceBuilder, ServiceExt, service_fn};
use twilio_auth_core::{Config, Signer};
use twilio_auth_replay::ReplayGuard;
use twilio_auth_tower::TwilioAuthLayer;

const URL: &str = "https://example.com/voice";

fn request(params: &[(&str, &str)]) -> Request<Full<Bytes>> {
    let signature = Signer::new("12345").sign_form(URL, params);
    Request::post(URL)
        .header("host", "example.com")
        .header("x-twilio-signature", signature)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from(twilio_auth_core::form::encode(
            params,
        ))))
        .unwrap()
}

#[tokio::test]
async fn duplicates_are_answered_without_the_inner_service() {
    let config = Config::builder().auth_token("12345").build().unwrap();
    let runs = Arc::new(AtomicUsize::new(0));
    let status = Arc::new(AtomicU16::new(500));
    let (r, s) = (runs.clone(), status.clone());
    let mut service = ServiceBuilder::new()
        .layer(TwilioAuthLayer::new(config).replay(ReplayGuard::memory()))
        .service(service_fn(move |_req: Request<Full<Bytes>>| {
            let (r, s) = (r.clone(), s.clone());
            async move {
                r.fetch_add(1, Ordering::SeqCst);
                let mut response = Response::new(Full::new(Bytes::from_static(b"<Response/>")));
                *response.status_mut() = StatusCode::from_u16(s.load(Ordering::SeqCst)).unwrap();
                Ok::<_, Infallible>(response)
            }
        }));
    let params = [("CallSid", "CA1")];
    let mut send = async |req: Request<Full<Bytes>>| {
        let response = ServiceExt::<Request<Full<Bytes>>>::ready(&mut service)
            .await
            .unwrap()
            .call(req)
            .await
            .unwrap();
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status.as_u16(), body)
    };
    // 500: released, so the retry runs the service again.
    assert_eq!(send(request(&params)).await.0, 500);
    status.store(200, Ordering::SeqCst);
    assert_eq!(
        send(request(&params)).await,
        (200, Bytes::from_static(b"<Response/>"))
    );
    assert_eq!(runs.load(Ordering::SeqCst), 2);
    // Completed: the duplicate gets 200 with an empty body, the service does not run.
    assert_eq!(send(request(&params)).await, (200, Bytes::new()));
    assert_eq!(runs.load(Ordering::SeqCst), 2);
    // Another request runs; a forged one is refused before the guard.
    assert_eq!(send(request(&[("CallSid", "CA2")])).await.0, 200);
    let mut forged = request(&params);
    forged
        .headers_mut()
        .insert("x-twilio-signature", "AAAA".parse().unwrap());
    assert_eq!(send(forged).await.0, 403);
    assert_eq!(runs.load(Ordering::SeqCst), 3);
}
