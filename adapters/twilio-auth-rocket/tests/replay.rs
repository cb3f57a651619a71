//! Replay protection on Rocket, for real: a Rocket server on `127.0.0.1` with the
//! `TwilioAuth` fairing carrying a `ReplayGuard` (memory store), and a plain HTTP/1.1 client
//! over a TCP socket. Every row counts how many times the handler ran for its `CallSid`.
//!
//! ```text
//! cargo test -p twilio-auth-rocket --features replay --test replay
//! ```

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

use rocket::config::LogLevel;
use rocket::fairing::AdHoc;
use rocket::form::{Form, FromForm};
use rocket::http::{ContentType, Status};
use rocket::{Build, Rocket, post, routes};
use twilio_auth_core::http_auth::{
    Credentials, DigestAlgorithm, DigestResponseInput, HttpAuthConfig, digest_response,
    parse_authorization,
};
use twilio_auth_core::{Config, Signer};
use twilio_auth_replay::{
    Begin, MemoryStore, ReplayGuard, ReplayStore, StoreError, StoreFuture, StoreKey,
};
use twilio_auth_rocket::policy::{Digest, ReplayGuarded};
use twilio_auth_rocket::{ReportOnly, TwilioAuth, Verified};

const TOKEN: &str = "12345";
const BASE: &str = "https://replay.example.com";
const USER: &str = "twilio";
const PASSWORD: &str = "replay-test-password";

#[derive(FromForm)]
struct Call {
    #[field(name = "CallSid")]
    call_sid: String,
}

/// How many times each handler ran, per `CallSid` (the tests share the process).
static RUNS: Mutex<Option<HashMap<(&'static str, String), u64>>> = Mutex::new(None);

fn ran(handler: &'static str, call_sid: &str) -> u64 {
    let mut runs = RUNS.lock().unwrap();
    let count = runs
        .get_or_insert_with(HashMap::new)
        .entry((handler, call_sid.to_owned()))
        .or_default();
    *count += 1;
    *count
}

fn runs(handler: &'static str, call_sid: &str) -> u64 {
    RUNS.lock()
        .unwrap()
        .as_ref()
        .and_then(|runs| runs.get(&(handler, call_sid.to_owned())).copied())
        .unwrap_or(0)
}

fn twiml(call_sid: &str) -> (ContentType, String) {
    (
        ContentType::XML,
        format!("<Response><Say>{call_sid}</Say></Response>"),
    )
}

#[post("/voice", data = "<call>")]
async fn voice(call: Verified<Form<Call>, ReplayGuarded>) -> (ContentType, String) {
    ran("voice", &call.call_sid);
    // Long enough for concurrent duplicates to find the request in flight.
    rocket::tokio::time::sleep(Duration::from_millis(100)).await;
    twiml(&call.call_sid)
}

/// `500` the first time a `CallSid` comes, then `200`.
#[post("/flaky", data = "<call>")]
fn flaky(call: Verified<Form<Call>, ReplayGuarded>) -> (Status, (ContentType, String)) {
    match ran("flaky", &call.call_sid) {
        1 => (Status::InternalServerError, twiml("failed")),
        _ => (Status::Ok, twiml(&call.call_sid)),
    }
}

/// Not protected: the fairing's guard must not touch it.
#[post("/plain", data = "<call>")]
fn plain(call: Verified<Form<Call>>) -> (ContentType, String) {
    ran("plain", &call.call_sid);
    twiml(&call.call_sid)
}

#[post("/digest", data = "<call>")]
fn digest(call: Verified<Form<Call>, ReplayGuarded<Digest>>) -> (ContentType, String) {
    ran("digest", &call.call_sid);
    twiml(&call.call_sid)
}

/// Report-only with replay protection: verified requests are guarded, unverified ones not.
#[post("/report", data = "<call>")]
fn report(call: ReportOnly<Form<Call>, ReplayGuarded>) -> (ContentType, String) {
    ran("report", &call.call_sid);
    let verified = if call.is_verified() {
        "verified"
    } else {
        "unverified"
    };
    twiml(&format!("{verified} {}", call.call_sid))
}

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

fn app(guard: Option<ReplayGuard>) -> Rocket<Build> {
    let rocket_config = rocket::Config {
        address: std::net::Ipv4Addr::LOCALHOST.into(),
        port: 0,
        log_level: LogLevel::Off,
        cli_colors: false,
        ..rocket::Config::default()
    };
    let fairing = match guard {
        Some(guard) => TwilioAuth::fairing(config()).replay(guard),
        None => TwilioAuth::fairing(config()),
    };
    rocket::custom(rocket_config)
        .attach(fairing)
        .mount("/", routes![voice, flaky, plain, digest, report])
}

/// Launches `rocket` on its own thread; its address once it listens.
fn serve(rocket: Rocket<Build>) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    let rocket = rocket.attach(AdHoc::on_liftoff("port", move |rocket| {
        let tx = tx.clone();
        let port = rocket.config().port;
        Box::pin(async move {
            let _ = tx.send(port);
        })
    }));
    std::thread::spawn(move || {
        let _ = rocket::execute(rocket.launch());
    });
    let port = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the server lifted off");
    SocketAddr::from(([127, 0, 0, 1], port))
}

#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    fn processed(&self, call_sid: &str) -> bool {
        self.status == 200 && self.body.contains(call_sid) && self.body.contains("<Response>")
    }
}

/// A signed form POST to `path` for `call_sid`, with extra headers.
fn signed(path: &str, call_sid: &str) -> (String, Vec<(String, String)>) {
    let params = [("CallSid", call_sid)];
    let signature = Signer::new(TOKEN).sign_form(&format!("{BASE}{path}"), &params);
    (
        format!("CallSid={call_sid}"),
        vec![("X-Twilio-Signature".to_owned(), signature)],
    )
}

/// One HTTP/1.1 request over its own connection.
fn post(addr: SocketAddr, path: &str, body: &str, headers: &[(String, String)]) -> Response {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: replay.example.com\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8(raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").expect("a complete response");
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Response {
        status: status.parse().unwrap(),
        headers,
        body: body.to_owned(),
    }
}

fn send(addr: SocketAddr, path: &str, call_sid: &str) -> Response {
    let (body, headers) = signed(path, call_sid);
    post(addr, path, &body, &headers)
}

#[test]
fn a_signed_request_is_processed_once() {
    let addr = serve(app(Some(ReplayGuard::memory())));
    let first = send(addr, "/voice", "CA-once");
    assert!(first.processed("CA-once"), "{first:?}");
    for _ in 0..3 {
        let again = send(addr, "/voice", "CA-once");
        assert_eq!((again.status, again.body.as_str()), (200, ""), "{again:?}");
    }
    assert_eq!(runs("voice", "CA-once"), 1);

    // The idempotency token is not signed: changing it does not make a new request.
    let (body, mut headers) = signed("/voice", "CA-once");
    headers.push((
        "I-Twilio-Idempotency-Token".to_owned(),
        "another-token".to_owned(),
    ));
    let retokened = post(addr, "/voice", &body, &headers);
    assert_eq!((retokened.status, retokened.body.as_str()), (200, ""));
    assert_eq!(runs("voice", "CA-once"), 1);

    // A forged request is refused before the guard, as on any route.
    let forged = post(
        addr,
        "/voice",
        "CallSid=CA-forged",
        &[(
            "X-Twilio-Signature".to_owned(),
            "AAAAAAAAAAAAAAAAAAAAAAAAAAA=".to_owned(),
        )],
    );
    assert_eq!(forged.status, 403, "{forged:?}");
    assert_eq!(runs("voice", "CA-forged"), 0);

    // A route that does not ask for the guard is not guarded.
    for _ in 0..2 {
        assert!(send(addr, "/plain", "CA-plain").processed("CA-plain"));
    }
    assert_eq!(runs("plain", "CA-plain"), 2);
}

#[test]
fn concurrent_duplicates_run_the_handler_once() {
    let addr = serve(app(Some(ReplayGuard::memory())));
    let barrier = Arc::new(Barrier::new(16));
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                send(addr, "/voice", "CA-burst")
            })
        })
        .collect();
    let responses: Vec<Response> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let processed = responses.iter().filter(|r| r.processed("CA-burst")).count();
    assert_eq!(processed, 1, "{responses:?}");
    for r in &responses {
        assert!(
            r.processed("CA-burst") || (r.status == 200 && r.body.is_empty()) || r.status == 409,
            "{r:?}"
        );
    }
    let in_flight: Vec<&Response> = responses.iter().filter(|r| r.status == 409).collect();
    assert!(!in_flight.is_empty(), "{responses:?}");
    for r in in_flight {
        // The guard's short answer, not Rocket's HTML catcher page.
        assert_eq!(r.body, "Request already in progress\n", "{r:?}");
        assert!(
            r.header("content-type")[0].starts_with("text/plain"),
            "{r:?}"
        );
    }
    assert_eq!(runs("voice", "CA-burst"), 1);
}

#[test]
fn a_failed_attempt_is_processed_again_on_retry() {
    let addr = serve(app(Some(ReplayGuard::memory())));
    let first = send(addr, "/flaky", "CA-flaky");
    assert_eq!(first.status, 500, "{first:?}");
    let retry = send(addr, "/flaky", "CA-flaky");
    assert!(retry.processed("CA-flaky"), "{retry:?}");
    let duplicate = send(addr, "/flaky", "CA-flaky");
    assert_eq!((duplicate.status, duplicate.body.as_str()), (200, ""));
    assert_eq!(runs("flaky", "CA-flaky"), 2);
}

#[test]
fn a_replayed_digest_authorization_gets_401_with_fresh_challenges() {
    let addr = serve(app(Some(ReplayGuard::memory())));
    let challenge = send(addr, "/digest", "CA-digest");
    assert_eq!(challenge.status, 401);
    let www = challenge
        .header("www-authenticate")
        .into_iter()
        .find(|c| c.contains("SHA-256"))
        .expect("a SHA-256 Digest challenge")
        .to_owned();
    let login = |nc: &str, call_sid: &str| {
        let (body, mut headers) = signed("/digest", call_sid);
        headers.push((
            "Authorization".to_owned(),
            digest_authorization(&www, "/digest", nc),
        ));
        post(addr, "/digest", &body, &headers)
    };
    assert!(login("00000001", "CA-digest").processed("CA-digest"));
    // The same (nonce, nc) with another signed request: a replayed login.
    let replayed = login("00000001", "CA-digest-2");
    assert_eq!(replayed.status, 401, "{replayed:?}");
    assert!(
        replayed
            .header("www-authenticate")
            .iter()
            .any(|c| c.starts_with("Digest ")),
        "{replayed:?}"
    );
    assert_eq!(runs("digest", "CA-digest-2"), 0);
    // The next count of the nonce is a new login.
    assert!(login("00000002", "CA-digest-2").processed("CA-digest-2"));
    assert_eq!(runs("digest", "CA-digest"), 1);
    assert_eq!(runs("digest", "CA-digest-2"), 1);
}

#[test]
fn report_only_requests_let_through_unverified_skip_the_guard() {
    let addr = serve(app(Some(ReplayGuard::memory())));
    // Unsigned: let through unverified each time (nothing signed to key on).
    for _ in 0..2 {
        let r = post(addr, "/report", "CallSid=CA-unsigned", &[]);
        assert!(r.processed("unverified CA-unsigned"), "{r:?}");
    }
    assert_eq!(runs("report", "CA-unsigned"), 2);
    // Signed: verified, so guarded.
    assert!(send(addr, "/report", "CA-signed").processed("verified CA-signed"));
    let again = send(addr, "/report", "CA-signed");
    assert_eq!((again.status, again.body.as_str()), (200, ""));
    assert_eq!(runs("report", "CA-signed"), 1);
}

/// A store that never answers.
struct DownStore;

impl ReplayStore for DownStore {
    fn begin<'a>(&'a self, _: &'a StoreKey, _: u64, _: Duration) -> StoreFuture<'a, Begin> {
        Box::pin(async { Err(StoreError("down".into())) })
    }
    fn complete<'a>(&'a self, _: &'a StoreKey, _: Duration) -> StoreFuture<'a, ()> {
        Box::pin(async { Err(StoreError("down".into())) })
    }
    fn release<'a>(&'a self, _: &'a StoreKey, _: u64) -> StoreFuture<'a, ()> {
        Box::pin(async { Err(StoreError("down".into())) })
    }
    fn claim<'a>(&'a self, _: &'a StoreKey, _: Duration) -> StoreFuture<'a, bool> {
        Box::pin(async { Err(StoreError("down".into())) })
    }
}

#[test]
fn a_store_fault_fails_closed_with_503() {
    let addr = serve(app(Some(ReplayGuard::new(DownStore))));
    let r = send(addr, "/voice", "CA-down");
    assert_eq!(r.status, 503, "{r:?}");
    assert_eq!(r.body, "Service unavailable\n");
    assert_eq!(runs("voice", "CA-down"), 0);
    // The unprotected route does not ask the store.
    assert!(send(addr, "/plain", "CA-down").processed("CA-down"));
}

#[test]
fn a_guarded_route_without_a_guard_does_not_launch() {
    let error = rocket::execute(app(None).ignite()).expect_err("no launch without a guard");
    assert!(
        matches!(error.kind(), rocket::error::ErrorKind::SentinelAborts(_)),
        "{error:?}"
    );
    // With one it does.
    assert!(rocket::execute(app(Some(ReplayGuard::new(MemoryStore::new()))).ignite()).is_ok());
}

/// The `Authorization` for `path` with the nonce of `challenge` and count `nc`.
fn digest_authorization(challenge: &str, path: &str, nc: &str) -> String {
    let Ok(Credentials::Digest(params)) = parse_authorization(challenge) else {
        panic!("not a Digest challenge: {challenge}");
    };
    let realm = params.get("realm").unwrap();
    let nonce = params.get("nonce").unwrap();
    let opaque = params.get("opaque").unwrap();
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
