//! Whole-request verification: arbitrary method, target, headers and body through
//! `Config::verify`, `Config::verify_with` and `Config::explain`, under several
//! configurations (proxy trust, base URL, SharedKeys, sub-accounts, HTTP auth, small body
//! limit).
//!
//! Properties: nothing panics; every rejection is 400/401/403/413 and a 401 for failed HTTP
//! authentication carries challenges; no rejection or explanation shows a secret; a request
//! is accepted only with a signature the harness computed with a configured key (the fuzzer
//! cannot forge an HMAC), and then the matched URL is one of the request's candidates.
#![no_main]

use std::sync::LazyLock;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use libfuzzer_sys::fuzz_target;
use twilio_auth_core::candidates::{CandidateOptions, UrlParts, candidate_urls};
use twilio_auth_core::http_auth::{HttpAuthConfig, HttpAuthRequirement, NonceSecret};
use twilio_auth_core::{
    Algorithm, Config, RejectionReason, RouteOptions, SIGNATURE_SETTINGS_HEADER, Signer,
    WebhookRequest, form,
};

const TOKEN: &str = "fuzz-primary-auth-token-0123456789";
const SECONDARY: &str = "fuzz-secondary-auth-token-98765";
const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
const ACCOUNT_TOKEN: &str = "fuzz-subaccount-token-abcdef";
const SHARED_KEY_ID: &str = "KS0123456789";
const SHARED_SECRET: &str = "fuzz-shared-key-secret-ZYXW";
const PASSWORD: &str = "fuzz-http-password-Q1w2E3";
const SECRETS: [&str; 5] = [TOKEN, SECONDARY, ACCOUNT_TOKEN, SHARED_SECRET, PASSWORD];

static CONFIGS: LazyLock<Vec<Config>> = LazyLock::new(|| {
    let http_auth = || {
        HttpAuthConfig::builder("twilio")
            .credential("twilio", PASSWORD)
            .nonce_secret(NonceSecret::new(b"fuzz nonce secret 0123456789".to_vec()).unwrap())
            .build()
            .unwrap()
    };
    vec![
        // Host header, https, nothing else.
        Config::builder().auth_token(TOKEN).build().unwrap(),
        // Behind a trusted proxy, http by default, token rotation, trailing slash.
        Config::builder()
            .auth_token(TOKEN)
            .secondary_auth_token(SECONDARY)
            .trust_forwarded_headers(true)
            .default_scheme("http")
            .try_trailing_slash(true)
            .build()
            .unwrap(),
        // A public base URL with a path prefix, sub-account and SharedKey secrets.
        Config::builder()
            .auth_token(TOKEN)
            .account_token(ACCOUNT_SID, ACCOUNT_TOKEN)
            .shared_key(SHARED_KEY_ID, SHARED_SECRET)
            .public_base_url("https://voice.example.com/app/")
            .build()
            .unwrap(),
        // HTTP authentication, a 64-byte body limit, base URL with credentials and port.
        Config::builder()
            .auth_token(TOKEN)
            .http_auth(http_auth())
            .public_base_url("https://twilio:pw@[2001:db8::1]:8443")
            .body_limit(64)
            .build()
            .unwrap(),
        // SharedKeys only (no Auth Token), trusting proxies.
        Config::builder()
            .shared_key(SHARED_KEY_ID, SHARED_SECRET)
            .trust_forwarded_headers(true)
            .http_auth(http_auth())
            .build()
            .unwrap(),
    ]
});

/// How the harness signs the request.
#[derive(Debug, Clone, Copy)]
enum Signature {
    /// Whatever header the input wrote (if any).
    AsGiven,
    /// The right signature for the URL the configuration computes, with this key.
    Computed { key: u8 },
    /// That signature with one byte flipped.
    Flipped { key: u8, index: u8, mask: u8 },
}

/// The input, in a text format that real requests can seed:
///
/// ```text
/// <8 flag bytes>METHOD TARGET
/// Name: value
/// ...
/// <empty line>
/// body
/// ```
///
/// Flags: config, HTTP auth requirement, check signature (odd), full URL (odd), signature
/// mode (0 as given, 1 computed, 2 flipped), key, flip index, flip mask. ASCII digits count
/// as their value, so `10100000` is readable.
#[derive(Debug)]
struct Input<'a> {
    config: u8,
    requirement: u8,
    check_signature: bool,
    full_url: bool,
    signature: Signature,
    method: &'a str,
    target: &'a str,
    authority: Option<&'a str>,
    headers: Vec<(&'a str, &'a str)>,
    body: &'a [u8],
}

fn flag(b: u8) -> u8 {
    if b.is_ascii_digit() { b - b'0' } else { b }
}

fn text(bytes: &[u8]) -> &str {
    match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or(""),
    }
}

impl<'a> Input<'a> {
    fn parse(data: &'a [u8]) -> Input<'a> {
        let mut flags = [0u8; 8];
        let n = data.len().min(8);
        for (f, &b) in flags.iter_mut().zip(&data[..n]) {
            *f = flag(b);
        }
        let mut rest = &data[n..];
        let mut line = || -> &'a [u8] {
            let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            let line = &rest[..end];
            rest = rest.get(end + 1..).unwrap_or(&[]);
            line.strip_suffix(b"\r").unwrap_or(line)
        };
        let request_line = text(line());
        let (method, target) = request_line.split_once(' ').unwrap_or((request_line, ""));
        let mut headers = Vec::new();
        let mut authority = None;
        loop {
            let l = line();
            if l.is_empty() {
                break;
            }
            let l = text(l);
            let (name, value) = l.split_once(':').unwrap_or((l, ""));
            let value = value.strip_prefix(' ').unwrap_or(value);
            if name == ":authority" {
                authority = Some(value);
            } else if headers.len() < 16 {
                headers.push((name, value));
            }
        }
        let signature = match flags[4] % 3 {
            0 => Signature::AsGiven,
            1 => Signature::Computed { key: flags[5] },
            _ => Signature::Flipped {
                key: flags[5],
                index: flags[6],
                mask: flags[7],
            },
        };
        Input {
            config: flags[0],
            requirement: flags[1],
            check_signature: flags[2] % 2 == 1,
            full_url: flags[3] % 2 == 1,
            signature,
            method,
            target,
            authority,
            headers,
            body: rest,
        }
    }
}

fn check_request_url(url: &str, input: &Input<'_>) {
    let parts = UrlParts::split(url).expect("a request URL without `://`");
    let mut joined = format!("{}://", parts.scheme);
    if let Some(userinfo) = parts.userinfo {
        joined.push_str(userinfo);
        joined.push('@');
    }
    joined.push_str(parts.host);
    if let Some(port) = parts.port {
        joined.push(':');
        joined.push_str(port);
    }
    joined.push_str(parts.rest);
    let lossless = joined == url;
    let target = if input.target.is_empty() {
        "/"
    } else {
        input.target
    };
    let keeps_target = input.full_url || parts.rest.ends_with(target);
    #[cfg(feature = "strict")]
    {
        assert!(
            lossless,
            "known issue 1: the split of {url:?} drops text: {parts:?}"
        );
        assert!(
            keeps_target,
            "known issue 2: target {target:?} leaks into the authority of {url:?}"
        );
    }
    #[cfg(not(feature = "strict"))]
    {
        // Known issue 1 (README): `[v6]junk` authorities pass validation, and the split
        // drops `junk`. Known issue 2: a target that does not start with `/` is glued onto
        // the authority. Both fixed in fcf3b5e; only those shapes are tolerated.
        assert!(
            lossless || parts.host.starts_with('['),
            "split drops text of {url:?}"
        );
        assert!(
            keeps_target || !target.starts_with('/'),
            "target {target:?} is not the path of {url:?}"
        );
    }
}

fn signer(key: u8) -> (Signer, &'static str) {
    match key % 4 {
        0 => (Signer::new(TOKEN), TOKEN),
        1 => (Signer::new(SECONDARY), SECONDARY),
        2 => (Signer::new(ACCOUNT_TOKEN), ACCOUNT_TOKEN),
        _ => (
            Signer::with_algorithm(SHARED_SECRET, Algorithm::HmacSha256),
            SHARED_SECRET,
        ),
    }
}

fuzz_target!(|data: &[u8]| {
    let input = Input::parse(data);
    let config = &CONFIGS[usize::from(input.config) % CONFIGS.len()];
    let requirement = match input.requirement % 4 {
        0 => HttpAuthRequirement::None,
        1 => HttpAuthRequirement::Basic,
        2 => HttpAuthRequirement::Digest,
        _ => HttpAuthRequirement::Either,
    };
    let route = RouteOptions::default()
        .http_auth(requirement)
        .signature(input.check_signature);

    let mut headers: Vec<(&str, String)> = input
        .headers
        .iter()
        .map(|&(n, v)| (n, v.to_owned()))
        .collect();

    // The harness may sign the request as a configured key would; that is the only way
    // an accepted request is legitimate.
    let mut signed_with: Option<&str> = None;
    let mut expect_signature_ok = false;
    if let Signature::Computed { key } | Signature::Flipped { key, .. } = input.signature {
        let probe = if input.full_url {
            WebhookRequest::from_url(input.method, input.target)
        } else {
            WebhookRequest::new(input.method, input.target)
        };
        let probe = probe
            .headers(&headers)
            .body(input.body)
            .authority(input.authority);
        if let Ok(url) = config.request_url(&probe) {
            let (signer, secret) = signer(key);
            let is_form = !input.method.eq_ignore_ascii_case("GET")
                && !input.method.eq_ignore_ascii_case("HEAD")
                && probe
                    .header("content-type")
                    .is_some_and(form::is_form_content_type);
            let mut signature = if is_form {
                signer.sign_form_body(&url, input.body)
            } else {
                signer.sign_url(&url)
            };
            if let Signature::Flipped { index, mask, .. } = input.signature {
                let mut raw = STANDARD.decode(&signature).unwrap();
                let i = usize::from(index) % raw.len();
                raw[i] ^= mask.max(1);
                signature = STANDARD.encode(raw);
            } else {
                signed_with = Some(secret);
                // Whether the configuration would pick this very key for the request: no
                // signature-settings header, and an Auth Token it has (config 2 picks its
                // sub-account key when any `AccountSid` appears, config 4 has no token).
                let config_index = usize::from(input.config) % CONFIGS.len();
                let mentions_account = String::from_utf8_lossy(input.body).contains("AccountSid")
                    || input.target.contains("AccountSid");
                expect_signature_ok = probe.header(SIGNATURE_SETTINGS_HEADER).is_none()
                    && match key % 4 {
                        0 => config_index <= 3 && !(config_index == 2 && mentions_account),
                        1 => config_index == 1,
                        _ => false,
                    };
            }
            headers.retain(|(n, _)| !n.eq_ignore_ascii_case("X-Twilio-Signature"));
            headers.insert(0, ("X-Twilio-Signature", signature));
        }
    }

    let req = if input.full_url {
        WebhookRequest::from_url(input.method, input.target)
    } else {
        WebhookRequest::new(input.method, input.target)
    };
    let req = req
        .headers(&headers)
        .body(input.body)
        .authority(input.authority);

    // The URL the configuration rebuilds keeps the request target as its path and query,
    // and its authority as written: nothing in the target or the Host header may move
    // text into or out of the authority.
    if let Ok(url) = config.request_url(&req) {
        check_request_url(&url, &input);
    }

    let input_text = format!("{input:?}");
    let leaks = |text: &str| {
        SECRETS
            .iter()
            .any(|s| text.contains(s) && !input_text.contains(s))
    };

    for (i, outcome) in [config.verify(&req), config.verify_with(&req, route)]
        .into_iter()
        .enumerate()
    {
        match outcome {
            Ok(verified) => {
                let signature_checked = i == 0 || input.check_signature;
                if signature_checked {
                    assert!(
                        signed_with.is_some(),
                        "accepted a request the harness did not sign: {input:?} -> {verified:?}"
                    );
                    let url = config.request_url(&req).expect("accepted without a URL");
                    let matched = verified.url.as_deref().expect("no matched URL");
                    let candidates = candidate_urls(
                        &url,
                        CandidateOptions {
                            trailing_slash: true,
                        },
                    );
                    assert!(
                        matched == url || candidates.iter().any(|c| c == matched),
                        "{matched:?} not a candidate of {url:?}"
                    );
                }
                if i == 1 && requirement.is_required() {
                    assert!(verified.user.is_some(), "HTTP auth passed without a user");
                }
            }
            Err(rejection) => {
                let status = rejection.status();
                // A request signed right for the URL the configuration computes, with the
                // key it selects, never fails on its signature.
                assert!(
                    !(expect_signature_ok
                        && matches!(
                            rejection.reason(),
                            RejectionReason::SignatureMismatch
                                | RejectionReason::MalformedSignature
                                | RejectionReason::MissingSignature
                        )),
                    "rejected a valid signature ({rejection}): {input:?}"
                );
                assert!(matches!(status, 400 | 401 | 403 | 413), "status {status}");
                if let RejectionReason::HttpAuth(_) = rejection.reason() {
                    assert_eq!(status, 401);
                    assert!(
                        !rejection.challenges().is_empty(),
                        "401 without a challenge"
                    );
                }
                if status != 401 {
                    assert!(rejection.challenges().is_empty());
                }
                let shown = format!("{rejection} {rejection:?}");
                assert!(!leaks(&shown), "a secret in the rejection: {shown}");
                assert!(!rejection.body().is_empty());
            }
        }
    }

    let explanation = config.explain(&req);
    let shown = format!("{explanation:?}");
    assert!(!leaks(&shown), "a secret in the explanation");
});
