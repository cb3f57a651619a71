//! `twilio-auth send`: signs a request as Twilio would and sends it to a server, answering an
//! HTTP authentication challenge when credentials are given, as Twilio does for a webhook URL
//! with `user:pass@`.

use std::io::{self, Write};
use std::process::ExitCode;

use twilio_auth_core::ENV_AUTH_TOKEN;

use crate::args::{Delivery, RequestArgs, UsageError};
use crate::challenge::{self, Answer};
use crate::http::{self, Request, Response};
use crate::{Fatal, body_of, is_url_only, signed};

/// The request, its answer to a challenge, and one more answer when the server says the
/// first answer's nonce was stale.
const MAX_EXCHANGES: usize = 3;

pub fn send(request: &RequestArgs, delivery: &Delivery) -> Result<ExitCode, Fatal> {
    let (body, content_type) = body_of(request)?;
    let signed = signed(request, &body, content_type.as_deref())?;
    let target = request_target(&signed.url).map_err(Fatal::Usage)?;
    let method = request.method.as_str();
    let verbose = delivery.verbose;
    if verbose {
        eprintln!(
            "* signed {} with {ENV_AUTH_TOKEN}: X-Twilio-Signature: {}",
            signed.url, signed.signature
        );
    }

    let mut headers = vec![
        (
            "Host",
            delivery
                .host
                .clone()
                .unwrap_or_else(|| delivery.to.authority().to_owned()),
        ),
        (
            "User-Agent",
            concat!("twilio-auth-cli/", env!("CARGO_PKG_VERSION")).to_owned(),
        ),
        ("Accept", "*/*".to_owned()),
        ("X-Twilio-Signature", signed.signature),
    ];
    if let Some(content_type) = content_type {
        headers.push(("Content-Type", content_type));
    }
    if !body.is_empty() || !is_url_only(request) {
        headers.push(("Content-Length", body.len().to_string()));
    }

    let mut answer: Option<Answer> = None;
    let mut exchanges = 0;
    let response = loop {
        exchanges += 1;
        let mut request_headers = headers.clone();
        if let Some(answer) = &answer {
            request_headers.push(("Authorization", answer.header.clone()));
        }
        request_headers.push(("Connection", "close".to_owned()));
        let request = Request {
            method,
            target: &target,
            headers: request_headers,
            body: &body,
        };
        if verbose {
            eprintln!("* sending to {}", delivery.to);
            show_request(&request, answer.as_ref());
        }
        let response = http::exchange(&delivery.to, &request)
            .map_err(|e| Fatal::Other(format!("{method} {target} to {}: {e}", delivery.to)))?;
        if verbose {
            show_response_head(&response);
        }

        let Some((user, password)) = &delivery.credentials else {
            break response;
        };
        if response.status != 401 || exchanges == MAX_EXCHANGES {
            break response;
        }
        let Some(challenge) = challenge::preferred(response.header_values("WWW-Authenticate"))
        else {
            break response;
        };
        if answer.is_some() && !challenge.is_stale() {
            break response;
        }
        if verbose {
            eprintln!("* answering the {} challenge as {user:?}", challenge.name());
        }
        let next = challenge.answer(user, password, method, &target);
        answer = Some(next.map_err(|e| Fatal::Usage(UsageError(e)))?);
    };

    match print_response(&response) {
        // A reader such as `head` that stops early is not an error.
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            return Err(Fatal::Other(format!("cannot write the response: {e}")));
        }
        _ => {}
    }
    if response.is_success() {
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(hint) = hint(&response, delivery, answer.is_some()) {
        eprintln!("twilio-auth: {}: {hint}", response.status_line);
    }
    Ok(ExitCode::from(1))
}

/// The request target for `url`: its path and query exactly as written, never re-encoded
/// (`/` when the path is empty).
fn request_target(url: &str) -> Result<String, UsageError> {
    let rest = url
        .split_once("://")
        .filter(|(scheme, _)| {
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        })
        .map(|(_, rest)| rest)
        .ok_or_else(|| {
            UsageError(format!(
                "--url {url:?} is not a full URL: expected e.g. https://public.example/voice"
            ))
        })?;
    let target = &rest[rest.find(['/', '?', '#']).unwrap_or(rest.len())..];
    if target.contains('#') {
        return Err(UsageError(format!(
            "--url {url} has a #fragment, which is never part of a request"
        )));
    }
    if target.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return Err(UsageError(format!(
            "--url {url:?} has whitespace or control characters in its path or query: \
             percent-encode them, as the URL Twilio requests would be"
        )));
    }
    Ok(if target.starts_with('/') {
        target.to_owned()
    } else {
        format!("/{target}")
    })
}

/// `--verbose`: the request on stderr, `Authorization` in its shown form.
fn show_request(request: &Request<'_>, answer: Option<&Answer>) {
    eprintln!("> {} {} HTTP/1.1", request.method, request.target);
    for (name, value) in &request.headers {
        match answer {
            Some(answer) if *name == "Authorization" => eprintln!("> {name}: {}", answer.shown),
            _ => eprintln!("> {name}: {value}"),
        }
    }
    eprintln!(">");
    if !request.body.is_empty() {
        for line in String::from_utf8_lossy(request.body).lines() {
            eprintln!("> {line}");
        }
    }
}

/// `--verbose`: the response's status line and headers on stderr.
fn show_response_head(response: &Response) {
    eprintln!("< {}", response.status_line);
    for (name, value) in &response.headers {
        eprintln!("< {name}: {value}");
    }
    eprintln!("<");
}

/// The final response on stdout: status line, headers, an empty line, the body as received.
fn print_response(response: &Response) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "{}", response.status_line)?;
    for (name, value) in &response.headers {
        writeln!(out, "{name}: {value}")?;
    }
    writeln!(out)?;
    out.write_all(&response.body)?;
    out.flush()
}

/// The likely cause of a refusal, for stderr.
fn hint(response: &Response, delivery: &Delivery, answered: bool) -> Option<&'static str> {
    Some(match response.status {
        401 if delivery.credentials.is_none() => {
            "the server asks for HTTP authentication: give --user and --password"
        }
        401 if !answered => {
            "no WWW-Authenticate challenge that send answers (Basic, or Digest with qop=auth \
             and SHA-256 or MD5)"
        }
        401 => "the server refused the --user/--password credentials",
        403 => {
            "the signature was refused: is TWILIO_AUTH_TOKEN the app's token, and does the app \
             rebuild --url as the URL it checks (its public base URL, or the Host header: see \
             --host)?"
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_target_is_the_path_and_query_as_written() {
        let target = |url| request_target(url).unwrap();
        assert_eq!(target("https://public.example/voice"), "/voice");
        assert_eq!(
            target("https://u:p@public.example:8443/a%2fb/?x=%7e&y=it's&z"),
            "/a%2fb/?x=%7e&y=it's&z"
        );
        assert_eq!(target("https://public.example"), "/");
        assert_eq!(target("https://public.example?x=1"), "/?x=1");
        assert_eq!(target("wss://[::1]:8080/stream"), "/stream");
        assert_eq!(target("https://h/caf\u{e9}"), "/caf\u{e9}");
        for bad in [
            "/voice",
            "public.example/voice",
            "://h/",
            "1http://h/",
            "https://h/voice#top",
            "https://h/a b",
            "https://h/a\tb",
        ] {
            assert!(request_target(bad).is_err(), "{bad}");
        }
    }
}
