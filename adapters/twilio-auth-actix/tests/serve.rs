//! The adapter against a real actix-web server on `127.0.0.1`, spoken to over raw
//! HTTP/1.1: what someone holding one genuine signed request can change, and whether a
//! handler ever sees a byte the signature does not cover. Each refused request is also
//! shown not to have reached its handler (a counter the handlers bump).

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, post, web};
use twilio_auth_actix::policy::HttpAuth;
use twilio_auth_actix::{TwilioAuth, TwilioSignature, Verified, twilio_signed};
use twilio_auth_core::http_auth::HttpAuthConfig;
use twilio_auth_core::{Config, Signer, form};

const TOKEN: &str = "12345";
const CALL: &[(&str, &str)] = &[("CallSid", "CA123"), ("From", "+14155550100")];

/// How many times each test's handlers ran, by name.
#[derive(Default)]
struct Runs(std::sync::Mutex<HashMap<&'static str, usize>>);

impl Runs {
    fn ran(&self, handler: &'static str) {
        *self.0.lock().unwrap().entry(handler).or_default() += 1;
    }

    fn count(&self, handler: &str) -> usize {
        self.0.lock().unwrap().get(handler).copied().unwrap_or(0)
    }
}

fn config(base: &str) -> Config {
    Config::builder()
        .auth_token(TOKEN)
        .public_base_url(base)
        .body_limit(1024)
        .http_auth(
            HttpAuthConfig::builder("webhooks")
                .credential("twilio", "s3cret-pass")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

#[twilio_signed(crate = "twilio_auth_actix")]
#[post("/voice")]
async fn voice(runs: web::Data<Runs>, call: web::Form<HashMap<String, String>>) -> HttpResponse {
    runs.ran("voice");
    HttpResponse::Ok().body(format!("voice {}", call["CallSid"]))
}

/// Reads the body with `web::Bytes` *before* the guard: the guard must refuse.
async fn bytes_then_guard(
    runs: web::Data<Runs>,
    body: web::Bytes,
    _: TwilioSignature,
) -> HttpResponse {
    runs.ran("bytes_then_guard");
    HttpResponse::Ok().body(body)
}

/// Reads the body with `web::Bytes` before a verified query: refused as well.
async fn bytes_then_query(
    runs: web::Data<Runs>,
    body: web::Bytes,
    _: Verified<web::Query<HashMap<String, String>>>,
) -> HttpResponse {
    runs.ran("bytes_then_query");
    HttpResponse::Ok().body(body)
}

/// The guard first: a form after it sees no body.
async fn guard_then_form(
    runs: web::Data<Runs>,
    _: TwilioSignature,
    form: Option<web::Form<HashMap<String, String>>>,
) -> HttpResponse {
    runs.ran("guard_then_form");
    let fields = form.map_or(0, |form| form.len());
    HttpResponse::Ok().body(format!("form fields {fields}"))
}

/// Behind the middleware: actix's own `web::Form`, which reads the body the middleware put
/// back.
async fn plain_form(
    runs: web::Data<Runs>,
    form: web::Form<HashMap<String, String>>,
) -> HttpResponse {
    runs.ran("plain_form");
    HttpResponse::Ok().body(format!("plain {}", form["CallSid"]))
}

/// A path parameter: `match_info` must not change what is signed.
async fn call_status(
    runs: web::Data<Runs>,
    sid: web::Path<String>,
    _: TwilioSignature,
) -> HttpResponse {
    runs.ran("call_status");
    HttpResponse::Ok().body(format!("call {sid}"))
}

/// A running server and what its handlers did.
struct Server {
    addr: SocketAddr,
    base: String,
    runs: web::Data<Runs>,
}

/// Starts the test app on `127.0.0.1:0` (one worker) in its own thread.
fn start() -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let base = format!("http://{addr}");
    let runs = web::Data::new(Runs::default());
    let (config, data) = (self::config(&base), runs.clone());
    let (ready, started) = mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(move || {
                App::new()
                    .app_data(config.clone())
                    .app_data(data.clone())
                    .service(voice)
                    .route("/bytes-then-guard", web::post().to(bytes_then_guard))
                    .route("/bytes-then-query", web::post().to(bytes_then_query))
                    .route("/guard-then-form", web::post().to(guard_then_form))
                    .route("/calls/{sid}/status", web::post().to(call_status))
                    .service(
                        web::scope("/twilio")
                            .wrap(TwilioAuth::new(config.clone()))
                            .route("/voice", web::post().to(plain_form)),
                    )
                    .service(
                        web::scope("/basic")
                            .wrap(TwilioAuth::new(config.clone()).http_auth(HttpAuth::Basic))
                            .route("/voice", web::post().to(plain_form)),
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
    Server { addr, base, runs }
}

/// A response as read off the wire.
struct Answer {
    status: u16,
    head: String,
    body: String,
}

impl Server {
    /// Sends `head` (without the final blank line; `Connection: close` is added) and `body`.
    fn send(&self, head: &str, body: &[u8]) -> Answer {
        let mut stream = TcpStream::connect(self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut request =
            format!("{head}\r\nHost: {}\r\nConnection: close\r\n\r\n", self.addr).into_bytes();
        request.extend_from_slice(body);
        stream.write_all(&request).unwrap();
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        Answer {
            status,
            head: head.to_owned(),
            body: body.to_owned(),
        }
    }

    /// A form POST to `path` with `signature` (over whatever the test chose).
    fn post_form(&self, path: &str, signature: &str, body: &str, extra: &str) -> Answer {
        self.send(
            &format!(
                "POST {path} HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\
                 X-Twilio-Signature: {signature}\r\nContent-Length: {}{extra}",
                body.len()
            ),
            body.as_bytes(),
        )
    }

    fn signed_form(&self, path: &str) -> String {
        Signer::new(TOKEN).sign_form(&format!("{}{path}", self.base), CALL)
    }
}

#[test]
fn the_attribute_verifies_and_hands_actix_the_same_form() {
    let server = start();
    let body = form::encode(CALL);
    let ok = server.post_form("/voice", &server.signed_form("/voice"), &body, "");
    assert_eq!((ok.status, ok.body.as_str()), (200, "voice CA123"));

    let forged = Signer::new("not the token").sign_form(&format!("{}/voice", server.base), CALL);
    let refused = server.post_form("/voice", &forged, &body, "");
    assert_eq!(refused.status, 403);
    assert!(refused.head.contains("text/plain"), "{}", refused.head);

    // The genuine signature with one more parameter in the body.
    let tampered = format!("{body}&Extra=1");
    let refused = server.post_form("/voice", &server.signed_form("/voice"), &tampered, "");
    assert_eq!(refused.status, 403);
    assert_eq!(server.runs.count("voice"), 1);
}

#[test]
fn a_body_taken_before_the_guard_is_refused_not_ignored() {
    let server = start();
    // Genuine signatures over the URL alone (what a GET callback carries), replayed as a
    // POST whose body an earlier extractor reads.
    for path in ["/bytes-then-guard", "/bytes-then-query"] {
        let url_only = Signer::new(TOKEN).sign_url(&format!("{}{path}", server.base));
        let answer = server.post_form(path, &url_only, "Injected=1", "");
        assert_eq!(answer.status, 403, "{path}: {}", answer.body);
        assert!(
            answer.body.contains("not covered"),
            "{path}: {}",
            answer.body
        );
    }
    assert_eq!(server.runs.count("bytes_then_guard"), 0);
    assert_eq!(server.runs.count("bytes_then_query"), 0);
}

#[test]
fn the_guard_takes_the_body_so_an_extractor_after_it_reads_nothing() {
    let server = start();
    let body = form::encode(CALL);
    let ok = server.post_form(
        "/guard-then-form",
        &server.signed_form("/guard-then-form"),
        &body,
        "",
    );
    assert_eq!((ok.status, ok.body.as_str()), (200, "form fields 0"));
    // A body nobody signed next to a signature over the URL alone.
    let url_only = Signer::new(TOKEN).sign_url(&format!("{}/guard-then-form", server.base));
    let refused = server.post_form("/guard-then-form", &url_only, &body, "");
    assert_eq!(refused.status, 403);
    assert_eq!(server.runs.count("guard_then_form"), 1);
}

#[test]
fn the_middleware_signs_the_scope_prefix_and_gives_the_body_back() {
    let server = start();
    let body = form::encode(CALL);
    let ok = server.post_form(
        "/twilio/voice",
        &server.signed_form("/twilio/voice"),
        &body,
        "",
    );
    assert_eq!((ok.status, ok.body.as_str()), (200, "plain CA123"));
    // Signed without the scope's prefix: another URL.
    let refused = server.post_form("/twilio/voice", &server.signed_form("/voice"), &body, "");
    assert_eq!(refused.status, 403);
    // Chunked past the limit: refused by the verifier, handler never ran.
    let mut chunked = Vec::new();
    for _ in 0..4 {
        chunked.extend_from_slice(format!("{:x}\r\n", 512).as_bytes());
        chunked.extend_from_slice(&[b'a'; 512]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let too_large = server.send(
        &format!(
            "POST /twilio/voice HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nX-Twilio-Signature: {}",
            server.signed_form("/twilio/voice")
        ),
        &chunked,
    );
    assert_eq!(too_large.status, 413);
    assert_eq!(server.runs.count("plain_form"), 1);
}

#[test]
fn the_middleware_asks_for_credentials_first() {
    let server = start();
    let body = form::encode(CALL);
    let signature = server.signed_form("/basic/voice");
    let challenged = server.post_form("/basic/voice", &signature, &body, "");
    assert_eq!(challenged.status, 401);
    assert!(
        challenged
            .head
            .to_ascii_lowercase()
            .contains("www-authenticate: basic realm=\"webhooks\""),
        "{}",
        challenged.head
    );
    // base64 of `twilio:s3cret-pass`.
    let login = "\r\nAuthorization: Basic dHdpbGlvOnMzY3JldC1wYXNz";
    let ok = server.post_form("/basic/voice", &signature, &body, login);
    assert_eq!((ok.status, ok.body.as_str()), (200, "plain CA123"));
    let forged = server.post_form("/basic/voice", "Zm9yZ2Vk", &body, login);
    assert_eq!(forged.status, 403);
    assert_eq!(server.runs.count("plain_form"), 1);
}

#[test]
fn path_parameters_do_not_change_what_is_signed() {
    let server = start();
    // Twilio signs the URL as it sent it: the escaped segment, not actix's decoding of it.
    let path = "/calls/CA%31/status";
    let raw = Signer::new(TOKEN).sign_form(&format!("{}{path}", server.base), CALL);
    let body = form::encode(CALL);
    let ok = server.post_form(path, &raw, &body, "");
    assert_eq!((ok.status, ok.body.as_str()), (200, "call CA1"));
    let decoded = Signer::new(TOKEN).sign_form(&format!("{}/calls/CA1/status", server.base), CALL);
    let refused = server.post_form(path, &decoded, &body, "");
    assert_eq!(refused.status, 403);
    assert_eq!(server.runs.count("call_status"), 1);
}

#[test]
fn an_app_without_a_configuration_answers_503_not_500() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (ready, started) = mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(|| {
                App::new()
                    .app_data(web::Data::new(Runs::default()))
                    .service(voice)
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
    let server = Server {
        addr,
        base: format!("http://{addr}"),
        runs: web::Data::new(Runs::default()),
    };
    let body = form::encode(CALL);
    let answer = server.post_form("/voice", &server.signed_form("/voice"), &body, "");
    assert_eq!(answer.status, 503);
    assert!(answer.body.contains("not configured"), "{}", answer.body);
}
