//! Keys from your own store, over real HTTP: an actix-web server on `127.0.0.1:0` whose
//! scope is wrapped by `TwilioAuth::key_resolver`, a resolver that reads a key file from
//! disk on every cache miss, and raw HTTP/1.1 requests.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use twilio_auth_actix::TwilioAuth;
use twilio_auth_core::resolver::{CachedResolver, KeyResolver, ResolveFuture};
use twilio_auth_core::{Config, KeyLookup, ResolvedKey, Signer, form};

const PARENT_TOKEN: &str = "parent-token";

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

struct Server {
    addr: SocketAddr,
    handled: Arc<AtomicUsize>,
}

impl Server {
    fn start(resolver: impl KeyResolver + Clone) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let config = Config::builder()
            .auth_token(PARENT_TOKEN)
            .public_base_url(format!("http://{addr}"))
            .build()
            .unwrap();
        let handled = Arc::new(AtomicUsize::new(0));
        let counter = handled.clone();
        let (ready, started) = mpsc::channel();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = HttpServer::new(move || {
                    let counter = counter.clone();
                    App::new().service(
                        web::scope("/twilio")
                            .wrap(TwilioAuth::new(config.clone()).key_resolver(resolver.clone()))
                            .route(
                                "/sms",
                                web::post().to(move || {
                                    counter.fetch_add(1, Ordering::SeqCst);
                                    async { HttpResponse::Ok().body("<Response/>") }
                                }),
                            ),
                    )
                })
                .workers(1)
                .listen(listener)
                .unwrap()
                .run();
                ready.send(()).unwrap();
                server.await.unwrap();
            });
        });
        started.recv_timeout(Duration::from_secs(10)).unwrap();
        Server { addr, handled }
    }

    /// POSTs a message from `account`, signed with `token`: the status and body.
    fn post(&self, account: &str, token: &str) -> (u16, String) {
        let url = format!("http://{}/twilio/sms", self.addr);
        let params = [("AccountSid", account), ("Body", "hello")];
        let signature = Signer::new(token).sign_form(&url, &params);
        let body = form::encode(&params);
        let mut stream = TcpStream::connect(self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let head = format!(
            "POST /twilio/sms HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
             X-Twilio-Signature: {signature}\r\n\r\n",
            self.addr,
            body.len()
        );
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body.as_bytes()).unwrap();
        let mut raw = String::new();
        let _ = stream.read_to_string(&mut raw);
        let status = raw
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let body = raw.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_owned();
        (status, body)
    }

    fn handled(&self) -> usize {
        self.handled.load(Ordering::SeqCst)
    }
}

#[test]
fn sub_account_keys_come_from_the_store_through_the_cache_and_a_failing_store_is_503() {
    let path =
        std::env::temp_dir().join(format!("twilio-auth-actix-keys-{}.txt", std::process::id()));
    std::fs::write(&path, "AC1111=token-of-1111\nAC2222=token-of-2222\n").unwrap();
    let calls = Arc::new(Mutex::new(Vec::new()));
    let store = KeyFile {
        path: path.clone(),
        calls: calls.clone(),
    };
    // One cache shared by actix's workers (each builds its app): an `Arc` is a resolver.
    let server = Server::start(Arc::new(CachedResolver::new(store)));
    let calls_for = |sid: &str| {
        let lookup = KeyLookup::Account(sid.to_owned());
        calls
            .lock()
            .unwrap()
            .iter()
            .filter(|l| **l == lookup)
            .count()
    };

    // A sub-account the configuration does not hold, signed with its own token: verified.
    assert_eq!(
        server.post("AC1111", "token-of-1111"),
        (200, "<Response/>".into())
    );
    assert_eq!(server.handled(), 1);
    // Signed with another account's token (or the parent's): refused, the handler did not run.
    assert_eq!(server.post("AC1111", "token-of-2222").0, 403);
    assert_eq!(server.post("AC1111", PARENT_TOKEN).0, 403);
    assert_eq!(server.handled(), 1);
    // Cached: three requests for AC1111, one read of the file.
    assert_eq!(calls_for("AC1111"), 1);
    // An account the store does not know: refused, and remembered (negative cache).
    for _ in 0..3 {
        assert_eq!(server.post("AC9999", "guessed-token").0, 403);
    }
    assert_eq!(calls_for("AC9999"), 1);
    // The parent account, unknown to the store, verifies with the configured token (the
    // store's "unknown" is remembered too).
    assert_eq!(server.post("ACparent", PARENT_TOKEN).0, 200);
    assert_eq!(server.post("ACparent", PARENT_TOKEN).0, 200);
    assert_eq!(calls_for("ACparent"), 1);

    // The store fails (its file is gone): a new account is answered 503, fail closed; a
    // cached one still verifies.
    std::fs::remove_file(&path).unwrap();
    let handled = server.handled();
    let (status, body) = server.post("AC2222", "token-of-2222");
    assert_eq!(status, 503, "{body}");
    assert!(body.len() < 80 && !body.contains("token"), "{body}");
    assert_eq!(server.handled(), handled);
    assert_eq!(server.post("AC1111", "token-of-1111").0, 200);
}
