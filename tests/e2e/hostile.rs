//! Hostile input against a running example app (issue 7, item 2; SPEC §5, `SECURITY.md`):
//! bodies far over the limit (with the app's peak memory measured), bodies that never
//! finish, thousands of parameters, enormous headers, invalid UTF-8 and percent sequences,
//! duplicated `bodySHA256`, every malformed shape of `Authorization`, signatures replayed to
//! another route, and forwarded headers from a client nobody trusts.
//!
//! Every function here is an [`Exchange`](super::scenarios::Exchange) of the table: the
//! rows live in one block of `scenarios.rs` and run against every framework's app, so they
//! expect what SPEC §5 requires, never one framework's quirks. Where frameworks may
//! legitimately answer differently (an HTTP layer that refuses a 100 KiB header with `431`
//! before any handler runs; a `Form` extractor that refuses a body the verifier accepted
//! with `400`/`422`), the row names the documented set of statuses and checks it itself
//! ([`one_of`]), then sends a genuine signed request; the table expects that one's `200`,
//! so the report reads `431 → 200`. Nothing may ever answer `5xx`.
//!
//! Some requests cannot be written by [`super::http`] (non-UTF-8 bytes in a header or the
//! request target, a body streamed for as long as the server reads it, a body that stops
//! half-way on a connection kept open): [`RawRequest`] and [`stream_body`] write those.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use twilio_auth::Signer;

use super::app::{self, TOKEN};
use super::http::{self, Host, Request, Response};
use super::http_auth::{
    self, BASIC_CHALLENGE, DIGEST_MD5, DIGEST_SHA256, PASSWORD, USER, basic_authorization,
};
use super::peers::Peer;
use super::scenarios::{CALL, Ctx, FORGER_TOKEN};

/// The body limit of every example app when `TWILIO_BODY_LIMIT` is unset (the apps'
/// contract, `examples/axum_app.rs`).
pub const CONTRACT_BODY_LIMIT: u64 = 65_536;
/// The limit of the `SMALL_LIMIT` environment.
pub const SMALL_BODY_LIMIT: u64 = 1024;
/// How much the app's peak resident memory may grow while it refuses an over-limit body:
/// far below the bodies' sizes (640 KiB to 62.5 MiB).
pub const MEMORY_BOUND: u64 = 16 * 1024 * 1024;
/// How long the answer to a 20 000-parameter body may take (a debug build on a shared CPU).
const ANSWER_BOUND: Duration = Duration::from_secs(5);
/// How promptly another client must be served while bodies stall.
const PROMPT: Duration = Duration::from_secs(3);
/// How long a stalled connection is watched for an answer before the client gives up.
const STALL_WATCH: Duration = Duration::from_secs(5);
/// How many connections stall at once.
const STALLED_CONNECTIONS: usize = 16;
/// The size of an "enormous" header value.
const HUGE: usize = 100 * 1024;
/// Just over the core's cap on `Authorization` (8 KiB), far under any HTTP layer's limit.
const OVER_AUTHORIZATION_CAP: usize = 9 * 1024;
/// How many parameters the many-parameter bodies carry.
const MANY_PARAMS: usize = 20_000;

const BASIC_ROUTE: &str = "/basic/voice";
const DIGEST_ROUTE: &str = "/digest/voice";
const FORM: &str = "application/x-www-form-urlencoded";
/// The status callback of the table (`GET /status`).
const STATUS: &str = "/status?CallSid=CAe2e00000000000000000000000000001&CallStatus=completed";
/// The JSON event of the table (`POST /events`).
const EVENT: &str =
    r#"{"type":"call.completed","CallSid":"CAe2e00000000000000000000000000001","duration":42}"#;
/// What a verified `/voice` answer contains.
const TWIML_FRAGMENT: &str = "your call CAe2e00000000000000000000000000001 is verified";
/// What a verified `/status` answer contains.
const STATUS_FRAGMENT: &str = "status completed for CAe2e00000000000000000000000000001";
/// What an HTTP layer answers a header it will not read: `400`, or `431` (RFC 6585).
const HEADER_TOO_LARGE: u16 = 431;

// --- a raw client ------------------------------------------------------------------------

/// A request written byte for byte: header values and the target may hold any bytes.
struct RawRequest {
    method: &'static str,
    target: Vec<u8>,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

impl RawRequest {
    fn new(method: &'static str, target: impl AsRef<[u8]>) -> Self {
        RawRequest {
            method,
            target: target.as_ref().to_vec(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
        self.headers
            .push((name.to_owned(), value.as_ref().to_vec()));
        self
    }

    /// A form body, sent with `Content-Length`.
    fn form(self, body: impl AsRef<[u8]>) -> Self {
        let mut request = self.header("Content-Type", FORM);
        request.body = body.as_ref().to_vec();
        request
    }

    fn bytes(&self, port: u16) -> Vec<u8> {
        let mut out = Vec::with_capacity(256 + self.body.len());
        out.extend_from_slice(self.method.as_bytes());
        out.push(b' ');
        out.extend_from_slice(&self.target);
        out.extend_from_slice(
            format!(" HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n").as_bytes(),
        );
        for (name, value) in &self.headers {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
        if self.method != "GET" || !self.body.is_empty() {
            out.extend_from_slice(format!("Content-Length: {}\r\n", self.body.len()).as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&self.body);
        out
    }
}

fn connect(addr: SocketAddr) -> Result<TcpStream, String> {
    let stream =
        TcpStream::connect_timeout(&addr, http::TIMEOUT).map_err(|e| format!("connect: {e}"))?;
    stream
        .set_write_timeout(Some(http::TIMEOUT))
        .map_err(|e| e.to_string())?;
    Ok(stream)
}

/// Writes `request` and reads the answer. A write the server cut short (it answered and
/// closed before reading everything) is not an error: the answer is what counts.
fn send_raw(ctx: &Ctx, request: &RawRequest) -> Result<Response, String> {
    let mut stream = connect(ctx.addr())?;
    let _ = stream.write_all(&request.bytes(ctx.port));
    read_response(&mut stream, http::TIMEOUT).map_err(|e| format!("no response: {e}"))
}

/// Sends `request` with the suite's ordinary client.
fn send(ctx: &Ctx, request: &Request) -> Result<Response, String> {
    http::send(ctx.addr(), request).map_err(|e| format!("no response: {e}"))
}

/// Reads one response from `stream`, for at most `within`; a reset after some bytes ends it.
fn read_response(stream: &mut TcpStream, within: Duration) -> io::Result<Response> {
    http::read_response(stream, within, http::OnReset::EndsResponse)
}

// --- checks ------------------------------------------------------------------------------

/// A genuine signed `POST /voice`: accepted in every environment of the table.
fn genuine_voice(ctx: &Ctx) -> Result<Request, String> {
    let signature = Peer::Ours.sign_form(TOKEN, &ctx.url("/voice"), CALL)?;
    Ok(Request::post("/voice").form(CALL).signature(&signature))
}

/// What every answer to hostile input must satisfy: no `5xx`, a short rejection body, no
/// secret.
fn sane(response: &Response) -> Result<(), String> {
    if response.status >= 500 {
        return Err(format!(
            "status {} (SPEC §5: never a 500); body {:?}",
            response.status,
            shorten(&response.body)
        ));
    }
    if response.status >= 400 && response.body.len() > 512 {
        return Err(format!(
            "a {}-byte {} body",
            response.body.len(),
            response.status
        ));
    }
    if response.body.contains(TOKEN) || response.body.contains(PASSWORD) {
        return Err("the response contains a secret".to_owned());
    }
    Ok(())
}

/// The `WWW-Authenticate` headers of a `401` must start with `expected`, in order.
fn check_challenges(response: &Response, expected: &[&str]) -> Result<(), String> {
    let challenges = response.headers_named("www-authenticate");
    let ok = challenges.len() == expected.len()
        && challenges
            .iter()
            .zip(expected)
            .all(|(c, e)| c.starts_with(e));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "401 with WWW-Authenticate {challenges:?} instead of {expected:?}"
        ))
    }
}

/// What a row with a documented set of statuses accepts.
struct OneOf {
    statuses: &'static [u16],
    /// A fragment a `200` must contain.
    accepted: &'static str,
    /// The challenges a `401` must carry.
    challenges: &'static [&'static str],
}

const DIGEST_CHALLENGES: &[&str] = &[DIGEST_SHA256, DIGEST_MD5];

/// Checks that `response` has one of the documented statuses, then sends a genuine signed
/// request: the exchange is `[response, genuine]`, and the table expects the genuine one's
/// TwiML.
fn one_of(ctx: &Ctx, response: Response, expected: OneOf) -> Result<Vec<Response>, String> {
    sane(&response)?;
    if !expected.statuses.contains(&response.status) {
        return Err(format!(
            "status {} instead of one of {:?}; body {:?}",
            response.status,
            expected.statuses,
            shorten(&response.body)
        ));
    }
    if response.status == 200 && !response.body.contains(expected.accepted) {
        return Err(format!(
            "200 without {:?}: {:?}",
            expected.accepted,
            shorten(&response.body)
        ));
    }
    if response.status == 401 {
        check_challenges(&response, expected.challenges)?;
    }
    let genuine = send(ctx, &genuine_voice(ctx)?)?;
    Ok(vec![response, genuine])
}

/// One response, with the checks every hostile answer needs; the table checks its status.
fn single(response: Response) -> Result<Vec<Response>, String> {
    sane(&response)?;
    Ok(vec![response])
}

fn shorten(text: &str) -> String {
    let mut end = text.len().min(200);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// Prints a line of figures (the report of `--nocapture` runs).
fn note(row: &str, text: &str) {
    println!("hostile: {row}: {text}");
}

// --- bodies far over the limit, and the app's memory ---------------------------------------

/// The app's resident memory, from `/proc/<pid>/status` (bytes).
struct Memory {
    /// `VmHWM`: the peak since start, or since [`reset_peak`].
    peak: u64,
    /// `VmRSS`: now.
    resident: u64,
}

fn memory(pid: u32) -> Result<Memory, String> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().strip_suffix("kB"))
            .and_then(|kib| kib.trim().parse::<u64>().ok())
            .map(|kib| kib * 1024)
            .ok_or_else(|| format!("no {name} in {path}"))
    };
    Ok(Memory {
        peak: field("VmHWM:")?,
        resident: field("VmRSS:")?,
    })
}

/// Resets the app's `VmHWM` to its current RSS (Linux ≥ 4.0); `false` if it cannot.
fn reset_peak(pid: u32) -> bool {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok()
}

/// How often [`RssSampler`] reads the app's `VmRSS`.
const RSS_SAMPLE_EVERY: Duration = Duration::from_millis(2);

/// Reads the app's `VmRSS` in a loop until stopped, keeping the largest value: the peak
/// when `VmHWM` cannot be reset.
struct RssSampler {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: thread::JoinHandle<u64>,
}

impl RssSampler {
    fn start(pid: u32) -> Self {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = thread::spawn(move || {
            let mut peak = 0;
            while !stopped.load(Ordering::Relaxed) {
                if let Ok(now) = memory(pid) {
                    peak = peak.max(now.resident);
                }
                thread::sleep(RSS_SAMPLE_EVERY);
            }
            peak
        });
        RssSampler { stop, thread }
    }

    /// The largest `VmRSS` seen (bytes).
    fn stop(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap_or(0)
    }
}

/// What the server did with a streamed body.
struct Streamed {
    response: Response,
    /// Body bytes the client had written when it stopped (the server answered and closed,
    /// or the whole body went out).
    written: u64,
    elapsed: Duration,
}

/// Sends a form POST to `/voice` whose body is `size` bytes (the call's parameters, then a
/// `Filler` parameter of `x`), with `Content-Length` or chunked, written by another thread
/// for as long as the server reads, while this one waits for the answer.
fn stream_body(ctx: &Ctx, signer: Peer, size: u64, chunked: bool) -> Result<Streamed, String> {
    // Twilio signs every request: the signature is a genuine one for the call's
    // parameters (the body then differs, but 413 comes before anything else).
    let signature = signer.sign_form(TOKEN, &ctx.url("/voice"), CALL)?;
    let framing = if chunked {
        "Transfer-Encoding: chunked".to_owned()
    } else {
        format!("Content-Length: {size}")
    };
    let head = format!(
        "POST /voice HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\
         Content-Type: {FORM}\r\nX-Twilio-Signature: {signature}\r\n{framing}\r\n\r\n",
        ctx.port
    );
    let prefix = format!("{}&Filler=", twilio_auth::form::encode(CALL)).into_bytes();

    let mut stream = connect(ctx.addr())?;
    let mut writer = stream.try_clone().map_err(|e| e.to_string())?;
    let written = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&written);
    let started = Instant::now();
    let write_thread = thread::spawn(move || -> io::Result<()> {
        writer.write_all(head.as_bytes())?;
        let filler = vec![b'x'; 64 * 1024];
        let mut sent = 0u64;
        let mut first = true;
        while sent < size {
            let mut piece = if first {
                first = false;
                [prefix.as_slice(), &filler].concat()
            } else {
                filler.clone()
            };
            piece.truncate(usize::try_from(size - sent).unwrap_or(usize::MAX));
            if chunked {
                writer.write_all(format!("{:x}\r\n", piece.len()).as_bytes())?;
                writer.write_all(&piece)?;
                writer.write_all(b"\r\n")?;
            } else {
                writer.write_all(&piece)?;
            }
            sent += piece.len() as u64;
            counter.store(sent, Ordering::Relaxed);
        }
        if chunked {
            writer.write_all(b"0\r\n\r\n")?;
        }
        Ok(())
    });
    let response = read_response(&mut stream, Duration::from_secs(60));
    let elapsed = started.elapsed();
    let written = written.load(Ordering::Relaxed);
    // Unblocks the writer if the server neither reads nor closes.
    let _ = stream.shutdown(Shutdown::Both);
    let _ = write_thread.join();
    let response = response.map_err(|e| {
        format!(
            "no response after writing {} of {}: {e}",
            mib(written),
            mib(size)
        )
    })?;
    Ok(Streamed {
        response,
        written,
        elapsed,
    })
}

/// An over-limit body of `size` bytes: `413`, and the app's peak RSS grows by less than
/// [`MEMORY_BOUND`].
fn over_limit(
    ctx: &Ctx,
    signer: Peer,
    size: u64,
    chunked: bool,
    limit: u64,
) -> Result<Vec<Response>, String> {
    let pid = app::pid_listening_on(ctx.port)
        .ok_or_else(|| format!("no app of this test process listens on port {}", ctx.port))?;
    let reset = reset_peak(pid);
    if !reset && std::env::var_os("CI").is_some() {
        return Err(format!(
            "cannot write /proc/{pid}/clear_refs to reset the app's VmHWM: its peak would only \
             be sampled, and CI must check the memory bound exactly"
        ));
    }
    let before = memory(pid)?;
    // Without a reset VmHWM is the peak since the app started (earlier rows included), so
    // its growth is only a lower bound: then VmRSS, sampled while the body streams, counts.
    let sampler = RssSampler::start(pid);
    let streamed = stream_body(ctx, signer, size, chunked)?;
    // The app may still be tearing the connection down.
    thread::sleep(Duration::from_millis(200));
    let sampled_peak = sampler.stop();
    let after = memory(pid)?;
    let growth = if reset {
        after.peak.saturating_sub(before.peak)
    } else {
        sampled_peak.saturating_sub(before.resident)
    };
    let label = format!(
        "{} body, {} ({}× the {} limit)",
        mib(size),
        if chunked { "chunked" } else { "Content-Length" },
        size / limit,
        limit
    );
    note(
        &label,
        &format!(
            "{} after the client wrote {} of it in {:?}; app VmHWM {} → {} (peak +{}{}), VmRSS {} → {}",
            streamed.response.status,
            mib(streamed.written),
            streamed.elapsed,
            mib(before.peak),
            mib(after.peak),
            mib(growth),
            if reset {
                String::new()
            } else {
                format!(
                    ", VmHWM not reset: growth from VmRSS sampled every {RSS_SAMPLE_EVERY:?} (peak {})",
                    mib(sampled_peak)
                )
            },
            mib(before.resident),
            mib(after.resident),
        ),
    );
    if growth >= MEMORY_BOUND {
        return Err(format!(
            "{label}: the app's peak RSS grew by {} (bound {}): it buffers the body (SPEC §5)",
            mib(growth),
            mib(MEMORY_BOUND)
        ));
    }
    single(streamed.response)
}

pub fn over_limit_10x_sized(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    over_limit(
        ctx,
        signer,
        10 * CONTRACT_BODY_LIMIT,
        false,
        CONTRACT_BODY_LIMIT,
    )
}

pub fn over_limit_10x_chunked(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    over_limit(
        ctx,
        signer,
        10 * CONTRACT_BODY_LIMIT,
        true,
        CONTRACT_BODY_LIMIT,
    )
}

pub fn over_limit_1000x_sized(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    over_limit(
        ctx,
        signer,
        1000 * CONTRACT_BODY_LIMIT,
        false,
        CONTRACT_BODY_LIMIT,
    )
}

pub fn over_limit_1000x_chunked(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    over_limit(
        ctx,
        signer,
        1000 * CONTRACT_BODY_LIMIT,
        true,
        CONTRACT_BODY_LIMIT,
    )
}

/// 50 MiB against the 1 KiB limit of `SMALL_LIMIT`.
pub fn over_small_limit_50mib_sized(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    over_limit(ctx, signer, 50 << 20, false, SMALL_BODY_LIMIT)
}

pub fn over_small_limit_50mib_chunked(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    over_limit(ctx, signer, 50 << 20, true, SMALL_BODY_LIMIT)
}

// --- bodies that never finish ----------------------------------------------------------------

/// [`STALLED_CONNECTIONS`] connections each send half of an under-limit body (half with
/// `Content-Length`, half chunked) and stop; a genuine request on another connection must
/// then be answered within [`PROMPT`]. What the stalled connections receive within
/// [`STALL_WATCH`] is reported (nothing is required: SPEC §5 sets no read timeout), except
/// that it must not be a `5xx`.
pub fn stalled_bodies(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let body = twilio_auth::form::encode(CALL).into_bytes();
    let signature = signer.sign_form(TOKEN, &ctx.url("/voice"), CALL)?;
    let half = &body[..body.len() / 2];
    let mut stalled = Vec::new();
    for i in 0..STALLED_CONNECTIONS {
        let chunked = i % 2 == 1;
        let mut bytes = format!(
            "POST /voice HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\
             Content-Type: {FORM}\r\nX-Twilio-Signature: {signature}\r\n",
            ctx.port
        )
        .into_bytes();
        if chunked {
            bytes.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
            bytes.extend_from_slice(format!("{:x}\r\n", half.len()).as_bytes());
            bytes.extend_from_slice(half);
            bytes.extend_from_slice(b"\r\n");
        } else {
            bytes.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
            bytes.extend_from_slice(half);
        }
        let mut stream = connect(ctx.addr())?;
        stream
            .write_all(&bytes)
            .map_err(|e| format!("stalled connection {i}: {e}"))?;
        stalled.push((chunked, stream));
    }
    // Let the server start on every one of them.
    thread::sleep(Duration::from_millis(200));

    let started = Instant::now();
    let genuine = send(ctx, &genuine_voice(ctx)?)?;
    let took = started.elapsed();
    if took > PROMPT {
        return Err(format!(
            "with {STALLED_CONNECTIONS} bodies stalled, a genuine request took {took:?} (bound {PROMPT:?})"
        ));
    }

    // Watch every stalled connection at once, for STALL_WATCH, then close it.
    let watchers: Vec<_> = stalled
        .into_iter()
        .map(|(chunked, mut stream)| {
            thread::spawn(move || {
                let started = Instant::now();
                let outcome = match read_response(&mut stream, STALL_WATCH) {
                    Ok(response) => Ok(response.status),
                    Err(e) if e.kind() == io::ErrorKind::TimedOut => Err("nothing".to_owned()),
                    Err(e) => Err(format!("closed without an answer ({e})")),
                };
                (chunked, outcome, started.elapsed())
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for watcher in watchers {
        outcomes.push(
            watcher
                .join()
                .map_err(|_| "a watcher panicked".to_owned())?,
        );
    }
    let mut summary = String::new();
    for chunked in [false, true] {
        let mut seen: Vec<String> = Vec::new();
        for (c, outcome, after) in &outcomes {
            if *c != chunked {
                continue;
            }
            let text = match outcome {
                Ok(status) => format!("{status} after {:.1}s", after.as_secs_f64()),
                Err(what) => format!("{what} within {STALL_WATCH:?}"),
            };
            if !seen.contains(&text) {
                seen.push(text);
            }
        }
        let _ = write!(
            summary,
            "{}{}: {}",
            if chunked { "; " } else { "" },
            if chunked { "chunked" } else { "Content-Length" },
            seen.join(", ")
        );
    }
    note(
        "bodies that never finish",
        &format!(
            "a genuine request on another connection: {} in {took:?} with {STALLED_CONNECTIONS} stalled; \
             the stalled connections got {summary}",
            genuine.status
        ),
    );
    if let Some((_, Ok(status), _)) = outcomes
        .iter()
        .find(|(_, o, _)| matches!(o, Ok(s) if *s >= 500))
    {
        return Err(format!("a stalled connection was answered {status}"));
    }
    Ok(vec![genuine])
}

// --- thousands of parameters ------------------------------------------------------------------

/// The call's parameters and [`MANY_PARAMS`] more, 3 bytes each (`&ab`: a two-character
/// name, empty value), within the contract's 64 KiB limit.
fn many_params_body() -> Vec<u8> {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut body = twilio_auth::form::encode(CALL).into_bytes();
    for i in 0..MANY_PARAMS {
        body.push(b'&');
        body.push(ALPHABET[(i / ALPHABET.len()) % ALPHABET.len()]);
        body.push(ALPHABET[i % ALPHABET.len()]);
    }
    assert!(body.len() as u64 <= CONTRACT_BODY_LIMIT);
    body
}

fn many_params(ctx: &Ctx, token: &str, label: &str) -> Result<Vec<Response>, String> {
    let body = many_params_body();
    let signature = Signer::new(token).sign_form_body(&ctx.url("/voice"), &body);
    let request = RawRequest::new("POST", "/voice")
        .header("X-Twilio-Signature", &signature)
        .form(&body);
    let started = Instant::now();
    let response = send_raw(ctx, &request)?;
    let took = started.elapsed();
    note(
        label,
        &format!(
            "{} parameters, {} bytes: {} in {took:?}",
            MANY_PARAMS + CALL.len(),
            body.len(),
            response.status
        ),
    );
    if took > ANSWER_BOUND {
        return Err(format!("answered after {took:?} (bound {ANSWER_BOUND:?})"));
    }
    single(response)
}

pub fn many_params_signed(ctx: &Ctx, _: Peer) -> Result<Vec<Response>, String> {
    many_params(ctx, TOKEN, "20 000 parameters, signed")
}

pub fn many_params_forged(ctx: &Ctx, _: Peer) -> Result<Vec<Response>, String> {
    many_params(ctx, FORGER_TOKEN, "20 000 parameters, forged")
}

// --- enormous header values ----------------------------------------------------------------------

const HEADER_REFUSED: OneOf = OneOf {
    statuses: &[400, HEADER_TOO_LARGE],
    accepted: TWIML_FRAGMENT,
    challenges: &[],
};

/// A 100 KiB `X-Twilio-Signature`: not the signature (403), unless the HTTP layer refuses
/// the header first (400/431).
pub fn huge_signature(ctx: &Ctx, _: Peer) -> Result<Vec<Response>, String> {
    let request = Request::post("/voice")
        .form(CALL)
        .signature(&"A".repeat(HUGE));
    let response = send(ctx, &request)?;
    one_of(
        ctx,
        response,
        OneOf {
            statuses: &[403, 400, HEADER_TOO_LARGE],
            ..HEADER_REFUSED
        },
    )
}

fn huge_authorization(
    ctx: &Ctx,
    signer: Peer,
    route: &str,
    value: String,
    challenges: &'static [&'static str],
) -> Result<Vec<Response>, String> {
    let signature = signer.sign_form(TOKEN, &ctx.url(route), CALL)?;
    let request = Request::post(route)
        .form(CALL)
        .signature(&signature)
        .header("Authorization", &value);
    let response = send(ctx, &request)?;
    one_of(
        ctx,
        response,
        OneOf {
            statuses: &[401, 400, HEADER_TOO_LARGE],
            accepted: TWIML_FRAGMENT,
            challenges,
        },
    )
}

/// A 100 KiB `Authorization` on the Basic route: 401 with the challenge (the core refuses
/// anything over 8 KiB unparsed), or 400/431 from the HTTP layer.
pub fn huge_authorization_basic(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let value = format!("Basic {}", "QUFB".repeat(HUGE / 4));
    huge_authorization(ctx, signer, BASIC_ROUTE, value, &[BASIC_CHALLENGE])
}

pub fn huge_authorization_digest(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let value = format!(
        r#"Digest username="{}", realm="{}", nonce="x", uri="{DIGEST_ROUTE}", response="0""#,
        "u".repeat(HUGE),
        http_auth::REALM
    );
    huge_authorization(ctx, signer, DIGEST_ROUTE, value, DIGEST_CHALLENGES)
}

/// 9 KiB: over the core's 8 KiB cap, under every HTTP layer's limit: exactly 401.
fn long_authorization(
    ctx: &Ctx,
    signer: Peer,
    route: &str,
    value: String,
) -> Result<Vec<Response>, String> {
    let signature = signer.sign_form(TOKEN, &ctx.url(route), CALL)?;
    let request = Request::post(route)
        .form(CALL)
        .signature(&signature)
        .header("Authorization", &value);
    single(send(ctx, &request)?)
}

pub fn long_authorization_basic(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let value = format!("Basic {}", "QUFB".repeat(OVER_AUTHORIZATION_CAP / 4));
    long_authorization(ctx, signer, BASIC_ROUTE, value)
}

pub fn long_authorization_digest(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let value = format!(
        r#"Digest username="{USER}", realm="{}", nonce="{}", uri="{DIGEST_ROUTE}", response="0""#,
        http_auth::REALM,
        "n".repeat(OVER_AUTHORIZATION_CAP)
    );
    long_authorization(ctx, signer, DIGEST_ROUTE, value)
}

/// A 100 KiB `Host` where the URL comes from the request (forwarded headers trusted, no
/// base URL), signed over the URL it makes: an invalid authority is a 400 (SECURITY.md),
/// or the HTTP layer refuses the header (400/431).
pub fn huge_host_from_request(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let host = "a".repeat(HUGE);
    let signature = signer.sign_form(TOKEN, &format!("http://{host}/voice"), CALL)?;
    let request = Request::post("/voice")
        .form(CALL)
        .signature(&signature)
        .host(Host::Value(host));
    let response = send(ctx, &request)?;
    one_of(ctx, response, HEADER_REFUSED)
}

/// The same `Host` where a base URL is configured: `Host` plays no part, so a genuine
/// request passes (200), unless the HTTP layer refuses the header (400/431).
pub fn huge_host_pinned(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let signature = signer.sign_form(TOKEN, &ctx.url("/voice"), CALL)?;
    let request = Request::post("/voice")
        .form(CALL)
        .signature(&signature)
        .host(Host::Value("a".repeat(HUGE)));
    let response = send(ctx, &request)?;
    one_of(
        ctx,
        response,
        OneOf {
            statuses: &[200, 400, HEADER_TOO_LARGE],
            ..HEADER_REFUSED
        },
    )
}

/// A 100 KiB `X-Forwarded-Host` from a trusted proxy, signed over the URL it makes: 400 or
/// 431.
pub fn huge_forwarded_host(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let host = "a".repeat(HUGE);
    let signature = signer.sign_form(TOKEN, &format!("https://{host}/voice"), CALL)?;
    let request = Request::post("/voice")
        .form(CALL)
        .signature(&signature)
        .header("X-Forwarded-Proto", "https")
        .header("X-Forwarded-Host", &host);
    let response = send(ctx, &request)?;
    one_of(ctx, response, HEADER_REFUSED)
}

// --- invalid UTF-8 and percent sequences ---------------------------------------------------------

/// The verifier decodes as Twilio's libraries do (`%zz` and a lone `%` kept, invalid UTF-8
/// replaced by U+FFFD) and accepts the request (200); the app's own `Form` extractor may
/// then refuse the body (400/422). Never a 500.
const FORM_DECODED: OneOf = OneOf {
    statuses: &[200, 400, 422],
    accepted: TWIML_FRAGMENT,
    challenges: &[],
};

/// A form POST to `/voice` of the call's parameters and then the raw bytes `extra`, with
/// `signature`.
fn raw_form(ctx: &Ctx, extra: &[u8], signature: &str) -> Result<Response, String> {
    let mut body = twilio_auth::form::encode(CALL).into_bytes();
    body.extend_from_slice(extra);
    let request = RawRequest::new("POST", "/voice")
        .header("X-Twilio-Signature", signature)
        .form(&body);
    send_raw(ctx, &request)
}

/// The call's parameters and then `extra` (the raw bytes), signed by `signer` (an official
/// library) over `decoded`: the parameters Twilio's libraries see once their framework has
/// decoded the extra bytes (see [`form_invalid_sequences_as_decoded`]), never by the decoder
/// under test.
fn decoded_form(
    ctx: &Ctx,
    signer: Peer,
    extra: &[u8],
    decoded: &[(&str, &str)],
) -> Result<Vec<Response>, String> {
    let params: Vec<(&str, &str)> = CALL
        .iter()
        .copied()
        .chain(decoded.iter().copied())
        .collect();
    let signature = signer.sign_form(TOKEN, &ctx.url("/voice"), &params)?;
    let response = raw_form(ctx, extra, &signature)?;
    one_of(ctx, response, FORM_DECODED)
}

/// U+FFFD, what a lossy decoder puts for each invalid UTF-8 byte.
const R: &str = "\u{FFFD}";

pub fn form_percent_zz(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let decoded = [("Note", "100%zz"), ("%zz", "x")];
    decoded_form(ctx, signer, b"&Note=100%zz&%zz=x", &decoded)
}

pub fn form_lone_percent(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let decoded = [("Note", "%"), ("Half", "%4"), ("%", "%")];
    decoded_form(ctx, signer, b"&Note=%&Half=%4&%=%", &decoded)
}

pub fn form_invalid_utf8_escape(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let bad = format!("{R}(");
    let two = R.repeat(2);
    let decoded = [("Note", bad.as_str()), ("Lone", R), (two.as_str(), R)];
    decoded_form(ctx, signer, b"&Note=%C3%28&Lone=%C3&%FF%FE=%80", &decoded)
}

pub fn form_raw_non_utf8(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let three = R.repeat(3);
    let decoded = [("Note", three.as_str()), (R, R)];
    decoded_form(ctx, signer, b"&Note=\xff\xfe\xc3&\xff=\x80", &decoded)
}

/// Every invalid sequence at once, signed by `signer` over the parameters that Twilio's
/// python and node libraries see once their framework has decoded the body (checked with
/// `urllib.parse.parse_qsl` over the lossily decoded body and node's `querystring.parse`):
/// a malformed `%` escape stays literal, invalid UTF-8 becomes U+FFFD, byte by byte.
pub fn form_invalid_sequences_as_decoded(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let extra: &[u8] = b"&Note=100%zz&%zz=x&Lone=%&Half=%4&%=%&Bad=%C3%28&Cut=%C3\
                         &%FF%FE=%80&Raw=\xff\xfe\xc3&\xff=\x80";
    let bad = format!("{R}(");
    let two = R.repeat(2);
    let three = R.repeat(3);
    let decoded: Vec<(&str, &str)> = CALL
        .iter()
        .copied()
        .chain([
            ("Note", "100%zz"),
            ("%zz", "x"),
            ("Lone", "%"),
            ("Half", "%4"),
            ("%", "%"),
            ("Bad", bad.as_str()),
            ("Cut", R),
            (two.as_str(), R),
            ("Raw", three.as_str()),
            (R, R),
        ])
        .collect();
    let signature = signer.sign_form(TOKEN, &ctx.url("/voice"), &decoded)?;
    let mut body = twilio_auth::form::encode(CALL).into_bytes();
    body.extend_from_slice(extra);
    let request = RawRequest::new("POST", "/voice")
        .header("X-Twilio-Signature", &signature)
        .form(&body);
    let response = send_raw(ctx, &request)?;
    one_of(ctx, response, FORM_DECODED)
}

/// All of them, signed with another token: 403.
pub fn form_invalid_sequences_forged(ctx: &Ctx, _: Peer) -> Result<Vec<Response>, String> {
    let extra = b"&Note=100%zz&Lone=%&Bad=%C3%28&Raw=\xff\xfe&%FF=\x80";
    let mut body = twilio_auth::form::encode(CALL).into_bytes();
    body.extend_from_slice(extra);
    let signature = Signer::new(FORGER_TOKEN).sign_form_body(&ctx.url("/voice"), &body);
    single(raw_form(ctx, extra, &signature)?)
}

/// Invalid percent sequences in the query of `GET /status`, signed over the URL as sent:
/// the verifier checks the bytes it received (200); the `Query` extractor may refuse them
/// (400).
pub fn query_bad_percent(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let target = format!("{STATUS}&Note=%zz&Lone=%&Bad=%C3%28");
    let signature = signer.sign_url(TOKEN, &ctx.url(&target))?;
    let response = send(ctx, &Request::get(&target).signature(&signature))?;
    one_of(
        ctx,
        response,
        OneOf {
            statuses: &[200, 400],
            accepted: STATUS_FRAGMENT,
            challenges: &[],
        },
    )
}

pub fn query_bad_percent_forged(ctx: &Ctx, _: Peer) -> Result<Vec<Response>, String> {
    let target = format!("{STATUS}&Note=%zz&Lone=%&Bad=%C3%28");
    let signature = Peer::Ours.sign_url(FORGER_TOKEN, &ctx.url(&target))?;
    single(send(ctx, &Request::get(&target).signature(&signature))?)
}

/// Raw (unencoded) UTF-8 in the query, signed over the URL as sent: accepted (200), or
/// refused by an HTTP layer that takes only ASCII in the request target (400).
pub fn query_raw_utf8(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let target = format!("{STATUS}&Caller=Zoë");
    let signature = signer.sign_url(TOKEN, &ctx.url(&target))?;
    let response = send(ctx, &Request::get(&target).signature(&signature))?;
    one_of(
        ctx,
        response,
        OneOf {
            statuses: &[200, 400],
            accepted: STATUS_FRAGMENT,
            challenges: &[],
        },
    )
}

/// Raw bytes that are not UTF-8 in the query or the path (no signature can be over
/// them: a URL is text): 400 from the HTTP layer, 403 from the verifier, or, for the
/// path, no such route (404).
fn raw_target(ctx: &Ctx, target: &[u8], statuses: &'static [u16]) -> Result<Vec<Response>, String> {
    let signature = Peer::Ours.sign_url(TOKEN, &ctx.url(&String::from_utf8_lossy(target)))?;
    let request = RawRequest::new("GET", target).header("X-Twilio-Signature", &signature);
    let response = send_raw(ctx, &request)?;
    one_of(
        ctx,
        response,
        OneOf {
            statuses,
            accepted: STATUS_FRAGMENT,
            challenges: &[],
        },
    )
}

pub fn query_raw_non_utf8(ctx: &Ctx, _: Peer) -> Result<Vec<Response>, String> {
    let mut target = STATUS.as_bytes().to_vec();
    target.extend_from_slice(b"&Caller=\xff\xfe");
    raw_target(ctx, &target, &[400, 403])
}

pub fn path_raw_non_utf8(ctx: &Ctx, _: Peer) -> Result<Vec<Response>, String> {
    raw_target(ctx, b"/status\xff?CallSid=CA1", &[400, 404])
}

/// Invalid percent sequences in the path, signed over the path as sent: no route has
/// that path (404; warp's routes from `#[twilio_signed]` match the path before the method,
/// so no branch reports a method mismatch), or the framework refuses to decode it (400).
pub fn path_bad_percent(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let target = "/voice%zz%C3%28%";
    let signature = signer.sign_form(TOKEN, &ctx.url(target), CALL)?;
    let response = send(ctx, &Request::post(target).form(CALL).signature(&signature))?;
    one_of(
        ctx,
        response,
        OneOf {
            statuses: &[400, 404],
            accepted: TWIML_FRAGMENT,
            challenges: &[],
        },
    )
}

// --- duplicated bodySHA256 -----------------------------------------------------------------------

/// `POST /events?bodySHA256=<first>&bodySHA256=<second>` with the event, signed over that
/// URL by `signer`.
fn event_with_hashes(
    ctx: &Ctx,
    signer: Peer,
    first_right: bool,
    second_right: bool,
) -> Result<Vec<Response>, String> {
    let with_hash = twilio_auth::signer::with_body_hash("", EVENT.as_bytes());
    let right = with_hash
        .strip_prefix("?bodySHA256=")
        .ok_or_else(|| format!("unexpected {with_hash:?}"))?;
    let wrong = twilio_auth::signer::with_body_hash("", b"{}");
    let wrong = wrong.strip_prefix("?bodySHA256=").unwrap_or_default();
    let pick = |ok: bool| if ok { right } else { wrong };
    let target = format!(
        "/events?bodySHA256={}&bodySHA256={}",
        pick(first_right),
        pick(second_right)
    );
    let signature = signer.sign_url(TOKEN, &ctx.url(&target))?;
    single(send(
        ctx,
        &Request::post(&target).json(EVENT).signature(&signature),
    )?)
}

pub fn body_hash_twice(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    event_with_hashes(ctx, signer, true, true)
}

pub fn body_hash_second_wrong(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    event_with_hashes(ctx, signer, true, false)
}

pub fn body_hash_first_wrong(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    event_with_hashes(ctx, signer, false, true)
}

// --- malformed Authorization ---------------------------------------------------------------------

/// A correctly signed call to `route` with `Authorization: value` (any bytes).
fn with_authorization(
    ctx: &Ctx,
    signer: Peer,
    route: &str,
    value: &[u8],
) -> Result<Response, String> {
    let signature = signer.sign_form(TOKEN, &ctx.url(route), CALL)?;
    let request = RawRequest::new("POST", route)
        .header("X-Twilio-Signature", &signature)
        .header("Authorization", value)
        .form(twilio_auth::form::encode(CALL));
    send_raw(ctx, &request)
}

/// `Digest` with `n` parameters.
fn digest_with_params(n: usize) -> Vec<u8> {
    let params: Vec<String> = (0..n).map(|i| format!("p{i}=\"v\"")).collect();
    format!("Digest {}", params.join(", ")).into_bytes()
}

/// Defines, for each malformed value, one exchange per route (`<name>_basic`,
/// `<name>_digest`): a correctly signed call with that `Authorization`; the table expects
/// 401 with the route's challenges.
macro_rules! malformed_authorization {
    ($($basic:ident, $digest:ident => $value:expr;)*) => {$(
        pub fn $basic(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
            single(with_authorization(ctx, signer, BASIC_ROUTE, AsRef::<[u8]>::as_ref(&$value))?)
        }
        pub fn $digest(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
            single(with_authorization(ctx, signer, DIGEST_ROUTE, AsRef::<[u8]>::as_ref(&$value))?)
        }
    )*};
}

malformed_authorization! {
    auth_empty_basic, auth_empty_digest => b"";
    auth_basic_alone_basic, auth_basic_alone_digest => b"Basic";
    auth_basic_not_base64_basic, auth_basic_not_base64_digest => b"Basic !!!";
    // base64("twilio"): no `:` between user and password.
    auth_basic_no_colon_basic, auth_basic_no_colon_digest => b"Basic dHdpbGlv";
    // base64(b"\xff\xfe:\xff"): credentials that are not UTF-8.
    auth_basic_non_utf8_credentials_basic, auth_basic_non_utf8_credentials_digest => b"Basic //46/w==";
    auth_basic_two_tokens_basic, auth_basic_two_tokens_digest => basic_authorization(USER, PASSWORD) + " dHdpbGlv";
    auth_digest_alone_basic, auth_digest_alone_digest => b"Digest";
    auth_digest_unclosed_quote_basic, auth_digest_unclosed_quote_digest =>
        br#"Digest username="twilio, realm="twilio-e2e, nonce="abc"#;
    auth_digest_repeated_param_basic, auth_digest_repeated_param_digest =>
        br#"Digest username="twilio", username="twilio", realm="twilio-e2e", nonce="n", uri="/digest/voice", response="0", response="0""#;
    auth_digest_500_params_basic, auth_digest_500_params_digest => digest_with_params(500);
    auth_digest_no_values_basic, auth_digest_no_values_digest => b"Digest username twilio realm";
    auth_digest_only_commas_basic, auth_digest_only_commas_digest => b"Digest ,,,,,,";
    auth_digest_bad_escape_basic, auth_digest_bad_escape_digest => br#"Digest username="twilio\"#;
    auth_bearer_basic, auth_bearer_digest => b"Bearer x";
    auth_non_utf8_basic, auth_non_utf8_digest => b"Basic \xff\xfe\xfd";
    auth_digest_non_utf8_basic, auth_digest_non_utf8_digest =>
        b"Digest username=\"\xff\xfe\", realm=\"twilio-e2e\", nonce=\"\x80\", uri=\"/digest/voice\", response=\"0\"";
}

/// NUL and other control bytes: no header may carry them (RFC 9110 §5.5), so the HTTP
/// layer may refuse the request (400); if it passes, 401 with the route's challenges.
fn control_bytes(
    ctx: &Ctx,
    signer: Peer,
    route: &str,
    value: &[u8],
) -> Result<Vec<Response>, String> {
    let challenges: &'static [&'static str] = if route == BASIC_ROUTE {
        &[BASIC_CHALLENGE]
    } else {
        DIGEST_CHALLENGES
    };
    let response = with_authorization(ctx, signer, route, value)?;
    one_of(
        ctx,
        response,
        OneOf {
            statuses: &[400, 401],
            accepted: TWIML_FRAGMENT,
            challenges,
        },
    )
}

pub fn auth_nul_basic(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    control_bytes(ctx, signer, BASIC_ROUTE, b"Basic dHdp\0bGlv")
}

pub fn auth_nul_digest(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    control_bytes(ctx, signer, DIGEST_ROUTE, b"Digest username=\"tw\0ilio\"")
}

pub fn auth_control_basic(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    control_bytes(ctx, signer, BASIC_ROUTE, b"Basic \x01\x02\x1b[31m\x7f")
}

pub fn auth_control_digest(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    control_bytes(
        ctx,
        signer,
        DIGEST_ROUTE,
        b"Digest username=\"\x01\x1b\x7f\", realm=\"twilio-e2e\"",
    )
}

// --- signatures replayed to another route -----------------------------------------------------------

/// A genuine `/api/voice` request (nested route) replayed to `/voice`.
pub fn replay_nested_to_root(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let signature = signer.sign_form(TOKEN, &ctx.url("/api/voice"), CALL)?;
    single(send(
        ctx,
        &Request::post("/voice").form(CALL).signature(&signature),
    )?)
}

/// A genuine `GET /status` (signature over its URL) replayed as a POST to `/voice` with the
/// same query.
pub fn replay_status_to_voice(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let signature = signer.sign_url(TOKEN, &ctx.url(STATUS))?;
    let target = STATUS.replacen("/status", "/voice", 1);
    single(send(
        ctx,
        &Request::post(&target).form(&[]).signature(&signature),
    )?)
}

/// A genuine JSON event (URL with `bodySHA256`) replayed to `/voice` with the same query.
pub fn replay_event_to_voice(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let (url, signature) = signer.sign_body(TOKEN, &ctx.url("/events"), EVENT)?;
    let target = ctx.target_of(&url)?.replacen("/events", "/voice", 1);
    single(send(
        ctx,
        &Request::post(&target).json(EVENT).signature(&signature),
    )?)
}

/// A genuine `/voice` request replayed to `/basic/voice`, with the right Basic credentials:
/// the login passes, the signature does not (403).
pub fn replay_voice_to_basic(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let signature = signer.sign_form(TOKEN, &ctx.url("/voice"), CALL)?;
    let request = Request::post(BASIC_ROUTE)
        .form(CALL)
        .signature(&signature)
        .header("Authorization", &basic_authorization(USER, PASSWORD));
    single(send(ctx, &request)?)
}

// --- forwarded headers from a client nobody trusts ---------------------------------------------------

/// Signed over the URL the forwarded headers describe, sent with them.
fn forwarded(
    ctx: &Ctx,
    signer: Peer,
    signed_url: &str,
    headers: &[(&str, &str)],
) -> Result<Vec<Response>, String> {
    let signature = signer.sign_form(TOKEN, signed_url, CALL)?;
    let mut request = Request::post("/voice").form(CALL).signature(&signature);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    single(send(ctx, &request)?)
}

const X_FORWARDED: &[(&str, &str)] = &[
    ("X-Forwarded-Proto", "https"),
    ("X-Forwarded-Host", "attacker.example.com"),
    ("X-Forwarded-Port", "8443"),
];
const FORWARDED: &[(&str, &str)] = &[(
    "Forwarded",
    "for=192.0.2.60;proto=https;host=attacker.example.com",
)];

/// `X-Forwarded-*` describing a URL the client signed: ignored by default (403).
pub fn untrusted_x_forwarded(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    forwarded(
        ctx,
        signer,
        "https://attacker.example.com:8443/voice",
        X_FORWARDED,
    )
}

/// `Forwarded` (RFC 7239) describing a URL the client signed: ignored by default (403).
pub fn untrusted_forwarded(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    forwarded(ctx, signer, "https://attacker.example.com/voice", FORWARDED)
}

/// `X-Forwarded-Port` alone, signed over the port it names: 403.
pub fn untrusted_forwarded_port(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    forwarded(
        ctx,
        signer,
        "http://127.0.0.1:8443/voice",
        &[("X-Forwarded-Port", "8443")],
    )
}

/// A genuine request carrying every forwarded header: ignored, not refused (200).
pub fn genuine_with_untrusted_forwarded(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let headers: Vec<(&str, &str)> = X_FORWARDED.iter().chain(FORWARDED).copied().collect();
    forwarded(ctx, signer, &ctx.url("/voice"), &headers)
}
