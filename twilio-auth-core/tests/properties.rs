//! Property tests: what the signer signs, the verifier accepts; any change to the URL, a
//! parameter or the body is rejected; no input panics.

use proptest::prelude::*;
use twilio_auth_core::{Config, Signer, WebhookRequest, form};

const TOKEN: &str = "property-token";
const FORM: &str = "application/x-www-form-urlencoded";

fn config() -> Config {
    Config::builder().auth_token(TOKEN).build().unwrap()
}

/// Absolute URLs without a port, credentials or control characters, so that a changed
/// byte cannot turn into one of the URL variants the verifier deliberately accepts.
fn url() -> impl Strategy<Value = String> {
    (
        prop_oneof!["https", "http"],
        "[a-z][a-z0-9-]{0,12}(\\.[a-z]{2,5}){1,2}",
        "(/[A-Za-z0-9._~-]{0,10}){0,4}",
        proptest::option::of("[A-Za-z0-9=&._~-]{0,30}"),
    )
        .prop_map(|(scheme, host, path, query)| {
            let mut url = format!("{scheme}://{host}{path}");
            if let Some(q) = query {
                url.push('?');
                url.push_str(&q);
            }
            url
        })
}

fn params() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec(("[A-Za-z][A-Za-z0-9]{0,8}", "\\PC{0,12}"), 0..12)
}

fn form_request_ok(
    config: &Config,
    url: &str,
    params: &[(String, String)],
    signature: &str,
) -> bool {
    let body = form::encode(params);
    let headers = [("X-Twilio-Signature", signature), ("Content-Type", FORM)];
    let req = WebhookRequest::from_url("POST", url)
        .headers(&headers)
        .body(body.as_bytes());
    config.verify(&req).is_ok()
}

/// A character that is not `c`, from a set that cannot create `'`, `%27`, `@`, `:` or whitespace.
fn other_char(c: char, pick: u8) -> char {
    let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let replacement = alphabet[usize::from(pick) % alphabet.len()] as char;
    if replacement == c {
        if c == 'a' { 'b' } else { 'a' }
    } else {
        replacement
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn signed_forms_verify(url in url(), params in params()) {
        let signature = Signer::new(TOKEN).sign_form(&url, &params);
        prop_assert!(form_request_ok(&config(), &url, &params, &signature));
    }

    #[test]
    fn signed_json_verifies(url in url(), body in proptest::collection::vec(any::<u8>(), 0..256)) {
        let signed = Signer::new(TOKEN).sign_body(&url, &body);
        let headers = [("X-Twilio-Signature", signed.signature.as_str()), ("Content-Type", "application/json")];
        let req = WebhookRequest::from_url("POST", &signed.url).headers(&headers).body(&body);
        prop_assert!(config().verify(&req).is_ok());
    }

    #[test]
    fn changing_a_url_byte_is_rejected(url in url(), params in params(), at in any::<prop::sample::Index>(), pick in any::<u8>()) {
        let signature = Signer::new(TOKEN).sign_form(&url, &params);
        // Change a character after the scheme (the scheme's letter case is forgiven on purpose).
        let start = url.find("://").unwrap() + 3;
        let chars: Vec<(usize, char)> = url[start..].char_indices().collect();
        let (offset, c) = chars[at.index(chars.len())];
        let mut tampered = url.clone();
        tampered.replace_range(start + offset..start + offset + c.len_utf8(), &other_char(c, pick).to_string());
        prop_assert!(!form_request_ok(&config(), &tampered, &params, &signature), "{} accepted for {}", tampered, url);
    }

    #[test]
    fn changing_a_parameter_is_rejected(url in url(), mut params in params(), which in any::<prop::sample::Index>(), at in any::<prop::sample::Index>(), pick in any::<u8>(), in_name in any::<bool>()) {
        prop_assume!(!params.is_empty());
        let signature = Signer::new(TOKEN).sign_form(&url, &params);
        let i = which.index(params.len());
        let (name, value) = &mut params[i];
        let target = if in_name || value.is_empty() { name } else { value };
        let chars: Vec<(usize, char)> = target.char_indices().collect();
        let (offset, c) = chars[at.index(chars.len())];
        target.replace_range(offset..offset + c.len_utf8(), &other_char(c, pick).to_string());
        prop_assert!(!form_request_ok(&config(), &url, &params, &signature));
    }

    #[test]
    fn changing_a_body_byte_is_rejected(url in url(), mut body in proptest::collection::vec(any::<u8>(), 1..256), at in any::<prop::sample::Index>(), flip in 1u8..) {
        let signed = Signer::new(TOKEN).sign_body(&url, &body);
        let i = at.index(body.len());
        body[i] ^= flip;
        let headers = [("X-Twilio-Signature", signed.signature.as_str()), ("Content-Type", "application/json")];
        let req = WebhookRequest::from_url("POST", &signed.url).headers(&headers).body(&body);
        prop_assert!(config().verify(&req).is_err());
    }

    #[test]
    fn no_input_panics(
        method in prop_oneof!["GET", "POST", "PUT", "\\PC{0,6}"],
        target in "\\PC{0,80}",
        headers in proptest::collection::vec(("(?i)(host|x-twilio-signature|content-type|x-twilio-webhooks-signature-settings|forwarded|x-forwarded-host|x-forwarded-proto|x-forwarded-port)", "\\PC{0,60}"), 0..8),
        body in proptest::collection::vec(any::<u8>(), 0..200),
        trust in any::<bool>(),
        full_url in any::<bool>(),
    ) {
        let mut builder = Config::builder()
            .auth_token(TOKEN)
            .shared_key("KS1", "shared", twilio_auth_core::Algorithm::HmacSha1)
            .account_token("AC1", "sub")
            .try_trailing_slash(true);
        if trust {
            builder = builder.trust_forwarded_headers(twilio_auth_core::ForwardedHeaders::XForwarded);
        }
        let config = builder.build().unwrap();
        let req = if full_url { WebhookRequest::from_url(&method, &target) } else { WebhookRequest::new(&method, &target) };
        let req = req.headers(&headers).body(&body);
        if let Err(rejection) = config.verify(&req) {
            prop_assert!(matches!(rejection.status(), 400 | 401 | 403 | 413));
        }
        let _ = config.explain(&req);
    }
}

#[test]
fn candidate_urls_in_rejections_hide_passwords() {
    let headers = [
        ("X-Twilio-Signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="),
        ("Content-Type", FORM),
    ];
    let req = WebhookRequest::from_url("POST", "https://twilio:hunter2@example.com/voice")
        .headers(&headers);
    let rejection = config().verify(&req).unwrap_err();
    assert!(!rejection.candidate_urls().is_empty());
    assert!(!rejection.to_string().contains("hunter2"), "{rejection}");
    assert!(
        rejection.to_string().contains("twilio:***@example.com"),
        "{rejection}"
    );
}
