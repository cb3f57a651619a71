//! Signed WebSocket handshakes (Media Streams, ConversationRelay) against an example app, as
//! a real process on `127.0.0.1`, with real WebSocket clients: `tokio-tungstenite`, and
//! Python's `websockets` (a second, independent client) for one row. Signatures come from
//! twilio-python's `RequestValidator.compute_signature` (and our signer where marked).
//!
//! Every row is checked against the app's log as the HTTP table's rows are
//! (`evidence.rs`): an accepted handshake ran its handler once; a refused one was refused by
//! our verifier with the expected reason, ran no handler, and got no `101`.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::client::generate_key;
use tokio_tungstenite::tungstenite::http::Request;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use super::app::{self, App, TOKEN};
use super::evidence::Evidence;
use super::http_auth;
use super::peers::{self, Peer};
use super::runner;
use super::scenarios::{AppEnv, Ctx, FORGER_TOKEN};

/// The public URL Twilio connects to; HTTP Basic credentials for `/basic/media`.
const PUBLIC: AppEnv = AppEnv {
    name: "WebSockets, public base URL",
    vars: &[
        ("TWILIO_WEBHOOK_BASE_URL", "https://public.example.com"),
        ("WEBHOOK_USER", http_auth::USER),
        ("WEBHOOK_PASSWORD", http_auth::PASSWORD),
        ("WEBHOOK_REALM", http_auth::REALM),
    ],
    public_base: Some("https://public.example.com"),
};

/// Behind a TLS-terminating proxy that writes `X-Forwarded-*`.
const PROXIED: AppEnv = AppEnv {
    name: "WebSockets, behind a trusted proxy",
    vars: &[("TWILIO_TRUST_FORWARDED_HEADERS", "x-forwarded")],
    public_base: None,
};

/// The public host of [`PROXIED`].
const EDGE: &str = "edge.example.com";

/// What a row expects.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// `101`, then this conversation, and the handler ran once.
    Upgraded(Conversation),
    /// This status and our verifier's refusal (with this reason text); no handler ran.
    Refused(u16, &'static str),
}

/// What the client says after a `101`.
#[derive(Debug, Clone, Copy)]
enum Conversation {
    /// `connected`, `start` → a `mark` on the stream; `stop` → the server closes.
    Media,
    /// `setup` → a `text` message.
    Relay,
}

/// One handshake to send.
struct Handshake {
    target: String,
    signature: Option<String>,
    headers: Vec<(String, String)>,
    /// `false`: a plain `GET` (no `Upgrade`), to check a handshake signature does not
    /// verify one.
    upgrade: bool,
}

impl Handshake {
    fn new(target: &str, signature: Result<String, String>) -> Result<Self, String> {
        Ok(Handshake {
            target: target.to_owned(),
            signature: Some(signature?),
            headers: Vec::new(),
            upgrade: true,
        })
    }

    fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

type Build = fn(&Ctx) -> Result<Handshake, String>;

fn public_wss(ctx: &Ctx, target: &str) -> String {
    // https://public.example.com → wss://public.example.com
    format!("wss{}", ctx.url(target).trim_start_matches("https"))
}

fn python_url(ctx: &Ctx, target: &str) -> Result<Handshake, String> {
    Handshake::new(
        target,
        Peer::Python.sign_url(TOKEN, &public_wss(ctx, target)),
    )
}

/// The rows of [`PUBLIC`]: name, the handshake, the expectation.
fn public_rows() -> Vec<(&'static str, Build, Expect)> {
    use Conversation::{Media, Relay};
    const MISMATCH: Expect = Expect::Refused(403, "matches none of the candidate URLs");
    vec![
        (
            "media: wss URL signed by python → 101, mark after start, close after stop",
            |ctx| python_url(ctx, "/media"),
            Expect::Upgraded(Media),
        ),
        (
            "relay: wss URL with its query signed by python → 101, text after setup",
            |ctx| python_url(ctx, "/relay?agent=sales&lang=en-US"),
            Expect::Upgraded(Relay),
        ),
        (
            "relay: URL without query + query as parameters, signed by python → 101",
            |ctx| {
                let url = public_wss(ctx, "/relay");
                let params = [("agent", "sales"), ("lang", "en US")];
                let signature = Peer::Python.sign_form(TOKEN, &url, &params);
                Handshake::new("/relay?lang=en+US&agent=sales", signature)
            },
            Expect::Upgraded(Relay),
        ),
        (
            "media: trailing-slash form signed by python → 101",
            |ctx| {
                let signature = Peer::Python.sign_url(TOKEN, &public_wss(ctx, "/media/"));
                Handshake::new("/media", signature)
            },
            Expect::Upgraded(Media),
        ),
        (
            "relay: trailing slash + query as parameters, signed by python → 101",
            |ctx| {
                let url = public_wss(ctx, "/relay/");
                let signature = Peer::Python.sign_form(TOKEN, &url, &[("agent", "sales")]);
                Handshake::new("/relay?agent=sales", signature)
            },
            Expect::Upgraded(Relay),
        ),
        (
            "forged: signed with another token → 403, no upgrade",
            |ctx| {
                let signature = Peer::Python.sign_url(FORGER_TOKEN, &public_wss(ctx, "/media"));
                Handshake::new("/media", signature)
            },
            MISMATCH,
        ),
        (
            "missing signature → 403, no upgrade",
            |_| {
                Ok(Handshake {
                    signature: None,
                    ..Handshake::new("/media", Ok(String::new()))?
                })
            },
            Expect::Refused(403, "missing X-Twilio-Signature"),
        ),
        (
            "wrong scheme: the https:// URL signed → 403, no upgrade",
            |ctx| Handshake::new("/media", Peer::Python.sign_url(TOKEN, &ctx.url("/media"))),
            MISMATCH,
        ),
        (
            "the /media signature on /relay → 403",
            |ctx| {
                let signature = Peer::Python.sign_url(TOKEN, &public_wss(ctx, "/media"));
                Handshake::new("/relay", signature)
            },
            MISMATCH,
        ),
        (
            "relay: query changed after signing → 403",
            |ctx| {
                let signature =
                    Peer::Python.sign_url(TOKEN, &public_wss(ctx, "/relay?agent=sales"));
                Handshake::new("/relay?agent=admin", signature)
            },
            MISMATCH,
        ),
        (
            "relay: a parameter added to a query signed as parameters → 403",
            |ctx| {
                let url = public_wss(ctx, "/relay");
                let signature = Peer::Python.sign_form(TOKEN, &url, &[("agent", "sales")]);
                Handshake::new("/relay?agent=sales&admin=1", signature)
            },
            MISMATCH,
        ),
        (
            "a genuine handshake signature on a plain GET (no Upgrade) → 403",
            |ctx| {
                let mut handshake = python_url(ctx, "/media")?;
                handshake.upgrade = false;
                Ok(handshake)
            },
            MISMATCH,
        ),
        (
            "basic/media: no credentials → 401 with a Basic challenge",
            |ctx| python_url(ctx, "/basic/media"),
            Expect::Refused(401, ""),
        ),
        (
            "basic/media: right credentials → 101",
            |ctx| {
                let authorization =
                    http_auth::basic_authorization(http_auth::USER, http_auth::PASSWORD);
                Ok(python_url(ctx, "/basic/media")?.header("Authorization", &authorization))
            },
            Expect::Upgraded(Media),
        ),
        (
            "basic/media: right credentials, forged signature → 403",
            |ctx| {
                let authorization =
                    http_auth::basic_authorization(http_auth::USER, http_auth::PASSWORD);
                let signature =
                    Peer::Python.sign_url(FORGER_TOKEN, &public_wss(ctx, "/basic/media"));
                Ok(Handshake::new("/basic/media", signature)?
                    .header("Authorization", &authorization))
            },
            MISMATCH,
        ),
    ]
}

/// The rows of [`PROXIED`].
fn proxied_rows() -> Vec<(&'static str, Build, Expect)> {
    vec![
        (
            "behind a proxy: X-Forwarded-Proto https, wss URL signed by python → 101",
            |_| {
                let signature = Peer::Python.sign_url(TOKEN, &format!("wss://{EDGE}/media"));
                Ok(Handshake::new("/media", signature)?
                    .header("X-Forwarded-Proto", "https")
                    .header("X-Forwarded-Host", EDGE))
            },
            Expect::Upgraded(Conversation::Media),
        ),
        (
            "behind a proxy: X-Forwarded-Proto https, ws:// URL signed → 403",
            |_| {
                let signature = Peer::Python.sign_url(TOKEN, &format!("ws://{EDGE}/media"));
                Ok(Handshake::new("/media", signature)?
                    .header("X-Forwarded-Proto", "https")
                    .header("X-Forwarded-Host", EDGE))
            },
            Expect::Refused(403, "matches none of the candidate URLs"),
        ),
    ]
}

/// Runs every handshake row against the example app `app` and panics with a report if any
/// fails.
pub fn run(app: &str) {
    if let Err(message) = peers::ensure_installed() {
        panic!("{message}");
    }
    let binary = app::example_binary(app).unwrap_or_else(|e| panic!("{e}"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let mut report = String::new();
    let mut failures = Vec::new();
    for (env, rows) in [(&PUBLIC, public_rows()), (&PROXIED, proxied_rows())] {
        let _ = writeln!(report, "-- {app}, {}", env.name);
        let mut server = match App::start(&binary, env.vars) {
            Ok(server) => server,
            Err(e) => {
                failures.push(format!("{}: the app did not start: {e}", env.name));
                continue;
            }
        };
        let ctx = Ctx::new(app, env, server.addr.port());
        let mut probes = 0;
        let mut mark = match runner::still_up(&mut server, &ctx, &mut probes, 0) {
            Ok((_, end)) => end,
            Err(e) => {
                failures.push(format!("{}: the app does not answer: {e}", env.name));
                continue;
            }
        };
        for (name, build, expect) in rows {
            let outcome = build(&ctx)
                .and_then(|handshake| runtime.block_on(exchange(server.addr, &handshake, expect)));
            let fenced = runner::still_up(&mut server, &ctx, &mut probes, mark);
            let next = match &fenced {
                Ok((_, end)) => *end,
                Err(_) => server.log_len(),
            };
            let checked = outcome.and_then(|trail| {
                let (fence, _) = fenced.map_err(|e| format!("no answer afterwards: {e}"))?;
                let evidence = Evidence::read(&server.log_between(mark, fence));
                check_evidence(&evidence, expect)?;
                Ok(trail)
            });
            mark = next;
            match checked {
                Ok(trail) => {
                    let _ = writeln!(report, "pass  {name:<78} {trail}");
                }
                Err(why) => {
                    let _ = writeln!(report, "FAIL  {name:<78} {why}");
                    failures.push(format!("{} / {name}: {why}", env.name));
                }
            }
        }
        if env.name == PUBLIC.name {
            let name = "python websockets client: signed handshake → 101, mark after start";
            match python_client(&ctx) {
                Ok(()) => {
                    let _ = writeln!(report, "pass  {name:<78} 101");
                }
                Err(why) => {
                    let _ = writeln!(report, "FAIL  {name:<78} {why}");
                    failures.push(format!("{} / {name}: {why}", env.name));
                }
            }
        }
        if server.log().contains(http_auth::PASSWORD) {
            failures.push(format!("{}: the app logged the WEBHOOK_PASSWORD", env.name));
        }
        if !failures.is_empty() {
            let log = server.log();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            let _ = writeln!(report, "   app log (last lines):");
            for line in tail.into_iter().rev() {
                let _ = writeln!(report, "      {line}");
            }
        }
    }
    println!("{report}");
    assert!(
        failures.is_empty(),
        "{} WebSocket handshake rows failed against {app} (report above):\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}

/// What the log must show for a row: the one handler of an accepted handshake, or our
/// verifier's refusal and no handler.
fn check_evidence(evidence: &Evidence, expect: Expect) -> Result<(), String> {
    match expect {
        Expect::Upgraded(_) => {
            if evidence.handlers.len() != 1 || !evidence.refusals.is_empty() {
                return Err(format!("expected one handler line, got {evidence:?}"));
            }
        }
        Expect::Refused(status, reason) => {
            if !evidence.handlers.is_empty() {
                return Err(format!("a refused handshake ran {:?}", evidence.handlers));
            }
            if !evidence
                .refusals
                .iter()
                .any(|(s, text)| *s == status && text.contains(reason))
            {
                return Err(format!(
                    "no refusal by our verifier with {status} {reason:?} in the log: {evidence:?}"
                ));
            }
        }
    }
    Ok(())
}

/// Sends one handshake and checks the answer; `Ok` is the row's trail for the report.
async fn exchange(
    addr: SocketAddr,
    handshake: &Handshake,
    expect: Expect,
) -> Result<String, String> {
    let mut request = request_for(addr, handshake)?;
    if !handshake.upgrade {
        // A plain GET with the same signature: sent over raw HTTP, no Upgrade.
        for name in [
            "upgrade",
            "connection",
            "sec-websocket-key",
            "sec-websocket-version",
        ] {
            request.headers_mut().remove(name);
        }
        return plain_get(addr, &request, expect).await;
    }
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    let connected = tokio::time::timeout(
        Duration::from_secs(10),
        tokio_tungstenite::client_async(request, stream),
    )
    .await
    .map_err(|_| "no answer to the handshake within 10 s".to_owned())?;
    match (connected, expect) {
        (Ok((socket, response)), Expect::Upgraded(conversation)) => {
            if response.status().as_u16() != 101 {
                return Err(format!("status {}", response.status()));
            }
            converse(socket, conversation).await?;
            Ok("101".to_owned())
        }
        (Ok((_, response)), Expect::Refused(status, _)) => Err(format!(
            "upgraded ({}) instead of {status}",
            response.status()
        )),
        (Err(WsError::Http(response)), Expect::Refused(status, _)) => {
            let got = response.status().as_u16();
            if got != status {
                return Err(format!("status {got} instead of {status}"));
            }
            let body = response
                .body()
                .as_deref()
                .map(String::from_utf8_lossy)
                .unwrap_or_default();
            if body.contains(TOKEN) || body.len() > 512 {
                return Err(format!("the refusal body is not short and clean: {body:?}"));
            }
            if status == 401 {
                let challenge = response
                    .headers()
                    .get("www-authenticate")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                if !challenge.starts_with("Basic realm=") {
                    return Err(format!("401 without a Basic challenge: {challenge:?}"));
                }
            }
            Ok(got.to_string())
        }
        (Err(WsError::Http(response)), Expect::Upgraded(_)) => {
            Err(format!("status {} instead of 101", response.status()))
        }
        (Err(e), _) => Err(format!("handshake failed: {e}")),
    }
}

/// The handshake request: the WebSocket headers tungstenite adds, the signature, and the
/// row's headers.
fn request_for(addr: SocketAddr, handshake: &Handshake) -> Result<Request<()>, String> {
    let url = format!("ws://{addr}{}", handshake.target);
    let mut request = url
        .as_str()
        .into_client_request()
        .map_err(|e| format!("bad request {url}: {e}"))?;
    let headers = request.headers_mut();
    if let Some(signature) = &handshake.signature {
        headers.insert(
            "x-twilio-signature",
            signature.parse().map_err(|e| format!("{e}"))?,
        );
    }
    for (name, value) in &handshake.headers {
        let name: tokio_tungstenite::tungstenite::http::HeaderName =
            name.parse().map_err(|e| format!("{e}"))?;
        headers.insert(name, value.parse().map_err(|e| format!("{e}"))?);
    }
    // tungstenite generates the key itself for a URL; keep one for the plain-GET row too.
    if !headers.contains_key("sec-websocket-key") {
        headers.insert("sec-websocket-key", generate_key().parse().unwrap());
    }
    Ok(request)
}

/// A plain `GET` (raw HTTP/1.1) with the handshake's headers minus the upgrade.
async fn plain_get(
    addr: SocketAddr,
    request: &Request<()>,
    expect: Expect,
) -> Result<String, String> {
    let Expect::Refused(status, _) = expect else {
        return Err("a plain GET row must expect a refusal".to_owned());
    };
    let mut plain = super::http::Request::get(&handshake_target(request));
    for (name, value) in request.headers() {
        if name != "host" {
            plain = plain.header(name.as_str(), value.to_str().unwrap_or_default());
        }
    }
    let response = tokio::task::spawn_blocking(move || super::http::send(addr, &plain))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("no response: {e}"))?;
    if response.status != status {
        return Err(format!("status {} instead of {status}", response.status));
    }
    Ok(response.status.to_string())
}

fn handshake_target(request: &Request<()>) -> String {
    request
        .uri()
        .path_and_query()
        .map_or("/".to_owned(), |pq| pq.as_str().to_owned())
}

/// The client's side of a conversation after a `101`.
async fn converse<S>(
    mut socket: tokio_tungstenite::WebSocketStream<S>,
    conversation: Conversation,
) -> Result<(), String>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let send = |text: String| Message::Text(text.into());
    match conversation {
        Conversation::Media => {
            let stream_sid = "MZ00000000000000000000000000000001";
            for message in [
                serde_json::json!({"event": "connected", "protocol": "Call", "version": "1.0.0"}),
                serde_json::json!({
                    "event": "start", "sequenceNumber": "1", "streamSid": stream_sid,
                    "start": {"streamSid": stream_sid, "callSid": "CAws", "customParameters": {}},
                }),
            ] {
                socket
                    .send(send(message.to_string()))
                    .await
                    .map_err(|e| format!("send: {e}"))?;
            }
            let mark = next_json(&mut socket).await?;
            if mark["event"] != "mark" || mark["streamSid"] != stream_sid {
                return Err(format!("expected a mark on {stream_sid}, got {mark}"));
            }
            socket
                .send(send(
                    serde_json::json!({"event": "stop", "streamSid": stream_sid}).to_string(),
                ))
                .await
                .map_err(|e| format!("send: {e}"))?;
            // The server closes the stream.
            match tokio::time::timeout(Duration::from_secs(10), socket.next()).await {
                Ok(Some(Ok(Message::Close(_))) | None) => Ok(()),
                Ok(other) => Err(format!("expected a close after stop, got {other:?}")),
                Err(_) => Err("no close within 10 s after stop".to_owned()),
            }
        }
        Conversation::Relay => {
            let setup = serde_json::json!({
                "type": "setup", "sessionId": "VX1", "callSid": "CArelay",
                "from": "+14155550100", "to": "+14155550199", "direction": "inbound",
            });
            socket
                .send(send(setup.to_string()))
                .await
                .map_err(|e| format!("send: {e}"))?;
            let text = next_json(&mut socket).await?;
            let token = text["token"].as_str().unwrap_or_default();
            if text["type"] != "text" || !token.contains("+14155550100") {
                return Err(format!("expected a text message after setup, got {text}"));
            }
            let _ = socket.close(None).await;
            Ok(())
        }
    }
}

async fn next_json<S>(
    socket: &mut tokio_tungstenite::WebSocketStream<S>,
) -> Result<serde_json::Value, String>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .map_err(|_| "no message within 10 s".to_owned())?
            .ok_or("the server closed the stream")?
            .map_err(|e| format!("receive: {e}"))?;
        match message {
            Message::Text(text) => {
                return serde_json::from_str(text.as_str())
                    .map_err(|e| format!("not JSON ({e}): {text}"));
            }
            Message::Ping(_) | Message::Pong(_) => continue,
            other => return Err(format!("expected a text message, got {other:?}")),
        }
    }
}

/// The same Media Streams handshake and exchange with Python's `websockets`, signed by
/// twilio-python in the same process.
fn python_client(ctx: &Ctx) -> Result<(), String> {
    const SCRIPT: &str = r#"
import asyncio, json, sys
import websockets
from twilio.request_validator import RequestValidator
port, token, url = sys.argv[1], sys.argv[2], sys.argv[3]
signature = RequestValidator(token).compute_signature(url, {})
async def main():
    async with websockets.connect(
        f"ws://127.0.0.1:{port}/media",
        additional_headers={"X-Twilio-Signature": signature},
        open_timeout=10,
    ) as ws:
        sid = "MZ00000000000000000000000000000002"
        await ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        await ws.send(json.dumps({"event": "start", "streamSid": sid,
                                  "start": {"streamSid": sid, "callSid": "CApy"}}))
        mark = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert mark["event"] == "mark" and mark["streamSid"] == sid, mark
        await ws.send(json.dumps({"event": "stop", "streamSid": sid}))
        try:
            await asyncio.wait_for(ws.recv(), 10)
            raise SystemExit("the server did not close after stop")
        except websockets.ConnectionClosed:
            pass
    print("ok")
asyncio.run(main())
"#;
    let output = Command::new(peers::python())
        .args(["-c", SCRIPT])
        .arg(ctx.port.to_string())
        .arg(TOKEN)
        .arg(public_wss(ctx, "/media"))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run python: {e}"))?;
    if output.status.success() && String::from_utf8_lossy(&output.stdout).trim() == "ok" {
        Ok(())
    } else {
        Err(format!(
            "python websockets client failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}
