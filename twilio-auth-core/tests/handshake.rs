//! WebSocket handshakes (SPEC §3, `twilio_auth_core::handshake`): every form Twilio may have
//! signed is accepted, each only for a handshake, and nothing else is. Signatures here are
//! computed with a reference HMAC written for the tests (the signed string of SPEC §1), not
//! with the crate's signer.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use proptest::prelude::*;
use twilio_auth_core::{Config, ForwardedHeaders, Hint, RejectionReason, WebhookRequest};

const TOKEN: &str = "handshake-token";
const UPGRADE: [(&str, &str); 2] = [("Upgrade", "websocket"), ("Connection", "Upgrade")];

/// HMAC-SHA1 of `url` followed by the parameters sorted by name then value.
fn sign(url: &str, params: &[(&str, &str)]) -> String {
    let mut params = params.to_vec();
    params.sort();
    params.dedup();
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(TOKEN.as_bytes()).unwrap();
    mac.update(url.as_bytes());
    for (name, value) in params {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    STANDARD.encode(mac.finalize().into_bytes())
}

fn public() -> Config {
    Config::builder()
        .auth_token(TOKEN)
        .public_base_url("https://voice.example.com")
        .build()
        .unwrap()
}

/// A handshake `GET target` with `signature`, and any other headers.
fn handshake(
    config: &Config,
    target: &str,
    signature: &str,
    extra: &[(&str, &str)],
) -> Result<String, (RejectionReason, Vec<Hint>)> {
    let mut headers: Vec<(&str, &str)> = UPGRADE.to_vec();
    headers.push(("X-Twilio-Signature", signature));
    headers.extend_from_slice(extra);
    let req = WebhookRequest::new("GET", target).headers(&headers);
    config
        .verify(&req)
        .map(|v| v.url().unwrap().to_owned())
        .map_err(|r| (r.reason().clone(), r.hints().to_vec()))
}

#[test]
fn the_wss_url_with_its_query_is_accepted() {
    let signature = sign("wss://voice.example.com/relay?agent=sales&lang=en", &[]);
    let url = handshake(&public(), "/relay?agent=sales&lang=en", &signature, &[]).unwrap();
    assert_eq!(url, "wss://voice.example.com/relay?agent=sales&lang=en");
}

#[test]
fn the_query_as_parameters_is_accepted() {
    // As Twilio's Python agent library validates: the URL without its query, then the
    // query's parameters, decoded and sorted.
    let signature = sign(
        "wss://voice.example.com/relay",
        &[("lang", "en gb"), ("agent", "sales")],
    );
    let url = handshake(&public(), "/relay?lang=en+gb&agent=sales", &signature, &[]).unwrap();
    assert_eq!(url, "wss://voice.example.com/relay");
}

#[test]
fn a_trailing_slash_is_accepted_in_both_forms() {
    let with_query = sign("wss://voice.example.com/relay/?a=1", &[]);
    assert!(handshake(&public(), "/relay?a=1", &with_query, &[]).is_ok());
    let as_params = sign("wss://voice.example.com/relay/", &[("a", "1")]);
    assert!(handshake(&public(), "/relay?a=1", &as_params, &[]).is_ok());
    let media = sign("wss://voice.example.com/media/", &[]);
    assert!(handshake(&public(), "/media", &media, &[]).is_ok());
    // Not the other way round: a request to `/media/` was not signed as `/media`.
    let plain = sign("wss://voice.example.com/media", &[]);
    assert!(handshake(&public(), "/media/", &plain, &[]).is_err());
}

#[test]
fn the_https_form_of_the_url_is_refused() {
    let signature = sign("https://voice.example.com/media", &[]);
    let (reason, hints) = handshake(&public(), "/media", &signature, &[]).unwrap_err();
    assert_eq!(reason, RejectionReason::SignatureMismatch);
    assert!(hints.contains(&Hint::WebSocketHandshake), "{hints:?}");
}

#[test]
fn a_handshake_signature_does_not_verify_a_plain_get() {
    let signature = sign("wss://voice.example.com/media", &[]);
    let headers = [("X-Twilio-Signature", signature.as_str())];
    let plain = WebhookRequest::new("GET", "/media").headers(&headers);
    assert_eq!(
        public().verify(&plain).unwrap_err().reason(),
        &RejectionReason::SignatureMismatch
    );
    // …nor a POST that carries the upgrade headers: only a GET upgrades.
    let headers = [
        UPGRADE[0],
        UPGRADE[1],
        ("X-Twilio-Signature", signature.as_str()),
    ];
    let post = WebhookRequest::new("POST", "/media").headers(&headers);
    assert!(public().verify(&post).is_err());
    // An adapter may say it is a handshake whatever the headers are.
    let headers = [("X-Twilio-Signature", signature.as_str())];
    let explicit = WebhookRequest::new("GET", "/media")
        .headers(&headers)
        .websocket_handshake(true);
    assert!(public().verify(&explicit).is_ok());
}

#[test]
fn the_query_cannot_be_changed_in_the_url_form() {
    let signature = sign("wss://voice.example.com/relay?agent=sales", &[]);
    for target in [
        "/relay?agent=admin",
        "/relay?agent=sales&x=1",
        "/relay",
        "/other?agent=sales",
    ] {
        assert!(
            handshake(&public(), target, &signature, &[]).is_err(),
            "{target}"
        );
    }
}

#[test]
fn forwarded_https_means_wss() {
    let config = Config::builder()
        .auth_token(TOKEN)
        .trust_forwarded_headers(ForwardedHeaders::XForwarded)
        .build()
        .unwrap();
    let signature = sign("wss://edge.example.com/media", &[]);
    let proxied = [
        ("Host", "10.0.0.5:8080"),
        ("X-Forwarded-Proto", "https"),
        ("X-Forwarded-Host", "edge.example.com"),
    ];
    assert_eq!(
        handshake(&config, "/media", &signature, &proxied).unwrap(),
        "wss://edge.example.com/media"
    );
    // Plain http in front: ws://.
    let signature = sign("ws://edge.example.com/media", &[]);
    let plain = [("Host", "edge.example.com"), ("X-Forwarded-Proto", "http")];
    assert!(handshake(&config, "/media", &signature, &plain).is_ok());
}

#[test]
fn a_handshake_with_a_body_is_refused() {
    let signature = sign("wss://voice.example.com/media", &[]);
    let headers = [
        UPGRADE[0],
        UPGRADE[1],
        ("X-Twilio-Signature", signature.as_str()),
    ];
    let req = WebhookRequest::new("GET", "/media")
        .headers(&headers)
        .body(b"smuggled");
    assert!(public().verify(&req).is_err());
}

proptest! {
    /// Whatever the path and query, each of the candidate forms verifies and the `https`
    /// form, another path or another query does not.
    #[test]
    fn every_candidate_form_verifies_and_nothing_else(
        path in "/[a-z]{1,8}(/[a-z0-9]{1,6}){0,2}",
        query in proptest::collection::vec(("[a-z]{1,5}", "[a-zA-Z0-9]{0,6}"), 0..4),
        form in 0usize..4,
    ) {
        let raw_query: Vec<String> = query.iter().map(|(n, v)| format!("{n}={v}")).collect();
        let raw_query = raw_query.join("&");
        let target = if raw_query.is_empty() {
            path.clone()
        } else {
            format!("{path}?{raw_query}")
        };
        let base = format!("wss://voice.example.com{path}");
        let with_query = format!("wss://voice.example.com{target}");
        let slash = |url: &str| match url.split_once('?') {
            Some((p, q)) => format!("{p}/?{q}"),
            None => format!("{url}/"),
        };
        let params: Vec<(&str, &str)> =
            query.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let signature = match form {
            0 => sign(&with_query, &[]),
            1 => sign(&base, &params),
            2 => sign(&slash(&with_query), &[]),
            _ => sign(&slash(&base), &params),
        };
        prop_assert!(handshake(&public(), &target, &signature, &[]).is_ok());
        let https = sign(&with_query.replacen("wss", "https", 1), &[]);
        prop_assert!(handshake(&public(), &target, &https, &[]).is_err());
        let elsewhere = format!("/x{target}");
        prop_assert!(handshake(&public(), &elsewhere, &signature, &[]).is_err());
        let more = if raw_query.is_empty() { format!("{target}?z=1") } else { format!("{target}&zz=1") };
        prop_assert!(handshake(&public(), &more, &signature, &[]).is_err());
    }
}
