//! The property target: what `Signer` signs, `Config::verify` accepts; with one byte of the
//! signature flipped (or a JSON body changed, or the wrong key) it is rejected.
//!
//! The URL is built from arbitrary pieces filtered to the characters a real webhook URL
//! has (scheme, optional `user:pass@`, DNS name / IPv4 / IPv6 literal, optional port,
//! path segments, optional query), and the request reaches the verifier the four ways an
//! adapter can present it: the full URL, a configured public base URL (with or without a
//! path prefix), the `Host` header, or a trusted proxy's forwarded headers. Bodies are
//! forms (decoded parameters or raw bytes), none (GET), or JSON with `bodySHA256`; keys are
//! the Auth Token, a sub-account token (by `AccountSid`) or a SharedKey with HMAC-SHA256;
//! optionally the route also requires HTTP Basic or Digest authentication.
#![no_main]

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use libfuzzer_sys::fuzz_target;
use twilio_auth_core::body_hash::{body_sha256_hex, query_values};
use twilio_auth_core::candidates::UrlParts;
use twilio_auth_core::http_auth::{
    Credentials, DigestAlgorithm, DigestResponseInput, HttpAuthConfig, HttpAuthRequirement,
    NonceSecret, digest_response, parse_authorization,
};
use twilio_auth_core::{
    Algorithm, Config, ConfigBuilder, RejectionReason, RouteOptions, Signer, WebhookRequest,
};

const TOKEN: &str = "fuzz-primary-auth-token-0123456789";
const OTHER_TOKEN: &str = "a-token-that-is-not-configured";
const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
const ACCOUNT_TOKEN: &str = "fuzz-subaccount-token-abcdef";
const SHARED_KEY_ID: &str = "KS0123456789";
const SHARED_SECRET: &str = "fuzz-shared-key-secret-ZYXW";
const USER: &str = "twilio";
const PASSWORD: &str = "fuzz-http-password-Q1w2E3";
const REALM: &str = "twilio";

#[derive(Debug)]
enum Presented {
    FullUrl,
    BaseUrl { prefix_segments: u8 },
    HostHeader,
    Forwarded { rfc7239: bool, separate_port: bool },
}

#[derive(Debug)]
enum Body<'a> {
    /// A form whose decoded parameters are those of the input body (re-encoded).
    Form {
        params: Vec<(String, String)>,
        content_type: u8,
    },
    RawForm(&'a [u8]),
    None {
        head: bool,
    },
    Json {
        body: &'a [u8],
        content_type: bool,
    },
}

#[derive(Debug)]
enum Key {
    AuthToken,
    Account { position: u8 },
    Shared,
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
/// is the base-URL prefix length or the forwarded-header style), body kind (form, raw form,
/// none, JSON; the rest picks the content type), key (Auth Token, sub-account, SharedKey),
/// login (none, Basic, Digest), flip index, flip mask. ASCII digits count as their value.
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
            },
        };
        let body = match f[1] % 4 {
            0 => Body::Form {
                params: twilio_auth_core::form::parse(body)
                    .into_iter()
                    .take(32)
                    .map(|(n, v)| (n.into_owned(), v.into_owned()))
                    .collect(),
                content_type: f[1] / 4,
            },
            1 => Body::RawForm(body),
            2 => Body::None {
                head: f[1] & 4 != 0,
            },
            _ => Body::Json {
                body,
                content_type: f[1] & 4 == 0,
            },
        };
        let key = match f[2] % 3 {
            0 => Key::AuthToken,
            1 => Key::Account { position: f[2] / 3 },
            _ => Key::Shared,
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

    // The signer's side: the key, the URL (with bodySHA256 for JSON) and the signature.
    let (signer, settings) = match input.key {
        Key::Shared => (
            Signer::with_algorithm(SHARED_SECRET, Algorithm::HmacSha256),
            Some(format!("key={SHARED_KEY_ID},algorithm=HMAC_SHA256")),
        ),
        Key::Account { .. } => (Signer::new(ACCOUNT_TOKEN), None),
        Key::AuthToken => (Signer::new(TOKEN), None),
    };
    let wrong_signer = match input.key {
        Key::Shared => Signer::with_algorithm(TOKEN, Algorithm::HmacSha256),
        _ => Signer::new(OTHER_TOKEN),
    };
    let mut url = format!("{base}{path}{query}");
    let mut form_params: Vec<(String, String)> = Vec::new();
    let (method, content_type, body, signature, wrong_signature): (
        &str,
        Option<&str>,
        Vec<u8>,
        String,
        String,
    ) = match &input.body {
        Body::Form {
            params,
            content_type,
        } => {
            form_params = params.clone();
            if let Key::Account { position } = input.key {
                // Exactly one AccountSid, ours: which of several picks the key is not
                // specified (Twilio sends one), and has changed between versions.
                form_params.retain(|(n, _)| n != "AccountSid");
                let at = usize::from(position) % (form_params.len() + 1);
                form_params.insert(at, ("AccountSid".into(), ACCOUNT_SID.into()));
            }
            let ct = [
                "application/x-www-form-urlencoded",
                "application/x-www-form-urlencoded; charset=UTF-8",
                "Application/X-WWW-Form-Urlencoded",
            ][usize::from(content_type % 3)];
            let body = twilio_auth_core::form::encode(&form_params);
            (
                "POST",
                Some(ct),
                body.into_bytes(),
                signer.sign_form(&url, &form_params),
                wrong_signer.sign_form(&url, &form_params),
            )
        }
        Body::RawForm(raw) => {
            if matches!(input.key, Key::Account { .. }) {
                return;
            }
            (
                "POST",
                Some("application/x-www-form-urlencoded"),
                raw.to_vec(),
                signer.sign_form_body(&url, raw),
                wrong_signer.sign_form_body(&url, raw),
            )
        }
        Body::None { head } => {
            if matches!(input.key, Key::Account { .. }) {
                return;
            }
            let method = if *head { "HEAD" } else { "GET" };
            (
                method,
                None,
                Vec::new(),
                signer.sign_url(&url),
                wrong_signer.sign_url(&url),
            )
        }
        Body::Json { body, content_type } => {
            if matches!(input.key, Key::Account { .. }) {
                return;
            }
            let signed = signer.sign_body(&url, body);
            assert!(signed.url.starts_with(&url));
            url = signed.url;
            let ct = if *content_type || body.is_empty() {
                Some("application/json")
            } else {
                None
            };
            (
                "POST",
                ct,
                body.to_vec(),
                signed.signature,
                wrong_signer.sign_url(&url),
            )
        }
    };
    let rest = url[base.len()..].to_owned();

    // The verifier's side: a configuration and a request as the adapter would present them.
    let mut builder: ConfigBuilder = Config::builder()
        .auth_token(TOKEN)
        .account_token(ACCOUNT_SID, ACCOUNT_TOKEN)
        .shared_key(SHARED_KEY_ID, SHARED_SECRET);
    if !matches!(input.key, Key::Account { .. }) {
        builder = Config::builder()
            .auth_token(TOKEN)
            .shared_key(SHARED_KEY_ID, SHARED_SECRET);
    }
    let mut headers: Vec<(&str, String)> = Vec::new();
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
        } => {
            builder = builder.trust_forwarded_headers(true).default_scheme("http");
            headers.push(("Host", "internal.local:3000".to_owned()));
            let parts = UrlParts::split(&url).unwrap();
            let (host, port) = match (separate_port, parts.port) {
                (true, Some(port)) => (parts.host.to_owned(), Some(port.to_owned())),
                _ => (authority.clone(), None),
            };
            if rfc7239 {
                headers.push((
                    "Forwarded",
                    format!("for=192.0.2.1;proto={scheme};host=\"{host}\", for=10.0.0.1"),
                ));
            } else {
                headers.push(("X-Forwarded-Proto", format!("{scheme}, http")));
                headers.push(("X-Forwarded-Host", host));
            }
            if let Some(port) = port {
                headers.push(("X-Forwarded-Port", port));
            }
            target = rest.clone();
        }
    }
    if let Some(ct) = content_type {
        headers.push(("Content-Type", ct.to_owned()));
    }
    if let Some(settings) = &settings {
        headers.push(("X-Twilio-Webhooks-Signature-Settings", settings.clone()));
    }
    let http_auth = HttpAuthConfig::builder(REALM)
        .credential(USER, PASSWORD)
        .nonce_secret(NonceSecret::new(b"fuzz nonce secret 0123456789".to_vec()).unwrap())
        .build()
        .unwrap();
    let requirement = match input.login {
        Login::None => HttpAuthRequirement::None,
        Login::Basic => HttpAuthRequirement::Basic,
        Login::Digest { .. } => HttpAuthRequirement::Digest,
    };
    let config = match builder.http_auth(http_auth).build() {
        Ok(config) => config,
        Err(e) => panic!("configuration refused: {e} for {url:?}"),
    };
    let request_target = if full_url {
        UrlParts::split(&url)
            .map_or(url.as_str(), |p| p.rest)
            .to_owned()
    } else {
        target.clone()
    };
    match input.login {
        Login::None => {}
        Login::Basic => {
            headers.push((
                "Authorization",
                format!("Basic {}", STANDARD.encode(format!("{USER}:{PASSWORD}"))),
            ));
        }
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
            let (nonce, opaque) = (
                c.get("nonce").unwrap().to_owned(),
                c.get("opaque").unwrap().to_owned(),
            );
            let algorithm = if sha256 {
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
                    uri: &request_target,
                    nonce: &nonce,
                    nc: "00000001",
                    cnonce: "0a4f113b",
                    qop: "auth",
                },
            );
            let uri = request_target.replace('\\', "\\\\").replace('"', "\\\"");
            headers.push(("Authorization", format!(
                "Digest username=\"{USER}\", realm=\"{REALM}\", nonce=\"{nonce}\", uri=\"{uri}\", algorithm={algorithm}, qop=auth, nc=00000001, cnonce=\"0a4f113b\", response=\"{response}\", opaque=\"{opaque}\""
            )));
        }
    }
    let route = RouteOptions::default().http_auth(requirement);

    let request =
        |headers: &[(&str, String)],
         body: &[u8],
         check: &dyn Fn(Result<twilio_auth_core::Verified, twilio_auth_core::Rejection>)| {
            let req = if full_url {
                WebhookRequest::from_url(method, &target)
            } else {
                WebhookRequest::new(method, &target)
            };
            let req = req.headers(&headers).body(body);
            check(config.verify_with(&req, route));
        };

    // A non-form body is accepted only when every bodySHA256 in the URL is its hash
    // (the arbitrary query may carry one of its own).
    let hashed =
        matches!(input.body, Body::Json { .. }) && !(content_type.is_none() && body.is_empty());
    let hash_ok = !hashed || query_values(&url, "bodySHA256").all(|v| v == body_sha256_hex(&body));

    let mut signed = headers.clone();
    signed.push(("X-Twilio-Signature", signature.clone()));
    request(&signed, &body, &|outcome| match outcome {
        Ok(verified) => {
            assert!(hash_ok, "accepted a body whose bodySHA256 differs: {url:?}");
            assert!(verified.url.is_some());
        }
        Err(rejection) => {
            let expected_hash_mismatch =
                !hash_ok && matches!(rejection.reason(), RejectionReason::BodyHashMismatch);
            assert!(
                expected_hash_mismatch,
                "rejected a validly signed request ({} {rejection}):\n  url {url:?}\n  target {target:?}\n  headers {signed:?}\n  body {:?}",
                rejection.status(),
                String::from_utf8_lossy(&body)
            );
        }
    });

    // One byte of the signature flipped: rejected, with 403.
    let mut raw = STANDARD.decode(&signature).unwrap();
    let i = usize::from(input.flip_index) % raw.len();
    raw[i] ^= input.flip_mask.max(1);
    let mut flipped = headers.clone();
    flipped.push(("X-Twilio-Signature", STANDARD.encode(&raw)));
    request(&flipped, &body, &|outcome| match outcome {
        Ok(v) => panic!("accepted a flipped signature: {url:?} {v:?}"),
        Err(rejection) => assert_eq!(rejection.status(), 403, "{rejection}"),
    });

    // The same request signed with a key that is not configured: rejected.
    let mut wrong = headers.clone();
    wrong.push(("X-Twilio-Signature", wrong_signature));
    request(&wrong, &body, &|outcome| {
        assert!(
            outcome.is_err(),
            "accepted a signature by an unconfigured key: {url:?}"
        );
    });

    // A JSON body changed after signing: rejected.
    if hashed {
        let mut tampered = body.clone();
        tampered.push(b' ');
        request(&signed, &tampered, &|outcome| {
            assert!(outcome.is_err(), "accepted a changed JSON body: {url:?}");
        });
    }
    let _ = form_params;
});
