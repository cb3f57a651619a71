//! The property target: what `Signer` signs, `Config::verify_with` accepts, exactly as the
//! body binding and key selection rules say (`common/model.rs`); with one byte of the
//! signature flipped, the wrong key, the SharedKey's other algorithm, a second
//! `AccountSid`, a changed body or a body added to a `GET`/`HEAD`, it is refused for the
//! reason the rules give.
//!
//! The URL is built from arbitrary pieces filtered to the characters a real webhook URL
//! has (scheme, optional `user:pass@`, DNS name / IPv4 / IPv6 literal, optional port,
//! path segments, optional query), and the request reaches the verifier the four ways an
//! adapter can present it: the full URL, a configured public base URL (with or without a
//! path prefix), the `Host` header, or a trusted proxy's forwarded headers (`Forwarded` or
//! `X-Forwarded-*`, whichever the configuration trusts, with a client's forged values
//! before the proxy's, in the same list or on an earlier line, and the other family
//! forged outright). Bodies are forms (decoded
//! parameters or raw bytes), none, or JSON with `bodySHA256`, each with a method: `POST`,
//! `PUT`, `GET`, `HEAD`, and the lower-case `get`/`head` that HTTP does not treat as
//! `GET`/`HEAD`. Keys are the Auth Token, a sub-account token (by one `AccountSid`, in the
//! form or in the query) or a SharedKey configured with the algorithm it signs with
//! (HMAC-SHA256 or HMAC-SHA1, optionally `shared_keys_only`); optionally the route also
//! requires HTTP Basic or Digest authentication.
#![no_main]

#[path = "common/model.rs"]
mod model;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use libfuzzer_sys::fuzz_target;
use model::{Auth, Payload, Setup, Sig};
use twilio_auth_core::body_hash::query_values;
use twilio_auth_core::candidates::UrlParts;
use twilio_auth_core::http_auth::{
    Credentials, DigestAlgorithm, DigestResponseInput, HttpAuthConfig, HttpAuthRequirement,
    NonceSecret, digest_response, parse_authorization,
};
use twilio_auth_core::policy::{self, Policy};
use twilio_auth_core::signer::with_body_hash;
use twilio_auth_core::{
    Algorithm, Config, DEFAULT_BODY_LIMIT, ForwardedHeaders, KeySource, RejectionReason,
    RoutePolicy, Signer, WebhookRequest, form,
};

const TOKEN: &str = "fuzz-primary-auth-token-0123456789";
const OTHER_TOKEN: &str = "a-token-that-is-not-configured";
const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
const OTHER_ACCOUNT_SID: &str = "ACffffffffffffffffffffffffffffffff";
const ACCOUNT_TOKEN: &str = "fuzz-subaccount-token-abcdef";
const SHARED_KEY_ID: &str = "KS0123456789";
const SHARED_SECRET: &str = "fuzz-shared-key-secret-ZYXW";
const USER: &str = "twilio";
const PASSWORD: &str = "fuzz-http-password-Q1w2E3";
const REALM: &str = "twilio";

/// Methods for form bodies: Twilio's `POST`, another method, the lower-case `get`/`head`
/// (a form like any other method's), and `GET`/`HEAD` (whose body no form signature
/// covers: refused unless `bodySHA256` covers it).
const FORM_METHODS: [&str; 6] = ["POST", "PUT", "get", "head", "GET", "HEAD"];
/// Methods without a body: all URL-only.
const NO_BODY_METHODS: [&str; 6] = ["GET", "HEAD", "get", "head", "POST", "DELETE"];
/// Methods for JSON with `bodySHA256`: `GET`/`HEAD` with a body are Event Streams sinks.
const JSON_METHODS: [&str; 6] = ["POST", "GET", "HEAD", "get", "head", "PUT"];

#[derive(Debug)]
enum Presented {
    FullUrl,
    BaseUrl {
        prefix_segments: u8,
    },
    HostHeader,
    Forwarded {
        rfc7239: bool,
        separate_port: bool,
        /// The proxy adds its own header line after the client's (rather than appending
        /// to the client's list).
        own_line: bool,
    },
}

#[derive(Debug)]
enum Body<'a> {
    /// A form whose decoded parameters are those of the input body (re-encoded).
    Form {
        params: Vec<(String, String)>,
        content_type: u8,
        method: &'static str,
    },
    RawForm {
        body: &'a [u8],
        method: &'static str,
    },
    None {
        method: &'static str,
    },
    Json {
        body: &'a [u8],
        content_type: bool,
        method: &'static str,
    },
}

#[derive(Debug)]
enum Key {
    AuthToken,
    Account { position: u8 },
    Shared { sha1: bool, only: bool },
}

#[derive(Debug)]
enum Login {
    None,
    Basic,
    Digest { sha256: bool },
}

/// The input, in a text format that real webhooks can seed:
///
/// ```text
/// URL
/// <6 flag bytes>body
/// ```
///
/// The URL is taken apart and every piece filtered to the characters a real webhook URL
/// has (so it is always a valid absolute URL). Flags: presentation (low 2 bits; the rest
/// is the base-URL prefix length or the forwarded-header style), body (low 2 bits: form,
/// raw form, none, JSON; bits 2-3 the content type or `HEAD`; bits 4-7 the method), key
/// (% 3: Auth Token, sub-account, SharedKey; / 3 the AccountSid position, or bit 0 SHA-1
/// and bit 1 `shared_keys_only`), login (none, Basic, Digest), flip index, flip mask.
/// ASCII digits count as their value.
#[derive(Debug)]
struct Input<'a> {
    url: &'a str,
    presented: Presented,
    body: Body<'a>,
    key: Key,
    login: Login,
    flip_index: u8,
    flip_mask: u8,
}

impl<'a> Input<'a> {
    fn parse(data: &'a [u8]) -> Input<'a> {
        let end = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
        let url = match std::str::from_utf8(&data[..end]) {
            Ok(s) => s,
            Err(e) => std::str::from_utf8(&data[..e.valid_up_to()]).unwrap_or(""),
        };
        let rest = data.get(end + 1..).unwrap_or(&[]);
        let mut f = [0u8; 6];
        let n = rest.len().min(6);
        for (f, &b) in f.iter_mut().zip(&rest[..n]) {
            *f = if b.is_ascii_digit() { b - b'0' } else { b };
        }
        let body = &rest[n..];
        let presented = match f[0] % 4 {
            0 => Presented::FullUrl,
            1 => Presented::BaseUrl {
                prefix_segments: f[0] / 4,
            },
            2 => Presented::HostHeader,
            _ => Presented::Forwarded {
                rfc7239: f[0] & 4 != 0,
                separate_port: f[0] & 8 != 0,
                own_line: f[0] & 16 != 0,
            },
        };
        let method = usize::from(f[1] / 16);
        let body = match f[1] % 4 {
            0 => Body::Form {
                params: twilio_auth_core::form::parse(body)
                    .into_iter()
                    .take(32)
                    .map(|(n, v)| (n.into_owned(), v.into_owned()))
                    .collect(),
                content_type: f[1] / 4 % 4,
                method: FORM_METHODS[method % 6],
            },
            1 => Body::RawForm {
                body,
                method: FORM_METHODS[method % 6],
            },
            2 => Body::None {
                method: NO_BODY_METHODS[usize::from(f[1] & 4 != 0) + 2 * (method % 3)],
            },
            _ => Body::Json {
                body,
                content_type: f[1] & 4 == 0,
                method: JSON_METHODS[method % 6],
            },
        };
        let key = match f[2] % 3 {
            0 => Key::AuthToken,
            1 => Key::Account { position: f[2] / 3 },
            _ => Key::Shared {
                sha1: f[2] / 3 % 2 == 1,
                only: f[2] / 6 % 2 == 1,
            },
        };
        let login = match f[3] % 3 {
            0 => Login::None,
            1 => Login::Basic,
            _ => Login::Digest {
                sha256: f[3] & 4 != 0,
            },
        };
        Input {
            url,
            presented,
            body,
            key,
            login,
            flip_index: f[4],
            flip_mask: f[5],
        }
    }
}

fn keep(text: &str, allowed: impl Fn(char) -> bool) -> String {
    text.chars().filter(|&c| allowed(c)).take(256).collect()
}

fn unreserved_or_sub_delim(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=".contains(c)
}

/// pchar of RFC 3986 (a stray `%` included: the verifier never decodes the URL).
fn pchar(c: char) -> bool {
    unreserved_or_sub_delim(c) || matches!(c, ':' | '@' | '%')
}

/// `(scheme://[userinfo@]authority, authority without userinfo, path, query)` from any
/// text, each piece filtered to its allowed characters.
fn build_url(text: &str) -> (String, String, String, String) {
    let (scheme, after) = text.split_once("://").unwrap_or(("https", text));
    let mut scheme = keep(scheme, |c| c.is_ascii_alphabetic());
    scheme.truncate(8);
    if scheme.is_empty() {
        scheme = "https".to_owned();
    }
    let authority_end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let (authority, rest) = after.split_at(authority_end);
    let (userinfo, host_port) = match authority.rfind('@') {
        Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
        None => (None, authority),
    };
    let (host, port) = match host_port.strip_prefix('[') {
        Some(v6) => {
            let (inner, tail) = v6.split_once(']').unwrap_or((v6, ""));
            let inner = keep(inner, |c| c.is_ascii_hexdigit() || matches!(c, ':' | '.'));
            let inner = if inner.is_empty() {
                "::1".to_owned()
            } else {
                inner
            };
            (format!("[{inner}]"), tail.strip_prefix(':'))
        }
        None => {
            let (host, port) = match host_port.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (host_port, None),
            };
            let host = keep(host, |c| {
                c.is_ascii_alphanumeric() || matches!(c, '-' | '.')
            });
            (
                if host.is_empty() {
                    "example.com".to_owned()
                } else {
                    host
                },
                port,
            )
        }
    };
    let port = port.and_then(|p| keep(p, |c| c.is_ascii_digit()).parse::<u16>().ok());
    let authority = match port {
        Some(port) => format!("{host}:{port}"),
        None => host,
    };
    let userinfo = userinfo.map(|ui| {
        let (user, password) = match ui.split_once(':') {
            Some((u, p)) => (u, Some(p)),
            None => (ui, None),
        };
        let user = keep(user, |c| unreserved_or_sub_delim(c) || c == '%');
        match password {
            Some(pw) => format!(
                "{user}:{}",
                keep(pw, |c| unreserved_or_sub_delim(c) || matches!(c, '%' | ':'))
            ),
            None => user,
        }
    });
    let rest = rest.split('#').next().unwrap_or("");
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    let mut clean_path = String::new();
    for segment in path.split('/').skip(1).take(8) {
        clean_path.push('/');
        clean_path.push_str(&keep(segment, pchar));
    }
    let query = query
        .map(|q| format!("?{}", keep(q, |c| pchar(c) || matches!(c, '/' | '?'))))
        .unwrap_or_default();
    let base = match userinfo {
        Some(ui) => format!("{scheme}://{ui}@{authority}"),
        None => format!("{scheme}://{authority}"),
    };
    (base, authority, clean_path, query)
}

fn sign(secret: &str, algorithm: Algorithm, url: &str, params: &[(String, String)]) -> String {
    Signer::with_algorithm(secret, algorithm).sign_form(url, params)
}

/// `text` followed by one more query parameter.
fn with_param(text: &str, url: &str, pair: &str) -> String {
    let sep = match url.find('?') {
        None => "?",
        Some(q) if q + 1 == url.len() => "",
        Some(_) => "&",
    };
    format!("{text}{sep}{pair}")
}

/// The `Authorization` header of the login, for this method and request target.
fn login_header(
    config: &Config,
    login: &Login,
    method: &str,
    request_target: &str,
) -> Option<String> {
    match login {
        Login::None => None,
        Login::Basic => Some(format!(
            "Basic {}",
            STANDARD.encode(format!("{USER}:{PASSWORD}"))
        )),
        Login::Digest { sha256 } => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs();
            let challenge = config
                .http_auth()
                .unwrap()
                .challenges(HttpAuthRequirement::Digest, now);
            let Ok(Credentials::Digest(c)) = parse_authorization(&challenge[0]) else {
                panic!("challenge does not parse");
            };
            let (nonce, opaque) = (c.get("nonce").unwrap(), c.get("opaque").unwrap());
            let algorithm = if *sha256 {
                DigestAlgorithm::Sha256
            } else {
                DigestAlgorithm::Md5
            };
            let response = digest_response(
                algorithm,
                &DigestResponseInput {
                    username: USER,
                    realm: REALM,
                    password: PASSWORD,
                    method,
                    uri: request_target,
                    nonce,
                    nc: "00000001",
                    cnonce: "0a4f113b",
                    qop: "auth",
                },
            );
            let uri = request_target.replace('\\', "\\\\").replace('"', "\\\"");
            Some(format!(
                "Digest username=\"{USER}\", realm=\"{REALM}\", nonce=\"{nonce}\", uri=\"{uri}\", algorithm={algorithm}, qop=auth, nc=00000001, cnonce=\"0a4f113b\", response=\"{response}\", opaque=\"{opaque}\""
            ))
        }
    }
}

/// One request to send, and what the harness signed for it.
struct Attempt<'s> {
    what: &'static str,
    method: &'s str,
    target: &'s str,
    /// The URL the signature covers.
    signed_url: &'s str,
    headers: Vec<(&'static str, String)>,
    body: &'s [u8],
    signature: String,
    sig: Sig<'s>,
}

fuzz_target!(|data: &[u8]| {
    let input = Input::parse(data);
    let (mut base, authority, path, query) = build_url(input.url);
    let scheme = base.split("://").next().unwrap().to_owned();
    // Host and forwarded headers carry no credentials, and an HTTP request target is never
    // empty: those presentations sign the URL the server can see.
    let path = match input.presented {
        Presented::FullUrl => path,
        _ if path.is_empty() => "/".to_owned(),
        _ => path,
    };
    if !matches!(
        input.presented,
        Presented::FullUrl | Presented::BaseUrl { .. }
    ) {
        base = format!("{scheme}://{authority}");
    }
    // What the arbitrary query already says: a `bodySHA256` or an `AccountSid` of its own
    // (decoded, as a handler reads it) make the outcome depend on them.
    let query_is_plain = query_values(&query, "bodySHA256").next().is_none()
        && !form::parse(query.strip_prefix('?').unwrap_or("").as_bytes())
            .iter()
            .any(|(n, _)| n == "AccountSid");

    // The key the harness signs with, as the configuration holds it.
    let shared_algorithm = match input.key {
        Key::Shared { sha1: true, .. } => Algorithm::HmacSha1,
        _ => Algorithm::HmacSha256,
    };
    let (secret, algorithm, settings) = match input.key {
        Key::Shared { .. } => (
            SHARED_SECRET,
            shared_algorithm,
            Some(format!("key={SHARED_KEY_ID},algorithm={shared_algorithm}")),
        ),
        Key::Account { .. } => (ACCOUNT_TOKEN, Algorithm::HmacSha1, None),
        Key::AuthToken => (TOKEN, Algorithm::HmacSha1, None),
    };
    let (wrong_secret, wrong_algorithm) = match input.key {
        Key::Shared { .. } => (TOKEN, shared_algorithm),
        _ => (OTHER_TOKEN, Algorithm::HmacSha1),
    };
    let account = matches!(input.key, Key::Account { .. });

    // The request as Twilio sends it: a sub-account's names its account once, in the form
    // or (without a form) in the query.
    let mut url = format!("{base}{path}{query}");
    if account && matches!(input.body, Body::None { .. } | Body::Json { .. }) {
        url = with_param(&url, &url, &format!("AccountSid={ACCOUNT_SID}"));
    }
    let mut raw_has_account = false;
    // The method, content type, body and the parameters the signature covers.
    type Request<'m> = (&'m str, Option<&'m str>, Vec<u8>, Vec<(String, String)>);
    let (method, content_type, body, signed_params): Request<'_> = match &input.body {
        Body::Form {
            params,
            content_type,
            method,
        } => {
            let mut params = params.clone();
            if let Key::Account { position } = input.key {
                // Exactly one AccountSid, ours.
                params.retain(|(n, _)| n != "AccountSid");
                let at = usize::from(position) % (params.len() + 1);
                params.insert(at, ("AccountSid".into(), ACCOUNT_SID.into()));
            }
            let ct = [
                "application/x-www-form-urlencoded",
                "application/x-www-form-urlencoded; charset=UTF-8",
                "Application/X-WWW-Form-Urlencoded",
            ][usize::from(content_type % 3)];
            let body = form::encode(&params);
            (method, Some(ct), body.into_bytes(), params)
        }
        Body::RawForm { body, method } => {
            let mut raw = body.to_vec();
            if account {
                raw_has_account = form::parse(body).iter().any(|(n, _)| n == "AccountSid");
                if !raw.is_empty() {
                    raw.push(b'&');
                }
                raw.extend_from_slice(format!("AccountSid={ACCOUNT_SID}").as_bytes());
            }
            let params = form::parse(&raw)
                .into_iter()
                .map(|(n, v)| (n.into_owned(), v.into_owned()))
                .collect();
            (
                method,
                Some("application/x-www-form-urlencoded"),
                raw,
                params,
            )
        }
        Body::None { method } => (method, None, Vec::new(), Vec::new()),
        Body::Json {
            body,
            content_type,
            method,
        } => {
            let hashed = with_body_hash(&url, body);
            assert!(hashed.starts_with(&url));
            url = hashed;
            let ct = if *content_type || body.is_empty() {
                Some("application/json")
            } else {
                None
            };
            (method, ct, body.to_vec(), Vec::new())
        }
    };
    let is_form_kind = matches!(input.body, Body::Form { .. } | Body::RawForm { .. });
    let signature = match &input.body {
        Body::RawForm { .. } => {
            Signer::with_algorithm(secret, algorithm).sign_form_body(&url, &body)
        }
        _ => sign(secret, algorithm, &url, &signed_params),
    };
    let rest = url[base.len()..].to_owned();

    // The verifier's side: a configuration and a request as the adapter would present them.
    let mut builder = Config::builder().auth_token(TOKEN).shared_key(
        SHARED_KEY_ID,
        SHARED_SECRET,
        shared_algorithm,
    );
    if account {
        builder = builder.account_token(ACCOUNT_SID, ACCOUNT_TOKEN);
    }
    let shared_only = matches!(input.key, Key::Shared { only: true, .. });
    if shared_only {
        builder = builder.shared_keys_only(true);
    }
    let setup = Setup {
        body_limit: DEFAULT_BODY_LIMIT,
        tokens: vec![(TOKEN, KeySource::PrimaryToken)],
        accounts: if account {
            vec![(ACCOUNT_SID, ACCOUNT_TOKEN)]
        } else {
            Vec::new()
        },
        shared: Some((SHARED_KEY_ID, SHARED_SECRET, shared_algorithm)),
        shared_only,
        http_auth: true,
    };
    let mut headers: Vec<(&'static str, String)> = Vec::new();
    let target: String;
    let full_url = matches!(input.presented, Presented::FullUrl);
    match input.presented {
        Presented::FullUrl => target = url.clone(),
        Presented::BaseUrl { prefix_segments } => {
            // Move the first few path segments into the base URL (never ending in `/`,
            // which the configuration trims).
            let mut split_at = 0;
            for _ in 0..prefix_segments % 4 {
                match path[split_at + 1..].find('/') {
                    Some(next) => split_at += next + 1,
                    None => break,
                }
            }
            if path[..split_at].ends_with('/') {
                split_at = 0;
            }
            builder = builder.public_base_url(format!("{base}{}", &path[..split_at]));
            target = rest[split_at..].to_owned();
        }
        Presented::HostHeader => {
            builder = builder.default_scheme(scheme.clone());
            headers.push(("Host", authority.clone()));
            target = rest.clone();
        }
        Presented::Forwarded {
            rfc7239,
            separate_port,
            own_line,
        } => {
            // The proxy appends its value to what the client sent, on the same line or on
            // a line of its own after the client's; the configuration names the one family
            // it writes, and the other is the client's alone.
            let family = if rfc7239 {
                ForwardedHeaders::Forwarded
            } else {
                ForwardedHeaders::XForwarded
            };
            builder = builder
                .trust_forwarded_headers(family)
                .default_scheme("http");
            headers.push(("Host", "internal.local:3000".to_owned()));
            let mut forward = |name: &'static str, forged: &str, value: String| {
                if own_line {
                    headers.push((name, forged.to_owned()));
                    headers.push((name, value));
                } else {
                    headers.push((name, format!("{forged}, {value}")));
                }
            };
            if rfc7239 {
                // RFC 7239 has no port parameter: the host carries it.
                forward(
                    "Forwarded",
                    "for=198.51.100.7;proto=gopher;host=\"evil.example:1\"",
                    format!("for=192.0.2.1;proto={scheme};host=\"{authority}\""),
                );
                headers.push(("X-Forwarded-Proto", "gopher".to_owned()));
                headers.push(("X-Forwarded-Host", "evil.example".to_owned()));
                headers.push(("X-Forwarded-Port", "8081".to_owned()));
            } else {
                let parts = UrlParts::split(&url).unwrap();
                let (host, port) = match (separate_port, parts.port) {
                    (true, Some(port)) => (parts.host.to_owned(), Some(port.to_owned())),
                    _ => (authority.clone(), None),
                };
                forward("X-Forwarded-Proto", "gopher", scheme.clone());
                forward("X-Forwarded-Host", "evil.example", host);
                if let Some(port) = port {
                    forward("X-Forwarded-Port", "8081", port);
                }
                headers.push((
                    "Forwarded",
                    "for=198.51.100.7;proto=gopher;host=\"evil.example:1\"".to_owned(),
                ));
            }
            target = rest.clone();
        }
    }
    assert!(
        url.ends_with(&target),
        "{target:?} is not the end of {url:?}"
    );
    if let Some(ct) = content_type {
        headers.push(("Content-Type", ct.to_owned()));
    }
    let mut unsigned_headers = headers.clone();
    if let Some(settings) = &settings {
        headers.push((model::SETTINGS, settings.clone()));
    }
    let http_auth = HttpAuthConfig::builder(REALM)
        .credential(USER, PASSWORD)
        .nonce_secret(NonceSecret::new(b"fuzz nonce secret 0123456789".to_vec()).unwrap())
        .build()
        .unwrap();
    let config = match builder.http_auth(http_auth).build() {
        Ok(config) => config,
        Err(e) => panic!("configuration refused: {e} for {url:?}"),
    };
    let route = match input.login {
        Login::None => RoutePolicy::Signature,
        Login::Basic => policy::Basic::ROUTE,
        Login::Digest { .. } => policy::Digest::ROUTE,
    };

    // Sends one request (logged in as the route requires) and checks the outcome against
    // the model; returns what the model concluded.
    let send = |attempt: Attempt<'_>| -> Result<model::Accepted, RejectionReason> {
        let request_target = if full_url {
            UrlParts::split(attempt.target).map_or(attempt.target, |p| p.rest)
        } else {
            attempt.target
        };
        let mut headers = attempt.headers;
        headers.push((model::SIGNATURE, attempt.signature));
        if let Some(login) = login_header(&config, &input.login, attempt.method, request_target) {
            headers.push(("Authorization", login));
        }
        let req = if full_url {
            WebhookRequest::from_url(attempt.method, attempt.target)
        } else {
            WebhookRequest::new(attempt.method, attempt.target)
        };
        let req = req.headers(&headers).body(attempt.body);
        let url = config.request_url(&req);
        assert!(url.is_ok(), "no URL for {}: {url:?}", attempt.target);
        let url = url.map_err(|r| r.reason().clone());
        let expected = model::verify(
            &setup,
            attempt.method,
            &headers,
            attempt.body,
            &url,
            &attempt.sig,
        );
        let expected_route = model::verify_with(
            &setup,
            route,
            Auth::Passes,
            USER,
            attempt.body.len(),
            expected.clone(),
        );
        let outcome = config.verify_with(&req, route);
        model::assert_outcome(
            &outcome,
            &expected_route,
            Some(attempt.signed_url),
            &(
                attempt.what,
                attempt.method,
                attempt.signed_url,
                attempt.target,
                &headers,
                String::from_utf8_lossy(attempt.body),
                &input,
            ),
        );
        expected
    };
    let valid = |secret, algorithm, params| Sig::Valid {
        secret,
        algorithm,
        params,
    };

    // 1. As signed: the model's verdict, which for what Twilio sends is an acceptance.
    let payload = model::payload(method, content_type, &body);
    let signed = send(Attempt {
        what: "signed",
        method,
        target: &target,
        signed_url: &url,
        headers: headers.clone(),
        body: &body,
        signature: signature.clone(),
        sig: valid(secret, algorithm, &signed_params),
    });
    let url_only_method = method == "GET" || method == "HEAD";
    let twilio_sends = query_is_plain && !raw_has_account && !(is_form_kind && url_only_method);
    if twilio_sends {
        assert!(
            signed.is_ok(),
            "rejected a validly signed request: {signed:?}"
        );
    }
    if query_is_plain && is_form_kind && url_only_method && !body.is_empty() {
        // A form body on GET/HEAD: no bodySHA256 covers it.
        assert_eq!(signed, Err(RejectionReason::UnsignedBody));
    }

    // 2. One byte of the signature flipped: a mismatch wherever the signature is compared.
    let mut raw = STANDARD.decode(&signature).unwrap();
    let i = usize::from(input.flip_index) % raw.len();
    raw[i] ^= input.flip_mask.max(1);
    let flipped = send(Attempt {
        what: "flipped",
        method,
        target: &target,
        signed_url: &url,
        headers: headers.clone(),
        body: &body,
        signature: STANDARD.encode(&raw),
        sig: Sig::Forged,
    });
    if signed.is_ok() {
        assert_eq!(flipped, Err(RejectionReason::SignatureMismatch));
    }

    // 3. The same request signed with a key that is not configured.
    let wrong = send(Attempt {
        what: "unconfigured key",
        method,
        target: &target,
        signed_url: &url,
        headers: headers.clone(),
        body: &body,
        signature: sign(wrong_secret, wrong_algorithm, &url, &signed_params),
        sig: valid(wrong_secret, wrong_algorithm, &signed_params),
    });
    assert!(wrong.is_err());

    // 4. A body that bodySHA256 covers, changed after signing.
    if matches!(payload, Payload::Hashed | Payload::HashedOrRefused) {
        let mut tampered = body.clone();
        tampered.push(b' ');
        let changed = send(Attempt {
            what: "changed body",
            method,
            target: &target,
            signed_url: &url,
            headers: headers.clone(),
            body: &tampered,
            signature: signature.clone(),
            sig: valid(secret, algorithm, &signed_params),
        });
        assert!(changed.is_err());
    }

    // 5. A body added to an exact GET/HEAD of the signed URL (the same signature): only a
    //    bodySHA256 in the URL can cover it.
    let smuggled_method = if input.flip_mask.is_multiple_of(2) {
        "GET"
    } else {
        "HEAD"
    };
    let smuggled_body = if body.is_empty() {
        b"CallSid=CA1&Digits=1234".to_vec()
    } else {
        body.clone()
    };
    let smuggled = send(Attempt {
        what: "body on GET/HEAD",
        method: smuggled_method,
        target: &target,
        signed_url: &url,
        headers: headers.clone(),
        body: &smuggled_body,
        signature: signature.clone(),
        sig: valid(secret, algorithm, &signed_params),
    });
    if signed.is_ok() && query_values(&url, "bodySHA256").next().is_none() {
        assert_eq!(smuggled, Err(RejectionReason::UnsignedBody));
    }

    if let Key::Shared { .. } = input.key {
        // 6. The SharedKey named with the other algorithm (or none, which is HMAC_SHA1),
        //    and signed with it: refused, however right the signature.
        let (other, named) = match shared_algorithm {
            Algorithm::HmacSha256 if input.flip_index.is_multiple_of(2) => {
                (Algorithm::HmacSha1, format!("key={SHARED_KEY_ID}"))
            }
            Algorithm::HmacSha256 => (
                Algorithm::HmacSha1,
                format!("key={SHARED_KEY_ID},algorithm=HMAC_SHA1"),
            ),
            Algorithm::HmacSha1 => (
                Algorithm::HmacSha256,
                format!("key={SHARED_KEY_ID},algorithm=hmac_sha256"),
            ),
        };
        let mut other_headers = unsigned_headers.clone();
        other_headers.push((model::SETTINGS, named));
        let mismatch = send(Attempt {
            what: "SharedKey with another algorithm",
            method,
            target: &target,
            signed_url: &url,
            headers: other_headers,
            body: &body,
            signature: sign(SHARED_SECRET, other, &url, &signed_params),
            sig: valid(SHARED_SECRET, other, &signed_params),
        });
        assert_eq!(mismatch, Err(RejectionReason::SharedKeyAlgorithmMismatch));

        // 7. No signature settings, signed with the Auth Token: refused when only
        //    SharedKeys are accepted, else accepted like any Auth Token request.
        let by_token = send(Attempt {
            what: "Auth Token where SharedKeys may be required",
            method,
            target: &target,
            signed_url: &url,
            headers: std::mem::take(&mut unsigned_headers),
            body: &body,
            signature: sign(TOKEN, Algorithm::HmacSha1, &url, &signed_params),
            sig: valid(TOKEN, Algorithm::HmacSha1, &signed_params),
        });
        if shared_only {
            assert_eq!(by_token, Err(RejectionReason::SharedKeyRequired));
        } else if signed.is_ok() {
            assert_eq!(
                by_token.map(|a| a.key),
                Ok(KeySource::PrimaryToken),
                "the Auth Token path is on"
            );
        }
    }

    if account {
        // 8. A second AccountSid in the query (spelt `Account%53id`, as a handler decodes
        //    it), signed with the sub-account's token: refused.
        let pair = format!("Account%53id={OTHER_ACCOUNT_SID}");
        let conflicting_url = with_param(&url, &url, &pair);
        let conflicting_target = with_param(&target, &url, &pair);
        let conflict = send(Attempt {
            what: "second AccountSid in the query",
            method,
            target: &conflicting_target,
            signed_url: &conflicting_url,
            headers: headers.clone(),
            body: &body,
            signature: sign(secret, algorithm, &conflicting_url, &signed_params),
            sig: valid(secret, algorithm, &signed_params),
        });
        // The form's AccountSid counts when the body is a signed form; without a form,
        // ours is in the query.
        if payload == Payload::Form || !is_form_kind {
            assert_eq!(conflict, Err(RejectionReason::ConflictingAccountSid));
        }

        // 9. A second, different AccountSid in the form body.
        if payload == Payload::Form {
            let mut params = signed_params.clone();
            params.push(("AccountSid".into(), OTHER_ACCOUNT_SID.into()));
            let two = form::encode(&params).into_bytes();
            let conflict = send(Attempt {
                what: "second AccountSid in the body",
                method,
                target: &target,
                signed_url: &url,
                headers: headers.clone(),
                body: &two,
                signature: sign(secret, algorithm, &url, &params),
                sig: valid(secret, algorithm, &params),
            });
            assert_eq!(conflict, Err(RejectionReason::ConflictingAccountSid));
        }
    }
});
