//! The layer in front of a real hyper 1 server on `127.0.0.1`, spoken to in raw HTTP/1.1 so
//! that what goes on the wire is exactly what an attacker would send: each test holds one
//! genuine signed request and tries what can be changed around it.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tower::{ServiceBuilder, service_fn};
use twilio_auth_core::http_auth::HttpAuthConfig;
use twilio_auth_core::policy::HttpAuth;
use twilio_auth_core::{Config, Signer};
use twilio_auth_tower::TwilioAuthLayer;

const TOKEN: &str = "tower-test-token";
const FORM: &str = "application/x-www-form-urlencoded";
const LIMIT: usize = 256;

/// A hyper server whose one handler echoes what it read: `METHOD path?query|body`.
struct Server {
    addr: SocketAddr,
    base: String,
    handled: Arc<AtomicUsize>,
}

impl Server {
    async fn start(layer: impl FnOnce(Config) -> TwilioAuthLayer) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let base = format!("http://{addr}");
        let config = Config::builder()
            .auth_token(TOKEN)
            .public_base_url(base.clone())
            .body_limit(LIMIT)
            .http_auth(
                HttpAuthConfig::builder("twilio-webhooks")
                    .credential("twilio", "webhook-password")
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        let handled = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&handled);
        let service = ServiceBuilder::new()
            .layer(layer(config))
            .service(service_fn(move |req: Request<Full<Bytes>>| {
                let counter = Arc::clone(&counter);
                async move { Ok::<_, Infallible>(echo(req, &counter).await) }
            }));
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let service = TowerToHyperService::new(service.clone());
                tokio::spawn(async move {
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Server {
            addr,
            base,
            handled,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn handled(&self) -> usize {
        self.handled.load(Ordering::SeqCst)
    }
}

async fn echo(req: Request<Full<Bytes>>, counter: &AtomicUsize) -> Response<Full<Bytes>> {
    use http_body_util::BodyExt;
    counter.fetch_add(1, Ordering::SeqCst);
    let verified = req
        .extensions()
        .get::<twilio_auth_core::Verified>()
        .is_some();
    let head = format!("{} {}|", req.method(), req.uri());
    let body = req.into_body().collect().await.unwrap().to_bytes();
    let mut text = head.into_bytes();
    text.extend_from_slice(&body);
    let mut response = Response::new(Full::new(Bytes::from(text)));
    if verified {
        response
            .headers_mut()
            .insert("x-verified", "yes".parse().unwrap());
    }
    response
}

/// One parsed response.
#[derive(Debug)]
struct Answer {
    status: u16,
    head: String,
    body: String,
}

impl Answer {
    fn headers(&self, name: &str) -> Vec<&str> {
        self.head
            .lines()
            .filter_map(|l| l.split_once(':'))
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
            .collect()
    }
}

/// A connection on which requests are written as raw bytes.
struct Conn(TcpStream);

impl Conn {
    async fn open(server: &Server) -> Conn {
        Conn(TcpStream::connect(server.addr).await.unwrap())
    }

    async fn send(&mut self, bytes: &[u8]) {
        self.0.write_all(bytes).await.unwrap();
    }

    /// Reads one response (its body framed by `Content-Length`).
    async fn answer(&mut self) -> Answer {
        tokio::time::timeout(Duration::from_secs(10), self.read_answer())
            .await
            .expect("no answer within 10 s")
    }

    async fn read_answer(&mut self) -> Answer {
        let mut buf = Vec::new();
        let mut byte = [0u8; 1];
        while !buf.ends_with(b"\r\n\r\n") {
            let n = self.0.read(&mut byte).await.unwrap();
            assert_eq!(n, 1, "connection closed before a response head: {buf:?}");
            buf.push(byte[0]);
        }
        let head = String::from_utf8(buf).unwrap();
        let status = head[9..12].parse().unwrap();
        let length: usize = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().parse().unwrap())
            })
            .unwrap_or(0);
        let mut body = vec![0; length];
        self.0.read_exact(&mut body).await.unwrap();
        Answer {
            status,
            head,
            body: String::from_utf8(body).unwrap(),
        }
    }
}

/// A form POST with its `Content-Length`, as raw bytes.
fn form_post(target: &str, signature: &str, body: &str, extra: &str) -> Vec<u8> {
    format!(
        "POST {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {FORM}\r\n\
         X-Twilio-Signature: {signature}\r\n{extra}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

const CALL: &[(&str, &str)] = &[("CallSid", "CA123"), ("From", "+14155550100")];
const CALL_BODY: &str = "CallSid=CA123&From=%2B14155550100";

async fn signature_server() -> Server {
    Server::start(TwilioAuthLayer::new).await
}

#[tokio::test]
async fn a_signed_form_reaches_the_service_with_the_same_bytes_and_a_forged_one_does_not() {
    let server = signature_server().await;
    let signature = Signer::new(TOKEN).sign_form(&server.url("/voice"), CALL);
    let mut conn = Conn::open(&server).await;
    conn.send(&form_post("/voice", &signature, CALL_BODY, ""))
        .await;
    let ok = conn.answer().await;
    assert_eq!(ok.status, 200, "{ok:?}");
    assert_eq!(ok.body, format!("POST /voice|{CALL_BODY}"));
    assert_eq!(ok.headers("x-verified"), ["yes"]);

    let forged = "CallSid=CA123&From=%2B19995550100";
    conn.send(&form_post("/voice", &signature, forged, ""))
        .await;
    let refused = conn.answer().await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.body, "Forbidden: invalid Twilio signature\n");
    assert_eq!(
        refused.headers("content-type"),
        ["text/plain; charset=utf-8"]
    );
    assert_eq!(server.handled(), 1);
}

#[tokio::test]
async fn a_second_request_on_a_kept_alive_connection_is_verified_on_its_own() {
    let server = signature_server().await;
    let signature = Signer::new(TOKEN).sign_form(&server.url("/voice"), CALL);
    let mut conn = Conn::open(&server).await;
    // Pipelined: the genuine request, then the same signature with another body, then the
    // genuine one again, all written before any answer is read.
    let mut wire = form_post("/voice", &signature, CALL_BODY, "");
    wire.extend(form_post("/voice", &signature, "CallSid=CA999", ""));
    wire.extend(form_post("/voice", &signature, CALL_BODY, ""));
    conn.send(&wire).await;
    let statuses = [
        conn.answer().await.status,
        conn.answer().await.status,
        conn.answer().await.status,
    ];
    assert_eq!(statuses, [200, 403, 200]);
    assert_eq!(server.handled(), 2);
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_refused_before_it_is_all_sent() {
    let server = signature_server().await;
    let signature = Signer::new(TOKEN).sign_form(&server.url("/voice"), CALL);
    let mut conn = Conn::open(&server).await;
    conn.send(
        format!(
            "POST /voice HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {FORM}\r\n\
             X-Twilio-Signature: {signature}\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        .as_bytes(),
    )
    .await;
    // Over the limit in 64-byte chunks, and no final chunk: the answer must come anyway.
    let chunk = format!("40\r\n{}\r\n", "a".repeat(64));
    for _ in 0..(LIMIT / 64 + 1) {
        conn.send(chunk.as_bytes()).await;
    }
    let refused = conn.answer().await;
    assert_eq!(refused.status, 413, "{refused:?}");
    assert_eq!(refused.body, "Payload Too Large\n");
    assert_eq!(server.handled(), 0);
}

#[tokio::test]
async fn an_announced_oversize_body_is_refused_unread() {
    let server = signature_server().await;
    let mut conn = Conn::open(&server).await;
    // Only the head is sent: the answer comes without a byte of the body.
    conn.send(
        format!(
            "POST /voice HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {FORM}\r\n\
             X-Twilio-Signature: x\r\nContent-Length: {}\r\n\r\n",
            LIMIT + 1
        )
        .as_bytes(),
    )
    .await;
    assert_eq!(conn.answer().await.status, 413);
    assert_eq!(server.handled(), 0);
}

#[tokio::test]
async fn a_body_on_a_signed_get_is_refused() {
    let server = signature_server().await;
    let url = server.url("/status?CallSid=CA1&CallStatus=completed");
    let signature = Signer::new(TOKEN).sign_url(&url);
    let mut conn = Conn::open(&server).await;
    let get = |body: &str| {
        format!(
            "GET /status?CallSid=CA1&CallStatus=completed HTTP/1.1\r\nHost: 127.0.0.1\r\n\
             Content-Type: {FORM}\r\nX-Twilio-Signature: {signature}\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    conn.send(get("").as_bytes()).await;
    let ok = conn.answer().await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.body, "GET /status?CallSid=CA1&CallStatus=completed|");
    conn.send(get("CallSid=CA_EVIL&CallStatus=refund").as_bytes())
        .await;
    let refused = conn.answer().await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        refused.body,
        "Forbidden: request body not covered by the Twilio signature\n"
    );
    assert_eq!(server.handled(), 1);
}

#[tokio::test]
async fn an_absolute_form_target_is_verified_by_its_path_and_query() {
    let server = signature_server().await;
    let signature = Signer::new(TOKEN).sign_form(&server.url("/voice"), CALL);
    let mut conn = Conn::open(&server).await;
    // The base URL is pinned: another authority in the request line changes nothing that
    // is signed, and the service sees the path that was signed.
    conn.send(&form_post(
        "http://evil.example/voice",
        &signature,
        CALL_BODY,
        "",
    ))
    .await;
    let same = conn.answer().await;
    assert_eq!(same.status, 200, "{same:?}");
    assert!(same.body.ends_with(&format!("/voice|{CALL_BODY}")));
    // Another path under the same signature, through the absolute form: refused.
    for target in [
        "http://evil.example/api/voice",
        "http://evil.example/voice/",
        "http://evil.example//voice",
        "http://evil.example/voice?x=1",
    ] {
        conn.send(&form_post(target, &signature, CALL_BODY, ""))
            .await;
        assert_eq!(conn.answer().await.status, 403, "{target}");
    }
    assert_eq!(server.handled(), 1);
}

#[tokio::test]
async fn a_forged_signature_before_the_genuine_one_is_refused() {
    let server = signature_server().await;
    let signature = Signer::new(TOKEN).sign_form(&server.url("/voice"), CALL);
    let mut conn = Conn::open(&server).await;
    conn.send(&form_post(
        "/voice",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        CALL_BODY,
        &format!("X-Twilio-Signature: {signature}\r\n"),
    ))
    .await;
    assert_eq!(conn.answer().await.status, 403);
    // The genuine one first and another after it: the first is the one checked, and the
    // service sees only the signed bytes.
    conn.send(&form_post(
        "/voice",
        &signature,
        CALL_BODY,
        "X-Twilio-Signature: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n",
    ))
    .await;
    let ok = conn.answer().await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.body, format!("POST /voice|{CALL_BODY}"));
    assert_eq!(server.handled(), 1);
}

#[tokio::test]
async fn http_auth_comes_first_with_one_challenge_header_each() {
    let server =
        Server::start(|config| TwilioAuthLayer::new(config).http_auth(HttpAuth::Either)).await;
    let signature = Signer::new(TOKEN).sign_form(&server.url("/voice"), CALL);
    let mut conn = Conn::open(&server).await;
    conn.send(&form_post("/voice", &signature, CALL_BODY, ""))
        .await;
    let challenge = conn.answer().await;
    assert_eq!(challenge.status, 401);
    let challenges = challenge.headers("www-authenticate");
    let basic = challenges
        .iter()
        .filter(|c| c.starts_with("Basic realm=\"twilio-webhooks\""));
    let digest = challenges
        .iter()
        .filter(|c| c.starts_with("Digest realm=\"twilio-webhooks\""));
    assert_eq!(basic.count(), 1, "{challenges:?}");
    assert!(digest.count() >= 1, "{challenges:?}");
    // base64("twilio:webhook-password")
    let login = "Authorization: Basic dHdpbGlvOndlYmhvb2stcGFzc3dvcmQ=\r\n";
    conn.send(&form_post("/voice", &signature, CALL_BODY, login))
        .await;
    assert_eq!(conn.answer().await.status, 200);
    conn.send(&form_post("/voice", "AAAA", CALL_BODY, login))
        .await;
    assert_eq!(conn.answer().await.status, 403);
    assert_eq!(server.handled(), 1);

    let only =
        Server::start(|config| TwilioAuthLayer::new(config).http_auth_only(HttpAuth::Basic)).await;
    let mut conn = Conn::open(&only).await;
    conn.send(&form_post("/voice", "not-a-signature", CALL_BODY, login))
        .await;
    assert_eq!(conn.answer().await.status, 200);
    conn.send(&form_post("/voice", "not-a-signature", CALL_BODY, ""))
        .await;
    assert_eq!(conn.answer().await.status, 401);
}

#[tokio::test]
async fn a_malformed_chunk_is_a_short_400() {
    let server = signature_server().await;
    let mut conn = Conn::open(&server).await;
    conn.send(
        b"POST /voice HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Twilio-Signature: x\r\n\
          Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
    )
    .await;
    let refused = conn.answer().await;
    assert_eq!(refused.status, 400, "{refused:?}");
    assert_eq!(server.handled(), 0);
}
