//! Keys from your own store, over real HTTP: a warp server on `127.0.0.1:0` whose routes
//! are built by a `Verifier` with a key resolver, a resolver that reads a key file from
//! disk on every cache miss, and raw HTTP/1.1 requests. Every route counts its handler's
//! runs, and a sibling route behind each path counts what falls through to it, so a
//! refused request proves that no handler ran.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Deserialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use twilio_auth_core::http_auth::HttpAuthConfig;
use twilio_auth_core::policy::HttpAuth;
use twilio_auth_core::{Config, KeyLookup, ResolvedKey, RoutePolicy, Signer, form};
use twilio_auth_warp::resolver::{CachedResolver, KeyResolver, ResolveFuture};
use twilio_auth_warp::{Reported, VerifiedRequest, Verifier, seal};
use warp::Filter;
use warp::reply::{Reply, Response};

const PARENT_TOKEN: &str = "parent-token";
const USER: &str = "twilio";
const PASSWORD: &str = "s3cret-pass";

/// A key file, `AC…=token` a line, read from disk on every call; each call is recorded.
struct KeyFile {
    path: PathBuf,
    calls: Arc<Mutex<Vec<KeyLookup>>>,
}

impl KeyResolver for KeyFile {
    fn resolve<'a>(&'a self, lookup: &'a KeyLookup) -> ResolveFuture<'a> {
        self.calls.lock().unwrap().push(lookup.clone());
        Box::pin(async move {
            let text = std::fs::read_to_string(&self.path)?;
            Ok(match lookup {
                KeyLookup::Account(sid) => text
                    .lines()
                    .filter_map(|line| line.trim().split_once('='))
                    .find(|(name, _)| name == sid)
                    .map(|(_, token)| ResolvedKey::account(sid, token)),
                _ => None,
            })
        })
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

impl Log {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

/// This thread's log, until the guard drops. Every test of this file takes one: tracing
/// caches whether a log line is wanted across threads, and a thread without a subscriber
/// could leave a line unwanted for another's.
fn capture_log() -> (Log, tracing::subscriber::DefaultGuard) {
    let log = Log::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    tracing::callsite::rebuild_interest_cache();
    (log, guard)
}

#[derive(Deserialize)]
struct Message {
    #[serde(rename = "AccountSid")]
    account_sid: String,
}

/// Handler runs, by route; `fallback` counts requests that reached a sibling route.
#[derive(Default)]
struct Runs {
    sms: AtomicUsize,
    basic: AtomicUsize,
    report: AtomicUsize,
    fallback: AtomicUsize,
}

impl Runs {
    fn total(&self) -> usize {
        [&self.sms, &self.basic, &self.report, &self.fallback]
            .iter()
            .map(|n| n.load(Ordering::SeqCst))
            .sum()
    }
}

struct Server {
    addr: SocketAddr,
    runs: Arc<Runs>,
}

/// Counts a run of a handler and answers `what`.
fn ran(counter: &AtomicUsize, what: String) -> Response {
    counter.fetch_add(1, Ordering::SeqCst);
    what.into_response()
}

impl Server {
    async fn start(resolver: impl KeyResolver) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let http_auth = HttpAuthConfig::builder("twilio")
            .credential(USER, PASSWORD)
            .build()
            .unwrap();
        let config = Config::builder()
            .auth_token(PARENT_TOKEN)
            .public_base_url(format!("http://{addr}"))
            .http_auth(http_auth)
            .build()
            .unwrap();
        let runs = Arc::new(Runs::default());
        let verifier = Verifier::new(config).key_resolver(resolver);
        let basic = verifier
            .clone()
            .policy(RoutePolicy::HttpAuthThenSignature(HttpAuth::Basic));

        let r = runs.clone();
        let sms = seal(
            warp::post()
                .and(warp::path!("sms"))
                .and(verifier.form())
                .map(move |message: Message| ran(&r.sms, message.account_sid)),
        );
        let r = runs.clone();
        let basic = seal(
            warp::post()
                .and(warp::path!("basic" / "sms"))
                .and(basic.request())
                .map(move |request: VerifiedRequest| {
                    ran(
                        &r.basic,
                        request.verified().user.clone().unwrap_or_default(),
                    )
                }),
        );
        let r = runs.clone();
        let report = seal(
            warp::post()
                .and(warp::path!("report"))
                .and(verifier.report_only())
                .map(move |request: Reported| {
                    ran(&r.report, format!("verified: {}", request.is_verified()))
                }),
        );
        let r = runs.clone();
        let fallback = warp::any().map(move || ran(&r.fallback, "fallback".into()));
        let routes = sms
            .or(basic)
            .unify()
            .or(report)
            .unify()
            .or(fallback)
            .unify();
        tokio::spawn(warp::serve(routes).incoming(listener).run());
        Server { addr, runs }
    }

    /// POSTs a message from `account` to `path`, signed with `token`, with `authorization`
    /// when given: the status and body.
    async fn post(
        &self,
        path: &str,
        account: &str,
        token: &str,
        authorization: Option<&str>,
    ) -> (u16, String) {
        let url = format!("http://{}{path}", self.addr);
        let params = [("AccountSid", account), ("Body", "hello")];
        let signature = Signer::new(token).sign_form(&url, &params);
        let body = form::encode(&params);
        let mut head = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
             X-Twilio-Signature: {signature}\r\n",
            self.addr,
            body.len()
        );
        if let Some(authorization) = authorization {
            head.push_str(&format!("Authorization: {authorization}\r\n"));
        }
        head.push_str("\r\n");
        let mut stream = tokio::net::TcpStream::connect(self.addr).await.unwrap();
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(body.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut raw))
            .await
            .expect("an answer within 10 s")
            .unwrap();
        let raw = String::from_utf8_lossy(&raw);
        let status = raw[9..12].parse().unwrap();
        let body = raw.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_owned();
        (status, body)
    }

    async fn sms(&self, account: &str, token: &str) -> (u16, String) {
        self.post("/sms", account, token, None).await
    }
}

/// `USER:PASSWORD`, base64-encoded.
const LOGIN: &str = "Basic dHdpbGlvOnMzY3JldC1wYXNz";

// One thread: the server's tasks log to this test's subscriber.
#[tokio::test(flavor = "current_thread")]
async fn sub_account_keys_come_from_the_store_through_the_cache_and_a_failing_store_is_503() {
    let (log, _guard) = capture_log();
    let path =
        std::env::temp_dir().join(format!("twilio-auth-warp-keys-{}.txt", std::process::id()));
    std::fs::write(&path, "AC1111=token-of-1111\nAC2222=token-of-2222\n").unwrap();
    let calls = Arc::new(Mutex::new(Vec::new()));
    let store = KeyFile {
        path: path.clone(),
        calls: calls.clone(),
    };
    let server = Server::start(CachedResolver::new(store)).await;
    let runs = &server.runs;
    let calls_for = |sid: &str| {
        let lookup = KeyLookup::Account(sid.to_owned());
        calls
            .lock()
            .unwrap()
            .iter()
            .filter(|l| **l == lookup)
            .count()
    };
    let asked = || calls.lock().unwrap().len();

    // A sub-account the configuration does not hold, signed with its own token: verified.
    assert_eq!(
        server.sms("AC1111", "token-of-1111").await,
        (200, "AC1111".into())
    );
    assert_eq!(runs.sms.load(Ordering::SeqCst), 1);
    // Signed with another account's token (or the parent's): refused on the route, no
    // handler ran (the fallback neither).
    assert_eq!(server.sms("AC1111", "token-of-2222").await.0, 403);
    assert_eq!(server.sms("AC1111", PARENT_TOKEN).await.0, 403);
    assert_eq!(runs.total(), 1);
    // Cached: three requests for AC1111, one read of the file.
    assert_eq!(calls_for("AC1111"), 1);
    // An account the store does not know: refused, and remembered (negative cache).
    for _ in 0..3 {
        assert_eq!(server.sms("AC9999", "guessed-token").await.0, 403);
    }
    assert_eq!(calls_for("AC9999"), 1);
    assert_eq!(runs.total(), 1);
    // The parent account, unknown to the store, verifies with the configured token (the
    // store's "unknown" is remembered too).
    assert_eq!(server.sms("ACparent", PARENT_TOKEN).await.0, 200);
    assert_eq!(server.sms("ACparent", PARENT_TOKEN).await.0, 200);
    assert_eq!(calls_for("ACparent"), 1);
    assert_eq!(runs.sms.load(Ordering::SeqCst), 3);

    // HTTP Basic route: without credentials, 401 with a challenge, and the store is not
    // asked; with them, the store is asked and the sub-account verifies.
    let before = asked();
    let (status, _) = server
        .post("/basic/sms", "AC2222", "token-of-2222", None)
        .await;
    assert_eq!(status, 401);
    let wrong = Some("Basic dHdpbGlvOm5vcGU="); // twilio:nope
    let (status, _) = server
        .post("/basic/sms", "AC2222", "token-of-2222", wrong)
        .await;
    assert_eq!(status, 401);
    assert_eq!(asked(), before);
    assert_eq!(runs.total(), 3);
    assert_eq!(
        server
            .post("/basic/sms", "AC2222", "token-of-2222", Some(LOGIN))
            .await,
        (200, USER.into())
    );
    assert_eq!(calls_for("AC2222"), 1);

    // The store fails (its file is gone): a new account is answered 503 on the route, fail
    // closed — no handler, no fallback; a cached one still verifies.
    std::fs::remove_file(&path).unwrap();
    let handled = runs.total();
    let (status, body) = server.sms("AC3333", "token-of-3333").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body, "Service Unavailable: webhook key store unavailable\n");
    assert_eq!(runs.total(), handled);
    assert_eq!(calls_for("AC3333"), 1);
    // Logged as an error naming the key asked for and the store's error, no secret.
    let text = log.text();
    let line = text
        .lines()
        .find(|line| line.contains("key resolver failed"))
        .unwrap_or_else(|| panic!("no error line in {text}"));
    assert!(line.contains("ERROR"), "{line}");
    assert!(line.contains("account AC3333"), "{line}");
    assert!(line.contains("No such file"), "{line}");
    for secret in ["token-of-", PARENT_TOKEN, PASSWORD] {
        assert!(!text.contains(secret), "{text}");
    }
    // Errors are not cached: the store is asked again, and still fails.
    assert_eq!(server.sms("AC3333", "token-of-3333").await.0, 503);
    assert_eq!(calls_for("AC3333"), 2);
    // A report-only route fails closed too: a store error is not a signature to report.
    let (status, _) = server
        .post("/report", "AC4444", "token-of-4444", None)
        .await;
    assert_eq!(status, 503);
    assert_eq!(runs.total(), handled);
    assert_eq!(
        server.sms("AC1111", "token-of-1111").await,
        (200, "AC1111".into())
    );
    // On the report-only route a cached sub-account verifies as well.
    assert_eq!(
        server
            .post("/report", "AC1111", "token-of-1111", None)
            .await,
        (200, "verified: true".into())
    );
    assert_eq!(runs.report.load(Ordering::SeqCst), 1);
    assert_eq!(runs.fallback.load(Ordering::SeqCst), 0);
}

/// A `Verifier` route under the replay guard: verified with the store's key, processed
/// once; a store error is a 503 before the guard and the handler.
#[cfg(feature = "replay")]
#[tokio::test(flavor = "current_thread")]
async fn protect_takes_a_verifier_route() {
    use twilio_auth_replay::ReplayGuard;

    let (log, _guard) = capture_log();
    let path = std::env::temp_dir().join(format!(
        "twilio-auth-warp-keys-replay-{}.txt",
        std::process::id()
    ));
    std::fs::write(&path, "AC1111=token-of-1111\n").unwrap();
    let calls = Arc::new(Mutex::new(Vec::new()));
    let store = KeyFile {
        path: path.clone(),
        calls: calls.clone(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = Config::builder()
        .auth_token(PARENT_TOKEN)
        .public_base_url(format!("http://{addr}"))
        .build()
        .unwrap();
    let verifier = Verifier::new(config).key_resolver(CachedResolver::new(store));
    let runs = Arc::new(Runs::default());
    let r = runs.clone();
    let sms = twilio_auth_warp::protect(
        ReplayGuard::memory(),
        warp::post().and(warp::path!("sms")).and(verifier.request()),
        move |request: VerifiedRequest| {
            let r = r.clone();
            async move { ran(&r.sms, format!("{} bytes", request.body().len())) }
        },
    );
    let r = runs.clone();
    let fallback = warp::any().map(move || ran(&r.fallback, "fallback".into()));
    tokio::spawn(
        warp::serve(sms.or(fallback).unify())
            .incoming(listener)
            .run(),
    );
    let server = Server {
        addr,
        runs: runs.clone(),
    };

    let (status, body) = server.sms("AC1111", "token-of-1111").await;
    assert_eq!((status, body.ends_with(" bytes")), (200, true), "{body}");
    // The same signed request again: the guard's duplicate answer, the handler not run.
    assert_eq!(
        server.sms("AC1111", "token-of-1111").await,
        (200, String::new())
    );
    assert_eq!(runs.sms.load(Ordering::SeqCst), 1);
    assert_eq!(calls.lock().unwrap().len(), 1);

    std::fs::remove_file(&path).unwrap();
    assert_eq!(server.sms("AC2222", "token-of-2222").await.0, 503);
    assert_eq!(runs.total(), 1);
    assert!(
        log.text()
            .contains("key resolver failed for account AC2222")
    );
}
