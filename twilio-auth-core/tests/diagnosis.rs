//! Diagnoses that name the fix (SPEC §6): one row per deployment mistake, each a request
//! Twilio signed for the URL it called and the app rebuilt another way. Every row is
//! refused (a diagnosis never accepts) and says, exactly, which mistake and what to do.
//! Signatures come from the crate's `Signer`, and one row's from an HMAC computed here
//! with `hmac`, `sha1` and `base64` directly, so the table cannot pass because the signer
//! and the verifier share a mistake.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

use twilio_auth_core::{
    Config, ConfigBuilder, KeySource, Mistake, RejectionReason, Signer, WebhookRequest, form,
};

const TOKEN: &str = "primary-token-secret";
const SECONDARY: &str = "secondary-token-secret";
const SUB_TOKEN: &str = "sub-account-token-secret";
const SUB: &str = "AC00000000000000000000000000000001";
const FORM: &str = "application/x-www-form-urlencoded";

/// Twilio's signature, computed without the crate: base64 of HMAC-SHA1 over the URL and
/// the sorted `name` + `value` pairs.
fn reference_signature(token: &str, url: &str, params: &[(&str, &str)]) -> String {
    let mut sorted = params.to_vec();
    sorted.sort();
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(token.as_bytes()).unwrap();
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    STANDARD.encode(mac.finalize().into_bytes())
}

enum Signed {
    /// By the crate's signer, with this token, over this URL.
    Signer(&'static str, &'static str),
    /// By `reference_signature`.
    Reference(&'static str, &'static str),
}

struct Row {
    name: &'static str,
    config: fn() -> ConfigBuilder,
    method: &'static str,
    path: &'static str,
    headers: &'static [(&'static str, &'static str)],
    params: &'static [(&'static str, &'static str)],
    signed: Signed,
    expected: Option<(Mistake, KeySource, &'static str, &'static str)>,
}

fn primary() -> ConfigBuilder {
    Config::builder().auth_token(TOKEN)
}

const VOICE: &[(&str, &str)] = &[
    ("AccountSid", "AC00000000000000000000000000000000"),
    ("CallSid", "CA123"),
    ("From", "+14155550100"),
];
const SUB_VOICE: &[(&str, &str)] = &[("AccountSid", SUB), ("CallSid", "CA123")];

const ROWS: &[Row] = &[
    Row {
        name: "signed https, received as http without a base URL",
        config: || primary().default_scheme("http"),
        method: "POST",
        path: "/voice",
        headers: &[("Host", "voice.example.com")],
        params: VOICE,
        signed: Signed::Reference(TOKEN, "https://voice.example.com/voice"),
        expected: Some((
            Mistake::OtherScheme,
            KeySource::PrimaryToken,
            "https://voice.example.com/voice",
            "Twilio signed https://voice.example.com/voice, not http://voice.example.com/voice: \
             TLS is terminated in front of the app (or the scheme was assumed); set the public \
             base URL to https://voice.example.com (TWILIO_WEBHOOK_BASE_URL, \
             ConfigBuilder::public_base_url), or trust the forwarded headers your proxy writes \
             (TWILIO_TRUST_FORWARDED_HEADERS)",
        )),
    },
    Row {
        name: "signed through an ngrok host, base URL of production",
        config: || primary().public_base_url("https://voice.example.com"),
        method: "POST",
        path: "/voice",
        headers: &[("Host", "abc123.ngrok-free.app")],
        params: VOICE,
        signed: Signed::Signer(TOKEN, "https://abc123.ngrok-free.app/voice"),
        expected: Some((
            Mistake::HostHeader,
            KeySource::PrimaryToken,
            "https://abc123.ngrok-free.app/voice",
            "Twilio signed https://abc123.ngrok-free.app/voice, for the host \
             \"abc123.ngrok-free.app\" of the Host header, not https://voice.example.com/voice: \
             the request was signed for another host (a tunnel or proxy host); set the public \
             base URL to https://abc123.ngrok-free.app (TWILIO_WEBHOOK_BASE_URL, \
             ConfigBuilder::public_base_url)",
        )),
    },
    Row {
        name: "signed through an ngrok host that rewrites Host",
        config: primary,
        method: "POST",
        path: "/voice",
        headers: &[
            ("Host", "localhost:3000"),
            ("X-Forwarded-Host", "abc123.ngrok-free.app"),
            ("X-Forwarded-Proto", "https"),
        ],
        params: VOICE,
        signed: Signed::Signer(TOKEN, "https://abc123.ngrok-free.app/voice"),
        expected: Some((
            Mistake::ForwardedHost,
            KeySource::PrimaryToken,
            "https://abc123.ngrok-free.app/voice",
            "Twilio signed https://abc123.ngrok-free.app/voice, for the host \
             \"abc123.ngrok-free.app\" that X-Forwarded-Host names, not \
             https://localhost:3000/voice: the request came through a tunnel or proxy; set the \
             public base URL to https://abc123.ngrok-free.app (TWILIO_WEBHOOK_BASE_URL, \
             ConfigBuilder::public_base_url)",
        )),
    },
    Row {
        name: "prefix stripped by Router::nest",
        config: || primary().public_base_url("https://voice.example.com"),
        method: "POST",
        path: "/voice",
        headers: &[("Host", "voice.example.com")],
        params: VOICE,
        signed: Signed::Signer(TOKEN, "https://voice.example.com/twilio/voice"),
        expected: Some((
            Mistake::PrefixStripped,
            KeySource::PrimaryToken,
            "https://voice.example.com/twilio/voice",
            "Twilio signed https://voice.example.com/twilio/voice, with the path prefix \
             \"/twilio\" that a router stripped before verification (e.g. axum Router::nest); \
             set the public base URL to https://voice.example.com/twilio \
             (TWILIO_WEBHOOK_BASE_URL, ConfigBuilder::public_base_url), or verify before the \
             prefix is stripped",
        )),
    },
    Row {
        name: "prefix added by a proxy",
        config: primary,
        method: "POST",
        path: "/svc/voice",
        headers: &[("Host", "voice.example.com")],
        params: VOICE,
        signed: Signed::Signer(TOKEN, "https://voice.example.com/voice"),
        expected: Some((
            Mistake::PrefixAdded,
            KeySource::PrimaryToken,
            "https://voice.example.com/voice",
            "Twilio signed https://voice.example.com/voice, without the first path segment \
             \"/svc\" that a proxy added in front of the app; verify the path Twilio requested \
             (before the proxy's rewrite), or make the webhook URL in the Twilio console \
             include \"/svc\"",
        )),
    },
    Row {
        name: "prefix in the base URL and in the path received",
        config: || primary().public_base_url("https://voice.example.com/twilio"),
        method: "POST",
        path: "/twilio/voice",
        headers: &[("Host", "voice.example.com")],
        params: VOICE,
        signed: Signed::Signer(TOKEN, "https://voice.example.com/twilio/voice"),
        expected: Some((
            Mistake::PrefixAdded,
            KeySource::PrimaryToken,
            "https://voice.example.com/twilio/voice",
            "Twilio signed https://voice.example.com/twilio/voice, with the path prefix \
             \"/twilio\" once, but the public base URL ends with it and the path received has \
             it too (the verifier sees the path before the router strips the prefix): set the \
             public base URL to https://voice.example.com (TWILIO_WEBHOOK_BASE_URL, \
             ConfigBuilder::public_base_url), without the prefix",
        )),
    },
    Row {
        name: "signed with the secondary token, the AccountSid selects a sub-account's",
        config: || {
            primary()
                .secondary_auth_token(SECONDARY)
                .account_token(SUB, SUB_TOKEN)
        },
        method: "POST",
        path: "/voice",
        headers: &[("Host", "voice.example.com")],
        params: SUB_VOICE,
        signed: Signed::Signer(SECONDARY, "https://voice.example.com/voice"),
        expected: Some((
            Mistake::OtherKey,
            KeySource::SecondaryToken,
            "https://voice.example.com/voice",
            "the signature over https://voice.example.com/voice matches the secondary Auth \
             Token (a configured key), but this request selects the Auth Token of account \
             AC00000000000000000000000000000001: a token rotation, or a sub-account signed \
             with another account's token; configure the secondary Auth Token for this \
             request's AccountSid or SharedKey, or check which key Twilio signs it with",
        )),
    },
    Row {
        name: "API Gateway stage left out of the event's path",
        config: primary,
        method: "POST",
        path: "/voice",
        headers: &[("Host", "abc123.execute-api.us-east-1.amazonaws.com")],
        params: VOICE,
        signed: Signed::Signer(
            TOKEN,
            "https://abc123.execute-api.us-east-1.amazonaws.com/prod/voice",
        ),
        expected: Some((
            Mistake::StageStripped,
            KeySource::PrimaryToken,
            "https://abc123.execute-api.us-east-1.amazonaws.com/prod/voice",
            "Twilio signed https://abc123.execute-api.us-east-1.amazonaws.com/prod/voice, with \
             the API Gateway stage \"/prod\" that the path received leaves out; set the public \
             base URL to https://abc123.execute-api.us-east-1.amazonaws.com/prod \
             (TWILIO_WEBHOOK_BASE_URL, ConfigBuilder::public_base_url)",
        )),
    },
    Row {
        name: "API Gateway stage in the path, not in what Twilio signed",
        config: primary,
        method: "POST",
        path: "/staging/voice",
        headers: &[("Host", "abc123.execute-api.us-east-1.amazonaws.com")],
        params: VOICE,
        signed: Signed::Signer(
            TOKEN,
            "https://abc123.execute-api.us-east-1.amazonaws.com/voice",
        ),
        expected: Some((
            Mistake::StageAdded,
            KeySource::PrimaryToken,
            "https://abc123.execute-api.us-east-1.amazonaws.com/voice",
            "Twilio signed https://abc123.execute-api.us-east-1.amazonaws.com/voice, without \
             the API Gateway stage \"/staging\" that the path received has (a custom domain or \
             the $default stage); remove the stage from the path before verification, or make \
             the webhook URL in the Twilio console include \"/staging\"",
        )),
    },
    Row {
        name: "API Gateway stage in the base URL and in the event's path",
        config: || {
            primary().public_base_url("https://abc123.execute-api.us-east-1.amazonaws.com/prod")
        },
        method: "POST",
        path: "/prod/voice",
        headers: &[("Host", "abc123.execute-api.us-east-1.amazonaws.com")],
        params: VOICE,
        signed: Signed::Signer(
            TOKEN,
            "https://abc123.execute-api.us-east-1.amazonaws.com/prod/voice",
        ),
        expected: Some((
            Mistake::StageAdded,
            KeySource::PrimaryToken,
            "https://abc123.execute-api.us-east-1.amazonaws.com/prod/voice",
            "Twilio signed https://abc123.execute-api.us-east-1.amazonaws.com/prod/voice, with \
             the API Gateway stage \"/prod\" once, but the public base URL ends with it and the \
             path received has it too: set the public base URL to \
             https://abc123.execute-api.us-east-1.amazonaws.com (TWILIO_WEBHOOK_BASE_URL, \
             ConfigBuilder::public_base_url), without the stage",
        )),
    },
    Row {
        name: "query rebuilt by the framework",
        config: primary,
        method: "GET",
        path: "/status?Body=hello+world&To=%2B1415",
        headers: &[("Host", "voice.example.com")],
        params: &[],
        signed: Signed::Signer(
            TOKEN,
            "https://voice.example.com/status?Body=hello%20world&To=%2B1415",
        ),
        expected: Some((
            Mistake::QueryReencoded,
            KeySource::PrimaryToken,
            "https://voice.example.com/status?Body=hello%20world&To=%2B1415",
            "Twilio signed https://voice.example.com/status?Body=hello%20world&To=%2B1415, the \
             query as it was sent (a space written %20, received as +), not \
             https://voice.example.com/status?Body=hello+world&To=%2B1415: the framework \
             rebuilt the query; give the verifier the raw path and query as received",
        )),
    },
    Row {
        name: "nothing explains it: signed with an unknown token",
        config: primary,
        method: "POST",
        path: "/voice",
        headers: &[("Host", "voice.example.com")],
        params: VOICE,
        signed: Signed::Reference("an-attackers-guess", "https://voice.example.com/voice"),
        expected: None,
    },
];

#[test]
fn each_mistake_is_named_with_its_fix() {
    for row in ROWS {
        let signature = match row.signed {
            Signed::Signer(token, url) if row.params.is_empty() => Signer::new(token).sign_url(url),
            Signed::Signer(token, url) => Signer::new(token).sign_form(url, row.params),
            Signed::Reference(token, url) => reference_signature(token, url, row.params),
        };
        let mut headers = row.headers.to_vec();
        headers.push(("X-Twilio-Signature", &signature));
        if !row.params.is_empty() {
            headers.push(("Content-Type", FORM));
        }
        let body = form::encode(row.params);
        let req = WebhookRequest::new(row.method, row.path)
            .headers(&headers)
            .body(body.as_bytes());
        let config = (row.config)().build().unwrap();
        let name = row.name;

        // Never accepted.
        let rejection = config.verify(&req).unwrap_err();
        assert_eq!(
            rejection.reason(),
            &RejectionReason::SignatureMismatch,
            "{name}"
        );
        let line = rejection.log_event().to_string();
        for secret in [TOKEN, SECONDARY, SUB_TOKEN] {
            assert!(!line.contains(secret), "{name}: {line}");
        }
        let explained = config.explain(&req);
        assert_eq!(explained.diagnosis(), rejection.diagnosis(), "{name}");
        match (&row.expected, rejection.diagnosis()) {
            (None, None) => assert!(!line.contains("diagnosis"), "{name}: {line}"),
            (Some((mistake, key, url, advice)), Some(diagnosis)) => {
                assert_eq!(diagnosis.mistake(), *mistake, "{name}");
                assert_eq!(diagnosis.key(), key, "{name}");
                assert_eq!(diagnosis.url(), *url, "{name}");
                assert_eq!(diagnosis.advice(), *advice, "{name}");
                assert!(
                    line.contains(&format!("; diagnosis: {advice}")),
                    "{name}: {line}"
                );
            }
            (expected, found) => panic!("{name}: expected {expected:?}, found {found:?}"),
        }

        // Off: the same refusal, without a diagnosis.
        let off = (row.config)().diagnose_refusals(false).build().unwrap();
        let rejection = off.verify(&req).unwrap_err();
        assert_eq!(rejection.diagnosis(), None, "{name}");
        assert!(!rejection.to_string().contains("diagnosis"), "{name}");
    }
}

#[test]
fn the_reference_hmac_agrees_with_the_signer() {
    // The reference row above only proves something if both compute Twilio's signature.
    let url = "https://voice.example.com/voice";
    assert_eq!(
        reference_signature(TOKEN, url, VOICE),
        Signer::new(TOKEN).sign_form(url, VOICE)
    );
    // Twilio's documented example (twilio.com/docs/usage/security, as in the CLI's tests).
    let params = [
        ("CallSid", "CA1234567890ABCDE"),
        ("Caller", "+14158675309"),
        ("Digits", "1234"),
        ("From", "+14158675309"),
        ("To", "+18005551212"),
    ];
    assert_eq!(
        reference_signature(
            "12345",
            "https://mycompany.com/myapp.php?foo=1&bar=2",
            &params
        ),
        "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    );
}

#[test]
fn a_valid_request_is_accepted_as_before_and_has_no_diagnosis() {
    let config = primary()
        .public_base_url("https://voice.example.com")
        .build()
        .unwrap();
    let url = "https://voice.example.com/voice";
    let signature = Signer::new(TOKEN).sign_form(url, VOICE);
    let body = form::encode(VOICE);
    let headers = [
        ("Host", "voice.example.com"),
        ("Content-Type", FORM),
        ("X-Twilio-Signature", signature.as_str()),
    ];
    let req = WebhookRequest::new("POST", "/voice")
        .headers(&headers)
        .body(body.as_bytes());
    let explained = config.explain(&req);
    assert!(explained.outcome.is_ok());
    assert_eq!(explained.diagnosis(), None);
    assert_eq!(explained.attempts.len(), 1);
}

#[test]
fn a_base_url_password_never_reaches_the_advice() {
    // A base URL with `user:pass@` (HTTP auth): Twilio signed it with the credentials and
    // the `/twilio` prefix a router stripped.
    let config = primary()
        .public_base_url("https://twilio:pass-secret@voice.example.com")
        .build()
        .unwrap();
    let signed = "https://twilio:pass-secret@voice.example.com/twilio/voice";
    let signature = Signer::new(TOKEN).sign_form(signed, VOICE);
    let body = form::encode(VOICE);
    let headers = [
        ("Host", "voice.example.com"),
        ("Content-Type", FORM),
        ("X-Twilio-Signature", signature.as_str()),
    ];
    let req = WebhookRequest::new("POST", "/voice")
        .headers(&headers)
        .body(body.as_bytes());
    let rejection = config.verify(&req).unwrap_err();
    let diagnosis = rejection.diagnosis().expect("a diagnosis");
    assert_eq!(diagnosis.mistake(), Mistake::PrefixStripped);
    assert_eq!(
        diagnosis.url(),
        "https://twilio:***@voice.example.com/twilio/voice"
    );
    let line = rejection.log_event().to_string();
    assert!(!line.contains("pass-secret"), "{line}");
    assert!(!line.contains(TOKEN), "{line}");
    assert!(
        diagnosis
            .advice()
            .contains("set the public base URL to https://twilio:***@voice.example.com/twilio "),
        "{}",
        diagnosis.advice()
    );
}
