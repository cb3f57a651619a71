//! What the example apps share (each `#[path]`-includes this module): their configuration
//! from the environment — the contract documented in `axum_app.rs` — the escaping of the
//! TwiML they answer with, their port, and their exit on a configuration error.

// Each app uses its own subset of these helpers.
#![allow(dead_code)]

#[cfg(feature = "replay")]
pub mod replay;

use std::net::SocketAddr;
use std::process::ExitCode;

use serde::Deserialize;
use tracing_subscriber::EnvFilter;
use twilio_auth::{Config, ConfigBuilder, ENV_BODY_LIMIT, PublicUrlPolicy};

/// The apps' body limit when `TWILIO_BODY_LIMIT` is unset: Twilio's webhooks are a few KiB.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// The configuration `Config::builder_from_env` reads (token, base URL, proxy trust, body
/// limit, HTTP auth with its nonce secret and lifetime), with the apps' defaults: a 64 KiB
/// body limit, and the public URL of [`with_local_default`]. `port` is the port bound.
pub fn config_from_env(port: u16) -> Result<Config, String> {
    let mut builder = Config::builder_from_env().map_err(|e| e.to_string())?;
    if std::env::var(ENV_BODY_LIMIT).map_or(true, |v| v.is_empty()) {
        builder = builder.body_limit(DEFAULT_BODY_LIMIT);
    }
    with_local_default(builder, port).map_err(|e| e.to_string())
}

/// Completes the URL policy the core read from the environment: without a configured base
/// URL, a direct (unproxied) app is reached at `http://127.0.0.1:PORT`; behind a trusted
/// proxy the URL comes from the forwarded headers, else from `Host` over plain `http`.
pub fn with_local_default(
    builder: ConfigBuilder,
    port: u16,
) -> Result<Config, twilio_auth::ConfigError> {
    let config = builder.clone().build()?;
    match config.url_policy() {
        PublicUrlPolicy::BaseUrl(_) => Ok(config),
        PublicUrlPolicy::FromRequest {
            trust_forwarded: Some(_),
            ..
        } => builder.default_scheme("http").build(),
        PublicUrlPolicy::FromRequest { .. } => builder
            .public_base_url(format!("http://127.0.0.1:{port}"))
            .build(),
    }
}

/// The form Twilio posts when a call comes in (only the fields the apps use; serde ignores
/// the other thirty).
#[derive(Debug, Deserialize)]
pub struct IncomingCall {
    #[serde(rename = "CallSid")]
    pub call_sid: String,
    #[serde(rename = "From", default)]
    pub from: String,
}

/// A call status callback, sent as a GET with its parameters in the query.
#[derive(Debug, Deserialize)]
pub struct StatusCallback {
    #[serde(rename = "CallSid")]
    pub call_sid: String,
    #[serde(rename = "CallStatus", default)]
    pub call_status: String,
}

/// The TwiML every app answers a verified call with.
pub fn greeting_twiml(from: &str, call_sid: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <Response><Say>Hello {}, your call {} is verified.</Say></Response>",
        xml_escape(from),
        xml_escape(call_sid),
    )
}

/// The TwiML of the report-only routes: whether the request was verified, and its call.
pub fn report_only_twiml(verified: bool, call_sid: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Say>{} call {}</Say></Response>",
        if verified { "verified" } else { "unverified" },
        xml_escape(call_sid),
    )
}

/// The voice webhook fields the load-test targets read (serde skips the others).
#[derive(Debug, Deserialize)]
pub struct LoadCall {
    #[serde(rename = "CallSid")]
    pub call_sid: String,
    #[serde(rename = "From", default)]
    pub from: String,
    #[serde(rename = "CallStatus", default)]
    pub call_status: String,
}

/// The TwiML every load-test target answers both of its routes with.
pub fn load_twiml(call_sid: &str, from: &str, call_status: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <Response><Say>Hello {}, call {} is {}.</Say></Response>",
        xml_escape(from),
        xml_escape(call_sid),
        xml_escape(call_status),
    )
}

/// Text made safe inside TwiML (XML) elements and attributes.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// `PORT` (default 3000; `0` lets the OS pick).
pub fn port_from_env() -> Result<u16, String> {
    match std::env::var("PORT") {
        Ok(v) if !v.is_empty() => v
            .parse()
            .map_err(|_| format!("PORT={v:?} is not a port number")),
        _ => Ok(3000),
    }
}

/// Reports a configuration error the way every app does: one `error:` line, exit code 2.
pub fn config_error(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

/// Logs to stderr, filtered by `RUST_LOG` (default `default_level`): stdout is kept for the
/// ready line.
pub fn init_logging(default_level: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

/// Binds `127.0.0.1:$PORT`, then reads the configuration for the port actually bound (with
/// `PORT=0` the default public URL needs the port the OS picked), and returns that port
/// too. On failure the `error:` line is printed and the exit code returned.
pub async fn bind_and_configure() -> Result<(tokio::net::TcpListener, Config, u16), ExitCode> {
    let port = port_from_env().map_err(|message| config_error(&message))?;
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port)))
        .await
        .map_err(|e| config_error(&format!("cannot listen on 127.0.0.1:{port}: {e}")))?;
    let port = listener
        .local_addr()
        .map_err(|e| config_error(&format!("cannot read the bound address: {e}")))?
        .port();
    let config = config_from_env(port).map_err(|message| config_error(&message))?;
    Ok((listener, config, port))
}

/// Logs the configuration's one-line summary (how the URL is rebuilt, key counts, body
/// limit; never a secret) and warns when the HTTP-auth routes cannot work. The adapters
/// log the same line when they are set up; `summary_once` keeps it to one.
pub fn log_config(config: &Config) {
    if let Some(summary) = config.summary_once() {
        tracing::info!("{summary}");
    }
    if config.http_auth().is_none() {
        tracing::warn!(
            "WEBHOOK_USER and WEBHOOK_PASSWORD are not set: /basic/voice and /digest/voice \
             refuse every request with 401"
        );
    }
}

/// The one machine-readable line: harnesses wait for it and read the port from it.
pub fn announce(port: u16) {
    println!("listening on http://127.0.0.1:{port}");
}

/// What a WebSocket endpoint does after one text message from Twilio.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Nothing to answer; keep reading.
    Continue,
    /// Send this text message back.
    Reply(String),
    /// The stream is over: close the WebSocket.
    Close,
}

/// A Media Streams-shaped session (`<Connect><Stream url="wss://…/media">`): Twilio sends
/// `connected`, then `start` (with the `streamSid` and the call's `customParameters`), then
/// `media` frames, then `stop`. The app answers `start` with a `mark` on the same stream and
/// closes on `stop`.
#[derive(Debug, Default)]
pub struct MediaSession {
    stream_sid: Option<String>,
}

impl MediaSession {
    /// Handles one text message from Twilio.
    pub fn on_text(&mut self, text: &str) -> Step {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(text) else {
            tracing::warn!("media stream: a message that is not JSON, ignored");
            return Step::Continue;
        };
        let field = |name: &str| message.get(name).and_then(|v| v.as_str());
        match field("event") {
            Some("connected") => {
                tracing::info!(protocol = field("protocol"), "media stream connected");
                Step::Continue
            }
            Some("start") => {
                let sid = field("streamSid").unwrap_or_default().to_owned();
                let call_sid = message
                    .pointer("/start/callSid")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default();
                tracing::info!(stream_sid = %sid, %call_sid, "media stream started");
                let mark = serde_json::json!({
                    "event": "mark",
                    "streamSid": sid,
                    "mark": { "name": "verified" },
                });
                self.stream_sid = Some(sid);
                Step::Reply(mark.to_string())
            }
            Some("stop") => {
                tracing::info!(stream_sid = ?self.stream_sid, "media stream stopped");
                Step::Close
            }
            _ => Step::Continue,
        }
    }
}

/// A ConversationRelay-shaped session (`<Connect><ConversationRelay url="wss://…/relay">`):
/// Twilio sends `setup` (the call's details), then a `prompt` each time the caller speaks;
/// the app answers each with a `text` message that Twilio speaks.
pub fn relay_reply(text: &str) -> Step {
    let Ok(message) = serde_json::from_str::<serde_json::Value>(text) else {
        tracing::warn!("conversation relay: a message that is not JSON, ignored");
        return Step::Continue;
    };
    let field = |name: &str| {
        message
            .get(name)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
    };
    let token = match field("type") {
        "setup" => {
            tracing::info!(call_sid = field("callSid"), "conversation relay set up");
            format!("Hello {}, this call is verified.", field("from"))
        }
        "prompt" => format!("You said: {}", field("voicePrompt")),
        _ => return Step::Continue,
    };
    let reply = serde_json::json!({ "type": "text", "token": token, "last": true });
    Step::Reply(reply.to_string())
}
