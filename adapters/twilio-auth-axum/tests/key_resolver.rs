//! Keys from your own store, over real HTTP: an `axum::serve` on `127.0.0.1:0` behind
//! `TwilioAuthLayer::key_resolver`, a resolver that reads a key file with `tokio::fs` on
//! every cache miss, and a real client.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use twilio_auth_axum::{CachedResolver, KeyResolver, ResolveFuture, TwilioAuthLayer};
use twilio_auth_core::{Algorithm, Config, KeyLookup, ResolvedKey, Signer, form};

const PARENT_TOKEN: &str = "parent-token";
const FORM: &str = "application/x-www-form-urlencoded";

/// A key file, one entry a line: `AC…=token` for a sub-account, `KS…:HMAC_SHA256=secret`
/// for a SharedKey. Read from disk on every call (the cache is what saves the reads), and
/// every call is recorded.
struct KeyFile {
    path: PathBuf,
    calls: Mutex<Vec<KeyLookup>>,
}

impl KeyFile {
    fn calls_for(&self, lookup: &KeyLookup) -> usize {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|l| *l == lookup)
            .count()
    }
}

impl KeyResolver for KeyFile {
    fn resolve<'a>(&'a self, lookup: &'a KeyLookup) -> ResolveFuture<'a> {
        self.calls.lock().unwrap().push(lookup.clone());
        Box::pin(async move {
            let text = tokio::fs::read_to_string(&self.path).await?;
            for line in text.lines() {
                let Some((name, secret)) = line.trim().split_once('=') else {
                    continue;
                };
                match (lookup, name.split_once(':')) {
                    (KeyLookup::Account(sid), None) if name == sid => {
                        return Ok(Some(ResolvedKey::account(sid, secret)));
                    }
                    (KeyLookup::SharedKey(id), Some((key, algorithm))) if key == id => {
                        let algorithm = Algorithm::from_name(algorithm)
                            .ok_or("unknown algorithm in the key file")?;
                        return Ok(Some(ResolvedKey::shared_key(id, secret, algorithm)));
                    }
                    _ => {}
                }
            }
            Ok(None)
        })
    }
}

/// A temporary key file, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, contents: &str) -> TempFile {
        let path = std::env::temp_dir().join(format!(
            "twilio-auth-keys-{}-{name}.txt",
            std::process::id()
        ));
        std::fs::write(&path, contents).unwrap();
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

struct Server {
    base: String,
    client: reqwest::Client,
    handled: Arc<AtomicUsize>,
}

impl Server {
    async fn start(resolver: impl KeyResolver) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let config = Config::builder()
            .auth_token(PARENT_TOKEN)
            .public_base_url(&base)
            .build()
            .unwrap();
        let handled = Arc::new(AtomicUsize::new(0));
        let counter = handled.clone();
        let app = Router::new()
            .route(
                "/sms",
                post(move || {
                    counter.fetch_add(1, Ordering::SeqCst);
                    async { "<Response/>" }
                }),
            )
            .layer(TwilioAuthLayer::new(config).key_resolver(resolver));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Server {
            base,
            client: reqwest::Client::new(),
            handled,
        }
    }

    /// POSTs a form from `account`, signed with `token` (or a SharedKey `(id, secret)`).
    async fn post(
        &self,
        account: &str,
        token: &str,
        shared_key: Option<(&str, Algorithm)>,
    ) -> (StatusCode, String) {
        let url = format!("{}/sms", self.base);
        let params = [("AccountSid", account), ("Body", "hello")];
        let (signature, settings) = match shared_key {
            Some((id, algorithm)) => (
                Signer::with_algorithm(token, algorithm).sign_form(&url, &params),
                Some(format!("key={id},algorithm={}", algorithm.name())),
            ),
            None => (Signer::new(token).sign_form(&url, &params), None),
        };
        let mut request = self
            .client
            .post(&url)
            .header("Content-Type", FORM)
            .header("X-Twilio-Signature", signature)
            .body(form::encode(&params));
        if let Some(settings) = settings {
            request = request.header("X-Twilio-Webhooks-Signature-Settings", settings);
        }
        let response = request.send().await.unwrap();
        (response.status(), response.text().await.unwrap())
    }

    fn handled(&self) -> usize {
        self.handled.load(Ordering::SeqCst)
    }
}

fn account(sid: &str) -> KeyLookup {
    KeyLookup::Account(sid.into())
}

#[tokio::test]
async fn sub_accounts_from_a_key_file_with_a_cache() {
    let file = TempFile::new(
        "cache",
        "AC0001=token-one\nAC0002=token-two\nKS01:HMAC_SHA256=shared-secret\n",
    );
    let store = Arc::new(KeyFile {
        path: file.0.clone(),
        calls: Mutex::default(),
    });
    let resolver = CachedResolver::new(store.clone())
        .ttl(Duration::from_secs(60))
        .negative_ttl(Duration::from_millis(600));
    let server = Server::start(resolver).await;

    // A known sub-account, signed with its own token: accepted.
    assert_eq!(
        server.post("AC0001", "token-one", None).await.0,
        StatusCode::OK
    );
    // Signed with another account's token: refused.
    assert_eq!(
        server.post("AC0001", "token-two", None).await.0,
        StatusCode::FORBIDDEN
    );
    // The parent account (its sid is in no store) keeps its configured token.
    assert_eq!(
        server.post("AC9999", PARENT_TOKEN, None).await.0,
        StatusCode::OK
    );
    // A SharedKey from the file, with its algorithm; not with another.
    let sha256 = Some(("KS01", Algorithm::HmacSha256));
    assert_eq!(
        server.post("AC0001", "shared-secret", sha256).await.0,
        StatusCode::OK
    );
    let sha1 = Some(("KS01", Algorithm::HmacSha1));
    assert_eq!(
        server.post("AC0001", "shared-secret", sha1).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(server.handled(), 3);

    // The file goes away: cached keys still work within their TTL, without a read.
    std::fs::remove_file(&file.0).unwrap();
    for _ in 0..3 {
        assert_eq!(
            server.post("AC0001", "token-one", None).await.0,
            StatusCode::OK
        );
    }
    assert_eq!(store.calls_for(&account("AC0001")), 1);
    assert_eq!(store.calls_for(&KeyLookup::SharedKey("KS01".into())), 1);
    // A key not cached needs the file: the store fails, the request is refused with 503.
    let (status, body) = server.post("AC0002", "token-two", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(!body.contains("token"), "{body}");
    assert_eq!(server.handled(), 6);
}

#[tokio::test]
async fn unknown_accounts_are_cached_for_the_negative_ttl() {
    let file = TempFile::new("negative", "AC0001=token-one\n");
    let store = Arc::new(KeyFile {
        path: file.0.clone(),
        calls: Mutex::default(),
    });
    let resolver = CachedResolver::new(store.clone()).negative_ttl(Duration::from_secs(2));
    let server = Server::start(resolver).await;

    for _ in 0..5 {
        let (status, _) = server.post("AC0404", "a-guessed-token", None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    assert_eq!(store.calls_for(&account("AC0404")), 1);
    assert_eq!(server.handled(), 0);

    // The account is added to the store: found once the negative entry has expired.
    std::fs::write(&file.0, "AC0001=token-one\nAC0404=token-new\n").unwrap();
    assert_eq!(
        server.post("AC0404", "token-new", None).await.0,
        StatusCode::FORBIDDEN
    );
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        server.post("AC0404", "token-new", None).await.0,
        StatusCode::OK
    );
    assert_eq!(store.calls_for(&account("AC0404")), 2);
    assert_eq!(server.handled(), 1);
}

#[tokio::test]
async fn a_failing_store_answers_503_and_the_handler_never_runs() {
    let store = Arc::new(KeyFile {
        path: std::env::temp_dir().join("twilio-auth-keys-no-such-file.txt"),
        calls: Mutex::default(),
    });
    let server = Server::start(CachedResolver::new(store.clone())).await;
    for _ in 0..2 {
        let (status, body) = server.post("AC0001", "token-one", None).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body, "Service Unavailable: webhook key store unavailable\n");
    }
    // Errors are not cached: the store is asked again.
    assert_eq!(store.calls_for(&account("AC0001")), 2);
    // A request that names no unknown key never asks the store.
    assert_eq!(server.post("", PARENT_TOKEN, None).await.0, StatusCode::OK);
    assert_eq!(store.calls.lock().unwrap().len(), 2);
    assert_eq!(server.handled(), 1);
}
