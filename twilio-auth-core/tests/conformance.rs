//! Every test vector from the unit tests of Twilio's official libraries
//! (`tests/data/official-vectors.json`) must give the result its source asserts.

use serde::Deserialize;
use twilio_auth_core::body_hash::body_sha256_hex;
use twilio_auth_core::{Config, WebhookRequest, form};

#[derive(Deserialize)]
struct Vectors {
    signature_vectors: Vec<SignatureVector>,
    body_hash_vectors: Vec<BodyHashVector>,
}

#[derive(Deserialize)]
struct SignatureVector {
    id: String,
    kind: String,
    token: String,
    url: String,
    #[serde(default)]
    params: Option<Vec<(String, String)>>,
    #[serde(default)]
    body: Option<String>,
    header: Option<String>,
    expected_valid: bool,
}

#[derive(Deserialize)]
struct BodyHashVector {
    id: String,
    body: String,
    sha256_hex: String,
}

fn vectors() -> Vectors {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/data/official-vectors.json"
    );
    let text = std::fs::read_to_string(path).expect("read official-vectors.json");
    serde_json::from_str(&text).expect("parse official-vectors.json")
}

fn verdict(v: &SignatureVector) -> bool {
    let config = Config::builder()
        .auth_token(v.token.as_str())
        .build()
        .unwrap();
    let (content_type, body) = match v.kind.as_str() {
        "signature" => (
            "application/x-www-form-urlencoded",
            form::encode(v.params.as_deref().unwrap_or_default()),
        ),
        "form-body" => ("application/x-www-form-urlencoded", v.body.clone().unwrap()),
        "body" => ("application/json", v.body.clone().unwrap()),
        other => panic!("{}: unknown kind {other}", v.id),
    };
    let mut headers = vec![("Content-Type", content_type)];
    if let Some(sig) = &v.header {
        headers.push(("X-Twilio-Signature", sig));
    }
    let req = WebhookRequest::from_url("POST", &v.url)
        .headers(&headers)
        .body(body.as_bytes());
    config.verify(&req).is_ok()
}

#[test]
fn all_official_signature_vectors_give_the_asserted_result() {
    let vectors = vectors();
    assert_eq!(vectors.signature_vectors.len(), 128);
    let failures: Vec<String> = vectors
        .signature_vectors
        .iter()
        .filter(|v| verdict(v) != v.expected_valid)
        .map(|v| format!("{} (expected {})", v.id, v.expected_valid))
        .collect();
    let passed = vectors.signature_vectors.len() - failures.len();
    println!("official vectors: {passed}/128 as asserted");
    assert!(
        failures.is_empty(),
        "vectors not matching their source: {failures:#?}"
    );
}

#[test]
fn body_hash_vectors() {
    let vectors = vectors();
    assert_eq!(vectors.body_hash_vectors.len(), 4);
    for v in &vectors.body_hash_vectors {
        assert_eq!(body_sha256_hex(v.body.as_bytes()), v.sha256_hex, "{}", v.id);
    }
}
