//! `TwilioAuth::replay`: the guard between verification and the wrapped service.
#![cfg(feature = "replay")]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::{App, HttpResponse, test, web};
use twilio_auth_actix::TwilioAuth;
use twilio_auth_core::{Config, Signer};
use twilio_auth_replay::ReplayGuard;

#[actix_web::test]
async fn duplicates_are_answered_without_the_handler() {
    let config = Config::builder()
        .auth_token("12345")
        .public_base_url("https://example.com")
        .build()
        .unwrap();
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = runs.clone();
    let app = test::init_service(
        App::new()
            .wrap(TwilioAuth::new(config).replay(ReplayGuard::memory()))
            .route(
                "/voice",
                web::post().to(move |body: web::Bytes| {
                    let n = counter.fetch_add(1, Ordering::SeqCst);
                    async move {
                        // The first attempt fails: Twilio's retry must be processed.
                        if n == 0 {
                            HttpResponse::InternalServerError().finish()
                        } else {
                            HttpResponse::Ok().body(body)
                        }
                    }
                }),
            ),
    )
    .await;
    let params = [("CallSid", "CA1")];
    let signature = Signer::new("12345").sign_form("https://example.com/voice", &params);
    let request = || {
        test::TestRequest::post()
            .uri("/voice")
            .insert_header(("X-Twilio-Signature", signature.as_str()))
            .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
            .set_payload("CallSid=CA1")
            .to_request()
    };
    let response = test::call_service(&app, request()).await;
    assert_eq!(response.status(), 500);
    let response = test::call_service(&app, request()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(test::read_body(response).await, "CallSid=CA1");
    let response = test::call_service(&app, request()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(test::read_body(response).await, "");
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}
