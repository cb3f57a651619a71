//! Every byte a handler can read is covered by the signature (SPEC §1, method and body
//! binding), and the other ways one genuine signed request could be bent: another method or
//! its spelling, a body beside a URL-only signature, conflicting `AccountSid`s, a SharedKey
//! named with another algorithm, forwarded headers, a password in `Verified`.

use proptest::prelude::*;
use twilio_auth_core::policy::{BasicOnly, Policy, RoutePolicy};
use twilio_auth_core::signer::with_body_hash;
use twilio_auth_core::{
    Algorithm, Config, ForwardedHeaders, KeySource, RejectionReason, Signer, WebhookRequest, form,
};

const TOKEN: &str = "12345";
const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";
const STATUS: &str = "https://example.com/status?CallSid=CA1&CallStatus=completed";

fn config() -> Config {
    Config::builder().auth_token(TOKEN).build().unwrap()
}

fn reason(
    config: &Config,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<(), RejectionReason> {
    let req = WebhookRequest::from_url(method, url)
        .headers(&headers)
        .body(body);
    config
        .verify(&req)
        .map(|_| ())
        .map_err(|r| r.reason().clone())
}

#[test]
fn get_and_head_bodies_are_refused_unless_body_sha256_covers_them() {
    let config = config();
    let signature = Signer::new(TOKEN).sign_url(STATUS);
    let forged = b"CallSid=CA_EVIL&CallStatus=refund";
    for method in ["GET", "HEAD"] {
        for content_type in [Some(FORM), Some(JSON), Some("text/plain"), None] {
            let mut headers = vec![("X-Twilio-Signature", signature.as_str())];
            headers.extend(content_type.map(|ct| ("Content-Type", ct)));
            // The genuine request: no body.
            assert_eq!(reason(&config, method, STATUS, &headers, b""), Ok(()));
            // The same, carrying a body that nothing signs.
            assert_eq!(
                reason(&config, method, STATUS, &headers, forged),
                Err(RejectionReason::UnsignedBody),
                "{method} {content_type:?}"
            );
        }
    }
    let rejection = config
        .verify(
            &WebhookRequest::from_url("HEAD", STATUS)
                .headers(&[("X-Twilio-Signature", signature.as_str())])
                .body(forged),
        )
        .unwrap_err();
    assert_eq!(rejection.status(), 403);
    assert!(rejection.body().contains("body not covered"), "{rejection}");
}

#[test]
fn a_get_body_covered_by_body_sha256_is_accepted_and_another_is_not() {
    // Event Streams sinks may deliver JSON with GET: the body is covered by its hash.
    let config = config();
    let body = br#"{"type":"com.twilio.messaging.message.delivered"}"#;
    let signed = Signer::new(TOKEN).sign_body("https://example.com/events", body);
    let headers = [
        ("X-Twilio-Signature", signed.signature.as_str()),
        ("Content-Type", JSON),
    ];
    assert_eq!(reason(&config, "GET", &signed.url, &headers, body), Ok(()));
    assert_eq!(
        reason(&config, "GET", &signed.url, &headers, br#"{"type":"evil"}"#),
        Err(RejectionReason::BodyHashMismatch)
    );
}

#[test]
fn methods_are_case_sensitive_and_a_lower_case_get_body_is_covered() {
    let config = config();
    let signature = Signer::new(TOKEN).sign_url(STATUS);
    let form_headers = [
        ("X-Twilio-Signature", signature.as_str()),
        ("Content-Type", FORM),
    ];
    // `get` is not `GET`: its form body is part of the signed string, so a URL-only
    // signature does not cover it.
    for method in ["get", "Get", "head", "OPTIONS", "DELETE", "PUT", "PATCH"] {
        assert_eq!(
            reason(&config, method, STATUS, &form_headers, b"CallSid=CA_EVIL"),
            Err(RejectionReason::SignatureMismatch),
            "{method}"
        );
        // A JSON body without bodySHA256 is never covered.
        let json_headers = [
            ("X-Twilio-Signature", signature.as_str()),
            ("Content-Type", JSON),
        ];
        assert_eq!(
            reason(&config, method, STATUS, &json_headers, b"{}"),
            Err(RejectionReason::MissingBodyHash),
            "{method}"
        );
        // Without a body there is nothing unsigned to read.
        assert_eq!(reason(&config, method, STATUS, &form_headers, b""), Ok(()));
    }
    // A form body signed as Twilio signs a POST is covered under any other method.
    let params = [("CallSid", "CA1"), ("From", "+14155550100")];
    let url = "https://example.com/voice";
    let signature = Signer::new(TOKEN).sign_form(url, &params);
    let headers = [
        ("X-Twilio-Signature", signature.as_str()),
        ("Content-Type", FORM),
    ];
    let body = form::encode(&params);
    for method in ["POST", "DELETE", "OPTIONS", "post"] {
        assert_eq!(
            reason(&config, method, url, &headers, body.as_bytes()),
            Ok(())
        );
    }
}

#[test]
fn conflicting_account_sids_are_refused() {
    let config = Config::builder()
        .auth_token("main")
        .account_token("ACaaa", "token-a")
        .account_token("ACbbb", "token-b")
        .build()
        .unwrap();
    let url = "https://example.com/voice";
    let sign = |url: &str, params: &[(&str, &str)]| Signer::new("token-a").sign_form(url, params);

    // Two values in the body: signed with A's token, a handler may read B.
    let params = [("AccountSid", "ACaaa"), ("AccountSid", "ACbbb")];
    let signature = sign(url, &params);
    let headers = [
        ("X-Twilio-Signature", signature.as_str()),
        ("Content-Type", FORM),
    ];
    let body = form::encode(&params);
    assert_eq!(
        reason(&config, "POST", url, &headers, body.as_bytes()),
        Err(RejectionReason::ConflictingAccountSid)
    );

    // Body A, query B (plainly, or with the name percent-encoded as a `Query` decodes it).
    for query in ["AccountSid=ACbbb", "Account%53id=ACbbb"] {
        let url = format!("{url}?{query}");
        let params = [("AccountSid", "ACaaa"), ("CallSid", "CA1")];
        let signature = sign(&url, &params);
        let headers = [
            ("X-Twilio-Signature", signature.as_str()),
            ("Content-Type", FORM),
        ];
        let body = form::encode(&params);
        assert_eq!(
            reason(&config, "POST", &url, &headers, body.as_bytes()),
            Err(RejectionReason::ConflictingAccountSid),
            "{query}"
        );
    }

    // The same value in body and query, or a repeat of the same value, is one account.
    let url = format!("{url}?AccountSid=ACaaa");
    let params = [("AccountSid", "ACaaa"), ("AccountSid", "ACaaa")];
    let signature = sign(&url, &params);
    let headers = [
        ("X-Twilio-Signature", signature.as_str()),
        ("Content-Type", FORM),
    ];
    let verified = config
        .verify(
            &WebhookRequest::from_url("POST", &url)
                .headers(&headers)
                .body(form::encode(&params).as_bytes()),
        )
        .unwrap();
    assert_eq!(verified.key(), Some(&KeySource::Account("ACaaa".into())));
}

#[test]
fn a_shared_key_is_accepted_only_with_its_own_algorithm() {
    let config = Config::builder()
        .auth_token(TOKEN)
        .shared_key("KS1", "shared-secret", Algorithm::HmacSha256)
        .build()
        .unwrap();
    let url = "https://example.com/status";
    let sha256 = Signer::with_algorithm("shared-secret", Algorithm::HmacSha256).sign_url(url);
    let sha1 = Signer::with_algorithm("shared-secret", Algorithm::HmacSha1).sign_url(url);
    let ok = [
        ("X-Twilio-Signature", sha256.as_str()),
        (
            "X-Twilio-Webhooks-Signature-Settings",
            "key=KS1,algorithm=HMAC_SHA256",
        ),
    ];
    assert_eq!(reason(&config, "GET", url, &ok, b""), Ok(()));
    for settings in ["key=KS1,algorithm=HMAC_SHA1", "key=KS1"] {
        let headers = [
            ("X-Twilio-Signature", sha1.as_str()),
            ("X-Twilio-Webhooks-Signature-Settings", settings),
        ];
        assert_eq!(
            reason(&config, "GET", url, &headers, b""),
            Err(RejectionReason::SharedKeyAlgorithmMismatch),
            "{settings}"
        );
    }
}

#[test]
fn shared_keys_only_turns_the_auth_token_off() {
    let url = "https://example.com/status";
    let by_token = Signer::new(TOKEN).sign_url(url);
    let headers = [("X-Twilio-Signature", by_token.as_str())];
    let both = Config::builder()
        .auth_token(TOKEN)
        .shared_key("KS1", "shared-secret", Algorithm::HmacSha1)
        .build()
        .unwrap();
    assert_eq!(reason(&both, "GET", url, &headers, b""), Ok(()));
    let only = Config::builder()
        .auth_token(TOKEN)
        .shared_key("KS1", "shared-secret", Algorithm::HmacSha1)
        .shared_keys_only(true)
        .build()
        .unwrap();
    assert_eq!(
        reason(&only, "GET", url, &headers, b""),
        Err(RejectionReason::SharedKeyRequired)
    );
    let by_key = Signer::new("shared-secret").sign_url(url);
    let headers = [
        ("X-Twilio-Signature", by_key.as_str()),
        ("X-Twilio-Webhooks-Signature-Settings", "key=KS1"),
    ];
    assert_eq!(reason(&only, "GET", url, &headers, b""), Ok(()));
}

#[test]
fn verified_never_shows_the_base_url_password() {
    let config = Config::builder()
        .auth_token(TOKEN)
        .public_base_url("https://twilio:pw-s3cret@example.com")
        .build()
        .unwrap();
    let signed_url = "https://twilio:pw-s3cret@example.com/status";
    let signature = Signer::new(TOKEN).sign_url(signed_url);
    let headers = [("X-Twilio-Signature", signature.as_str())];
    let verified = config
        .verify(&WebhookRequest::new("GET", "/status").headers(&headers))
        .unwrap();
    assert_eq!(
        verified.url(),
        Some("https://twilio:***@example.com/status")
    );
    assert!(!format!("{verified:?}").contains("pw-s3cret"));
}

#[test]
fn trusted_forwarding_reads_only_the_configured_family_and_its_last_value() {
    let config = Config::builder()
        .auth_token(TOKEN)
        .trust_forwarded_headers(ForwardedHeaders::XForwarded)
        .build()
        .unwrap();
    let signature = Signer::new(TOKEN).sign_url("https://evil.example/status");
    // The client's own `Forwarded`, and its first element of `X-Forwarded-Host`, are not
    // what the proxy wrote: the URL is rebuilt with the proxy's host, and does not match.
    for (name, value) in [
        ("Forwarded", "host=evil.example;proto=https"),
        ("X-Forwarded-Host", "evil.example, api.example.com"),
    ] {
        let headers = [
            ("Host", "internal:3000"),
            ("X-Forwarded-Host", "api.example.com"),
            ("X-Twilio-Signature", signature.as_str()),
            (name, value),
        ];
        let rejection = config
            .verify(&WebhookRequest::new("GET", "/status").headers(&headers))
            .unwrap_err();
        assert_eq!(rejection.reason(), &RejectionReason::SignatureMismatch);
        assert!(
            rejection
                .candidate_urls()
                .iter()
                .all(|u| !u.contains("evil")),
            "{rejection}"
        );
    }
}

#[test]
fn no_route_policy_checks_nothing() {
    // An HTTP-auth-only route still refuses a request without credentials.
    let http_auth = twilio_auth_core::http_auth::HttpAuthConfig::builder("twilio")
        .credential("twilio", "a-password")
        .build()
        .unwrap();
    let config = Config::builder()
        .auth_token(TOKEN)
        .http_auth(http_auth)
        .build()
        .unwrap();
    let req = WebhookRequest::from_url("POST", "https://example.com/voice");
    let rejection = config.verify_with(&req, BasicOnly::ROUTE).unwrap_err();
    assert_eq!(rejection.status(), 401);
    let rejection = config
        .verify_with(&req, RoutePolicy::default())
        .unwrap_err();
    assert_eq!(rejection.reason(), &RejectionReason::MissingSignature);
}

/// Methods as a client may spell them, the two Twilio signs URL-only among them.
fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("GET".to_owned()),
        Just("HEAD".to_owned()),
        Just("POST".to_owned()),
        "[A-Za-z]{1,8}",
    ]
}

fn content_type() -> impl Strategy<Value = Option<&'static str>> {
    prop_oneof![
        Just(None),
        Just(Some(FORM)),
        Just(Some("application/x-www-form-urlencoded; charset=utf-8")),
        Just(Some(JSON)),
        Just(Some("text/plain")),
    ]
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(Vec::new()),
        "[a-zA-Z=&%+0-9]{1,40}".prop_map(String::into_bytes),
        proptest::collection::vec(any::<u8>(), 1..64),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// A person holding one genuine URL-only signature (a GET status callback, or a JSON
    /// webhook with `bodySHA256`) may change the method, its spelling, the content type
    /// and the body: whatever is accepted carries no content the signature does not cover.
    #[test]
    fn a_body_is_covered_or_the_request_is_refused(
        method in method(),
        content_type in content_type(),
        body in body(),
        with_hash in any::<bool>(),
    ) {
        let config = config();
        let genuine_body = br#"{"genuine":true}"#;
        let url = if with_hash {
            with_body_hash("https://example.com/events", genuine_body)
        } else {
            STATUS.to_owned()
        };
        let signature = Signer::new(TOKEN).sign_url(&url);
        let mut headers = vec![("X-Twilio-Signature", signature.as_str())];
        headers.extend(content_type.map(|ct| ("Content-Type", ct)));
        let req = WebhookRequest::from_url(&method, &url).headers(&headers).body(&body);
        if config.verify(&req).is_ok() {
            let covered = body.is_empty()
                || (with_hash && body == genuine_body)
                // A form body is signed by its parameters: one whose parameters add
                // nothing to the signed string (`&&`, `=`) is what the URL-only signature
                // covers.
                || (content_type.is_some_and(form::is_form_content_type)
                    && !matches!(method.as_str(), "GET" | "HEAD")
                    && form::params_suffix(&form::parse(&body)).is_empty());
            prop_assert!(covered, "{method} {content_type:?} {body:?} was accepted");
        }
    }
}
