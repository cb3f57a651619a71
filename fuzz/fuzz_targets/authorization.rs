//! `parse_authorization`, `decode_basic_credentials` and `HttpAuthConfig::check` with the
//! HTTP authentication of every `RoutePolicy` (none, Basic, Digest, Either; each then the
//! signature, or alone), on arbitrary header values, methods and targets.
//!
//! Properties: no route policy checks nothing (one without HTTP authentication checks the
//! signature); nothing panics; every failure is a 401 with the challenges the requirement
//! calls for; a request is accepted only with a configured user and its password (Basic) or
//! a correct response over an authentic, fresh nonce (Digest: the harness can build one from
//! the server's challenge, then perturb one field).
#![no_main]

use std::sync::LazyLock;

use arbitrary::Arbitrary;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use libfuzzer_sys::fuzz_target;
use twilio_auth_core::RoutePolicy;
use twilio_auth_core::http_auth::{
    Credentials, DigestAlgorithm, DigestResponseInput, HttpAuthConfig, HttpAuthRequirement,
    MAX_AUTHORIZATION_LEN, NonceSecret, decode_basic_credentials, digest_response,
    parse_authorization,
};
use twilio_auth_core::policy::{self, Policy};

const REALM: &str = "twilio-webhooks";
const USERS: [(&str, &str); 2] = [("twilio", "s3cret-Pa55"), ("Mufasa", "Circle of Life")];
const NOW: u64 = 1_700_000_000;
const LIFETIME: u64 = 300;

static CONFIG: LazyLock<HttpAuthConfig> = LazyLock::new(|| {
    HttpAuthConfig::builder(REALM)
        .credential(USERS[0].0, USERS[0].1)
        .credential(USERS[1].0, USERS[1].1)
        .nonce_secret(NonceSecret::new(b"fuzzing nonce secret, 16+ bytes".to_vec()).unwrap())
        .build()
        .unwrap()
});

#[derive(Arbitrary, Debug)]
enum Header<'a> {
    Absent,
    Raw(&'a str),
    Basic {
        user: &'a str,
        password: &'a str,
        known: Option<bool>,
    },
    Digest(Digest<'a>),
}

/// A Digest header built from the server's own challenge, with fields the fuzzer chooses.
#[derive(Arbitrary, Debug)]
struct Digest<'a> {
    user: u8,
    algorithm: u8,
    /// Seconds between the challenge and the retry.
    delay: u16,
    wrong_password: bool,
    uri: Option<&'a str>,
    nc: Option<&'a str>,
    cnonce: &'a str,
    qop: Option<&'a str>,
    realm: Option<&'a str>,
    opaque: Option<&'a str>,
    nonce: Option<&'a str>,
    response: Option<&'a str>,
    method: Option<&'a str>,
    extra: &'a str,
}

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    requirement: u8,
    method: &'a str,
    target: &'a str,
    header: Header<'a>,
    now: u64,
}

fn quote(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Whether a Digest header is right for this request, computed from its parsed fields.
fn digest_oracle(header: &str, method: &str, target: &str, nonce: &str, opaque: &str) -> bool {
    let Ok(Credentials::Digest(p)) = parse_authorization(header) else {
        return false;
    };
    let get = |name| p.get(name).unwrap_or("");
    let algorithm = match p.get("algorithm") {
        None => Some(DigestAlgorithm::Md5),
        Some(token) => DigestAlgorithm::from_token(token),
    };
    let Some(algorithm) = algorithm else {
        return false;
    };
    let Some(&(user, password)) = USERS.iter().find(|(u, _)| *u == get("username")) else {
        return false;
    };
    let nc = get("nc");
    let expected = digest_response(
        algorithm,
        &DigestResponseInput {
            username: user,
            realm: get("realm"),
            password,
            method,
            uri: get("uri"),
            nonce: get("nonce"),
            nc,
            cnonce: get("cnonce"),
            qop: get("qop"),
        },
    );
    get("realm") == REALM
        && get("uri") == target
        && get("nonce") == nonce
        && get("opaque") == opaque
        && get("qop").eq_ignore_ascii_case("auth")
        && nc.len() == 8
        && nc.bytes().all(|b| b.is_ascii_hexdigit())
        && !get("cnonce").is_empty()
        && p.get("response")
            .is_some_and(|r| r.eq_ignore_ascii_case(&expected))
}

/// Every route policy (by the marker types adapters name them with), with the HTTP
/// authentication it requires and whether it checks the signature: `0` the signature
/// alone; `1`-`3` Basic, Digest, Either, then the signature; `4`-`6` the same alone.
const ROUTES: [(RoutePolicy, HttpAuthRequirement, bool); 7] = [
    (policy::Signature::ROUTE, HttpAuthRequirement::None, true),
    (policy::Basic::ROUTE, HttpAuthRequirement::Basic, true),
    (policy::Digest::ROUTE, HttpAuthRequirement::Digest, true),
    (policy::Either::ROUTE, HttpAuthRequirement::Either, true),
    (policy::BasicOnly::ROUTE, HttpAuthRequirement::Basic, false),
    (
        policy::DigestOnly::ROUTE,
        HttpAuthRequirement::Digest,
        false,
    ),
    (
        policy::EitherOnly::ROUTE,
        HttpAuthRequirement::Either,
        false,
    ),
];

/// The HTTP authentication the route chosen by `byte` requires.
fn requirement(byte: u8) -> HttpAuthRequirement {
    let (route, requirement, signature) = ROUTES[usize::from(byte % 7)];
    assert_eq!(route.http_auth(), requirement, "{route:?}");
    assert_eq!(route.checks_signature(), signature, "{route:?}");
    match route {
        RoutePolicy::Signature => assert_eq!(requirement, HttpAuthRequirement::None),
        RoutePolicy::HttpAuthThenSignature(scheme) | RoutePolicy::HttpAuthOnly(scheme) => {
            assert_eq!(HttpAuthRequirement::from(scheme), requirement, "{route:?}");
            assert_eq!(
                signature,
                matches!(route, RoutePolicy::HttpAuthThenSignature(_))
            );
        }
    }
    // No policy checks nothing.
    assert!(route.checks_signature() || route.http_auth().is_required());
    requirement
}

// Two input formats: `<route policy><even byte>METHOD TARGET\nheader value` (raw text, so
// real headers seed it: a missing second line is an absent header), or
// `<route policy><odd byte><arbitrary bytes>`, read with `arbitrary` (which can also build
// Basic and Digest headers from the server's own challenge).
fuzz_target!(|data: &[u8]| {
    let [requirement, mode, rest @ ..] = data else {
        return;
    };
    let input = if mode % 2 == 0 {
        let text = match std::str::from_utf8(rest) {
            Ok(s) => s,
            Err(e) => std::str::from_utf8(&rest[..e.valid_up_to()]).unwrap_or(""),
        };
        let (line, header) = match text.split_once('\n') {
            Some((line, header)) => (line, Header::Raw(header)),
            None => (text, Header::Absent),
        };
        let (method, target) = line.split_once(' ').unwrap_or((line, ""));
        Input {
            requirement: *requirement,
            method,
            target,
            header,
            now: NOW,
        }
    } else {
        match Input::arbitrary_take_rest(arbitrary::Unstructured::new(rest)) {
            Ok(input) => Input {
                requirement: *requirement,
                ..input
            },
            Err(_) => return,
        }
    };
    run(input);
});

fn run(input: Input<'_>) {
    let config = &*CONFIG;
    let requirement = requirement(input.requirement);
    let mut now = input.now;
    // Whether the harness knows the credentials to be right (only for built headers).
    let mut expect_ok = false;

    let header: Option<String> = match &input.header {
        Header::Absent => None,
        Header::Raw(raw) => Some((*raw).to_owned()),
        Header::Basic {
            user,
            password,
            known,
        } => {
            let (user, password) = match known {
                Some(true) => USERS[0],
                Some(false) => (USERS[1].0, *password),
                None => (*user, *password),
            };
            expect_ok = USERS.contains(&(user, password)) && requirement.allows_basic();
            let token = STANDARD.encode(format!("{user}:{password}"));
            Some(format!("Basic {token}"))
        }
        Header::Digest(d) => {
            let challenges = config.challenges(HttpAuthRequirement::Digest, NOW);
            let Ok(Credentials::Digest(challenge)) = parse_authorization(&challenges[0]) else {
                panic!("our own challenge does not parse: {:?}", challenges[0]);
            };
            let (nonce0, opaque0) = (
                challenge.get("nonce").unwrap(),
                challenge.get("opaque").unwrap(),
            );
            let algorithm = [
                DigestAlgorithm::Sha256,
                DigestAlgorithm::Md5,
                DigestAlgorithm::Sha256Sess,
                DigestAlgorithm::Md5Sess,
            ][usize::from(d.algorithm % 4)];
            let (user, real_password) = USERS[usize::from(d.user % 2)];
            let password = if d.wrong_password {
                "not the password"
            } else {
                real_password
            };
            let uri = d.uri.unwrap_or(input.target);
            let nc = d.nc.unwrap_or("00000001");
            let qop = d.qop.unwrap_or("auth");
            let realm = d.realm.unwrap_or(REALM);
            let opaque = d.opaque.unwrap_or(opaque0);
            let nonce = d.nonce.unwrap_or(nonce0);
            let method = d.method.unwrap_or(input.method);
            let true_response = digest_response(
                algorithm,
                &DigestResponseInput {
                    username: user,
                    realm,
                    password,
                    method,
                    uri,
                    nonce,
                    nc,
                    cnonce: d.cnonce,
                    qop,
                },
            );
            let response = d
                .response
                .map_or_else(|| true_response.clone(), str::to_owned);
            now = NOW + u64::from(d.delay);
            let header = format!(
                "Digest username={}, realm={}, uri={}, algorithm={algorithm}, qop={}, nc={}, cnonce={}, nonce={}, opaque={}, response={}{}",
                quote(user),
                quote(realm),
                quote(uri),
                qop,
                nc,
                quote(d.cnonce),
                quote(nonce),
                quote(opaque),
                quote(&response),
                d.extra
            );
            // Valid iff what the server will read is still right: an independent oracle over
            // the parsed header (the fuzzer may have changed any field, or added `extra`).
            expect_ok = requirement.allows_digest()
                && u64::from(d.delay) <= LIFETIME
                && digest_oracle(&header, input.method, input.target, nonce0, opaque0);
            Some(header)
        }
    };

    // The parsers on their own.
    if let Some(header) = &header {
        match parse_authorization(header) {
            Ok(Credentials::Basic(token)) => {
                if let Ok((user, password)) = decode_basic_credentials(&token) {
                    assert!(!user.contains(':'));
                    let again = STANDARD.encode(format!("{user}:{password}"));
                    assert_eq!(decode_basic_credentials(&again), Ok((user, password)));
                }
            }
            Ok(Credentials::Digest(params)) => {
                assert!(params.len() <= twilio_auth_core::http_auth::MAX_AUTH_PARAMS);
            }
            Ok(Credentials::Other) => {}
            Err(_) => {}
        }
        if header.len() > MAX_AUTHORIZATION_LEN {
            assert!(parse_authorization(header).is_err());
        }
    }
    let _ = decode_basic_credentials(input.target);

    let outcome = config.check(
        requirement,
        input.method,
        input.target,
        header.as_deref(),
        now,
    );
    match outcome {
        Ok(None) => assert!(!requirement.is_required()),
        Ok(Some(user)) => {
            assert!(requirement.is_required());
            assert!(
                USERS.iter().any(|(u, _)| *u == user.user()),
                "accepted unknown user {:?}",
                user.user()
            );
            // Only credentials the harness built right may pass; a raw header never can
            // (it cannot carry an authentic nonce), except a Basic header with a real pair.
            let basic_pair_ok = header
                .as_deref()
                .and_then(|h| match parse_authorization(h) {
                    Ok(Credentials::Basic(token)) => decode_basic_credentials(&token).ok(),
                    _ => None,
                })
                .is_some_and(|(u, p)| USERS.contains(&(u.as_str(), p.as_str())));
            assert!(
                expect_ok || basic_pair_ok,
                "accepted invalid credentials: {header:?}"
            );
        }
        Err(failure) => {
            assert!(requirement.is_required());
            assert_eq!(failure.status(), 401);
            let expected = match requirement {
                HttpAuthRequirement::Basic => 1,
                HttpAuthRequirement::Digest => 2,
                _ => 3,
            };
            assert_eq!(
                failure.challenges().len(),
                expected,
                "{:?}",
                failure.challenges()
            );
            for challenge in failure.challenges() {
                // Digest challenges use the auth-param syntax our own parser reads.
                if challenge.starts_with("Digest ") {
                    assert!(
                        parse_authorization(challenge).is_ok(),
                        "challenge {challenge:?}"
                    );
                }
                assert!(!challenge.contains(USERS[0].1) && !challenge.contains(USERS[1].1));
            }
            assert!(
                !expect_ok,
                "rejected valid credentials ({:?}): {header:?}",
                failure.reason()
            );
        }
    }
}
