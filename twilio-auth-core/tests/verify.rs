//! Verification behaviour beyond the official vectors: secrets (rotation, sub-accounts,
//! SharedKeys), body-hash rules, URL policies and rejection details.

use twilio_auth_core::{
    Algorithm, Config, Headers, KeySource, RejectionReason, Signer, WebhookRequest, form,
};

const FORM: &str = "application/x-www-form-urlencoded";
const URL: &str = "https://example.com/voice";

fn post_form<'a>(url: &'a str, headers: &'a dyn Headers, body: &'a [u8]) -> WebhookRequest<'a> {
    WebhookRequest::from_url("POST", url)
        .headers(headers)
        .body(body)
}

#[test]
fn secondary_token_is_accepted_during_rotation() {
    let config = Config::builder()
        .auth_token("new")
        .secondary_auth_token("old")
        .build()
        .unwrap();
    let body = form::encode(&[("CallSid", "CA1")]);
    for (token, source) in [
        ("new", KeySource::PrimaryToken),
        ("old", KeySource::SecondaryToken),
    ] {
        let sig = Signer::new(token).sign_form(URL, &[("CallSid", "CA1")]);
        let headers = [("X-Twilio-Signature", sig.as_str()), ("Content-Type", FORM)];
        let verified = config
            .verify(&post_form(URL, &headers, body.as_bytes()))
            .unwrap();
        assert_eq!(verified.key(), Some(&source));
    }
    let sig = Signer::new("other").sign_form(URL, &[("CallSid", "CA1")]);
    let headers = [("X-Twilio-Signature", sig.as_str()), ("Content-Type", FORM)];
    assert_eq!(
        config
            .verify(&post_form(URL, &headers, body.as_bytes()))
            .unwrap_err()
            .reason(),
        &RejectionReason::SignatureMismatch
    );
}

#[test]
fn sub_account_token_is_chosen_by_account_sid() {
    let config = Config::builder()
        .auth_token("main")
        .account_token("ACsub", "subtoken")
        .build()
        .unwrap();
    let params = [("AccountSid", "ACsub"), ("CallSid", "CA1")];
    let body = form::encode(&params);
    let sig = Signer::new("subtoken").sign_form(URL, &params);
    let headers = [("X-Twilio-Signature", sig.as_str()), ("Content-Type", FORM)];
    let verified = config
        .verify(&post_form(URL, &headers, body.as_bytes()))
        .unwrap();
    assert_eq!(verified.key(), Some(&KeySource::Account("ACsub".into())));

    // The main token does not sign for the sub-account, nor the sub-account's for others.
    let sig = Signer::new("main").sign_form(URL, &params);
    let headers = [("X-Twilio-Signature", sig.as_str()), ("Content-Type", FORM)];
    assert_eq!(
        config
            .verify(&post_form(URL, &headers, body.as_bytes()))
            .unwrap_err()
            .reason(),
        &RejectionReason::SignatureMismatch
    );
    let other = [("AccountSid", "ACother"), ("CallSid", "CA1")];
    let body = form::encode(&other);
    let sig = Signer::new("subtoken").sign_form(URL, &other);
    let headers = [("X-Twilio-Signature", sig.as_str()), ("Content-Type", FORM)];
    assert_eq!(
        config
            .verify(&post_form(URL, &headers, body.as_bytes()))
            .unwrap_err()
            .reason(),
        &RejectionReason::SignatureMismatch
    );

    // GET callbacks carry AccountSid in the query.
    let url = "https://example.com/status?AccountSid=ACsub&CallStatus=completed";
    let sig = Signer::new("subtoken").sign_url(url);
    let headers = [("X-Twilio-Signature", sig.as_str())];
    assert!(
        config
            .verify(&WebhookRequest::from_url("GET", url).headers(&headers))
            .is_ok()
    );
}

#[test]
fn shared_key_with_hmac_sha256() {
    let config = Config::builder()
        .auth_token("main")
        .shared_key("KS1", "shared-secret", Algorithm::HmacSha256)
        .build()
        .unwrap();
    let params = [("CallSid", "CA1")];
    let body = form::encode(&params);
    let sig =
        Signer::with_algorithm("shared-secret", Algorithm::HmacSha256).sign_form(URL, &params);
    assert_eq!(sig.len(), 44);
    let settings = "key=KS1,algorithm=HMAC_SHA256";
    let headers = [
        ("X-Twilio-Signature", sig.as_str()),
        ("Content-Type", FORM),
        ("X-Twilio-Webhooks-Signature-Settings", settings),
    ];
    let verified = config
        .verify(&post_form(URL, &headers, body.as_bytes()))
        .unwrap();
    assert_eq!(
        verified.signature.as_ref().map(|s| s.algorithm),
        Some(Algorithm::HmacSha256)
    );
    assert_eq!(verified.key(), Some(&KeySource::SharedKey("KS1".into())));

    let reason = |settings: &str| {
        let headers = [
            ("X-Twilio-Signature", sig.as_str()),
            ("Content-Type", FORM),
            ("X-Twilio-Webhooks-Signature-Settings", settings),
        ];
        config
            .verify(&post_form(URL, &headers, body.as_bytes()))
            .unwrap_err()
            .reason()
            .clone()
    };
    assert_eq!(
        reason("key=KS1,algorithm=HMAC_MD5"),
        RejectionReason::UnknownAlgorithm
    );
    assert_eq!(
        reason("key=KS2,algorithm=HMAC_SHA256"),
        RejectionReason::UnknownSharedKey
    );
    assert_eq!(
        reason("algorithm=HMAC_SHA256"),
        RejectionReason::UnknownSharedKey
    );
    // The key is configured for SHA-256: the request may not name another algorithm.
    assert_eq!(
        reason("key=KS1,algorithm=HMAC_SHA1"),
        RejectionReason::SharedKeyAlgorithmMismatch
    );
}

#[test]
fn body_hash_rules() {
    let config = Config::builder().auth_token("t").build().unwrap();
    let body = br#"{"a":1}"#;
    let signed = Signer::new("t").sign_body("https://example.com/events", body);
    let check = |url: &str, body: &[u8], ct: Option<&str>| {
        let sig = Signer::new("t").sign_url(url);
        let mut headers = vec![("X-Twilio-Signature", sig)];
        if let Some(ct) = ct {
            headers.push(("Content-Type", ct.to_owned()));
        }
        config
            .verify(
                &WebhookRequest::from_url("POST", url)
                    .headers(&headers)
                    .body(body),
            )
            .map_err(|r| r.reason().clone())
    };
    assert!(check(&signed.url, body, Some("application/json")).is_ok());
    assert_eq!(
        check(&signed.url, b"{\"a\":2}", Some("application/json")).unwrap_err(),
        RejectionReason::BodyHashMismatch
    );
    assert_eq!(
        check("https://example.com/events", body, Some("application/json")).unwrap_err(),
        RejectionReason::MissingBodyHash
    );
    // Even an empty JSON body needs the hash.
    assert_eq!(
        check("https://example.com/events", b"", Some("application/json")).unwrap_err(),
        RejectionReason::MissingBodyHash
    );
    // Upper-case hex is not what Twilio sends: only the hex changes (the parameter name
    // and the rest of the URL stay as signed, and `check` signs the changed URL), so the
    // hash comparison itself is what refuses.
    let hex = &signed.url[signed.url.len() - 64..];
    assert!(hex.bytes().any(|b| b.is_ascii_lowercase()), "{hex}");
    let upper = signed.url.replace(hex, &hex.to_ascii_uppercase());
    assert!(upper.contains("bodySHA256="), "{upper}");
    assert_eq!(
        check(&upper, body, Some("application/json")).unwrap_err(),
        RejectionReason::BodyHashMismatch
    );
    // Every occurrence must match.
    let twice_good = format!(
        "{}&bodySHA256={}",
        signed.url,
        &signed.url[signed.url.len() - 64..]
    );
    assert!(check(&twice_good, body, Some("application/json")).is_ok());
    let one_bad = format!("{}&bodySHA256={}", signed.url, "0".repeat(64));
    assert_eq!(
        check(&one_bad, body, Some("application/json")).unwrap_err(),
        RejectionReason::BodyHashMismatch
    );
    // A body without a content type is still a body.
    assert!(check(&signed.url, body, None).is_ok());
    assert_eq!(
        check("https://example.com/events", body, None).unwrap_err(),
        RejectionReason::MissingBodyHash
    );
}

#[test]
fn signature_header_problems() {
    let config = Config::builder().auth_token("t").build().unwrap();
    let reason = |sig: Option<&str>| {
        let mut headers = vec![("Content-Type", FORM)];
        if let Some(sig) = sig {
            headers.push(("X-Twilio-Signature", sig));
        }
        config.verify(&post_form(URL, &headers, b"")).unwrap_err()
    };
    assert_eq!(reason(None).reason(), &RejectionReason::MissingSignature);
    assert_eq!(
        reason(Some("")).reason(),
        &RejectionReason::MissingSignature
    );
    assert_eq!(
        reason(Some("not base64!")).reason(),
        &RejectionReason::MalformedSignature
    );
    assert_eq!(
        reason(Some("AAAA")).reason(),
        &RejectionReason::MalformedSignature
    );
    let sig = Signer::new("t").sign_url(URL);
    assert_eq!(
        reason(Some(&format!(" {sig}"))).reason(),
        &RejectionReason::MalformedSignature
    );
    let mismatch = reason(Some("AAAAAAAAAAAAAAAAAAAAAAAAAAA="));
    assert_eq!(mismatch.reason(), &RejectionReason::SignatureMismatch);
    assert_eq!(mismatch.status(), 403);
    assert_eq!(
        mismatch.candidate_urls(),
        ["https://example.com/voice", "https://example.com:443/voice"]
    );
}

#[test]
fn body_limit_gives_413() {
    let config = Config::builder()
        .auth_token("t")
        .body_limit(10)
        .build()
        .unwrap();
    let headers = [("Content-Type", FORM)];
    let rejection = config
        .verify(&post_form(URL, &headers, &[b'a'; 11]))
        .unwrap_err();
    assert_eq!(rejection.status(), 413);
    assert_eq!(
        rejection.reason(),
        &RejectionReason::BodyTooLarge { limit: 10 }
    );
}

#[test]
fn public_url_policies() {
    let sig = Signer::new("t").sign_url("https://public.example.com/app/status?x=1");
    let with_base = Config::builder()
        .auth_token("t")
        .public_base_url("https://public.example.com/app/")
        .build()
        .unwrap();
    let headers = [
        ("X-Twilio-Signature", sig.as_str()),
        ("Host", "internal:3000"),
    ];
    let req = WebhookRequest::new("GET", "/status?x=1").headers(&headers);
    assert!(with_base.verify(&req).is_ok());

    let sig = Signer::new("t").sign_url("https://public.example.com/status?x=1");
    let forwarded = [
        ("X-Twilio-Signature", sig.as_str()),
        ("Host", "internal:3000"),
        ("X-Forwarded-Proto", "https"),
        ("X-Forwarded-Host", "public.example.com"),
    ];
    let req = WebhookRequest::new("GET", "/status?x=1").headers(&forwarded);
    let trusting = Config::builder()
        .auth_token("t")
        .trust_forwarded_headers(twilio_auth_core::ForwardedHeaders::XForwarded)
        .build()
        .unwrap();
    let ignoring = Config::builder().auth_token("t").build().unwrap();
    assert!(trusting.verify(&req).is_ok());
    let rejection = ignoring.verify(&req).unwrap_err();
    assert_eq!(rejection.reason(), &RejectionReason::SignatureMismatch);
    assert_eq!(
        rejection.candidate_urls()[0],
        "https://internal:3000/status?x=1"
    );

    let no_host = [("X-Twilio-Signature", sig.as_str())];
    let rejection = ignoring
        .verify(&WebhookRequest::new("GET", "/status").headers(&no_host))
        .unwrap_err();
    assert_eq!(
        (rejection.status(), rejection.reason()),
        (400, &RejectionReason::MissingHost)
    );
}

#[test]
fn http_auth_comes_before_the_signature() {
    use twilio_auth_core::RoutePolicy;
    use twilio_auth_core::http_auth::{HttpAuthConfig, HttpAuthFailureReason};
    use twilio_auth_core::policy::HttpAuth;

    let http_auth = HttpAuthConfig::builder("webhooks")
        .credential("twilio", "pa55word")
        .build()
        .unwrap();
    let config = Config::builder()
        .auth_token("t")
        .http_auth(http_auth)
        .build()
        .unwrap();
    let url = "https://twilio:pa55word@example.com/basic/voice";
    let good_sig = Signer::new("t").sign_url(url);
    // base64("twilio:pa55word") and base64("twilio:wrong")
    let good_auth = "Basic dHdpbGlvOnBhNTV3b3Jk";
    let bad_auth = "Basic dHdpbGlvOndyb25n";
    let run = |auth: Option<&str>, sig: &str, route: RoutePolicy| {
        let mut headers = vec![("X-Twilio-Signature", sig)];
        if let Some(auth) = auth {
            headers.push(("Authorization", auth));
        }
        config.verify_with(
            &WebhookRequest::from_url("GET", url).headers(&headers),
            route,
        )
    };
    let basic = RoutePolicy::HttpAuthThenSignature(HttpAuth::Basic);

    let first = run(None, "forged", basic).unwrap_err();
    assert_eq!(
        first.reason(),
        &RejectionReason::HttpAuth(HttpAuthFailureReason::MissingCredentials),
        "no credentials: 401 before the signature is read"
    );
    assert_eq!(
        first.challenges(),
        ["Basic realm=\"webhooks\", charset=\"UTF-8\""]
    );
    let wrong = run(Some(bad_auth), &good_sig, basic).unwrap_err();
    assert_eq!(
        wrong.reason(),
        &RejectionReason::HttpAuth(HttpAuthFailureReason::WrongPassword)
    );
    assert_eq!(wrong.challenges(), first.challenges());
    let forged = run(Some(good_auth), "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", basic).unwrap_err();
    assert_eq!(
        (forged.status(), forged.reason()),
        (403, &RejectionReason::SignatureMismatch)
    );
    let ok = run(Some(good_auth), &good_sig, basic).unwrap();
    assert_eq!(ok.user.as_deref(), Some("twilio"));

    // Either: challenges offer Digest (SHA-256, MD5) and Basic.
    let either = run(
        None,
        &good_sig,
        RoutePolicy::HttpAuthThenSignature(HttpAuth::Either),
    )
    .unwrap_err();
    assert_eq!(
        either.reason(),
        &RejectionReason::HttpAuth(HttpAuthFailureReason::MissingCredentials)
    );
    assert_eq!(either.challenges().len(), 3, "{:?}", either.challenges());
    assert!(either.challenges()[0].starts_with("Digest "));

    // HTTP auth alone, signature explicitly off.
    let no_sig = RoutePolicy::HttpAuthOnly(HttpAuth::Basic);
    assert!(run(Some(good_auth), "forged", no_sig).is_ok());
    assert_eq!(
        run(None, "forged", no_sig).unwrap_err().reason(),
        &RejectionReason::HttpAuth(HttpAuthFailureReason::MissingCredentials)
    );

    // A route that requires HTTP auth on a configuration without credentials.
    let bare = Config::builder().auth_token("t").build().unwrap();
    let headers = [
        ("X-Twilio-Signature", good_sig.as_str()),
        ("Authorization", good_auth),
    ];
    let rejection = bare
        .verify_with(
            &WebhookRequest::from_url("GET", url).headers(&headers),
            basic,
        )
        .unwrap_err();
    assert_eq!(rejection.reason(), &RejectionReason::HttpAuthNotConfigured);
}

#[test]
fn after_an_http_login_the_url_with_credentials_is_a_candidate() {
    use twilio_auth_core::RoutePolicy;
    use twilio_auth_core::http_auth::HttpAuthConfig;
    use twilio_auth_core::policy::HttpAuth;

    let http_auth = HttpAuthConfig::builder("webhooks")
        .credential("twilio", "pa55word")
        .build()
        .unwrap();
    let config = Config::builder()
        .auth_token("t")
        .public_base_url("https://example.com")
        .http_auth(http_auth)
        .build()
        .unwrap();
    // What the official libraries' tests do: sign the URL with its credentials (and :443).
    let signature =
        Signer::new("t").sign_url("https://twilio:pa55word@example.com:443/basic/status");
    let run = |auth: Option<&str>, route: RoutePolicy| {
        let mut headers = vec![("X-Twilio-Signature", signature.as_str())];
        if let Some(auth) = auth {
            headers.push(("Authorization", auth));
        }
        config.verify_with(
            &WebhookRequest::new("GET", "/basic/status").headers(&headers),
            route,
        )
    };
    let basic = RoutePolicy::HttpAuthThenSignature(HttpAuth::Basic);
    let verified = run(Some("Basic dHdpbGlvOnBhNTV3b3Jk"), basic).unwrap();
    assert_eq!(
        verified.url(),
        Some("https://twilio:***@example.com:443/basic/status")
    );
    // Without a login the credentials are unknown, so that signature cannot match.
    let rejection = run(None, RoutePolicy::default()).unwrap_err();
    assert_eq!(rejection.reason(), &RejectionReason::SignatureMismatch);
}

#[test]
fn a_base_url_password_never_reaches_debug_or_errors() {
    let builder = Config::builder()
        .auth_token("t")
        .public_base_url("https://twilio:hunter2@example.com");
    assert!(!format!("{builder:?}").contains("hunter2"));
    let config = builder.build().unwrap();
    assert!(!format!("{config:?}").contains("hunter2"), "{config:?}");
    let err = Config::builder()
        .auth_token("t")
        .public_base_url("https://twilio:hunter2@example.com?q")
        .build()
        .unwrap_err();
    assert!(!err.to_string().contains("hunter2"), "{err}");
}

#[test]
fn a_target_that_does_not_start_with_a_slash_is_refused() {
    let config = Config::builder()
        .auth_token("t")
        .public_base_url("https://voice.example.com")
        .build()
        .unwrap();
    for target in [".evil.com/voice", "@evil.com/voice", ":8443/voice", "*"] {
        let sig = Signer::new("t").sign_url(&format!("https://voice.example.com{target}"));
        let headers = [("X-Twilio-Signature", sig.as_str())];
        let rejection = config
            .verify(&WebhookRequest::new("GET", target).headers(&headers))
            .unwrap_err();
        assert_eq!(
            (rejection.status(), rejection.reason()),
            (400, &RejectionReason::InvalidUrl),
            "{target}"
        );
    }
    let headers = [
        ("Host", "[::1]evil.example"),
        ("X-Twilio-Signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="),
    ];
    let from_host = Config::builder().auth_token("t").build().unwrap();
    let rejection = from_host
        .verify(&WebhookRequest::new("GET", "/status").headers(&headers))
        .unwrap_err();
    assert_eq!(
        (rejection.status(), rejection.reason()),
        (400, &RejectionReason::InvalidHost)
    );
}
