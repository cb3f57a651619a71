//! The demo: starts the example axum app on a free port of `127.0.0.1`, sends it genuine,
//! forged and tampered webhooks over real HTTP (and a signed and a forged WebSocket
//! handshake), and prints what was accepted, what was
//! rejected, and why.
//!
//! ```text
//! cargo run --example demo --features axum
//! ```
//!
//! It needs no setup: without `TWILIO_AUTH_TOKEN` it uses a demo token. It exits with
//! status 0 only when every request got the answer it should (`RUST_LOG=debug` also shows
//! the server's log).

// The same app as `cargo run --example axum_app`, served in-process so the demo works on
// a fresh checkout (`cargo run --example demo` does not build the other example). The
// demo uses only part of it (not its `main`), hence the `allow`.
#[allow(dead_code)]
#[path = "axum_app.rs"]
mod axum_app;

use std::fmt::Write as _;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};
use twilio_auth::{Config, Signer, form};

const DEMO_TOKEN: &str = "demo-auth-token-0123456789abcdef";
const FORM: &str = "application/x-www-form-urlencoded";

/// One request of the demo and the answer it must get.
struct Case {
    what: &'static str,
    expected: u16,
    request: Sent,
}

/// How a case's request is sent.
enum Sent {
    /// Over HTTP (reqwest).
    Http(reqwest::RequestBuilder),
    /// As a WebSocket handshake (tokio-tungstenite), then a Media Streams `start`.
    WebSocket(tokio_tungstenite::tungstenite::http::Request<()>),
}

impl From<reqwest::RequestBuilder> for Sent {
    fn from(request: reqwest::RequestBuilder) -> Self {
        Sent::Http(request)
    }
}

/// What happened to one case.
struct Outcome {
    what: &'static str,
    expected: u16,
    got: Result<u16, String>,
    why: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    let events = Arc::new(Mutex::new(Vec::new()));
    let server_log = std::env::var_os("RUST_LOG").map(|_| {
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_filter(EnvFilter::from_default_env())
    });
    tracing_subscriber::registry()
        .with(RejectionLog(events.clone()))
        .with(server_log)
        .init();

    match run(&events).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

async fn run(events: &Arc<Mutex<Vec<String>>>) -> Result<bool, String> {
    let (token, token_source) = match std::env::var("TWILIO_AUTH_TOKEN") {
        Ok(t) if !t.is_empty() => (t, "TWILIO_AUTH_TOKEN"),
        _ => (
            DEMO_TOKEN.to_owned(),
            "a demo token; set TWILIO_AUTH_TOKEN to use yours",
        ),
    };

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1: {e}"))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let builder = Config::builder()
        .auth_token(token.as_str())
        .body_limit(axum_app::support::DEFAULT_BODY_LIMIT);
    let config = axum_app::support::with_local_default(builder, port).map_err(|e| e.to_string())?;
    let server = tokio::spawn(async move { axum::serve(listener, axum_app::app(config)).await });

    let base = format!("http://127.0.0.1:{port}");
    println!("twilio-auth demo: the axum example app is listening on {base}");
    println!("secret: {token_source}\n");

    let outcomes = send_all(cases(&base, &token), events).await;
    server.abort();

    print_table(&outcomes);
    let failures = outcomes.iter().filter(|o| o.got != Ok(o.expected)).count();
    if failures == 0 {
        println!(
            "\nall {} requests got the expected answer: forged, tampered and unsigned content never reaches the handlers",
            outcomes.len()
        );
        Ok(true)
    } else {
        println!(
            "\n{failures} of {} requests did NOT get the expected answer",
            outcomes.len()
        );
        Ok(false)
    }
}

fn cases(base: &str, token: &str) -> Vec<Case> {
    let client = reqwest::Client::new();
    let signer = Signer::new(token);
    let voice_url = format!("{base}/voice");
    let call = [
        ("AccountSid", "AC00000000000000000000000000000001"),
        ("CallSid", "CA00000000000000000000000000000001"),
        ("CallStatus", "ringing"),
        ("From", "+14155550100"),
        ("To", "+14155550199"),
    ];
    let signed = signer.sign_form(&voice_url, &call);
    let voice = |signature: Option<&str>, body: String| {
        let request = client
            .post(&voice_url)
            .header("Content-Type", FORM)
            .body(body);
        match signature {
            Some(signature) => request.header("X-Twilio-Signature", signature),
            None => request,
        }
    };

    let mut tampered = call;
    tampered[3].1 = "+19005550666";
    let forged = Signer::new("not-the-auth-token").sign_form(&voice_url, &call);

    let status_url = format!("{base}/status?CallSid={}&CallStatus=completed", call[1].1);
    // Twilio signs the wss:// (here ws://) URL of `<Stream url="…">`.
    let media_url = format!("{}/media", base.replacen("http", "ws", 1));
    let event = br#"{"type":"call.completed","CallSid":"CA00000000000000000000000000000001","duration":42}"#;
    let signed_event = signer.sign_body(&format!("{base}/events"), event);
    let changed_event = br#"{"type":"call.completed","CallSid":"CA00000000000000000000000000000001","duration":4200}"#;
    let json = |body: &[u8]| {
        client
            .post(&signed_event.url)
            .header("Content-Type", "application/json")
            .header("X-Twilio-Signature", &signed_event.signature)
            .body(body.to_vec())
    };

    vec![
        Case {
            what: "signed voice webhook (POST /voice)",
            expected: 200,
            request: voice(Some(&signed), form::encode(&call)).into(),
        },
        Case {
            what: "forged: signed with another token",
            expected: 403,
            request: voice(Some(&forged), form::encode(&call)).into(),
        },
        Case {
            what: "tampered: From changed after signing",
            expected: 403,
            request: voice(Some(&signed), form::encode(&tampered)).into(),
        },
        Case {
            what: "no X-Twilio-Signature header",
            expected: 403,
            request: voice(None, form::encode(&call)).into(),
        },
        Case {
            what: "signed status callback (GET /status?…)",
            expected: 200,
            request: client
                .get(&status_url)
                .header("X-Twilio-Signature", signer.sign_url(&status_url))
                .into(),
        },
        Case {
            what: "status callback resent with a forged body",
            expected: 403,
            request: client
                .get(&status_url)
                .header("X-Twilio-Signature", signer.sign_url(&status_url))
                .header("Content-Type", FORM)
                .body("CallSid=CA_EVIL&CallStatus=refund")
                .into(),
        },
        Case {
            what: "signed JSON event with bodySHA256",
            expected: 200,
            request: json(event).into(),
        },
        Case {
            what: "JSON event changed after signing",
            expected: 403,
            request: json(changed_event).into(),
        },
        Case {
            what: "signed Media Streams WebSocket handshake (GET /media)",
            expected: 101,
            request: handshake(base, &signer.sign_url(&media_url)),
        },
        Case {
            what: "forged WebSocket handshake",
            expected: 403,
            request: handshake(
                base,
                &Signer::new("not-the-auth-token").sign_url(&media_url),
            ),
        },
    ]
}

/// A WebSocket handshake to `/media` with `signature`.
fn handshake(base: &str, signature: &str) -> Sent {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let url = format!("{}/media", base.replacen("http", "ws", 1));
    let mut request = url.as_str().into_client_request().expect("a ws:// URL");
    if let Ok(signature) = signature.parse() {
        request
            .headers_mut()
            .insert("x-twilio-signature", signature);
    }
    Sent::WebSocket(request)
}

/// Opens the WebSocket, says `start` as Twilio does, and returns the status and the
/// server's answer.
async fn open_websocket(
    request: tokio_tungstenite::tungstenite::http::Request<()>,
) -> Result<(u16, String), String> {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::{Error, Message};
    let (mut socket, response) = match tokio_tungstenite::connect_async(request).await {
        Ok(connected) => connected,
        Err(Error::Http(response)) => return Ok((response.status().as_u16(), String::new())),
        Err(e) => return Err(format!("handshake failed: {e}")),
    };
    let start = r#"{"event":"start","streamSid":"MZ00000000000000000000000000000001","start":{"callSid":"CA00000000000000000000000000000001"}}"#;
    socket
        .send(Message::Text(start.into()))
        .await
        .map_err(|e| e.to_string())?;
    let answer = match socket.next().await {
        Some(Ok(Message::Text(text))) => format!("handler answered: {text}"),
        other => format!("no answer to start: {other:?}"),
    };
    let _ = socket.close(None).await;
    Ok((response.status().as_u16(), answer))
}

async fn send_all(cases: Vec<Case>, events: &Arc<Mutex<Vec<String>>>) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for case in cases {
        take(events); // only this request's log events explain its outcome
        let (got, why) = match case.request {
            Sent::Http(request) => match request.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let body = response.text().await.unwrap_or_default();
                    let why = if status < 300 {
                        // The XML declaration says nothing; the TwiML after it does.
                        let body = match body.strip_prefix("<?xml").and_then(|r| r.split_once("?>"))
                        {
                            Some((_, twiml)) => twiml,
                            None => &body,
                        };
                        format!("handler answered: {}", one_line(body))
                    } else {
                        refusal(events, &body)
                    };
                    (Ok(status), why)
                }
                Err(e) => (Err(format!("request failed: {e}")), String::new()),
            },
            Sent::WebSocket(request) => match open_websocket(request).await {
                Ok((101, answer)) => (Ok(101), answer),
                Ok((status, _)) => (Ok(status), refusal(events, "")),
                Err(e) => (Err(e), String::new()),
            },
        };
        outcomes.push(Outcome {
            what: case.what,
            expected: case.expected,
            got,
            why,
        });
    }
    outcomes
}

/// Why a request was refused: the server's last log event, else the response body.
fn refusal(events: &Arc<Mutex<Vec<String>>>, body: &str) -> String {
    match take(events).last() {
        Some(reason) => format!("server log: {reason}"),
        None => format!("response: {}", one_line(body)),
    }
}

fn print_table(outcomes: &[Outcome]) {
    let verdict = |status: u16| if status < 300 { "accepted" } else { "rejected" };
    let rows: Vec<[String; 5]> = outcomes
        .iter()
        .map(|o| {
            let got = match &o.got {
                Ok(status) => format!("{status} {}", verdict(*status)),
                Err(e) => e.clone(),
            };
            let ok = if o.got == Ok(o.expected) {
                "ok"
            } else {
                "UNEXPECTED"
            };
            [
                o.what.to_owned(),
                format!("{} {}", o.expected, verdict(o.expected)),
                got,
                ok.to_owned(),
                o.why.clone(),
            ]
        })
        .collect();
    let header = ["request", "expected", "got", "result", "why"].map(str::to_owned);
    let mut widths = [0; 5];
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, width)) in row.iter().zip(widths).enumerate() {
            if i == row.len() - 1 {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:width$}  ");
            }
        }
        println!("{}", line.trim_end());
    }
}

/// The first line of a response body, shortened for the table.
fn one_line(text: &str) -> String {
    let line = text.trim().lines().next().unwrap_or("").trim();
    shorten(line, 90)
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

fn take(events: &Arc<Mutex<Vec<String>>>) -> Vec<String> {
    std::mem::take(&mut *events.lock().unwrap_or_else(|e| e.into_inner()))
}

/// Records the events that twilio-auth logs (rejections, their reasons and the URLs that
/// were tried), so the table can show the server's own explanation next to each request.
struct RejectionLog(Arc<Mutex<Vec<String>>>);

impl<S: tracing::Subscriber> Layer<S> for RejectionLog {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        if !event.metadata().target().starts_with("twilio_auth") {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        let field = |name: &str| {
            fields
                .0
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_str())
        };
        let Some(reason) = field("reason").or(field("message")) else {
            return;
        };
        let text = match field("candidate_urls") {
            Some(urls) => {
                let urls = urls.trim_matches(|c| c == '[' || c == ']').replace('"', "");
                format!("{reason}; tried {urls}")
            }
            None => reason.to_owned(),
        };
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(shorten(&text, 150));
    }
}

/// An event's fields, formatted.
#[derive(Default)]
struct Fields(Vec<(&'static str, String)>);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name(), value.to_owned()));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push((field.name(), format!("{value:?}")));
    }
}
