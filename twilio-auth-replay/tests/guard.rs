//! The guard and the in-memory store: states, release on failure, Digest nonce counts,
//! freshness, fail-closed and fail-open, and bounded memory under a million keys.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use twilio_auth_core::http_auth::{
    Credentials, DigestAlgorithm, DigestResponseInput, HttpAuthConfig, digest_response,
    parse_authorization,
};
use twilio_auth_core::policy::HttpAuth;
use twilio_auth_core::{Config, RoutePolicy, Signer, Verified, WebhookRequest};
use twilio_auth_replay::{
    Admission, Begin, MemoryStore, RefusalReason, ReplayGuard, ReplayKey, ReplayStore,
    RequestFacts, StoreError, StoreFuture, StoreKey,
};

const TOKEN: &str = "12345";
const FORM: &str = "application/x-www-form-urlencoded";

struct Signed {
    signature: String,
    body: Vec<u8>,
    verified: Verified,
}

fn signed(url: &str, params: &[(&str, &str)]) -> Signed {
    let config = Config::builder().auth_token(TOKEN).build().unwrap();
    let signature = Signer::new(TOKEN).sign_form(url, params);
    let body = twilio_auth_core::form::encode(params).into_bytes();
    let headers = [
        ("X-Twilio-Signature", signature.as_str()),
        ("Content-Type", FORM),
    ];
    let request = WebhookRequest::from_url("POST", url)
        .headers(&headers)
        .body(&body);
    let verified = config.verify(&request).unwrap();
    Signed {
        signature,
        body,
        verified,
    }
}

impl Signed {
    fn facts(&self) -> RequestFacts<'_> {
        RequestFacts {
            method: "POST",
            signature: Some(&self.signature),
            query: None,
            content_type: Some(FORM),
            body: &self.body,
            verified: &self.verified,
            idempotency_token: None,
        }
    }
}

fn call() -> Signed {
    signed(
        "https://example.com/voice",
        &[("CallSid", "CA1"), ("From", "+14155550100")],
    )
}

async fn admit(guard: &ReplayGuard, s: &Signed) -> Admission {
    guard.admit(&s.facts()).await
}

fn refused(admission: Admission) -> (RefusalReason, u16, &'static str) {
    match admission {
        Admission::Refuse(r) => (r.reason, r.status, r.body),
        Admission::Proceed(_) => panic!("expected a refusal"),
    }
}

#[tokio::test]
async fn fresh_then_done_then_duplicate_is_200_empty() {
    let guard = ReplayGuard::memory();
    let request = call();
    let Admission::Proceed(ticket) = admit(&guard, &request).await else {
        panic!("first delivery refused")
    };
    // While the handler runs: in flight.
    assert_eq!(
        refused(admit(&guard, &request).await),
        (
            RefusalReason::InFlight,
            409,
            "Request already in progress\n"
        )
    );
    ticket.finish(200).await;
    assert_eq!(
        refused(admit(&guard, &request).await),
        (RefusalReason::Duplicate, 200, "")
    );
    // Another request is not affected.
    let other = signed("https://example.com/voice", &[("CallSid", "CA2")]);
    assert!(matches!(admit(&guard, &other).await, Admission::Proceed(_)));
}

#[tokio::test]
async fn a_failed_handler_releases_the_key_for_the_retry() {
    let guard = ReplayGuard::memory();
    let request = call();
    let Admission::Proceed(ticket) = admit(&guard, &request).await else {
        panic!()
    };
    ticket.finish(500).await;
    let Admission::Proceed(ticket) = admit(&guard, &request).await else {
        panic!("the retry after a 500 was refused")
    };
    ticket.finish(204).await;
    assert_eq!(
        refused(admit(&guard, &request).await).0,
        RefusalReason::Duplicate
    );
}

#[tokio::test]
async fn a_dropped_ticket_releases_the_key() {
    let guard = ReplayGuard::memory();
    let request = call();
    let Admission::Proceed(ticket) = admit(&guard, &request).await else {
        panic!()
    };
    drop(ticket);
    // The release runs on the runtime.
    for _ in 0..100 {
        if let Admission::Proceed(t) = admit(&guard, &request).await {
            t.finish(200).await;
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the key was never released");
}

#[tokio::test]
async fn an_accepted_websocket_handshake_counts_as_done() {
    let guard = ReplayGuard::memory();
    let request = call();
    let Admission::Proceed(ticket) = admit(&guard, &request).await else {
        panic!()
    };
    ticket.finish(101).await;
    assert_eq!(
        refused(admit(&guard, &request).await).0,
        RefusalReason::Duplicate
    );
}

#[tokio::test]
async fn the_lease_expires() {
    let guard = ReplayGuard::memory().lease(Duration::from_millis(100));
    let request = call();
    let Admission::Proceed(_ticket) = admit(&guard, &request).await else {
        panic!()
    };
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert!(matches!(
        admit(&guard, &request).await,
        Admission::Proceed(_)
    ));
}

#[tokio::test]
async fn configurable_duplicate_status() {
    let guard = ReplayGuard::memory().duplicate_status(409);
    let request = call();
    let Admission::Proceed(t) = admit(&guard, &request).await else {
        panic!()
    };
    t.finish(200).await;
    assert_eq!(
        refused(admit(&guard, &request).await),
        (RefusalReason::Duplicate, 409, "Duplicate request\n")
    );
}

#[tokio::test]
async fn the_key_is_what_the_signature_proves() {
    let guard = ReplayGuard::memory();
    let a = call();
    let key = guard.key_of(&a.facts()).unwrap();
    // Same signed request, parameters reordered in the body: same key.
    let mut reordered = call();
    reordered.body = b"From=%2B14155550100&CallSid=CA1".to_vec();
    assert_eq!(guard.key_of(&reordered.facts()), Some(key));
    // Another method: another key.
    let mut get = a.facts();
    get.method = "GET";
    assert_ne!(guard.key_of(&get), Some(key));
    // The unsigned idempotency token plays no part.
    let mut with_token = a.facts();
    with_token.idempotency_token = Some("anything");
    assert_eq!(guard.key_of(&with_token), Some(key));
    // No signature (HTTP authentication only): no key.
    let mut unsigned = a.facts();
    unsigned.signature = None;
    assert_eq!(guard.key_of(&unsigned), None);
}

#[tokio::test]
async fn content_keys() {
    let guard = ReplayGuard::memory().key(ReplayKey::CallProgress);
    let url = "https://example.com/status";
    let ringing = signed(
        url,
        &[
            ("CallSid", "CA1"),
            ("CallStatus", "ringing"),
            ("SequenceNumber", "0"),
        ],
    );
    let ringing_again = signed(
        url,
        &[
            ("CallSid", "CA1"),
            ("CallStatus", "ringing"),
            ("SequenceNumber", "0"),
            ("Extra", "x"),
        ],
    );
    let answered = signed(
        url,
        &[
            ("CallSid", "CA1"),
            ("CallStatus", "in-progress"),
            ("SequenceNumber", "1"),
        ],
    );
    let k1 = guard.key_of(&ringing.facts()).unwrap();
    assert_eq!(guard.key_of(&ringing_again.facts()), Some(k1));
    assert_ne!(guard.key_of(&answered.facts()), Some(k1));
    // Without the fields: the signature key.
    let plain = call();
    assert_eq!(
        guard.key_of(&plain.facts()),
        ReplayGuard::memory().key_of(&plain.facts())
    );

    let messages = ReplayGuard::memory().key(ReplayKey::MessageStatus);
    let m1 = signed(url, &[("MessageSid", "SM1"), ("MessageStatus", "sent")]);
    let m2 = signed(
        url,
        &[("MessageSid", "SM1"), ("MessageStatus", "delivered")],
    );
    assert_ne!(messages.key_of(&m1.facts()), messages.key_of(&m2.facts()));
    assert_ne!(messages.key_of(&m1.facts()), guard.key_of(&m1.facts()));
}

#[tokio::test]
async fn json_id_key_and_cloudevent_freshness() {
    let config = Config::builder().auth_token(TOKEN).build().unwrap();
    let event = |id: &str, time: &str| {
        serde_json::to_vec(&serde_json::json!({"id": id, "time": time, "type": "x"})).unwrap()
    };
    let verify = |body: &[u8]| {
        let signed = Signer::new(TOKEN).sign_body("https://example.com/events", body);
        let url = signed.url.clone();
        let signature = signed.signature.clone();
        let headers = [
            ("X-Twilio-Signature", signature.as_str()),
            ("Content-Type", "application/json"),
        ];
        let request = WebhookRequest::from_url("POST", &url)
            .headers(&headers)
            .body(body);
        (config.verify(&request).unwrap(), signature, url)
    };
    let guard = ReplayGuard::memory()
        .key(ReplayKey::JsonId)
        .max_age(Duration::from_secs(300));
    let now = "2099-01-01T00:00:00Z";
    let old = "2020-01-01T00:00:00Z";
    for (body, fresh) in [(event("EV1", now), true), (event("EV2", old), false)] {
        let (verified, signature, url) = verify(&body);
        let query = url.split_once('?').map(|(_, q)| q.to_owned());
        let facts = RequestFacts {
            method: "POST",
            signature: Some(&signature),
            query: query.as_deref(),
            content_type: Some("application/json"),
            body: &body,
            verified: &verified,
            idempotency_token: None,
        };
        match guard.admit(&facts).await {
            Admission::Proceed(t) => {
                assert!(fresh);
                t.finish(200).await;
                assert_eq!(
                    refused(guard.admit(&facts).await).0,
                    RefusalReason::Duplicate
                );
            }
            Admission::Refuse(r) => {
                assert!(!fresh);
                assert_eq!((r.reason, r.status), (RefusalReason::Stale, 403));
            }
        }
    }
}

#[tokio::test]
async fn form_timestamp_freshness() {
    let guard = ReplayGuard::memory().max_age(Duration::from_secs(600));
    let old = signed(
        "https://example.com/status",
        &[
            ("CallSid", "CA1"),
            ("Timestamp", "Tue, 02 Dec 2025 03:10:27 +0000"),
        ],
    );
    assert_eq!(refused(admit(&guard, &old).await).1, 403);
    let garbled = signed(
        "https://example.com/status",
        &[("CallSid", "CA1"), ("Timestamp", "not a date")],
    );
    assert_eq!(refused(admit(&guard, &garbled).await).1, 403);
    let future = signed(
        "https://example.com/status",
        &[
            ("CallSid", "CA1"),
            ("Timestamp", "Fri, 01 Jan 2100 00:00:00 +0000"),
        ],
    );
    assert!(matches!(
        admit(&guard, &future).await,
        Admission::Proceed(_)
    ));
    // Without a timestamp: not judged.
    assert!(matches!(
        admit(&guard, &call()).await,
        Admission::Proceed(_)
    ));
}

/// A store that never answers, or fails, and counts calls.
struct Broken {
    hang: bool,
    calls: Arc<AtomicUsize>,
}

impl ReplayStore for Broken {
    fn begin<'a>(&'a self, _: &'a StoreKey, _: u64, _: Duration) -> StoreFuture<'a, Begin> {
        self.fail()
    }
    fn complete<'a>(&'a self, _: &'a StoreKey, _: Duration) -> StoreFuture<'a, ()> {
        self.fail()
    }
    fn release<'a>(&'a self, _: &'a StoreKey, _: u64) -> StoreFuture<'a, ()> {
        self.fail()
    }
    fn claim<'a>(&'a self, _: &'a StoreKey, _: Duration) -> StoreFuture<'a, bool> {
        self.fail()
    }
}

impl Broken {
    fn fail<'a, T: Send + 'a>(&'a self) -> StoreFuture<'a, T> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let hang = self.hang;
        Box::pin(async move {
            if hang {
                std::future::pending::<()>().await;
            }
            Err(StoreError("connection refused".into()))
        })
    }
}

#[tokio::test]
async fn store_faults_fail_closed_by_default_and_open_on_request() {
    for hang in [false, true] {
        let calls = Arc::new(AtomicUsize::new(0));
        let guard = ReplayGuard::new(Broken {
            hang,
            calls: calls.clone(),
        })
        .store_timeout(Duration::from_millis(50));
        let started = std::time::Instant::now();
        assert_eq!(
            refused(admit(&guard, &call()).await),
            (
                RefusalReason::StoreUnavailable,
                503,
                "Service unavailable\n"
            )
        );
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        let open = ReplayGuard::new(Broken {
            hang,
            calls: calls.clone(),
        })
        .store_timeout(Duration::from_millis(50))
        .fail_open(true);
        let Admission::Proceed(ticket) = admit(&open, &call()).await else {
            panic!("fail_open refused")
        };
        ticket.finish(200).await;
    }
}

#[tokio::test]
async fn digest_nonce_counts_are_single_use() {
    let http_auth = HttpAuthConfig::builder("Twilio")
        .credential("twilio", "s3cret")
        .build()
        .unwrap();
    let config = Config::builder()
        .auth_token(TOKEN)
        .http_auth(http_auth.clone())
        .build()
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let challenge = http_auth
        .challenges(
            twilio_auth_core::http_auth::HttpAuthRequirement::Digest,
            now,
        )
        .remove(0);
    let Ok(Credentials::Digest(params)) = parse_authorization(&challenge) else {
        panic!()
    };
    let (nonce, opaque) = (params.get("nonce").unwrap(), params.get("opaque").unwrap());
    let authorization = |nc: &str| {
        let response = digest_response(
            DigestAlgorithm::Sha256,
            &DigestResponseInput {
                username: "twilio",
                realm: "Twilio",
                password: "s3cret",
                method: "POST",
                uri: "/voice",
                nonce,
                nc,
                cnonce: "abc",
                qop: "auth",
            },
        );
        format!(
            r#"Digest username="twilio", realm="Twilio", uri="/voice", algorithm=SHA-256, qop=auth, nc={nc}, cnonce="abc", nonce="{nonce}", opaque="{opaque}", response="{response}""#
        )
    };
    let guard = ReplayGuard::memory();
    let verify = |header: &str| {
        let headers = [("Authorization", header), ("Host", "example.com")];
        config
            .verify_with(
                &WebhookRequest::new("POST", "/voice").headers(&headers),
                RoutePolicy::HttpAuthOnly(HttpAuth::Digest),
            )
            .unwrap()
    };
    let first = verify(&authorization("00000001"));
    assert_eq!(first.nonce_use.as_ref().unwrap().nc, "00000001");
    let facts = |verified| RequestFacts {
        method: "POST",
        signature: None,
        query: None,
        content_type: None,
        body: b"",
        verified,
        idempotency_token: None,
    };
    assert!(matches!(
        guard.admit(&facts(&first)).await,
        Admission::Proceed(_)
    ));
    let replayed = verify(&authorization("00000001"));
    assert_eq!(
        refused(guard.admit(&facts(&replayed)).await),
        (RefusalReason::DigestReplayed, 401, "Unauthorized\n")
    );
    let next = verify(&authorization("00000002"));
    assert!(matches!(
        guard.admit(&facts(&next)).await,
        Admission::Proceed(_)
    ));
}

#[tokio::test]
async fn concurrent_duplicates_run_once() {
    let guard = ReplayGuard::memory();
    let request = Arc::new(call());
    let ran = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let (guard, request, ran) = (guard.clone(), request.clone(), ran.clone());
        tasks.push(tokio::spawn(async move {
            if let Admission::Proceed(t) = guard.admit(&request.facts()).await {
                ran.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(20)).await;
                t.finish(200).await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(ran.load(Ordering::SeqCst), 1);
}

#[test]
fn memory_store_stays_bounded_under_a_million_keys() {
    let capacity = 10_000;
    let store = MemoryStore::with_capacity(capacity);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    rt.block_on(async {
        for i in 0u64..1_000_000 {
            let mut key = [0u8; 32];
            key[..8].copy_from_slice(&i.to_le_bytes());
            let begun = store
                .begin(&StoreKey(key), i, Duration::from_secs(60))
                .await
                .unwrap();
            assert_eq!(begun, Begin::Fresh);
            if i % 100_000 == 0 {
                store.sync();
                assert!(store.len() <= capacity, "{} keys at {i}", store.len());
            }
        }
    });
    store.sync();
    assert!(store.len() <= capacity, "{} keys", store.len());
    assert!(!store.is_empty());
}

#[tokio::test]
async fn memory_store_transitions() {
    let store = MemoryStore::new();
    let key = StoreKey([7; 32]);
    let lease = Duration::from_secs(60);
    assert_eq!(store.begin(&key, 1, lease).await, Ok(Begin::Fresh));
    assert_eq!(store.begin(&key, 2, lease).await, Ok(Begin::InFlight));
    // Only the holder of the lease releases it.
    store.release(&key, 2).await.unwrap();
    assert_eq!(store.begin(&key, 3, lease).await, Ok(Begin::InFlight));
    store.release(&key, 1).await.unwrap();
    assert_eq!(store.begin(&key, 4, lease).await, Ok(Begin::Fresh));
    store
        .complete(&key, Duration::from_millis(100))
        .await
        .unwrap();
    assert_eq!(store.begin(&key, 5, lease).await, Ok(Begin::Done));
    store.release(&key, 4).await.unwrap();
    assert_eq!(store.begin(&key, 6, lease).await, Ok(Begin::Done));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(store.begin(&key, 7, lease).await, Ok(Begin::Fresh));

    let nonce = StoreKey([8; 32]);
    assert_eq!(store.claim(&nonce, lease).await, Ok(true));
    assert_eq!(store.claim(&nonce, lease).await, Ok(false));
}
