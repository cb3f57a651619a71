//! `protect`: the replay guard between verification and a warp handler, over real sockets
//! (a warp server on `127.0.0.1`, raw HTTP/1.1 requests), with the memory store. Every row
//! counts the handler's runs, so a refused request proves the handler never ran.
#![cfg(feature = "replay")]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use twilio_auth_core::http_auth::{
    Credentials, DigestAlgorithm, DigestResponseInput, HttpAuthConfig, digest_response,
    parse_authorization,
};
use twilio_auth_core::policy::HttpAuth;
use twilio_auth_core::{Config, RoutePolicy, Signer, form};
use twilio_auth_replay::{Begin, ReplayGuard, ReplayStore, StoreError, StoreFuture, StoreKey};
use twilio_auth_warp::{Reported, VerifiedRequest, protect};
use warp::Filter;
use warp::http::StatusCode;
use warp::reply::{Reply, Response};

const TOKEN: &str = "12345";
const BASE: &str = "https://example.com";
const USER: &str = "twilio";
const PASSWORD: &str = "s3cret-pass";

fn config() -> Config {
    let http_auth = HttpAuthConfig::builder("twilio")
        .credential(USER, PASSWORD)
        .build()
        .unwrap();
    Config::builder()
        .auth_token(TOKEN)
        .public_base_url(BASE)
        .http_auth(http_auth)
        .build()
        .unwrap()
}

/// An answer, as read off the socket.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    fn processed(&self) -> bool {
        self.status == 200 && self.body.starts_with("processed ")
    }

    /// The guard's answer to a duplicate of a completed request: `200`, empty body.
    fn duplicate(&self) -> bool {
        self.status == 200 && self.body.is_empty()
    }
}

/// Serves `routes` on a free loopback port until the test ends.
async fn serve<F>(routes: F) -> SocketAddr
where
    F: Filter<Extract = (Response,), Error = warp::Rejection> + Clone + Send + Sync + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(warp::serve(routes).incoming(listener).run());
    addr
}

/// A form POST: `headers` then the body, over a fresh connection.
async fn post(addr: SocketAddr, path: &str, headers: &[(&str, String)], body: &str) -> Answer {
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut raw))
        .await
        .expect("an answer within 10 s")
        .unwrap();
    parse(&String::from_utf8_lossy(&raw))
}

fn parse(raw: &str) -> Answer {
    let (head, body) = raw.split_once("\r\n\r\n").expect("a complete head");
    let mut lines = head.lines();
    let status = lines.next().unwrap()[9..12].parse().unwrap();
    let headers = lines
        .filter_map(|line| line.split_once(": "))
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    Answer {
        status,
        headers,
        body: body.to_owned(),
    }
}

/// The headers of a request signed with `token` for `path` with `params`.
fn signed(
    token: &str,
    path: &str,
    params: &[(&str, &str)],
) -> (Vec<(&'static str, String)>, String) {
    let signature = Signer::new(token).sign_form(&format!("{BASE}{path}"), params);
    (
        vec![("X-Twilio-Signature", signature)],
        form::encode(params),
    )
}

/// A handler that counts its runs and answers `processed <body>`; `fail_first` answers the
/// first run with `500`; `pause` is how long it takes.
fn counting(
    runs: &Arc<AtomicUsize>,
    fail_first: bool,
    pause: Duration,
) -> impl Fn(VerifiedRequest) -> std::pin::Pin<Box<dyn Future<Output = Response> + Send>>
+ Clone
+ Send
+ Sync
+ 'static {
    let runs = runs.clone();
    move |request: VerifiedRequest| {
        let n = runs.fetch_add(1, Ordering::SeqCst);
        let body = String::from_utf8_lossy(request.body()).into_owned();
        Box::pin(async move {
            tokio::time::sleep(pause).await;
            if fail_first && n == 0 {
                return warp::reply::with_status(
                    "temporary failure",
                    StatusCode::INTERNAL_SERVER_ERROR,
                )
                .into_response();
            }
            format!("processed {body}").into_response()
        })
    }
}

/// `POST /voice` behind `guard`, and an unprotected route on the same path after it.
fn voice_app(
    guard: ReplayGuard,
    runs: &Arc<AtomicUsize>,
    fail_first: bool,
    pause: Duration,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone + Send + Sync + 'static {
    let protected = protect(
        guard,
        warp::post()
            .and(warp::path!("voice"))
            .and(twilio_auth_warp::request(config())),
        counting(runs, fail_first, pause),
    );
    let fallback = warp::path!("voice").map(|| "fallback".into_response());
    protected.or(fallback).unify()
}

#[tokio::test]
async fn a_duplicate_is_answered_on_the_route_without_the_handler() {
    let runs = Arc::new(AtomicUsize::new(0));
    let addr = serve(voice_app(
        ReplayGuard::memory(),
        &runs,
        false,
        Duration::ZERO,
    ))
    .await;
    let params = [("CallSid", "CA1"), ("From", "+14155550100")];
    let (headers, body) = signed(TOKEN, "/voice", &params);

    let first = post(addr, "/voice", &headers, &body).await;
    assert!(first.processed(), "{first:?}");
    let again = post(addr, "/voice", &headers, &body).await;
    assert!(again.duplicate(), "{again:?}");
    assert_eq!(runs.load(Ordering::SeqCst), 1);

    // The idempotency token is not signed: changing it does not make a new request.
    let mut retokened = headers.clone();
    retokened.push(("I-Twilio-Idempotency-Token", "attacker-chosen".into()));
    let changed = post(addr, "/voice", &retokened, &body).await;
    assert!(changed.duplicate(), "{changed:?}");
    assert_eq!(runs.load(Ordering::SeqCst), 1);

    // A forged request is refused by verification, before the guard; the fallback never
    // sees any of these.
    let (forged, _) = signed("not-the-token", "/voice", &params);
    let refused = post(addr, "/voice", &forged, &body).await;
    assert_eq!(refused.status, 403, "{refused:?}");
    assert_eq!(runs.load(Ordering::SeqCst), 1);

    // Another signed request is a new one.
    let (other, other_body) = signed(TOKEN, "/voice", &[("CallSid", "CA2")]);
    assert!(post(addr, "/voice", &other, &other_body).await.processed());
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_failed_attempt_is_processed_on_retry_then_done() {
    let runs = Arc::new(AtomicUsize::new(0));
    let addr = serve(voice_app(
        ReplayGuard::memory(),
        &runs,
        true,
        Duration::ZERO,
    ))
    .await;
    let (headers, body) = signed(TOKEN, "/voice", &[("CallSid", "CAflaky")]);

    let failed = post(addr, "/voice", &headers, &body).await;
    assert_eq!(failed.status, 500, "{failed:?}");
    let retry = post(addr, "/voice", &headers, &body).await;
    assert!(retry.processed(), "{retry:?}");
    let duplicate = post(addr, "/voice", &headers, &body).await;
    assert!(duplicate.duplicate(), "{duplicate:?}");
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn concurrent_duplicates_run_the_handler_once() {
    let runs = Arc::new(AtomicUsize::new(0));
    let pause = Duration::from_millis(200);
    let addr = serve(voice_app(ReplayGuard::memory(), &runs, false, pause)).await;
    let (headers, body) = signed(TOKEN, "/voice", &[("CallSid", "CAburst")]);

    let attempts: Vec<_> = (0..16)
        .map(|_| {
            let (headers, body) = (headers.clone(), body.clone());
            tokio::spawn(async move { post(addr, "/voice", &headers, &body).await })
        })
        .collect();
    let mut answers = Vec::new();
    for attempt in attempts {
        answers.push(attempt.await.unwrap());
    }
    assert_eq!(
        answers.iter().filter(|a| a.processed()).count(),
        1,
        "{answers:?}"
    );
    for answer in &answers {
        assert!(
            answer.processed() || answer.duplicate() || answer.status == 409,
            "{answer:?}"
        );
    }
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

/// A store that never answers.
struct DownStore;

impl ReplayStore for DownStore {
    fn begin<'a>(&'a self, _: &'a StoreKey, _: u64, _: Duration) -> StoreFuture<'a, Begin> {
        Box::pin(async { Err(StoreError("connection refused".into())) })
    }
    fn complete<'a>(&'a self, _: &'a StoreKey, _: Duration) -> StoreFuture<'a, ()> {
        Box::pin(async { Err(StoreError("connection refused".into())) })
    }
    fn release<'a>(&'a self, _: &'a StoreKey, _: u64) -> StoreFuture<'a, ()> {
        Box::pin(async { Err(StoreError("connection refused".into())) })
    }
    fn claim<'a>(&'a self, _: &'a StoreKey, _: Duration) -> StoreFuture<'a, bool> {
        Box::pin(async { Err(StoreError("connection refused".into())) })
    }
}

#[tokio::test]
async fn a_store_fault_is_503_and_the_handler_never_runs() {
    let runs = Arc::new(AtomicUsize::new(0));
    let addr = serve(voice_app(
        ReplayGuard::new(DownStore),
        &runs,
        false,
        Duration::ZERO,
    ))
    .await;
    let (headers, body) = signed(TOKEN, "/voice", &[("CallSid", "CAdown")]);
    for _ in 0..2 {
        let answer = post(addr, "/voice", &headers, &body).await;
        assert_eq!(answer.status, 503, "{answer:?}");
        assert!(
            !answer.body.is_empty() && answer.body.len() < 40,
            "{answer:?}"
        );
    }
    assert_eq!(runs.load(Ordering::SeqCst), 0);
}

/// The `Authorization` answering the SHA-256 challenge of `challenges` with count `nc`.
fn digest_login(challenges: &[&str], path: &str, nc: &str) -> String {
    let challenge = challenges
        .iter()
        .find(|c| c.contains("SHA-256"))
        .expect("a SHA-256 Digest challenge");
    let Ok(Credentials::Digest(params)) = parse_authorization(challenge) else {
        panic!("not a Digest challenge: {challenge}");
    };
    let (realm, nonce, opaque) = (
        params.get("realm").unwrap(),
        params.get("nonce").unwrap(),
        params.get("opaque").unwrap(),
    );
    let response = digest_response(
        DigestAlgorithm::Sha256,
        &DigestResponseInput {
            username: USER,
            realm,
            password: PASSWORD,
            method: "POST",
            uri: path,
            nonce,
            nc,
            cnonce: "0a4f113b",
            qop: "auth",
        },
    );
    format!(
        r#"Digest username="{USER}", realm="{realm}", uri="{path}", algorithm=SHA-256, qop=auth, nc={nc}, cnonce="0a4f113b", nonce="{nonce}", opaque="{opaque}", response="{response}""#
    )
}

#[tokio::test]
async fn a_replayed_digest_login_is_401_with_fresh_challenges() {
    let runs = Arc::new(AtomicUsize::new(0));
    let digest = RoutePolicy::HttpAuthThenSignature(HttpAuth::Digest);
    let route = protect(
        ReplayGuard::memory(),
        warp::post()
            .and(warp::path!("digest" / "voice"))
            .and(twilio_auth_warp::request_with(config(), digest)),
        counting(&runs, false, Duration::ZERO),
    );
    let addr = serve(route).await;
    let path = "/digest/voice";
    let (headers, body) = signed(TOKEN, path, &[("CallSid", "CAdigest1")]);
    let challenge = post(addr, path, &headers, &body).await;
    assert_eq!(challenge.status, 401, "{challenge:?}");
    let challenges = challenge.header_values("www-authenticate");

    let login = |nc: &str, call_sid: &str| {
        let (mut headers, body) = signed(TOKEN, path, &[("CallSid", call_sid)]);
        headers.push(("Authorization", digest_login(&challenges, path, nc)));
        (headers, body)
    };
    let (first, first_body) = login("00000001", "CAdigest1");
    assert!(post(addr, path, &first, &first_body).await.processed());
    // The same Authorization on another signed request: a replayed login.
    let (replayed, replayed_body) = login("00000001", "CAdigest2");
    let refused = post(addr, path, &replayed, &replayed_body).await;
    assert_eq!(refused.status, 401, "{refused:?}");
    let fresh = refused.header_values("www-authenticate");
    assert!(fresh.iter().any(|c| c.starts_with("Digest ")), "{fresh:?}");
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    // The next count of the same nonce is a new login.
    let (next, next_body) = login("00000002", "CAdigest2");
    assert!(post(addr, path, &next, &next_body).await.processed());
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn report_only_requests_let_through_unverified_skip_the_guard() {
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = runs.clone();
    let route = protect(
        ReplayGuard::memory(),
        warp::post()
            .and(warp::path!("voice"))
            .and(twilio_auth_warp::report_only(
                config(),
                RoutePolicy::Signature,
            )),
        move |request: Reported| {
            counter.fetch_add(1, Ordering::SeqCst);
            let verified = request.is_verified();
            async move { format!("processed verified={verified}") }
        },
    );
    let addr = serve(route).await;
    let params = [("CallSid", "CAreport")];

    let (forged, body) = signed("not-the-token", "/voice", &params);
    for _ in 0..2 {
        let answer = post(addr, "/voice", &forged, &body).await;
        assert_eq!(answer.body, "processed verified=false", "{answer:?}");
    }
    assert_eq!(runs.load(Ordering::SeqCst), 2);

    let (genuine, body) = signed(TOKEN, "/voice", &params);
    let first = post(addr, "/voice", &genuine, &body).await;
    assert_eq!(first.body, "processed verified=true", "{first:?}");
    let duplicate = post(addr, "/voice", &genuine, &body).await;
    assert!(duplicate.duplicate(), "{duplicate:?}");
    assert_eq!(runs.load(Ordering::SeqCst), 3);
}

static GUARD: std::sync::LazyLock<ReplayGuard> = std::sync::LazyLock::new(ReplayGuard::memory);
static ATTRIBUTE_RUNS: AtomicUsize = AtomicUsize::new(0);

#[derive(serde::Deserialize)]
struct IncomingCall {
    #[serde(rename = "CallSid")]
    call_sid: String,
}

#[twilio_auth_warp::twilio_signed(
    post,
    path = "attribute/voice",
    replay = GUARD.clone(),
    crate = "twilio_auth_warp"
)]
async fn attribute_voice(
    twilio_auth_warp::Form(call): twilio_auth_warp::Form<IncomingCall>,
) -> String {
    ATTRIBUTE_RUNS.fetch_add(1, Ordering::SeqCst);
    format!("processed {}", call.call_sid)
}

#[tokio::test]
async fn the_attribute_takes_a_guard() {
    let fallback = warp::path!("attribute" / "voice").map(|| "fallback".into_response());
    let addr = serve(attribute_voice_filter(config()).or(fallback).unify()).await;
    let path = "/attribute/voice";
    let (headers, body) = signed(TOKEN, path, &[("CallSid", "CAattr")]);
    let first = post(addr, path, &headers, &body).await;
    assert_eq!(first.body, "processed CAattr", "{first:?}");
    let again = post(addr, path, &headers, &body).await;
    assert!(again.duplicate(), "{again:?}");
    let (forged, _) = signed("not-the-token", path, &[("CallSid", "CAattr")]);
    assert_eq!(post(addr, path, &forged, &body).await.status, 403);
    assert_eq!(ATTRIBUTE_RUNS.load(Ordering::SeqCst), 1);
}
