//! `TwilioAuthLayer::key_resolver` as a plain tower service: the log line of a failing
//! store (it names the key asked for, never a secret) and a request that needs no lookup.

use std::convert::Infallible;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use tower::{ServiceBuilder, ServiceExt, service_fn};
use twilio_auth_core::{Config, KeyLookup, Signer, form};
use twilio_auth_tower::{KeyResolver, ResolveFuture, TwilioAuthLayer};

const URL: &str = "https://example.com/sms";

/// A store that is down; its error text is what a real client's might be.
struct Down(AtomicUsize);

impl KeyResolver for Down {
    fn resolve<'a>(&'a self, _: &'a KeyLookup) -> ResolveFuture<'a> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Box::pin(async { Err("connection refused (vault.internal:8200)".into()) })
    }
}

/// The log, as text.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn signed(account: &str, token: &str) -> Request<Full<Bytes>> {
    let params = [("AccountSid", account), ("Body", "hi")];
    let signature = Signer::new(token).sign_form(URL, &params);
    Request::post(URL)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("X-Twilio-Signature", signature)
        .body(Full::new(Bytes::from(form::encode(&params))))
        .unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn a_store_error_is_a_503_and_an_error_line_without_secrets() {
    let log = Log::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let config = Config::builder()
        .auth_token("parent-secret-token")
        .public_base_url("https://example.com")
        .build()
        .unwrap();
    let store = Arc::new(Down(AtomicUsize::new(0)));
    let handled = Arc::new(AtomicUsize::new(0));
    let counter = handled.clone();
    let service = ServiceBuilder::new()
        .layer(TwilioAuthLayer::new(config).key_resolver(store.clone()))
        .service(service_fn(move |_req: Request<Full<Bytes>>| {
            counter.fetch_add(1, Ordering::SeqCst);
            async { Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"ok")))) }
        }));

    let response = service
        .clone()
        .oneshot(signed("AC0001", "sub-secret-token"))
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(
        &body[..],
        b"Service Unavailable: webhook key store unavailable\n"
    );
    assert_eq!(handled.load(Ordering::SeqCst), 0);
    assert_eq!(store.0.load(Ordering::SeqCst), 1);

    // No `AccountSid`: the store is not asked, the parent token verifies it.
    let response = service
        .oneshot(signed("", "parent-secret-token"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(store.0.load(Ordering::SeqCst), 1);
    assert_eq!(handled.load(Ordering::SeqCst), 1);

    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    let line = text
        .lines()
        .find(|line| line.contains("key resolver failed"))
        .unwrap_or_else(|| panic!("no error line in {text}"));
    assert!(line.contains("ERROR"), "{line}");
    assert!(line.contains("account AC0001"), "{line}");
    assert!(line.contains("connection refused"), "{line}");
    assert!(!text.contains("secret-token"), "{text}");
}

/// Knows one sub-account.
struct OneAccount;

impl KeyResolver for OneAccount {
    fn resolve<'a>(&'a self, lookup: &'a KeyLookup) -> ResolveFuture<'a> {
        Box::pin(async move {
            Ok(match lookup {
                KeyLookup::Account(sid) if sid == "AC0001" => {
                    Some(twilio_auth_core::ResolvedKey::account(sid, "sub-token"))
                }
                _ => None,
            })
        })
    }
}

#[tokio::test(flavor = "current_thread")]
async fn every_key_from_the_store() {
    let config = Config::builder()
        .keys_from_store(true)
        .public_base_url("https://example.com")
        .build()
        .unwrap();
    assert!(config.summary().to_string().contains("keys from a store"));
    let service = ServiceBuilder::new()
        .layer(TwilioAuthLayer::new(config).key_resolver(OneAccount))
        .service(service_fn(|_req: Request<Full<Bytes>>| async {
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"ok"))))
        }));
    let status = |req| {
        let service = service.clone();
        async move { service.oneshot(req).await.unwrap().status() }
    };
    assert_eq!(status(signed("AC0001", "sub-token")).await, 200);
    assert_eq!(status(signed("AC0001", "other-token")).await, 403);
    assert_eq!(status(signed("AC0002", "sub-token")).await, 403);
    assert_eq!(status(signed("", "sub-token")).await, 403);
}

/// Knows `AC0001`; counts its calls.
#[derive(Default)]
struct Counted(AtomicUsize);

impl KeyResolver for Counted {
    fn resolve<'a>(&'a self, lookup: &'a KeyLookup) -> ResolveFuture<'a> {
        self.0.fetch_add(1, Ordering::SeqCst);
        OneAccount.resolve(lookup)
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_store_is_asked_only_after_http_authentication() {
    let http_auth = twilio_auth_core::http_auth::HttpAuthConfig::builder("twilio")
        .credential("twilio", "s3cret-pass")
        .build()
        .unwrap();
    let config = Config::builder()
        .auth_token("parent-token")
        .public_base_url("https://example.com")
        .http_auth(http_auth)
        .build()
        .unwrap();
    let store = Arc::new(Counted::default());
    let service = ServiceBuilder::new()
        .layer(
            TwilioAuthLayer::new(config)
                .http_auth(twilio_auth_tower::policy::HttpAuth::Basic)
                .key_resolver(store.clone()),
        )
        .service(service_fn(|_req: Request<Full<Bytes>>| async {
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"ok"))))
        }));

    let anonymous = service
        .clone()
        .oneshot(signed("AC0001", "sub-token"))
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(store.0.load(Ordering::SeqCst), 0);

    let mut logged_in = signed("AC0001", "sub-token");
    logged_in.headers_mut().insert(
        "authorization",
        "Basic dHdpbGlvOnMzY3JldC1wYXNz".parse().unwrap(), // twilio:s3cret-pass
    );
    assert_eq!(service.oneshot(logged_in).await.unwrap().status(), 200);
    assert_eq!(store.0.load(Ordering::SeqCst), 1);
}
