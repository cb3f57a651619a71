//! Keys from your own store, for real: a Rocket server on `127.0.0.1:0` whose `TwilioAuth`
//! fairing carries a `CachedResolver` in front of a key file read from disk on every cache
//! miss, and a plain HTTP/1.1 client over a TCP socket. Every row counts the handler's runs
//! and the store's calls.
//!
//! ```text
//! cargo test -p twilio-auth-rocket --test key_resolver
//! ```

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use rocket::config::LogLevel;
use rocket::fairing::AdHoc;
use rocket::form::Form;
use rocket::{Build, Rocket, State, get, post, routes};
use twilio_auth_core::http_auth::HttpAuthConfig;
use twilio_auth_core::{Config, KeyLookup, ResolvedKey, Signer, form};
use twilio_auth_rocket::policy::Basic;
use twilio_auth_rocket::{
    CachedResolver, KeyResolver, ReportOnly, ResolveFuture, TwilioAuth, TwilioSignature, Verified,
};

const PARENT_TOKEN: &str = "parent-token";
const BASE: &str = "https://keys.example.com";
/// `Basic twilio:s3cret-pass`.
const BASIC: &str = "Basic dHdpbGlvOnMzY3JldC1wYXNz";

/// A key file, `AC…=token` a line, read from disk on every call; each call is recorded.
struct KeyFile {
    path: PathBuf,
    calls: Arc<Mutex<Vec<KeyLookup>>>,
}

impl KeyResolver for KeyFile {
    fn resolve<'a>(&'a self, lookup: &'a KeyLookup) -> ResolveFuture<'a> {
        self.calls.lock().unwrap().push(lookup.clone());
        Box::pin(async move {
            let text = rocket::tokio::fs::read_to_string(&self.path).await?;
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

/// How many times the handlers ran, in managed state.
struct Handled(Arc<AtomicUsize>);

#[post("/sms", data = "<sms>")]
fn sms(sms: Verified<Form<HashMap<String, String>>>, handled: &State<Handled>) -> &'static str {
    handled.0.fetch_add(1, Ordering::SeqCst);
    assert!(!sms.is_empty());
    "<Response/>"
}

#[post("/basic", data = "<sms>")]
fn basic(sms: Verified<Form<HashMap<String, String>>, Basic>, handled: &State<Handled>) -> String {
    handled.0.fetch_add(1, Ordering::SeqCst);
    format!("<Response>{}</Response>", sms.len())
}

#[post("/report", data = "<sms>")]
fn report(sms: ReportOnly<Form<HashMap<String, String>>>, handled: &State<Handled>) -> String {
    handled.0.fetch_add(1, Ordering::SeqCst);
    format!("verified={}", sms.is_verified())
}

#[get("/status")]
fn status(_signed: TwilioSignature, handled: &State<Handled>) -> &'static str {
    handled.0.fetch_add(1, Ordering::SeqCst);
    "<Response/>"
}

/// The lines logged at `ERROR` (the adapter logs through `log`; installed before Rocket's
/// own logger, which then leaves it in place).
static ERRORS: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Errors;

impl log::Log for Errors {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Error
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            ERRORS.lock().unwrap().push(record.args().to_string());
        }
    }

    fn flush(&self) {}
}

fn capture_errors() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        log::set_logger(&Errors).expect("no logger yet");
        log::set_max_level(log::LevelFilter::Error);
    });
}

struct Server {
    addr: SocketAddr,
    calls: Arc<Mutex<Vec<KeyLookup>>>,
    path: PathBuf,
    handled: Arc<AtomicUsize>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

impl Server {
    /// A server whose store is the key file `name`, holding `contents`.
    fn start(name: &str, contents: &str) -> Server {
        capture_errors();
        let path = std::env::temp_dir().join(format!(
            "twilio-auth-rocket-{name}-{}.keys",
            std::process::id()
        ));
        std::fs::write(&path, contents).unwrap();
        let calls = Arc::new(Mutex::new(Vec::new()));
        let store = KeyFile {
            path: path.clone(),
            calls: calls.clone(),
        };
        let http_auth = HttpAuthConfig::builder("twilio")
            .credential("twilio", "s3cret-pass")
            .build()
            .unwrap();
        let config = Config::builder()
            .auth_token(PARENT_TOKEN)
            .public_base_url(BASE)
            .http_auth(http_auth)
            .build()
            .unwrap();
        let rocket_config = rocket::Config {
            address: std::net::Ipv4Addr::LOCALHOST.into(),
            port: 0,
            log_level: LogLevel::Off,
            cli_colors: false,
            ..rocket::Config::default()
        };
        let handled = Arc::new(AtomicUsize::new(0));
        let rocket = rocket::custom(rocket_config)
            .attach(TwilioAuth::fairing(config).key_resolver(CachedResolver::new(store)))
            .manage(Handled(handled.clone()))
            .mount("/", routes![sms, basic, report, status]);
        Server {
            addr: serve(rocket),
            calls,
            path,
            handled,
        }
    }

    fn calls_for(&self, sid: &str) -> usize {
        let lookup = KeyLookup::Account(sid.to_owned());
        self.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|l| **l == lookup)
            .count()
    }

    /// POSTs a message from `account` to `path`, signed with `token`: status and body.
    fn post(&self, path: &str, account: &str, token: &str, headers: &[&str]) -> (u16, String) {
        let params = [("AccountSid", account), ("Body", "hello")];
        let signature = Signer::new(token).sign_form(&format!("{BASE}{path}"), &params);
        let body = form::encode(&params);
        let mut head = format!(
            "POST {path} HTTP/1.1\r\nHost: keys.example.com\r\nConnection: close\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
             X-Twilio-Signature: {signature}\r\n",
            body.len()
        );
        for header in headers {
            head.push_str(header);
            head.push_str("\r\n");
        }
        self.exchange(&format!("{head}\r\n{body}"))
    }

    /// GETs `/status?AccountSid=…`, signed with `token`.
    fn get(&self, account: &str, token: &str) -> (u16, String) {
        let target = format!("/status?AccountSid={account}");
        let signature = Signer::new(token).sign_url(&format!("{BASE}{target}"));
        self.exchange(&format!(
            "GET {target} HTTP/1.1\r\nHost: keys.example.com\r\nConnection: close\r\n\
             X-Twilio-Signature: {signature}\r\n\r\n"
        ))
    }

    fn exchange(&self, request: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut raw = String::new();
        stream.read_to_string(&mut raw).unwrap();
        let status = raw.split(' ').nth(1).unwrap().parse().unwrap();
        let body = raw.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_owned();
        (status, body)
    }

    /// How many times the handlers ran.
    fn handled(&self) -> usize {
        self.handled.load(Ordering::SeqCst)
    }
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

#[test]
fn sub_account_keys_come_from_the_store_through_the_cache_and_a_failing_store_is_503() {
    let server = Server::start("sms", "AC1111=token-of-1111\nAC2222=token-of-2222\n");

    // A sub-account the configuration does not hold, signed with its own token: verified.
    assert_eq!(
        server.post("/sms", "AC1111", "token-of-1111", &[]),
        (200, "<Response/>".into())
    );
    assert_eq!(server.handled(), 1);
    // Signed with another account's token (or the parent's): refused, the handler did not run.
    assert_eq!(server.post("/sms", "AC1111", "token-of-2222", &[]).0, 403);
    assert_eq!(server.post("/sms", "AC1111", PARENT_TOKEN, &[]).0, 403);
    assert_eq!(server.handled(), 1);
    // Cached: three requests for AC1111, one read of the file.
    assert_eq!(server.calls_for("AC1111"), 1);
    // An account the store does not know: refused, and remembered (negative cache).
    for _ in 0..3 {
        assert_eq!(server.post("/sms", "AC9999", "guessed-token", &[]).0, 403);
    }
    assert_eq!(server.calls_for("AC9999"), 1);
    assert_eq!(server.handled(), 1);
    // The parent account, unknown to the store, verifies with the configured token (the
    // store's "unknown" is remembered too).
    assert_eq!(server.post("/sms", "ACparent", PARENT_TOKEN, &[]).0, 200);
    assert_eq!(server.post("/sms", "ACparent", PARENT_TOKEN, &[]).0, 200);
    assert_eq!(server.calls_for("ACparent"), 1);
    assert_eq!(server.handled(), 3);

    // The store fails (its file is gone): a new account is answered 503 with a short text,
    // fail closed, and an error names the account asked for; a cached one still verifies.
    std::fs::remove_file(&server.path).unwrap();
    assert_eq!(
        server.post("/sms", "AC2222", "token-of-2222", &[]),
        (
            503,
            "Service Unavailable: webhook key store unavailable\n".into()
        )
    );
    assert_eq!(server.handled(), 3);
    let errors = ERRORS.lock().unwrap().clone();
    let line = errors
        .iter()
        .find(|line| line.contains("key resolver failed for account AC2222"))
        .unwrap_or_else(|| panic!("no error line naming AC2222 in {errors:?}"));
    assert!(!line.contains("token-of"), "{line}");
    assert_eq!(
        server.post("/sms", "AC1111", "token-of-1111", &[]),
        (200, "<Response/>".into())
    );
    assert_eq!(server.handled(), 4);
}

#[test]
fn the_store_is_asked_only_after_http_authentication_and_by_every_guard() {
    let server = Server::start("routes", "AC3333=token-of-3333\nAC4444=token-of-4444\n");

    // HTTP Basic route: without credentials, 401 and the store is not asked.
    let (status, _) = server.post("/basic", "AC3333", "token-of-3333", &[]);
    assert_eq!(status, 401);
    let wrong = "Authorization: Basic dHdpbGlvOndyb25n"; // twilio:wrong
    assert_eq!(
        server.post("/basic", "AC3333", "token-of-3333", &[wrong]).0,
        401
    );
    assert_eq!(server.calls_for("AC3333"), 0);
    assert_eq!(server.handled(), 0);
    // With them, the sub-account's token verifies.
    let login = format!("Authorization: {BASIC}");
    assert_eq!(
        server.post("/basic", "AC3333", "token-of-3333", &[&login]),
        (200, "<Response>2</Response>".into())
    );
    assert_eq!(server.calls_for("AC3333"), 1);
    assert_eq!(server.handled(), 1);

    // A body-less GET names its account in the query: `TwilioSignature` asks the store too.
    assert_eq!(
        server.get("AC4444", "token-of-4444"),
        (200, "<Response/>".into())
    );
    assert_eq!(server.get("AC4444", "token-of-3333").0, 403);
    assert_eq!(server.calls_for("AC4444"), 1);
    assert_eq!(server.handled(), 2);

    // Report-only: the store's key verifies; a wrong token runs the handler, unverified.
    assert_eq!(
        server.post("/report", "AC4444", "token-of-4444", &[]),
        (200, "verified=true".into())
    );
    assert_eq!(
        server.post("/report", "AC4444", "token-of-3333", &[]),
        (200, "verified=false".into())
    );
    // A failing store is fail closed there too: 503, the handler does not run.
    std::fs::remove_file(&server.path).unwrap();
    assert_eq!(
        server.post("/report", "AC5555", "token-of-5555", &[]),
        (
            503,
            "Service Unavailable: webhook key store unavailable\n".into()
        )
    );
    assert_eq!(server.get("AC6666", "token-of-6666").0, 503);
    assert_eq!(server.handled(), 4);
}

/// A store that is never asked (the rocket below only ignites).
struct Never;

impl KeyResolver for Never {
    fn resolve<'a>(&'a self, _: &'a KeyLookup) -> ResolveFuture<'a> {
        Box::pin(async { Err("never asked".into()) })
    }
}

#[test]
fn the_fairing_names_a_503_catcher_once() {
    capture_errors(); // before Rocket's logger, whichever test comes first
    let config = || Config::builder().auth_token(PARENT_TOKEN).build().unwrap();
    let named_503 = |rocket: &Rocket<rocket::Ignite>| {
        rocket
            .catchers()
            .filter(|c| c.code == Some(503) && c.name.as_deref() == Some("twilio-auth"))
            .count()
    };
    let plain = rocket::execute(
        rocket::build()
            .attach(TwilioAuth::fairing(config()))
            .ignite(),
    )
    .unwrap();
    assert_eq!(named_503(&plain), 0);
    let keyed = rocket::execute(
        rocket::build()
            .attach(TwilioAuth::fairing(config()).key_resolver(Never))
            .ignite(),
    )
    .unwrap();
    assert_eq!(named_503(&keyed), 1);
    // With a replay guard too (which also answers 503): one catcher, no collision.
    #[cfg(feature = "replay")]
    {
        let both = rocket::execute(
            rocket::build()
                .attach(
                    TwilioAuth::fairing(config())
                        .key_resolver(Never)
                        .replay(twilio_auth_replay::ReplayGuard::memory()),
                )
                .ignite(),
        )
        .unwrap();
        assert_eq!(named_503(&both), 1);
    }
}
