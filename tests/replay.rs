//! Replay protection across instances, for real: for each example app, a `redis-server`
//! started here on a free loopback port (no persistence, a temporary directory), and two
//! processes of the app sharing it through `REDIS_URL`. Every app is built with the same
//! features ([`FEATURES`]), so their dependencies are built once.
//!
//! ```text
//! cargo test --features axum,redis --test replay
//! ```
//!
//! (The test builds the example apps itself; the features given to `cargo test` only
//! decide which apps' tests are compiled in.)
//!
//! Without `redis-server` on the PATH the test says so and passes, unless `CI` is set, where
//! it fails (`scripts/test-all.sh` installs Debian's `redis-server`).

#[allow(dead_code)]
#[path = "e2e/app.rs"]
mod app;
#[allow(dead_code)]
#[path = "e2e/http.rs"]
mod http;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::App;
use http::{Request, Response, send};
use twilio_auth::Signer;
use twilio_auth::http_auth::{
    Credentials, DigestAlgorithm, DigestResponseInput, digest_response, parse_authorization,
};

/// Both instances are configured with this public URL, so a request signed for one
/// verifies on the other (as behind a load balancer).
const BASE: &str = "https://replay.example.com";
const USER: &str = "twilio";
/// The features every app of this test is built with (one build of the dependencies).
const FEATURES: &str = "axum,actix,tower,rocket,warp,redis";
const PASSWORD: &str = "replay-test-password";

/// A `redis-server` of this test: killed (and its directory removed) on drop.
struct Redis {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
}

impl Redis {
    fn start(port: u16, dir: PathBuf) -> Redis {
        std::fs::create_dir_all(&dir).unwrap();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string()])
            .args(["--bind", "127.0.0.1"])
            .args(["--save", ""])
            .args(["--appendonly", "no"])
            .arg("--dir")
            .arg(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        let redis = Redis {
            child: Some(child),
            port,
            dir,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !redis.ping() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not answer PING"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        redis
    }

    fn ping(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
        let mut buf = [0u8; 16];
        stream.write_all(b"PING\r\n").is_ok()
            && stream
                .read(&mut buf)
                .is_ok_and(|n| buf[..n].starts_with(b"+PONG"))
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn redis_available() -> bool {
    Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A signed form POST to `path` (signed for `BASE` + `path`).
fn signed(path: &str, call_sid: &str) -> Request {
    let params = [("CallSid", call_sid), ("From", "+14155550100")];
    let signature = Signer::new(app::TOKEN).sign_form(&format!("{BASE}{path}"), &params);
    Request::post(path).signature(&signature).form(&params)
}

fn counts(addr: SocketAddr) -> serde_json::Value {
    let response = send(addr, &Request::get("/replay/count")).expect("GET /replay/count");
    assert_eq!(response.status, 200, "{response:?}");
    serde_json::from_str(&response.body).expect("counts are JSON")
}

fn count(addr: SocketAddr, handler: &str) -> u64 {
    counts(addr)[handler].as_u64().unwrap()
}

fn total(a: &App, b: &App, handler: &str) -> u64 {
    count(a.addr, handler) + count(b.addr, handler)
}

fn post(app: &App, request: &Request) -> Response {
    send(app.addr, request).expect("request")
}

fn processed(response: &Response) -> bool {
    response.status == 200 && response.body.contains("<Response>")
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

#[cfg(feature = "axum")]
#[test]
fn axum_app_refuses_replays_across_two_instances_sharing_redis() {
    two_instances("axum_app");
}

#[cfg(feature = "actix")]
#[test]
fn actix_app_refuses_replays_across_two_instances_sharing_redis() {
    two_instances("actix_app");
}

#[cfg(feature = "tower")]
#[test]
fn hyper_app_refuses_replays_across_two_instances_sharing_redis() {
    two_instances("hyper_app");
}

#[cfg(feature = "rocket")]
#[test]
fn rocket_app_refuses_replays_across_two_instances_sharing_redis() {
    two_instances("rocket_app");
}

#[cfg(feature = "warp")]
#[test]
fn warp_app_refuses_replays_across_two_instances_sharing_redis() {
    two_instances("warp_app");
}

/// Every row against two processes of the example app `app` sharing one Redis: the app
/// serves `/replay/voice`, `/replay/flaky`, `/replay/digest/voice` and `/replay/count` (and,
/// where its attribute takes a guard, `/replay/attribute/voice`, counted as `attribute`).
fn two_instances(app: &str) {
    if !redis_available() {
        assert!(
            std::env::var_os("CI").is_none(),
            "redis-server is not installed (scripts/test-all.sh installs it: apt-get install redis-server)"
        );
        eprintln!(
            "SKIPPED: redis-server is not on the PATH; install it (apt-get install redis-server) to run the replay test"
        );
        return;
    }
    let port = free_port();
    let dir =
        std::env::temp_dir().join(format!("twilio-auth-replay-{}-{port}", std::process::id()));
    let mut redis = Redis::start(port, dir.clone());

    let binary = app::example_binary_with(app, FEATURES).unwrap();
    let url = redis.url();
    let vars = [
        ("REDIS_URL", url.as_str()),
        ("TWILIO_WEBHOOK_BASE_URL", BASE),
        ("WEBHOOK_USER", USER),
        ("WEBHOOK_PASSWORD", PASSWORD),
        (
            "TWILIO_DIGEST_NONCE_SECRET",
            "a nonce secret shared by both instances",
        ),
    ];
    let a = App::start(&binary, &vars).unwrap();
    let b = App::start(&binary, &vars).unwrap();

    // 1. Accepted by A, replayed to B: refused (200, empty body), the handler did not run.
    let request = signed("/replay/voice", "CA-replayed");
    let first = post(&a, &request);
    assert!(processed(&first), "{first:?}");
    let replayed = post(&b, &request);
    assert_eq!(
        (replayed.status, replayed.body.as_str()),
        (200, ""),
        "{replayed:?}"
    );
    let again = post(&a, &request);
    assert_eq!((again.status, again.body.as_str()), (200, ""), "{again:?}");
    assert_eq!(total(&a, &b, "voice"), 1);
    // An unsigned or forged request is refused before the guard, as everywhere.
    let forged = Request::post("/replay/voice")
        .signature("AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
        .form(&[("CallSid", "CA-forged")]);
    assert_eq!(post(&b, &forged).status, 403);

    // An attacker holding the request changes what the signature does not cover: Twilio's
    // (unsigned) idempotency token, another User-Agent, a query on a form POST would break
    // the signature. Still the same request: refused, the handler did not run.
    let retagged = request
        .clone()
        .header("I-Twilio-Idempotency-Token", "attacker-chosen-token")
        .header("User-Agent", "curl/8.0");
    let replayed = post(&a, &retagged);
    assert_eq!(
        (replayed.status, replayed.body.as_str()),
        (200, ""),
        "{replayed:?}"
    );
    assert_eq!(total(&a, &b, "voice"), 1);

    // The same through `#[twilio_signed(replay = …)]`, where the app has such a route.
    let request = signed("/replay/attribute/voice", "CA-attribute");
    let first = post(&b, &request);
    if first.status != 404 {
        assert!(processed(&first), "{first:?}");
        let replayed = post(&a, &request);
        assert_eq!(
            (replayed.status, replayed.body.as_str()),
            (200, ""),
            "{replayed:?}"
        );
        assert_eq!(total(&a, &b, "attribute"), 1);
    }

    // 2. 64 identical signed requests at once over both instances: the handler runs once.
    let burst = Arc::new(signed("/replay/voice", "CA-burst"));
    let (addr_a, addr_b) = (a.addr, b.addr);
    let barrier = Arc::new(std::sync::Barrier::new(64));
    let threads: Vec<_> = (0..64)
        .map(|i| {
            let (burst, barrier) = (burst.clone(), barrier.clone());
            let addr = if i % 2 == 0 { addr_a } else { addr_b };
            std::thread::spawn(move || {
                barrier.wait();
                send(addr, &burst).expect("burst request")
            })
        })
        .collect();
    let responses: Vec<Response> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let ran = responses.iter().filter(|r| processed(r)).count();
    assert_eq!(ran, 1, "{responses:?}");
    for r in &responses {
        assert!(
            processed(r) || (r.status == 200 && r.body.is_empty()) || r.status == 409,
            "{r:?}"
        );
    }
    assert_eq!(total(&a, &b, "voice"), 2);

    // 3. A handler that answered 500: Twilio's retry is processed once more; then it is done.
    let flaky = signed("/replay/flaky", "CA-flaky");
    assert_eq!(post(&a, &flaky).status, 500);
    let retry = post(&a, &flaky);
    assert!(processed(&retry), "{retry:?}");
    let duplicate = post(&b, &flaky);
    assert_eq!((duplicate.status, duplicate.body.as_str()), (200, ""));
    assert_eq!(count(a.addr, "flaky"), 2);
    assert_eq!(count(b.addr, "flaky"), 0);

    // 4. Digest: the Authorization accepted by A, replayed to B → 401 with fresh challenges.
    let path = "/replay/digest/voice";
    let challenge = post(&a, &signed(path, "CA-digest"));
    assert_eq!(challenge.status, 401);
    let www = challenge
        .headers_named("www-authenticate")
        .into_iter()
        .find(|c| c.contains("SHA-256"))
        .expect("a SHA-256 Digest challenge")
        .to_owned();
    let login = |nc: &str, call_sid: &str| {
        let auth = digest_authorization(&www, path, nc);
        signed(path, call_sid).header("Authorization", &auth)
    };
    let logged_in = post(&a, &login("00000001", "CA-digest"));
    assert!(processed(&logged_in), "{logged_in:?}");
    let replayed = post(&b, &login("00000001", "CA-digest"));
    assert_eq!(replayed.status, 401, "{replayed:?}");
    assert!(!replayed.headers_named("www-authenticate").is_empty());
    // Even with another signed request under the same (nonce, nc).
    assert_eq!(post(&b, &login("00000001", "CA-digest-2")).status, 401);
    // The next count of the same nonce is a new login.
    let next = post(&b, &login("00000002", "CA-digest-2"));
    assert!(processed(&next), "{next:?}");
    assert_eq!(total(&a, &b, "digest"), 2);

    // 5. Redis killed during traffic: every request is either processed (200 with TwiML,
    // counted once by the handlers) or refused with 503; none is processed unreported.
    let before_traffic = total(&a, &b, "voice");
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let traffic: Vec<_> = [addr_a, addr_b]
        .into_iter()
        .enumerate()
        .map(|(lane, addr)| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut seen = Vec::new();
                for i in 0..200 {
                    if stop.load(std::sync::atomic::Ordering::SeqCst) {
                        break;
                    }
                    let r = send(
                        addr,
                        &signed("/replay/voice", &format!("CA-traffic-{lane}-{i}")),
                    )
                    .expect("traffic request");
                    seen.push(r);
                }
                seen
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(400));
    redis.kill();
    std::thread::sleep(Duration::from_millis(600));
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let seen: Vec<Response> = traffic
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    let ok = seen.iter().filter(|r| processed(r)).count() as u64;
    let refused = seen.iter().filter(|r| r.status == 503).count();
    assert_eq!(ok as usize + refused, seen.len(), "{seen:?}");
    assert!(ok > 0 && refused > 0, "{ok} processed, {refused} refused");
    assert_eq!(total(&a, &b, "voice"), before_traffic + ok);

    // With Redis down: fail-closed (503), nothing processed.
    let before = total(&a, &b, "voice");
    let down = signed("/replay/voice", "CA-during-outage");
    for app in [&a, &b, &a, &b] {
        let started = Instant::now();
        let r = post(app, &down);
        assert_eq!(r.status, 503, "{r:?}");
        assert!(!r.body.is_empty() && r.body.len() < 40, "{r:?}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }
    assert_eq!(total(&a, &b, "voice"), before);
    assert!(
        a.log().contains("replay store unavailable")
            || a.log().contains("store unavailable, request refused"),
        "no log line for the outage"
    );

    // 6. Redis back (same port, empty): the apps recover without a restart.
    let _redis = Redis::start(port, dir);
    let deadline = Instant::now() + Duration::from_secs(30);
    let recovered = loop {
        let r = post(&a, &down);
        if r.status != 503 {
            break r;
        }
        assert!(
            Instant::now() < deadline,
            "A still answers 503 with Redis back"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(processed(&recovered), "{recovered:?}");
    let deadline = Instant::now() + Duration::from_secs(30);
    let duplicate = loop {
        let r = post(&b, &down);
        if r.status != 503 {
            break r;
        }
        assert!(
            Instant::now() < deadline,
            "B still answers 503 with Redis back"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!((duplicate.status, duplicate.body.as_str()), (200, ""));
    // The request refused during the outage was processed exactly once, after it.
    assert_eq!(total(&a, &b, "voice"), before + 1);
}
