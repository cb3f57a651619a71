//! A deliberately small HTTP/1.1 client over a plain `TcpStream`.
//!
//! The scenarios need control that general clients take away: the request target is sent
//! byte for byte (a URL parser would re-encode `'` and friends, and the verifier must see
//! what Twilio sent), the `Host` header can be spoofed or left out, and a body can be
//! chunked, or chunked and left unfinished to show that the limit holds while streaming.
//! Every request says `Connection: close`, so a response ends at the latest at EOF.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// How long a request may take before it counts as a hang.
pub const TIMEOUT: Duration = Duration::from_secs(15);

/// The `Host` header of a request.
#[derive(Debug, Clone)]
pub enum Host {
    /// `127.0.0.1:PORT`, as any client of the local app sends it.
    Local,
    /// A given value (a spoofed or proxied host).
    Value(String),
    /// No `Host` at all; sent as HTTP/1.0, the version where that is allowed.
    Omitted,
}

/// How the body goes on the wire.
#[derive(Debug, Clone)]
pub enum Body {
    /// No body (a `Content-Length: 0` is sent for methods other than GET and HEAD).
    Empty,
    /// With `Content-Length`.
    Sized(Vec<u8>),
    /// `Transfer-Encoding: chunked`, no `Content-Length`, in chunks of `chunk` bytes.
    Chunked { data: Vec<u8>, chunk: usize },
    /// Chunked, but the final empty chunk never comes: the client waits for the answer
    /// after `data`. A server that buffers to the end before checking its limit hangs.
    ChunkedUnfinished { data: Vec<u8>, chunk: usize },
}

/// One request, exactly as it will be written.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: &'static str,
    /// Raw path and query.
    pub target: String,
    pub host: Host,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

impl Request {
    pub fn new(method: &'static str, target: &str) -> Self {
        Request {
            method,
            target: target.to_owned(),
            host: Host::Local,
            headers: Vec::new(),
            body: Body::Empty,
        }
    }

    pub fn get(target: &str) -> Self {
        Self::new("GET", target)
    }

    pub fn post(target: &str) -> Self {
        Self::new("POST", target)
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn signature(self, signature: &str) -> Self {
        self.header("X-Twilio-Signature", signature)
    }

    pub fn host(mut self, host: Host) -> Self {
        self.host = host;
        self
    }

    pub fn body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }

    /// A form body (encoded by the core, the same way Twilio encodes it).
    pub fn form(self, params: &[(&str, &str)]) -> Self {
        let body = twilio_auth::form::encode(params).into_bytes();
        self.header("Content-Type", "application/x-www-form-urlencoded")
            .body(Body::Sized(body))
    }

    pub fn json(self, json: &str) -> Self {
        self.header("Content-Type", "application/json")
            .body(Body::Sized(json.as_bytes().to_vec()))
    }

    /// The request's bytes for a server on `port`.
    fn to_bytes(&self, port: u16) -> Vec<u8> {
        let version = match self.host {
            Host::Omitted => "HTTP/1.0",
            _ => "HTTP/1.1",
        };
        let mut head = format!("{} {} {version}\r\n", self.method, self.target);
        match &self.host {
            Host::Local => head.push_str(&format!("Host: 127.0.0.1:{port}\r\n")),
            Host::Value(host) => head.push_str(&format!("Host: {host}\r\n")),
            Host::Omitted => {}
        }
        head.push_str("Connection: close\r\n");
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        match &self.body {
            Body::Empty if matches!(self.method, "GET" | "HEAD") => {}
            Body::Empty => head.push_str("Content-Length: 0\r\n"),
            Body::Sized(data) => head.push_str(&format!("Content-Length: {}\r\n", data.len())),
            Body::Chunked { .. } | Body::ChunkedUnfinished { .. } => {
                head.push_str("Transfer-Encoding: chunked\r\n")
            }
        }
        head.push_str("\r\n");

        // One buffer, one write: the server reads what it rejects before it closes, so
        // the close is a FIN and not a reset that could swallow the response.
        let mut bytes = head.into_bytes();
        match &self.body {
            Body::Empty => {}
            Body::Sized(data) => bytes.extend_from_slice(data),
            Body::Chunked { data, chunk } | Body::ChunkedUnfinished { data, chunk } => {
                for piece in data.chunks((*chunk).max(1)) {
                    bytes.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
                    bytes.extend_from_slice(piece);
                    bytes.extend_from_slice(b"\r\n");
                }
                if matches!(self.body, Body::Chunked { .. }) {
                    bytes.extend_from_slice(b"0\r\n\r\n");
                }
            }
        }
        bytes
    }
}

/// A response: status, headers (names lower-cased) and the decoded body.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The answer to a `HEAD` request: its body is not sent, whatever the headers say.
    pub head: bool,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of the header `name`, in order (`WWW-Authenticate` comes once per
    /// challenge).
    pub fn headers_named(&self, name: &str) -> Vec<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// Sends `request` to the server at `addr` and reads its response.
pub fn send(addr: SocketAddr, request: &Request) -> io::Result<Response> {
    let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT)?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    stream.write_all(&request.to_bytes(addr.port()))?;
    stream.flush()?;

    if request.method == "HEAD" {
        return read_head(&mut stream, TIMEOUT);
    }
    read_response(&mut stream, TIMEOUT, OnReset::Fail)
}

/// Reads the answer to a `HEAD` request: its status line and headers, and no body, whatever
/// `Content-Length` announces (RFC 9110 §9.3.2).
fn read_head(stream: &mut TcpStream, within: Duration) -> io::Result<Response> {
    stream.set_read_timeout(Some(within))?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut chunk)? {
            0 => break,
            n => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "truncated response head"))?;
    // The head alone, announced as having no body.
    let head = String::from_utf8_lossy(&buf[..end]);
    let head: Vec<&str> = head
        .split("\r\n")
        .filter(|line| {
            let name = line.split(':').next().unwrap_or("").trim();
            !name.eq_ignore_ascii_case("content-length")
                && !name.eq_ignore_ascii_case("transfer-encoding")
        })
        .collect();
    let text = format!("{}\r\ncontent-length: 0\r\n\r\n", head.join("\r\n"));
    let response = parse(text.as_bytes(), true)?
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "unparsable response head"))?;
    Ok(Response {
        head: true,
        ..response
    })
}

/// What a connection reset means to [`read_response`] once some bytes have come.
pub enum OnReset {
    /// An error, as for the suite's ordinary client.
    Fail,
    /// The end of the answer (a server that answers early and closes while the request is
    /// still being written resets the connection): take what came, if it parses.
    EndsResponse,
}

/// Reads one response from `stream`, for at most `within` in all.
pub fn read_response(
    stream: &mut TcpStream,
    within: Duration,
    on_reset: OnReset,
) -> io::Result<Response> {
    let deadline = Instant::now() + within;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if let Some(response) = parse(&buf, false)? {
            return Ok(response);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "no complete response within {within:?} (got {} bytes)",
                    buf.len()
                ),
            ));
        }
        stream.set_read_timeout(Some(left))?;
        match stream.read(&mut chunk) {
            Ok(0) => {
                return parse(&buf, true)?.ok_or_else(|| {
                    io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "connection closed before a response",
                    )
                });
            }
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(e) if matches!(on_reset, OnReset::EndsResponse) && !buf.is_empty() => {
                return parse(&buf, true)?.ok_or(e);
            }
            Err(e) => return Err(e),
        }
    }
}

/// Parses a response from `buf`: `Ok(None)` while it is incomplete (`eof`: no more bytes
/// will come, so a body without a length ends here).
pub fn parse(buf: &[u8], eof: bool) -> io::Result<Option<Response>> {
    let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_owned());
    let Some(head_end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return if eof {
            Err(invalid("truncated response head"))
        } else {
            Ok(None)
        };
    };
    let head = String::from_utf8_lossy(&buf[..head_end]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| invalid(&format!("bad status line {status_line:?}")))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let find = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let rest = &buf[head_end + 4..];

    let body = if find("transfer-encoding").is_some_and(|te| te.eq_ignore_ascii_case("chunked")) {
        match dechunk(rest) {
            Some(body) => body,
            None if eof => return Err(invalid("truncated chunked body")),
            None => return Ok(None),
        }
    } else if let Some(length) = find("content-length") {
        let length: usize = length.parse().map_err(|_| invalid("bad content-length"))?;
        if rest.len() < length {
            return if eof {
                Err(invalid("truncated body"))
            } else {
                Ok(None)
            };
        }
        rest[..length].to_vec()
    } else if status == 204 || status == 304 || (100..200).contains(&status) {
        Vec::new()
    } else if eof {
        rest.to_vec()
    } else {
        return Ok(None);
    };
    Ok(Some(Response {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        head: false,
    }))
}

/// Decodes a complete chunked body, or `None` if it has not all arrived.
fn dechunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n")?;
        let size_text = String::from_utf8_lossy(&rest[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Some(body);
        }
        if rest.len() < size + 2 {
            return None;
        }
        body.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}
