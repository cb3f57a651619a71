//! HTTP Basic (RFC 7617) and Digest (RFC 7616) authentication through the public API: the RFC
//! examples, full challenge → response → check round trips, every refusal reason, and a
//! deterministic garbage-header run that must never panic.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use twilio_auth_core::http_auth::{
    Credentials, DigestAlgorithm, DigestResponseInput, HttpAuthConfig, HttpAuthFailure,
    HttpAuthFailureReason, HttpAuthRequirement, HttpAuthScheme, MAX_AUTHORIZATION_LEN,
    MalformedAuthorization, NonceSecret, decode_basic_credentials, digest_response,
    parse_authorization,
};

const REALM: &str = "http-auth@example.org";
const USER: &str = "Mufasa";
const PASSWORD: &str = "Circle of Life";
const NOW: u64 = 1_700_000_000;
const TARGET: &str = "/dir/index.html?CallSid=CA123&x=%20y";

fn secret(label: &str) -> NonceSecret {
    NonceSecret::new(format!("nonce secret for tests: {label}").into_bytes()).unwrap()
}

fn config_with_secret(label: &str) -> HttpAuthConfig {
    HttpAuthConfig::builder(REALM)
        .credential(USER, PASSWORD)
        .credential("Aladdin", "open sesame")
        .credential("test", "123\u{a3}")
        .nonce_secret(secret(label))
        .build()
        .unwrap()
}

fn config() -> HttpAuthConfig {
    config_with_secret("a")
}

/// What a client would send back for `challenge`, with each parameter overridable.
struct DigestClient<'a> {
    user: &'a str,
    password: &'a str,
    method: &'a str,
    uri: &'a str,
    algorithm: Option<DigestAlgorithm>,
    nonce_override: Option<&'a str>,
    /// Parameters appended verbatim or replacing the generated ones, by name (`None` drops it).
    overrides: Vec<(&'a str, Option<&'a str>)>,
}

impl<'a> DigestClient<'a> {
    fn new() -> Self {
        Self {
            user: USER,
            password: PASSWORD,
            method: "POST",
            uri: TARGET,
            algorithm: Some(DigestAlgorithm::Sha256),
            nonce_override: None,
            overrides: Vec::new(),
        }
    }

    fn set(mut self, name: &'a str, value: Option<&'a str>) -> Self {
        self.overrides.push((name, value));
        self
    }

    fn header(&self, challenge: &str) -> String {
        let Ok(Credentials::Digest(params)) = parse_authorization(challenge) else {
            panic!("not a Digest challenge: {challenge}");
        };
        let nonce = self
            .nonce_override
            .unwrap_or_else(|| params.get("nonce").unwrap());
        let response = digest_response(
            self.algorithm.unwrap_or(DigestAlgorithm::Md5),
            &DigestResponseInput {
                username: self.user,
                realm: params.get("realm").unwrap(),
                password: self.password,
                method: self.method,
                uri: self.uri,
                nonce,
                nc: "00000001",
                cnonce: "0a4f113b",
                qop: "auth",
            },
        );
        let mut fields: Vec<(&str, String)> = vec![
            ("username", quoted(self.user)),
            ("realm", quoted(params.get("realm").unwrap())),
            ("nonce", quoted(nonce)),
            ("uri", quoted(self.uri)),
            ("qop", "auth".to_owned()),
            ("nc", "00000001".to_owned()),
            ("cnonce", quoted("0a4f113b")),
            ("response", quoted(&response)),
            ("opaque", quoted(params.get("opaque").unwrap())),
        ];
        if let Some(algorithm) = self.algorithm {
            fields.push(("algorithm", algorithm.as_str().to_owned()));
        }
        for (name, value) in &self.overrides {
            fields.retain(|(existing, _)| existing != name);
            if let Some(value) = value {
                fields.push((name, (*value).to_owned()));
            }
        }
        let joined: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("Digest {}", joined.join(", "))
    }
}

fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

fn check_digest(
    config: &HttpAuthConfig,
    header: &str,
    now: u64,
) -> Result<String, HttpAuthFailure> {
    config
        .check(
            HttpAuthRequirement::Digest,
            "POST",
            TARGET,
            Some(header),
            now,
        )
        .map(|user| user.unwrap().user().to_owned())
}

fn first_challenge(config: &HttpAuthConfig, now: u64) -> String {
    config.challenges(HttpAuthRequirement::Digest, now)[0].clone()
}

fn reason(result: Result<String, HttpAuthFailure>) -> HttpAuthFailureReason {
    result.unwrap_err().reason()
}

// ---------------------------------------------------------------- RFC examples

fn rfc_7616_response(algorithm: DigestAlgorithm) -> String {
    digest_response(
        algorithm,
        &DigestResponseInput {
            username: USER,
            realm: REALM,
            password: PASSWORD,
            method: "GET",
            uri: "/dir/index.html",
            nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
            nc: "00000001",
            cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
            qop: "auth",
        },
    )
}

#[test]
fn rfc_7616_sha256_worked_example() {
    assert_eq!(
        rfc_7616_response(DigestAlgorithm::Sha256),
        "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
    );
}

#[test]
fn rfc_7616_md5_worked_example() {
    assert_eq!(
        rfc_7616_response(DigestAlgorithm::Md5),
        "8ca523f5e9506fed4657c9700eebdbec"
    );
}

#[test]
fn rfc_7616_authorization_header_parses() {
    // The SHA-256 Authorization header of RFC 7616 §3.9.1, as printed there.
    let header = r#"Digest username="Mufasa",
        realm="http-auth@example.org",
        uri="/dir/index.html",
        algorithm=SHA-256,
        nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
        nc=00000001,
        cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
        qop=auth,
        response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
        opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#
        .replace(['\n'], "");
    let Ok(Credentials::Digest(params)) = parse_authorization(&header) else {
        panic!("RFC header did not parse");
    };
    assert_eq!(params.len(), 10);
    assert_eq!(
        params.get("cnonce"),
        Some("f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ")
    );
    assert_eq!(params.get("algorithm"), Some("SHA-256"));
    // Not our nonce, so our server refuses it, for that reason and no other.
    let request_config = config();
    let failure = request_config
        .check(
            HttpAuthRequirement::Digest,
            "GET",
            "/dir/index.html",
            Some(&header),
            NOW,
        )
        .unwrap_err();
    assert_eq!(failure.reason(), HttpAuthFailureReason::OpaqueMismatch);
}

#[test]
fn rfc_7617_examples() {
    assert_eq!(
        STANDARD.encode("Aladdin:open sesame"),
        "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
    );
    assert_eq!(STANDARD.encode("test:123\u{a3}"), "dGVzdDoxMjPCow==");
    assert_eq!(
        decode_basic_credentials("QWxhZGRpbjpvcGVuIHNlc2FtZQ=="),
        Ok(("Aladdin".to_owned(), "open sesame".to_owned()))
    );
    for (header, user) in [
        ("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "Aladdin"),
        ("Basic dGVzdDoxMjPCow==", "test"),
    ] {
        let authenticated = config()
            .check(
                HttpAuthRequirement::Basic,
                "POST",
                TARGET,
                Some(header),
                NOW,
            )
            .unwrap()
            .unwrap();
        assert_eq!(authenticated.user(), user);
        assert_eq!(authenticated.scheme(), HttpAuthScheme::Basic);
    }
}

// ---------------------------------------------------------------- challenges

/// What each `WWW-Authenticate` value offers: `Basic`, `Digest SHA-256`, `Digest MD5`, or
/// `unexpected` for anything else (a Digest challenge must carry a fresh, unstale nonce).
fn challenge_kinds(challenges: &[String]) -> Vec<&'static str> {
    let basic = r#"Basic realm="http-auth@example.org", charset="UTF-8""#;
    let digest = r#"Digest realm="http-auth@example.org", qop="auth", algorithm="#;
    challenges
        .iter()
        .map(|c| {
            if c == basic {
                "Basic"
            } else if !c.starts_with(digest) || c.contains("stale") {
                "unexpected"
            } else if c.contains("algorithm=SHA-256,") {
                "Digest SHA-256"
            } else if c.contains("algorithm=MD5,") {
                "Digest MD5"
            } else {
                "unexpected"
            }
        })
        .collect()
}

#[test]
fn challenges_follow_the_requirement() {
    let config = config();
    let cases = [
        (HttpAuthRequirement::Basic, vec!["Basic"]),
        (
            HttpAuthRequirement::Digest,
            vec!["Digest SHA-256", "Digest MD5"],
        ),
        (
            HttpAuthRequirement::Either,
            vec!["Digest SHA-256", "Digest MD5", "Basic"],
        ),
    ];
    for (requirement, expected) in cases {
        let failure = config
            .check(requirement, "POST", TARGET, None, NOW)
            .unwrap_err();
        assert_eq!(failure.reason(), HttpAuthFailureReason::MissingCredentials);
        assert!(!failure.is_stale());
        assert_eq!(
            challenge_kinds(failure.challenges()),
            expected,
            "{requirement:?}: {:?}",
            failure.challenges()
        );
    }
}

#[test]
fn digest_challenge_has_every_required_parameter() {
    let config = config();
    let challenges = config.challenges(HttpAuthRequirement::Digest, NOW);
    let mut nonces = Vec::new();
    for challenge in &challenges {
        assert!(
            challenge
                .starts_with("Digest realm=\"http-auth@example.org\", qop=\"auth\", algorithm=")
        );
        let Ok(Credentials::Digest(params)) = parse_authorization(challenge) else {
            panic!("challenge does not parse: {challenge}");
        };
        assert_eq!(params.get("qop"), Some("auth"));
        assert!(params.get("opaque").is_some_and(|o| !o.is_empty()));
        assert_eq!(params.get("stale"), None);
        nonces.push(params.get("nonce").unwrap().to_owned());
    }
    assert_eq!(nonces[0], nonces[1], "both algorithms share one nonce");
    let later = config.challenges(HttpAuthRequirement::Digest, NOW + 1);
    assert!(
        !later[0].contains(&nonces[0]),
        "a later challenge has a fresh nonce"
    );
}

#[test]
fn realm_is_escaped_in_challenges() {
    let config = HttpAuthConfig::builder(r#"say "hi" \o/"#)
        .credential("u", "p")
        .build()
        .unwrap();
    let challenges = config.challenges(HttpAuthRequirement::Either, NOW);
    assert_eq!(
        challenges[2],
        r#"Basic realm="say \"hi\" \\o/", charset="UTF-8""#
    );
    let Ok(Credentials::Digest(params)) = parse_authorization(&challenges[0]) else {
        panic!("challenge does not parse");
    };
    assert_eq!(params.get("realm"), Some(r#"say "hi" \o/"#));
}

#[test]
fn no_requirement_ignores_the_header() {
    for header in [None, Some("garbage \"")] {
        assert_eq!(
            config().check(HttpAuthRequirement::None, "POST", TARGET, header, NOW),
            Ok(None)
        );
    }
}

// ---------------------------------------------------------------- Basic

fn basic_header(user: &str, password: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
}

fn check_basic(header: &str) -> Result<String, HttpAuthFailure> {
    config()
        .check(
            HttpAuthRequirement::Basic,
            "POST",
            TARGET,
            Some(header),
            NOW,
        )
        .map(|user| user.unwrap().user().to_owned())
}

#[test]
fn basic_accepts_every_configured_pair() {
    let rotated = HttpAuthConfig::builder(REALM)
        .credential("twilio", "old")
        .credential("twilio", "new")
        .build()
        .unwrap();
    for password in ["old", "new"] {
        let result = rotated.check(
            HttpAuthRequirement::Basic,
            "POST",
            TARGET,
            Some(&basic_header("twilio", password)),
            NOW,
        );
        assert_eq!(result.unwrap().unwrap().user(), "twilio");
    }
    assert_eq!(check_basic(&basic_header(USER, PASSWORD)).unwrap(), USER);
    // Another user's password does not work.
    assert_eq!(
        reason(check_basic(&basic_header(USER, "open sesame"))),
        HttpAuthFailureReason::WrongPassword
    );
}

#[test]
fn basic_refusals() {
    let cases = [
        (
            basic_header(USER, "circle of life"),
            HttpAuthFailureReason::WrongPassword,
        ),
        (basic_header(USER, ""), HttpAuthFailureReason::WrongPassword),
        (
            basic_header("mufasa", PASSWORD),
            HttpAuthFailureReason::UnknownUser,
        ),
        (basic_header("", ""), HttpAuthFailureReason::UnknownUser),
        (
            "Basic bm9jb2xvbg==".to_owned(),
            HttpAuthFailureReason::Malformed(MalformedAuthorization::MissingColon),
        ),
        (
            "Basic Zm9v:YmFy".to_owned(),
            HttpAuthFailureReason::Malformed(MalformedAuthorization::InvalidToken68),
        ),
        (
            "Basic Z===".to_owned(),
            HttpAuthFailureReason::Malformed(MalformedAuthorization::InvalidBase64),
        ),
        (
            "Bearer abc.def".to_owned(),
            HttpAuthFailureReason::WrongScheme,
        ),
        (
            format!("Digest username=\"{USER}\""),
            HttpAuthFailureReason::WrongScheme,
        ),
    ];
    for (header, expected) in cases {
        let failure = check_basic(&header).unwrap_err();
        assert_eq!(failure.reason(), expected, "header {header:?}");
        assert_eq!(
            failure.challenges(),
            [r#"Basic realm="http-auth@example.org", charset="UTF-8""#]
        );
    }
}

#[test]
fn bad_credentials_are_one_kind_for_the_client() {
    assert!(HttpAuthFailureReason::UnknownUser.is_bad_credentials());
    assert!(HttpAuthFailureReason::WrongPassword.is_bad_credentials());
    assert!(!HttpAuthFailureReason::StaleNonce.is_bad_credentials());
    let unknown = check_basic(&basic_header("nobody", "x")).unwrap_err();
    let wrong = check_basic(&basic_header(USER, "x")).unwrap_err();
    // The log tells them apart; the client gets the same challenges for both.
    assert_eq!(unknown.reason(), HttpAuthFailureReason::UnknownUser);
    assert_eq!(wrong.reason(), HttpAuthFailureReason::WrongPassword);
    assert_eq!(unknown.challenges(), wrong.challenges());
}

#[test]
fn failures_never_show_secrets() {
    let header = basic_header(USER, "Circle of Lies");
    let failure = check_basic(&header).unwrap_err();
    let token = header.trim_start_matches("Basic ");
    for shown in [failure.to_string(), format!("{failure:?}")] {
        assert!(!shown.contains("Lies") && !shown.contains(token), "{shown}");
        assert!(!shown.contains(PASSWORD), "{shown}");
    }
    assert!(failure.to_string().contains("wrong password"));
    let shown = format!("{:?}", config());
    assert!(
        !shown.contains(PASSWORD) && !shown.contains("nonce secret for tests"),
        "{shown}"
    );
}

// ---------------------------------------------------------------- Digest round trips

#[test]
fn digest_round_trip_for_every_algorithm() {
    let config = config();
    let challenges = config.challenges(HttpAuthRequirement::Digest, NOW);
    let cases = [
        (Some(DigestAlgorithm::Sha256), DigestAlgorithm::Sha256),
        (Some(DigestAlgorithm::Md5), DigestAlgorithm::Md5),
        (
            Some(DigestAlgorithm::Sha256Sess),
            DigestAlgorithm::Sha256Sess,
        ),
        (Some(DigestAlgorithm::Md5Sess), DigestAlgorithm::Md5Sess),
        // No `algorithm` parameter means MD5.
        (None, DigestAlgorithm::Md5),
    ];
    for (sent, used) in cases {
        let header = DigestClient {
            algorithm: sent,
            ..DigestClient::new()
        }
        .header(&challenges[0]);
        let authenticated = config
            .check(
                HttpAuthRequirement::Either,
                "POST",
                TARGET,
                Some(&header),
                NOW + 10,
            )
            .unwrap()
            .unwrap();
        assert_eq!(authenticated.user(), USER);
        assert_eq!(authenticated.scheme(), HttpAuthScheme::Digest(used));
    }
}

#[test]
fn digest_uses_every_configured_pair_and_escaped_user_names() {
    let config = HttpAuthConfig::builder(REALM)
        .credential(r#"dom\"ain"#, "old")
        .credential(r#"dom\"ain"#, "new")
        .nonce_secret(secret("a"))
        .build()
        .unwrap();
    let challenge = first_challenge(&config, NOW);
    for password in ["old", "new"] {
        let header = DigestClient {
            user: r#"dom\"ain"#,
            password,
            ..DigestClient::new()
        }
        .header(&challenge);
        assert_eq!(check_digest(&config, &header, NOW).unwrap(), r#"dom\"ain"#);
    }
}

#[test]
fn digest_response_hex_is_case_insensitive() {
    let config = config();
    let header = DigestClient::new().header(&first_challenge(&config, NOW));
    let Ok(Credentials::Digest(params)) = parse_authorization(&header) else {
        panic!("client header does not parse");
    };
    let response = params.get("response").unwrap();
    let shouted = header.replace(response, &response.to_ascii_uppercase());
    assert_ne!(shouted, header);
    assert_eq!(check_digest(&config, &shouted, NOW).unwrap(), USER);
}

// ---------------------------------------------------------------- Digest refusals

#[test]
fn digest_wrong_password_and_unknown_user() {
    let config = config();
    let challenge = first_challenge(&config, NOW);
    let wrong = DigestClient {
        password: "Circle of Lies",
        ..DigestClient::new()
    };
    assert_eq!(
        reason(check_digest(&config, &wrong.header(&challenge), NOW)),
        HttpAuthFailureReason::WrongPassword
    );
    let unknown = DigestClient {
        user: "Simba",
        ..DigestClient::new()
    };
    assert_eq!(
        reason(check_digest(&config, &unknown.header(&challenge), NOW)),
        HttpAuthFailureReason::UnknownUser
    );
}

#[test]
fn digest_uri_must_equal_the_request_target() {
    let config = config();
    let challenge = first_challenge(&config, NOW);
    for uri in [
        "/dir/index.html",
        "/dir/index.html?CallSid=CA123&x=+y",
        "https://example.org/dir/index.html?CallSid=CA123&x=%20y",
    ] {
        // The client signs the uri it sends, so only the binding to the target is wrong.
        let header = DigestClient {
            uri,
            ..DigestClient::new()
        }
        .header(&challenge);
        assert_eq!(
            reason(check_digest(&config, &header, NOW)),
            HttpAuthFailureReason::UriMismatch,
            "uri {uri}"
        );
    }
}

#[test]
fn digest_method_is_part_of_the_response() {
    let config = config();
    let header = DigestClient {
        method: "GET",
        ..DigestClient::new()
    }
    .header(&first_challenge(&config, NOW));
    assert_eq!(
        reason(check_digest(&config, &header, NOW)),
        HttpAuthFailureReason::WrongPassword
    );
}

#[test]
fn digest_parameter_checks() {
    let config = config();
    let challenge = first_challenge(&config, NOW);
    let missing =
        |name| HttpAuthFailureReason::Malformed(MalformedAuthorization::MissingParameter(name));
    let cases: Vec<(DigestClient, HttpAuthFailureReason)> = vec![
        (
            DigestClient::new().set("realm", Some("\"elsewhere\"")),
            HttpAuthFailureReason::RealmMismatch,
        ),
        (
            DigestClient::new().set("opaque", Some("\"abc\"")),
            HttpAuthFailureReason::OpaqueMismatch,
        ),
        (DigestClient::new().set("opaque", None), missing("opaque")),
        (DigestClient::new().set("nc", None), missing("nc")),
        (DigestClient::new().set("cnonce", None), missing("cnonce")),
        (
            DigestClient::new().set("cnonce", Some("\"\"")),
            missing("cnonce"),
        ),
        (
            DigestClient::new().set("username", None),
            missing("username"),
        ),
        (
            DigestClient::new().set("response", None),
            missing("response"),
        ),
        (DigestClient::new().set("uri", None), missing("uri")),
        (DigestClient::new().set("nonce", None), missing("nonce")),
        (
            DigestClient::new().set("nc", Some("1")),
            HttpAuthFailureReason::Malformed(MalformedAuthorization::InvalidNonceCount),
        ),
        (
            DigestClient::new().set("nc", Some("0000000g")),
            HttpAuthFailureReason::Malformed(MalformedAuthorization::InvalidNonceCount),
        ),
        (
            DigestClient::new().set("qop", None),
            HttpAuthFailureReason::UnsupportedQop,
        ),
        (
            DigestClient::new().set("qop", Some("auth-int")),
            HttpAuthFailureReason::UnsupportedQop,
        ),
        (
            DigestClient::new().set("algorithm", Some("SHA-512-256")),
            HttpAuthFailureReason::UnsupportedAlgorithm,
        ),
        (
            DigestClient::new()
                .set("uri", Some("\"/a\""))
                .set("URI", Some("\"/b\"")),
            HttpAuthFailureReason::Malformed(MalformedAuthorization::DuplicateParameter),
        ),
    ];
    for (client, expected) in cases {
        let header = client.header(&challenge);
        let failure = check_digest(&config, &header, NOW).unwrap_err();
        assert_eq!(failure.reason(), expected, "header {header}");
        assert_eq!(failure.challenges().len(), 2);
        assert!(!failure.is_stale());
    }
    // Sanity: the unmodified client is accepted, so each refusal above is due to its change.
    assert!(check_digest(&config, &DigestClient::new().header(&challenge), NOW).is_ok());
}

#[test]
fn tampered_nonce_is_rejected() {
    let config = config();
    let challenge = first_challenge(&config, NOW);
    let Ok(Credentials::Digest(params)) = parse_authorization(&challenge) else {
        panic!("challenge does not parse");
    };
    let nonce = params.get("nonce").unwrap();
    let mut tampered: Vec<String> = Vec::new();
    for position in [0, 5, 10, nonce.len() - 1] {
        let mut bytes = nonce.as_bytes().to_vec();
        bytes[position] = if bytes[position] == b'A' { b'B' } else { b'A' };
        tampered.push(String::from_utf8(bytes).unwrap());
    }
    tampered.push(format!("{nonce}A"));
    tampered.push(nonce[..nonce.len() - 1].to_owned());
    tampered.push(String::new());
    tampered.push("7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v".to_owned());
    for bad in &tampered {
        // The client computes a correct response for the tampered nonce.
        let header = DigestClient {
            nonce_override: Some(bad),
            ..DigestClient::new()
        }
        .header(&challenge);
        assert_eq!(
            reason(check_digest(&config, &header, NOW)),
            HttpAuthFailureReason::BadNonce,
            "nonce {bad:?}"
        );
    }
}

#[test]
fn nonce_from_another_secret_is_rejected_but_shared_secret_works() {
    let issuer = config_with_secret("a");
    let other = config_with_secret("b");
    let sibling = config_with_secret("a");
    let challenge = first_challenge(&issuer, NOW);
    let header = DigestClient::new().header(&challenge);
    // A different secret also yields a different opaque; send the other deployment's opaque
    // so that the nonce check itself is what refuses.
    let other_opaque = {
        let Ok(Credentials::Digest(params)) = parse_authorization(&first_challenge(&other, NOW))
        else {
            panic!("challenge does not parse");
        };
        quoted(params.get("opaque").unwrap())
    };
    let with_other_opaque = DigestClient::new()
        .set("opaque", Some(&other_opaque))
        .header(&challenge);
    assert_eq!(
        reason(check_digest(&other, &with_other_opaque, NOW)),
        HttpAuthFailureReason::BadNonce
    );
    assert_eq!(
        reason(check_digest(&other, &header, NOW)),
        HttpAuthFailureReason::OpaqueMismatch
    );
    assert_eq!(check_digest(&sibling, &header, NOW).unwrap(), USER);
}

#[test]
fn expired_nonce_gets_a_fresh_stale_challenge() {
    let config = config();
    let lifetime = config.nonce_lifetime().as_secs();
    assert_eq!(lifetime, 300);
    let old_challenge = first_challenge(&config, NOW);
    let header = DigestClient::new().header(&old_challenge);

    assert!(
        check_digest(&config, &header, NOW + lifetime).is_ok(),
        "still valid at the limit"
    );
    let later = NOW + lifetime + 1;
    let failure = check_digest(&config, &header, later).unwrap_err();
    assert_eq!(failure.reason(), HttpAuthFailureReason::StaleNonce);
    assert!(failure.is_stale());
    assert_eq!(failure.challenges().len(), 2);
    for challenge in failure.challenges() {
        assert!(challenge.ends_with(", stale=true"), "{challenge}");
    }
    let fresh = &failure.challenges()[0];
    assert_ne!(
        parse_nonce(fresh),
        parse_nonce(&old_challenge),
        "the stale challenge carries a new nonce"
    );
    // The client retries with the same credentials and the new nonce, without re-prompting.
    let retry = DigestClient::new().header(fresh);
    assert_eq!(check_digest(&config, &retry, later).unwrap(), USER);
}

#[test]
fn expired_nonce_with_wrong_password_is_not_stale() {
    let config = config();
    let header = DigestClient {
        password: "guess",
        ..DigestClient::new()
    }
    .header(&first_challenge(&config, NOW));
    let failure = check_digest(&config, &header, NOW + 10_000).unwrap_err();
    assert_eq!(failure.reason(), HttpAuthFailureReason::WrongPassword);
    assert!(!failure.is_stale());
    assert!(failure.challenges().iter().all(|c| !c.contains("stale")));
}

#[test]
fn nonce_lifetime_is_configurable() {
    let config = HttpAuthConfig::builder(REALM)
        .credential(USER, PASSWORD)
        .nonce_lifetime(std::time::Duration::from_secs(5))
        .build()
        .unwrap();
    let header = DigestClient::new().header(&first_challenge(&config, NOW));
    assert!(check_digest(&config, &header, NOW + 5).is_ok());
    assert_eq!(
        reason(check_digest(&config, &header, NOW + 6)),
        HttpAuthFailureReason::StaleNonce
    );
}

#[test]
fn nonce_from_the_future_is_rejected() {
    let config = config();
    let header = DigestClient::new().header(&first_challenge(&config, NOW + 3600));
    assert_eq!(
        reason(check_digest(&config, &header, NOW)),
        HttpAuthFailureReason::BadNonce
    );
}

fn parse_nonce(challenge: &str) -> String {
    let Ok(Credentials::Digest(params)) = parse_authorization(challenge) else {
        panic!("challenge does not parse: {challenge}");
    };
    params.get("nonce").unwrap().to_owned()
}

// ---------------------------------------------------------------- hostile input

#[test]
fn oversized_header_is_malformed_not_a_panic() {
    let config = config();
    let huge = format!("Digest username=\"{}\"", "x".repeat(MAX_AUTHORIZATION_LEN));
    let failure = check_digest(&config, &huge, NOW).unwrap_err();
    assert_eq!(
        failure.reason(),
        HttpAuthFailureReason::Malformed(MalformedAuthorization::TooLong)
    );
    assert_eq!(
        challenge_kinds(failure.challenges()),
        ["Digest SHA-256", "Digest MD5"]
    );
}

/// xorshift64*: deterministic, no dependencies.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

fn garbage_header(rng: &mut Rng, valid: &str) -> String {
    const SCHEMES: &[&str] = &[
        "Digest ",
        "digest\t",
        "Basic ",
        "BASIC",
        "Bearer ",
        "",
        " ",
        "Dig\u{e9}st ",
        "Digest",
    ];
    const PIECES: &[&str] = &[
        "username",
        "realm",
        "nonce",
        "uri",
        "response",
        "qop",
        "nc",
        "cnonce",
        "opaque",
        "algorithm",
        "=",
        "\"",
        "\\",
        ",",
        " ",
        "\t",
        "auth",
        "MD5",
        "SHA-256",
        "00000001",
        "\\\"",
        "==",
        ":",
        "QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
        "\u{a3}",
        "\u{1f600}",
        "\u{0}",
        "\r\n",
        "\u{7f}",
        "/dir/index.html",
    ];
    match rng.below(3) {
        // Structured noise built from header-like pieces.
        0 => {
            let mut out = rng.pick(SCHEMES).to_owned();
            for _ in 0..rng.below(40) {
                out.push_str(rng.pick(PIECES));
            }
            out
        }
        // Arbitrary characters, mostly ASCII.
        1 => {
            let len = rng.below(200);
            (0..len)
                .map(|_| {
                    let value = rng.next();
                    if value.is_multiple_of(8) {
                        char::from_u32((value >> 8) as u32 % 0x11_0000).unwrap_or('\u{fffd}')
                    } else {
                        char::from((value >> 8) as u8 % 128)
                    }
                })
                .collect()
        }
        // A valid header with a few characters replaced, removed or the tail cut off.
        _ => {
            let mut chars: Vec<char> = valid.chars().collect();
            for _ in 0..=rng.below(4) {
                let at = rng.below(chars.len());
                match rng.below(3) {
                    0 => {
                        chars[at] = rng
                            .pick(&["\"", "\\", ",", "=", " ", "x", "\u{e9}"])
                            .chars()
                            .next()
                            .unwrap()
                    }
                    1 => {
                        chars.remove(at);
                    }
                    _ => chars.truncate(at),
                }
                if chars.is_empty() {
                    break;
                }
            }
            chars.into_iter().collect()
        }
    }
}

/// Panics unless `header` carries the same Digest credentials as `valid`: every parameter
/// present with the same value (hex `response`, `qop` and `algorithm` in any letter case, as
/// RFC 7616 allows), nothing added.
fn assert_same_digest_credentials(valid: &str, header: &str) {
    let Ok(Credentials::Digest(expected)) = parse_authorization(valid) else {
        panic!("the valid header does not parse: {valid}");
    };
    let Ok(Credentials::Digest(got)) = parse_authorization(header) else {
        panic!("accepted, but not a Digest header: {header:?}");
    };
    assert_eq!(
        got.len(),
        expected.len(),
        "accepted with other parameters: {header:?}"
    );
    for name in [
        "username",
        "realm",
        "nonce",
        "uri",
        "qop",
        "nc",
        "cnonce",
        "response",
        "opaque",
        "algorithm",
    ] {
        let (want, have) = (expected.get(name).unwrap(), got.get(name));
        let same = match name {
            "response" | "qop" | "algorithm" => have.is_some_and(|h| h.eq_ignore_ascii_case(want)),
            _ => have == Some(want),
        };
        assert!(
            same,
            "accepted with {name}={have:?} instead of {want:?}: {header:?}"
        );
    }
}

#[test]
fn ten_thousand_garbage_headers_never_panic() {
    let config = config();
    let valid = DigestClient::new().header(&first_challenge(&config, NOW));
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut digest_parsed, mut accepted) = (0usize, 0usize);
    for _ in 0..10_000 {
        let header = garbage_header(&mut rng, &valid);
        if let Ok(Credentials::Digest(_)) = parse_authorization(&header) {
            digest_parsed += 1;
        }
        for (requirement, offered) in [
            (HttpAuthRequirement::Basic, &["Basic"][..]),
            (
                HttpAuthRequirement::Digest,
                &["Digest SHA-256", "Digest MD5"],
            ),
            (
                HttpAuthRequirement::Either,
                &["Digest SHA-256", "Digest MD5", "Basic"],
            ),
        ] {
            match config.check(requirement, "POST", TARGET, Some(&header), NOW) {
                Ok(user) => {
                    // Only a change that left the credentials as they were may pass.
                    assert_eq!(user.as_ref().map(|u| u.user()), Some(USER), "{header:?}");
                    assert_same_digest_credentials(&valid, &header);
                    accepted += 1;
                }
                Err(failure) => {
                    // A header was sent, and its nonce (if any) is not old: never "missing",
                    // never stale; the challenges are the route's, each with a fresh nonce.
                    assert_ne!(
                        failure.reason(),
                        HttpAuthFailureReason::MissingCredentials,
                        "{header:?}"
                    );
                    assert!(!failure.is_stale(), "{header:?}");
                    assert_eq!(
                        challenge_kinds(failure.challenges()),
                        offered,
                        "{requirement:?} {header:?}"
                    );
                    let shown = failure.to_string();
                    assert!(!shown.is_empty() && !shown.contains(PASSWORD), "{shown}");
                }
            }
        }
    }
    eprintln!("garbage run: {digest_parsed} parsed as Digest, {accepted} accepted");
    // The run must reach the Digest parameter checks, not just die at the scheme.
    assert!(
        digest_parsed > 500,
        "only {digest_parsed} headers parsed as Digest"
    );
}
