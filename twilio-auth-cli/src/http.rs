//! A minimal HTTP/1.1 client over `std::net::TcpStream`, for `send`: plain `http://` only, one
//! request per connection (`Connection: close`), so the tool needs no HTTP dependency.
//!
//! The request target is written exactly as given: what Twilio signed is the URL it requested,
//! and a client that re-encodes the path or query sends another URL than the one signed.

use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const IO_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest response head (status line and headers) read.
const MAX_HEAD: usize = 64 * 1024;
/// Largest response body read: a webhook's answer is TwiML or a short text.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// The `http://HOST[:PORT]` a request is sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// `HOST[:PORT]` as given: the default `Host` header.
    authority: String,
    /// The host without IPv6 brackets, for name resolution.
    host: String,
    port: u16,
}

impl Origin {
    /// Reads `--to`: `http://` (any letter case), a host (name, IPv4, or `[IPv6]`), an optional
    /// port, and nothing else but an optional trailing `/`.
    pub fn parse(to: &str) -> Result<Origin, String> {
        let scheme_end = to.find("://");
        let scheme = scheme_end.map(|end| &to[..end]);
        let rest = match scheme {
            Some(s) if s.eq_ignore_ascii_case("http") => &to[s.len() + 3..],
            Some(s) if s.eq_ignore_ascii_case("https") => {
                return Err(format!(
                    "--to {to}: https:// is not supported; send speaks plain HTTP/1.1 without TLS, \
                     so give the app's own http:// address (e.g. http://127.0.0.1:3000) and put \
                     the public https:// URL in --url"
                ));
            }
            _ => {
                return Err(format!(
                    "--to {to:?} is not an http:// address: expected http://HOST[:PORT]"
                ));
            }
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.contains(['/', '?', '#']) {
            return Err(format!(
                "--to {to} has a path or query: give only http://HOST[:PORT]; the request \
                 target is the path and query of --url"
            ));
        }
        if authority.contains('@') {
            return Err(format!(
                "--to {to} has credentials: give them with --user and --password"
            ));
        }
        let (host, port) = split_host_port(authority)
            .ok_or_else(|| format!("--to {to}: expected http://HOST[:PORT]"))?;
        Ok(Origin {
            authority: authority.to_owned(),
            host: host.to_owned(),
            port,
        })
    }

    /// `HOST[:PORT]` as given in `--to`.
    pub fn authority(&self) -> &str {
        &self.authority
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "http://{}", self.authority)
    }
}

/// `host[:port]` or `[v6][:port]`; port 80 when absent.
fn split_host_port(authority: &str) -> Option<(&str, u16)> {
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (host, after) = bracketed.split_once(']')?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':')?),
        };
        (host, port)
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let valid_host = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._:%".contains(&b));
    let port = match port {
        None => 80,
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => p.parse().ok()?,
        Some(_) => return None,
    };
    valid_host.then_some((host, port))
}

/// A request to write: the target and header values must not contain CR or LF (the argument
/// parser checks what the user gives).
pub struct Request<'a> {
    pub method: &'a str,
    pub target: &'a str,
    pub headers: Vec<(&'a str, String)>,
    pub body: &'a [u8],
}

impl Request<'_> {
    /// The request line and headers, each ending in CRLF, then the empty line.
    fn head(&self) -> String {
        let mut head = format!("{} {} HTTP/1.1\r\n", self.method, self.target);
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        head
    }
}

/// A response as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// e.g. `HTTP/1.1 200 OK`.
    pub status_line: String,
    pub status: u16,
    /// Names and values as the server wrote them, in order.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

impl Response {
    /// The values of every header `name` (case-insensitive), in order.
    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Connects to `origin`, writes `request`, and reads the response (after any 1xx).
pub fn exchange(origin: &Origin, request: &Request<'_>) -> io::Result<Response> {
    let stream = connect(origin)?;
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    let mut bytes = request.head().into_bytes();
    bytes.extend_from_slice(request.body);
    (&stream).write_all(&bytes)?;
    (&stream).flush()?;
    read_response(&mut BufReader::new(stream), request.method)
}

fn connect(origin: &Origin) -> io::Result<TcpStream> {
    let mut last_error = None;
    for addr in (origin.host.as_str(), origin.port).to_socket_addrs()? {
        match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
            Ok(stream) => return Ok(stream),
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error
        .unwrap_or_else(|| io::Error::new(io::ErrorKind::NotFound, "the host name has no address")))
}

/// `tchar` of RFC 9110 §5.6.2: what methods and auth-scheme names are made of.
pub fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

/// Reads one response; interim 1xx responses are skipped.
fn read_response(reader: &mut impl BufRead, method: &str) -> io::Result<Response> {
    loop {
        let (status_line, status, headers) = read_head(reader)?;
        if (100..200).contains(&status) && status != 101 {
            continue;
        }
        let mut response = Response {
            status_line,
            status,
            headers,
            body: Vec::new(),
        };
        let bodiless = method == "HEAD" || matches!(status, 100..=199 | 204 | 304);
        if !bodiless {
            response.body = read_body(reader, &response)?;
        }
        return Ok(response);
    }
}

/// A line without its CRLF (or bare LF), at most `limit` bytes.
fn read_line(reader: &mut impl BufRead, limit: usize) -> io::Result<String> {
    let mut line = Vec::new();
    let limit = u64::try_from(limit).unwrap_or(u64::MAX);
    reader.take(limit).read_until(b'\n', &mut line)?;
    if line.last() != Some(&b'\n') {
        return Err(invalid(if line.is_empty() {
            "the server closed the connection without a complete response"
        } else {
            "a response line is too long or truncated"
        }));
    }
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(String::from_utf8_lossy(&line).into_owned())
}

type Head = (String, u16, Vec<(String, String)>);

fn read_head(reader: &mut impl BufRead) -> io::Result<Head> {
    let mut budget = MAX_HEAD;
    let mut next_line = || -> io::Result<String> {
        let line = read_line(reader, budget)?;
        budget = budget.saturating_sub(line.len() + 2);
        Ok(line)
    };
    let status_line = next_line()?;
    let status = status_line
        .strip_prefix("HTTP/1.")
        .and_then(|rest| rest.get(2..5))
        .filter(|code| code.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| invalid(format!("not an HTTP/1.x status line: {status_line:?}")))?;
    let mut headers = Vec::new();
    loop {
        let line = next_line()?;
        if line.is_empty() {
            return Ok((status_line, status, headers));
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| invalid(format!("malformed response header: {line:?}")))?;
        headers.push((name.to_owned(), value.trim().to_owned()));
    }
}

fn read_body(reader: &mut impl BufRead, response: &Response) -> io::Result<Vec<u8>> {
    let chunked = response
        .header_values("transfer-encoding")
        .flat_map(|v| v.split(','))
        .last()
        .is_some_and(|coding| coding.trim().eq_ignore_ascii_case("chunked"));
    if chunked {
        return read_chunked(reader);
    }
    let has_transfer_encoding = response.header_values("transfer-encoding").next().is_some();
    let mut lengths = response.header_values("content-length");
    match (lengths.next(), has_transfer_encoding) {
        (Some(length), false) => {
            if lengths.any(|other| other != length) {
                return Err(invalid("conflicting Content-Length headers"));
            }
            let length: usize = length
                .parse()
                .map_err(|_| invalid(format!("invalid Content-Length {length:?}")))?;
            read_exactly(reader, length)
        }
        // No length: the body ends when the server closes the connection.
        _ => {
            let mut body = Vec::new();
            reader
                .take(u64::try_from(MAX_BODY).unwrap_or(u64::MAX) + 1)
                .read_to_end(&mut body)?;
            if body.len() > MAX_BODY {
                return Err(too_large());
            }
            Ok(body)
        }
    }
}

fn too_large() -> io::Error {
    invalid(format!(
        "the response body is larger than {} MiB",
        MAX_BODY >> 20
    ))
}

fn read_exactly(reader: &mut impl BufRead, length: usize) -> io::Result<Vec<u8>> {
    if length > MAX_BODY {
        return Err(too_large());
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).map_err(|e| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            invalid("the response body is shorter than its Content-Length")
        } else {
            e
        }
    })?;
    Ok(body)
}

fn read_chunked(reader: &mut impl BufRead) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line = read_line(reader, 1024)?;
        let size = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size, 16)
            .map_err(|_| invalid(format!("invalid chunk size {line:?}")))?;
        if size == 0 {
            // Trailer fields, up to the empty line.
            while !read_line(reader, MAX_HEAD)?.is_empty() {}
            return Ok(body);
        }
        if size > MAX_BODY - body.len() {
            return Err(too_large());
        }
        body.extend(read_exactly(reader, size)?);
        if !read_line(reader, 2)?.is_empty() {
            return Err(invalid("a chunk is not followed by CRLF"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(raw: &str, method: &str) -> io::Result<Response> {
        read_response(&mut raw.as_bytes(), method)
    }

    #[test]
    fn origins() {
        let origin = Origin::parse("HTTP://127.0.0.1:3000/").unwrap();
        assert_eq!(
            (origin.authority(), origin.host.as_str(), origin.port),
            ("127.0.0.1:3000", "127.0.0.1", 3000)
        );
        let origin = Origin::parse("http://[::1]").unwrap();
        assert_eq!((origin.host.as_str(), origin.port), ("::1", 80));
        assert_eq!(Origin::parse("http://[::1]:8080").unwrap().port, 8080);
        assert_eq!(
            Origin::parse("http://localhost").unwrap().to_string(),
            "http://localhost"
        );

        let https = Origin::parse("https://127.0.0.1:3000").unwrap_err();
        assert!(https.contains("https:// is not supported"), "{https}");
        for bad in [
            "127.0.0.1:3000",
            "ftp://h",
            "http://",
            "http://h:",
            "http://h:99999",
            "http://h:x",
            "http://h/voice",
            "http://h?x=1",
            "http://u:p@h",
            "http://[::1",
            "http://[::1]x",
            "http://h h",
        ] {
            assert!(Origin::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn request_target_and_headers_are_written_as_given() {
        let request = Request {
            method: "POST",
            target: "/voice?a=%7e&b=it's",
            headers: vec![("Host", "h".into()), ("Content-Length", "0".into())],
            body: b"",
        };
        assert_eq!(
            request.head(),
            "POST /voice?a=%7e&b=it's HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n"
        );
    }

    #[test]
    fn content_length_body() {
        let response = read(
            "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\ncontent-length: 5\r\n\r\nhello",
            "POST",
        )
        .unwrap();
        assert_eq!(response.status_line, "HTTP/1.1 200 OK");
        assert_eq!(response.status, 200);
        assert_eq!(
            response.header_values("CONTENT-TYPE").collect::<Vec<_>>(),
            ["text/xml"]
        );
        assert_eq!(response.body, b"hello");
    }

    #[test]
    fn chunked_body_and_interim_responses() {
        let response = read(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\n\r\n\
             4;ext=1\r\nforb\r\n5\r\nidden\r\n0\r\nTrailer: x\r\n\r\n",
            "POST",
        )
        .unwrap();
        assert_eq!(response.status, 403);
        assert_eq!(response.body, b"forbidden");
    }

    #[test]
    fn body_until_close_and_bodiless_responses() {
        let response = read("HTTP/1.0 200 OK\n\nuntil the end", "GET").unwrap();
        assert_eq!(response.body, b"until the end");
        let head = read("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", "HEAD").unwrap();
        assert!(head.body.is_empty());
        let no_content = read("HTTP/1.1 204 No Content\r\n\r\n", "POST").unwrap();
        assert!(no_content.body.is_empty());
    }

    #[test]
    fn malformed_responses_are_errors() {
        for raw in [
            "",
            "HTTP/1.1 200 OK\r\n",
            "SSH-2.0-OpenSSH\r\n\r\n",
            "HTTP/1.1 2x0 OK\r\n\r\n",
            "HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
        ] {
            assert!(read(raw, "POST").is_err(), "{raw:?}");
        }
        let huge = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
            MAX_BODY + 1
        );
        assert!(read(&huge, "POST").is_err());
        let long_head = format!("HTTP/1.1 200 OK\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD));
        assert!(read(&long_head, "POST").is_err());
    }
}
