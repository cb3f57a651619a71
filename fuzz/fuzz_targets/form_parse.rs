//! `form::parse` on arbitrary bytes, and the round trip `parse(encode(params)) == params`.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use twilio_auth_core::{Config, Signer, WebhookRequest, form};

const URL: &str = "https://voice.example.com/voice";
static CONFIG: LazyLock<Config> =
    LazyLock::new(|| Config::builder().auth_token("fuzz-token").build().unwrap());
static SIGNER: LazyLock<Signer> = LazyLock::new(|| Signer::new("fuzz-token"));

fuzz_target!(|data: &[u8]| {
    let params = form::parse(data);

    // At most one parameter per `&`-separated piece, never an invented one.
    let pieces = data.split(|&b| b == b'&').filter(|p| !p.is_empty()).count();
    assert_eq!(params.len(), pieces, "one parameter per non-empty pair");

    // Round trip: what `encode` writes, `parse` reads back unchanged (same order too).
    let owned: Vec<(String, String)> = params
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    let encoded = form::encode(&owned);
    assert!(
        encoded
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.*+%=&".contains(&b)),
        "encode writes only the form alphabet: {encoded:?}"
    );
    let reparsed = form::parse(encoded.as_bytes());
    let reparsed: Vec<(&str, &str)> = reparsed
        .iter()
        .map(|(n, v)| (n.as_ref(), v.as_ref()))
        .collect();
    let expected: Vec<(&str, &str)> = owned
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        reparsed, expected,
        "parse(encode(params)) != params; encoded {encoded:?}"
    );

    // The signed-string suffix: byte order sorted and de-duplicated, UTF-16 order only
    // when it differs, and both are permutations of the same set.
    let (by_bytes, by_utf16) = form::orderings(&params);
    for pair in by_bytes.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        assert!(
            (a.0.as_bytes(), a.1.as_bytes()) < (b.0.as_bytes(), b.1.as_bytes()),
            "byte ordering not strictly increasing"
        );
    }
    if let Some(by_utf16) = &by_utf16 {
        assert_eq!(by_utf16.len(), by_bytes.len());
        assert_ne!(by_utf16, &by_bytes);
        for p in by_utf16 {
            assert!(by_bytes.contains(p));
        }
    }
    let suffix = form::suffix(&by_bytes);
    assert_eq!(suffix, form::params_suffix(&owned));

    // The raw pieces decode one by one as the whole body does.
    if let Some(first) = data.split(|&b| b == b'&').find(|p| !p.is_empty()) {
        let name_end = first.iter().position(|&b| b == b'=').unwrap_or(first.len());
        assert_eq!(form::decode_component(&first[..name_end]), params[0].0);
    }

    if let Ok(text) = std::str::from_utf8(data) {
        let _ = form::is_form_content_type(text);
    }

    // The verifier decodes bodies with its own one-pass decoder: it must read every body
    // exactly as `form::parse` (which the signer uses) does.
    let signature = SIGNER.sign_form_body(URL, data);
    let headers = [
        ("X-Twilio-Signature", signature.as_str()),
        ("Content-Type", "application/x-www-form-urlencoded"),
    ];
    let req = WebhookRequest::from_url("POST", URL)
        .headers(&headers)
        .body(data);
    if let Err(rejection) = CONFIG.verify(&req) {
        panic!("the verifier decodes this body differently from form::parse: {rejection}");
    }
});
