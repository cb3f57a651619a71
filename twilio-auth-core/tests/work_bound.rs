//! The bound on the work one request can cause (`twilio_auth_core::attempts`, the form body
//! limit): a forged request costs at most a few HMACs of its own size, however many
//! candidate URLs, secrets and parameter orderings it brings; a small request still gets
//! every candidate; an over-limit form is refused before any HMAC.

use twilio_auth_core::attempts::{HMAC_FIXED_COST, MIN_SIGNATURE_WORK, SIGNATURE_WORK_FACTOR};
use twilio_auth_core::{
    Config, DEFAULT_FORM_BODY_LIMIT, Hint, RejectionReason, Signer, WebhookRequest,
};

#[path = "support/worst_case.rs"]
mod worst_case;
use worst_case::{FORM, HOST, PATH_AND_QUERY, SECONDARY, TOKEN, at_the_limit, worst_case};

fn request<'a>(headers: &'a [(&'a str, &'a str); 3], body: &'a [u8]) -> WebhookRequest<'a> {
    WebhookRequest::new("POST", PATH_AND_QUERY)
        .headers(headers)
        .body(body)
}

/// Bytes hashed by the attempts `config.explain` reports.
fn attempts_and_bytes(config: &Config, req: &WebhookRequest<'_>) -> (usize, usize) {
    let explanation = config.explain(req);
    let bytes = explanation
        .attempts
        .iter()
        .map(|a| a.signed_string.len() + HMAC_FIXED_COST)
        .sum();
    (explanation.attempts.len(), bytes)
}

#[test]
fn a_forged_worst_case_costs_at_most_the_work_factor_in_hmacs() {
    let case = at_the_limit();
    let headers = [
        ("Host", HOST),
        ("Content-Type", FORM),
        ("X-Twilio-Signature", case.valid_signature.as_str()),
    ];
    // The valid request: one HMAC.
    let valid = request(&headers, &case.body);
    assert!(case.config.verify(&valid).is_ok());
    let (valid_attempts, valid_bytes) = attempts_and_bytes(&case.config, &valid);
    assert_eq!(valid_attempts, 1);

    let headers = [
        ("Host", HOST),
        ("Content-Type", FORM),
        ("X-Twilio-Signature", case.forged_signature.as_str()),
    ];
    let forged = request(&headers, &case.body);
    let (attempts, bytes) = attempts_and_bytes(&case.config, &forged);
    // Unbounded, this request would cost 24 HMACs (see `support/worst_case.rs`).
    assert!(attempts <= SIGNATURE_WORK_FACTOR, "{attempts} attempts");
    assert!(
        attempts >= 4,
        "{attempts} attempts: the budget is spent, not skipped"
    );
    // The budget counts the URL twice: candidates may be longer than the URL rebuilt.
    assert!(
        bytes <= SIGNATURE_WORK_FACTOR * (valid_bytes + case.url.len()),
        "{bytes} bytes hashed, a valid request {valid_bytes}"
    );
    let rejection = case.config.verify(&forged).unwrap_err();
    assert_eq!(rejection.status(), 403);
    assert!(matches!(
        rejection.reason(),
        RejectionReason::SignatureMismatch
    ));
    // The log names the URLs compared, and why the others were not.
    let urls_tried = rejection.candidate_urls().len();
    assert!((1..6).contains(&urls_tried), "{urls_tried}");
    assert!(
        rejection
            .hints()
            .contains(&Hint::SignatureWorkLimit { urls_tried }),
        "{:?}",
        rejection.hints()
    );
    let line = rejection.log_event().to_string();
    assert!(
        line.contains(&format!(
            "hint: only the first {urls_tried} candidate URL(s) were compared"
        )),
        "{line}"
    );
}

#[test]
fn what_twilio_signs_still_verifies_within_the_budget() {
    // Signed by the secondary token, for the URL with `:443`: the sixth attempt of a
    // large body with two orderings.
    let case = at_the_limit();
    let url = format!("https://{HOST}:443{PATH_AND_QUERY}");
    let signature = Signer::new(SECONDARY).sign_form_body(&url, &case.body);
    let headers = [
        ("Host", HOST),
        ("Content-Type", FORM),
        ("X-Twilio-Signature", signature.as_str()),
    ];
    let verified = case.config.verify(&request(&headers, &case.body)).unwrap();
    assert_eq!(verified.signature.unwrap().url, url);
}

#[test]
fn a_request_without_a_body_gets_every_candidate() {
    let config = Config::builder()
        .auth_token(TOKEN)
        .secondary_auth_token(SECONDARY)
        .build()
        .unwrap();
    // The last candidate (both quotes as `'`, with `:443`) and the last key.
    let last = format!("https://{HOST}:443/twilio/status?name=O'Brien&alt=O'Brien");
    let signature = Signer::new(SECONDARY).sign_url(&last);
    let headers = [("Host", HOST), ("X-Twilio-Signature", signature.as_str())];
    let req =
        WebhookRequest::new("GET", "/twilio/status?name=O'Brien&alt=O%27Brien").headers(&headers);
    let (attempts, bytes) = attempts_and_bytes(&config, &req);
    assert_eq!(attempts, 12, "six URLs, two keys");
    assert!(bytes <= MIN_SIGNATURE_WORK);
    assert_eq!(config.verify(&req).unwrap().signature.unwrap().url, last);
}

#[test]
fn a_form_over_the_form_limit_is_refused_and_json_of_that_size_is_not() {
    let case = worst_case(DEFAULT_FORM_BODY_LIMIT + 1);
    let headers = [
        ("Host", HOST),
        ("Content-Type", FORM),
        ("X-Twilio-Signature", case.valid_signature.as_str()),
    ];
    let req = request(&headers, &case.body);
    let rejection = case.config.verify(&req).unwrap_err();
    assert_eq!(rejection.status(), 413);
    assert_eq!(
        rejection.reason(),
        &RejectionReason::BodyTooLarge {
            limit: DEFAULT_FORM_BODY_LIMIT
        }
    );
    // Refused before any comparison.
    assert!(case.config.explain(&req).attempts.is_empty());

    // A JSON body (Event Streams) of twice that size: hashed once, accepted.
    let json = format!(
        "{{\"data\":\"{}\"}}",
        "a".repeat(2 * DEFAULT_FORM_BODY_LIMIT)
    );
    let signed = Signer::new(TOKEN).sign_body(&format!("https://{HOST}/events"), json.as_bytes());
    let path = signed.url.strip_prefix(&format!("https://{HOST}")).unwrap();
    let headers = [
        ("Host", HOST),
        ("Content-Type", "application/json"),
        ("X-Twilio-Signature", signed.signature.as_str()),
    ];
    let req = WebhookRequest::new("POST", path)
        .headers(&headers)
        .body(json.as_bytes());
    assert!(case.config.verify(&req).is_ok());
}

#[test]
fn the_form_limit_is_configurable_and_never_above_the_body_limit() {
    let case = worst_case(DEFAULT_FORM_BODY_LIMIT + 1);
    let raised = Config::builder()
        .auth_token(TOKEN)
        .form_body_limit(1 << 20)
        .build()
        .unwrap();
    assert_eq!(raised.form_body_limit(), 1 << 20);
    let headers = [
        ("Host", HOST),
        ("Content-Type", FORM),
        ("X-Twilio-Signature", case.valid_signature.as_str()),
    ];
    assert!(raised.verify(&request(&headers, &case.body)).is_ok());
    assert!(
        raised
            .summary()
            .to_string()
            .ends_with("body limit: 1048576 bytes")
    );

    let capped = Config::builder()
        .auth_token(TOKEN)
        .body_limit(1000)
        .form_body_limit(1 << 20)
        .build()
        .unwrap();
    assert_eq!(capped.form_body_limit(), 1000);
    assert!(
        Config::builder()
            .auth_token(TOKEN)
            .form_body_limit(0)
            .build()
            .is_err()
    );
    let default = Config::builder().auth_token(TOKEN).build().unwrap();
    assert!(
        default
            .summary()
            .to_string()
            .ends_with("body limit: 1048576 bytes (65536 for forms)")
    );
}

#[test]
fn the_eighth_attempt_fits_a_login_during_rotation() {
    use twilio_auth_core::http_auth::HttpAuthConfig;
    use twilio_auth_core::policy::{Basic, Policy};

    let http_auth = HttpAuthConfig::builder("twilio")
        .credential("twilio", "s3cret-pass")
        .build()
        .unwrap();
    let config = Config::builder()
        .auth_token(TOKEN)
        .secondary_auth_token(SECONDARY)
        .http_auth(http_auth)
        .build()
        .unwrap();
    // The URL with the login and `:443`, signed with the old token: after the URL, the URL
    // with `:443` and the URL with the login, each with both tokens.
    // A voice webhook's size: its budget is 8 HMACs of it, not the 4 KiB minimum.
    let filler = "a".repeat(600);
    let params = [("CallSid", "CA1"), ("Filler", filler.as_str())];
    let body = twilio_auth_core::form::encode(&params);
    let signed_url = format!("https://twilio:s3cret-pass@{HOST}:443/voice");
    let signature = Signer::new(SECONDARY).sign_form(&signed_url, &params);
    let headers = [
        ("Host", HOST),
        ("Content-Type", FORM),
        ("X-Twilio-Signature", signature.as_str()),
        ("Authorization", "Basic dHdpbGlvOnMzY3JldC1wYXNz"),
    ];
    let req = WebhookRequest::new("POST", "/voice")
        .headers(&headers)
        .body(body.as_bytes());
    let verified = config.verify_with(&req, Basic::ROUTE).unwrap();
    assert_eq!(verified.user.as_deref(), Some("twilio"));
}

/// Bytes hashed by the diagnosis's guesses (`Explanation::guesses`), and how many.
fn guesses_and_bytes(config: &Config, req: &WebhookRequest<'_>) -> (usize, usize) {
    let explanation = config.explain(req);
    let bytes = explanation
        .guesses
        .iter()
        .map(|a| a.signed_string.len() + HMAC_FIXED_COST)
        .sum();
    (explanation.guesses.len(), bytes)
}

#[test]
fn a_diagnosis_at_most_doubles_the_work_of_a_forged_refusal() {
    use twilio_auth_core::attempts::MAX_DIAGNOSTIC_HMACS;

    // The worst case, and a plain 64 KiB form with one token: the guesses hash no more
    // bytes than the refusal did, so the diagnosed refusal costs at most twice as much.
    let case = at_the_limit();
    let mut plain = b"CallSid=CA1&Filler=".to_vec();
    plain.resize(DEFAULT_FORM_BODY_LIMIT, b'a');
    let one_token = Config::builder().auth_token(TOKEN).build().unwrap();
    for (name, config, body) in [
        ("worst case", &case.config, &case.body),
        ("plain 64 KiB", &one_token, &plain),
    ] {
        let headers = [
            ("Host", HOST),
            ("Content-Type", FORM),
            ("X-Twilio-Signature", case.forged_signature.as_str()),
        ];
        let forged = request(&headers, body);
        let (_, refusal_bytes) = attempts_and_bytes(config, &forged);
        let (guesses, guess_bytes) = guesses_and_bytes(config, &forged);
        assert!(guesses >= 1, "{name}: the diagnosis ran");
        assert!(guesses <= MAX_DIAGNOSTIC_HMACS, "{name}: {guesses} guesses");
        assert!(
            guess_bytes <= refusal_bytes,
            "{name}: {guess_bytes} bytes guessed, {refusal_bytes} refused"
        );
        assert!(config.verify(&forged).unwrap_err().diagnosis().is_none());
    }

    // A small request: every guess it has, up to the cap, within the minimum work.
    let config = Config::builder().auth_token(TOKEN).build().unwrap();
    let headers = [
        ("Host", HOST),
        ("X-Twilio-Signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="),
    ];
    let req = WebhookRequest::new("GET", "/a/b?x=1+2&y=%3A%20").headers(&headers);
    let (guesses, bytes) = guesses_and_bytes(&config, &req);
    assert_eq!(guesses, MAX_DIAGNOSTIC_HMACS);
    assert!(bytes <= MIN_SIGNATURE_WORK);
    // Off: no guess at all.
    let off = Config::builder()
        .auth_token(TOKEN)
        .diagnose_refusals(false)
        .build()
        .unwrap();
    assert_eq!(guesses_and_bytes(&off, &req), (0, 0));
}
