//! Property tests. The signed string is computed here from SPEC §1 (a reference written
//! for the tests, with its own HMAC), not by the crate's signer, so the round trips are not
//! the signer agreeing with itself: what the reference signs, in byte or UTF-16 order, the
//! verifier accepts; any change to the URL, a parameter or the body that changes the signed
//! string is rejected; a forged signature is never accepted, on requests generated from a
//! grammar of URLs, targets, forwarding headers and bodies that reach the candidate URLs
//! and the HMAC (each run counts that they do); and no input panics.

use std::cell::RefCell;
use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use proptest::prelude::*;
use proptest::test_runner::{TestCaseResult, TestRunner};
use sha2::Digest;
use twilio_auth_core::{
    Algorithm, Config, ForwardedHeaders, Headers, KeySource, Rejection, RejectionReason, Signer,
    WebhookRequest, form,
};

const TOKEN: &str = "property-token";
const SUB_TOKEN: &str = "sub-account-token";
const SHARED: &str = "shared-key-secret";
const FORM: &str = "application/x-www-form-urlencoded";

fn config() -> Config {
    Config::builder().auth_token(TOKEN).build().unwrap()
}

// ------------------------------------------------------------------ reference signer

/// The signed string of SPEC §1, from the spec: the URL, then each distinct (name, value)
/// pair, sorted by name then value, in byte order or in UTF-16 code-unit order.
fn signed_string(url: &str, params: &[(String, String)], utf16: bool) -> String {
    let mut pairs: Vec<(&str, &str)> = params
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    if utf16 {
        let units = |s: &str| s.encode_utf16().collect::<Vec<u16>>();
        pairs.sort_by_key(|&(n, v)| (units(n), units(v)));
    } else {
        pairs.sort_unstable();
    }
    pairs.dedup();
    let mut out = url.to_owned();
    for (name, value) in pairs {
        out.push_str(name);
        out.push_str(value);
    }
    out
}

fn hmac_base64(algorithm: Algorithm, key: &str, data: &str) -> String {
    let mac = match algorithm {
        Algorithm::HmacSha1 => {
            let mut mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(key.as_bytes()).unwrap();
            mac.update(data.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        _ => {
            let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key.as_bytes()).unwrap();
            mac.update(data.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
    };
    STANDARD.encode(mac)
}

fn sha256_hex(body: &[u8]) -> String {
    sha2::Sha256::digest(body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

// ------------------------------------------------------------------ generators

/// Parameter names: ASCII, Twilio's look-alikes (`CallSid`/`CALLSID`, `Reason` and its
/// prefix), characters that must be escaped, non-ASCII in the BMP, characters at or above
/// U+E000 and outside the BMP (whose byte and UTF-16 orders differ), and the empty name.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[A-Za-z][A-Za-z0-9]{0,8}",
        2 => prop::sample::select(vec![
            "CallSid", "CALLSID", "callSid", "Reason", "ReasonConferenceEnded", "To", "Body",
            "a b", "x&y=z", "100%", "+1", "",
        ])
        .prop_map(str::to_owned),
        1 => "[\u{e0}-\u{ff}\u{4e00}-\u{4e08}]{1,3}",
        2 => "[Aa]?[\u{e000}\u{ff01}\u{fffd}\u{1f600}-\u{1f603}\u{10000}\u{1d11e}]{1,2}",
        // One prefix, then a character whose byte and UTF-16 orders disagree.
        2 => prop::sample::select(vec!["A\u{ff01}", "A\u{fffd}", "A\u{1f600}", "A\u{10000}"])
            .prop_map(str::to_owned),
    ]
}

/// Values: the same kinds, empty ones, and any printable text.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => Just(String::new()),
        4 => "[\u{e000}\u{ff01}\u{fffd}\u{1f600}\u{10000}a]{1,2}",
        2 => "\\PC{0,12}",
        1 => "[A-Za-z0-9 +%&=']{0,10}",
    ]
}

/// Decoded form parameters, with names drawn from a small pool so that they repeat, and
/// values that repeat too (repeated pairs are signed once); in about a third of the lists,
/// two names whose byte and UTF-16 orders disagree (`A\u{ff01}` and `A\u{1f600}`).
fn params() -> impl Strategy<Value = Vec<(String, String)>> {
    (
        prop::collection::vec(name(), 1..5),
        prop::collection::vec(value(), 1..4),
        prop::collection::vec(
            (any::<prop::sample::Index>(), any::<prop::sample::Index>()),
            0..10,
        ),
        prop::bool::weighted(0.3),
    )
        .prop_map(|(names, values, picks, orders_disagree)| {
            let mut params: Vec<(String, String)> = picks
                .into_iter()
                .map(|(n, v)| (n.get(&names).clone(), v.get(&values).clone()))
                .collect();
            if orders_disagree {
                let at = params.len() / 2;
                params.insert(at, ("A\u{1f600}".into(), values[0].clone()));
                params.push(("A\u{ff01}".into(), values[values.len() - 1].clone()));
            }
            params
        })
}

/// The authority parts of a URL: `(userinfo@, host, :port)`, all valid.
fn authority() -> impl Strategy<Value = (String, String, String)> {
    let userinfo = prop_oneof![
        4 => Just(""),
        1 => prop::sample::select(vec!["user:pass@", "u@", "us%40er:p%3Ass@", "tw:s3cr%C3%A9t@"]),
    ];
    let host = prop_oneof![
        4 => "[a-z][a-z0-9-]{0,10}(\\.[a-z]{2,6}){1,2}",
        1 => prop::sample::select(vec![
            "127.0.0.1", "Voice.Example.COM", "xn--bcher-kva.example", "[::1]",
            "[2001:db8::1]", "[fe80::1ff:fe23:4567:890a]", "[2001:db8:0:0:0:0:0:7]",
        ])
        .prop_map(str::to_owned),
    ];
    let port = prop_oneof![
        4 => Just(""),
        1 => prop::sample::select(vec![":443", ":80", ":8443", ":1", ":08443", ":65535"]),
    ];
    (userinfo, host, port).prop_map(|(u, h, p)| (u.to_owned(), h, p.to_owned()))
}

/// A path: segments of unreserved and sub-delimiter characters, percent escapes (either
/// case), non-ASCII text and `'`; never `?` or `#`.
fn path() -> impl Strategy<Value = String> {
    "(/([A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2}|\u{e9}|\u{65e5}|\u{1f600}|\u{ff01}){0,8}){0,4}"
}

/// A query without `?`: pairs with escapes, `'` and `%27`, `+`, empty values, keys without
/// `=`, repeated keys.
fn query() -> impl Strategy<Value = String> {
    prop::collection::vec(
        "(a|AccountSid|To|x|([A-Za-z0-9_.-]|%[0-9A-Fa-f]{2}|'|\\+){1,6})(=([A-Za-z0-9_.~-]|%[0-9A-Fa-f]{2}|%27|'|\\+|\u{e9}){0,10})?",
        0..5,
    )
    .prop_map(|pairs| pairs.join("&"))
}

/// Absolute URLs with ports, credentials, IPv6 hosts, escapes and non-ASCII text, but no
/// control characters.
fn url() -> impl Strategy<Value = String> {
    (
        prop_oneof!["https", "http", "wss", "HTTPS"],
        authority(),
        path(),
        proptest::option::of(query()),
    )
        .prop_map(|(scheme, (userinfo, host, port), path, query)| {
            let mut url = format!("{scheme}://{userinfo}{host}{port}{path}");
            if let Some(q) = query {
                url.push('?');
                url.push_str(&q);
            }
            url
        })
}

fn form_request_ok(
    config: &Config,
    url: &str,
    params: &[(String, String)],
    signature: &str,
) -> Result<(), Rejection> {
    let body = form::encode(params);
    let headers = [("X-Twilio-Signature", signature), ("Content-Type", FORM)];
    let req = WebhookRequest::from_url("POST", url)
        .headers(&headers)
        .body(body.as_bytes());
    config.verify(&req).map(|_| ())
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

/// Runs `test` on `cases` values of `strategy`, for properties that count what their
/// cases reached (the `proptest!` macro has no place to check a count after the run).
fn run<S: Strategy>(cases: u32, strategy: S, test: impl Fn(S::Value) -> TestCaseResult) {
    let mut runner = TestRunner::new(ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    if let Err(failure) = runner.run(&strategy, test) {
        panic!("{failure}");
    }
}

/// Counts of named events over a run.
#[derive(Default)]
struct Counter(RefCell<BTreeMap<&'static str, u32>>);

impl Counter {
    fn add(&self, what: &'static str) {
        *self.0.borrow_mut().entry(what).or_default() += 1;
    }

    fn get(&self, what: &str) -> u32 {
        self.0.borrow().get(what).copied().unwrap_or(0)
    }

    /// Panics unless each of `what` was counted at least `min` times.
    fn require(&self, min: u32, what: &[&str]) {
        let short: Vec<String> = what
            .iter()
            .filter(|w| self.get(w) < min)
            .map(|w| format!("{w}: {}", self.get(w)))
            .collect();
        assert!(
            short.is_empty(),
            "reached too rarely (fewer than {min}): {short:?}; all counts: {:?}",
            self.0.borrow()
        );
    }
}

// ------------------------------------------------------------------ round trips

/// What a parameter list exercises, for the coverage counts.
fn param_features(params: &[(String, String)], counter: &Counter) {
    let mut names: Vec<&str> = params.iter().map(|(n, _)| n.as_str()).collect();
    names.sort_unstable();
    let distinct = {
        let mut d = names.clone();
        d.dedup();
        d.len()
    };
    if distinct < names.len() {
        counter.add("repeated name");
    }
    let mut pairs = params.to_vec();
    pairs.sort();
    if pairs.windows(2).any(|w| w[0] == w[1]) {
        counter.add("repeated pair");
    }
    if names.iter().any(|n| !n.is_ascii()) {
        counter.add("non-ASCII name");
    }
    if params
        .iter()
        .any(|(n, v)| n.chars().chain(v.chars()).any(|c| c > '\u{ffff}'))
    {
        counter.add("astral text");
    }
    if params.iter().any(|(_, v)| v.is_empty()) {
        counter.add("empty value");
    }
    if signed_string("", params, false) != signed_string("", params, true) {
        counter.add("UTF-16 order differs");
    }
}

#[test]
fn what_the_reference_signs_verifies_in_either_order() {
    let counter = Counter::default();
    run(300, (url(), params()), |(url, params)| {
        param_features(&params, &counter);
        for (feature, present) in [
            ("port", UrlFeature::Port),
            ("credentials", UrlFeature::Credentials),
            ("escape", UrlFeature::Escape),
            ("IPv6", UrlFeature::Ipv6),
        ] {
            if present.in_url(&url) {
                counter.add(feature);
            }
        }
        let config = config();
        for utf16 in [false, true] {
            let signature = hmac_base64(
                Algorithm::HmacSha1,
                TOKEN,
                &signed_string(&url, &params, utf16),
            );
            let body = form::encode(&params);
            let headers = [
                ("X-Twilio-Signature", signature.as_str()),
                ("Content-Type", FORM),
            ];
            let req = WebhookRequest::from_url("POST", &url)
                .headers(&headers)
                .body(body.as_bytes());
            let verified = config.verify(&req);
            prop_assert!(
                verified.is_ok(),
                "utf16={} {:?}",
                utf16,
                verified.unwrap_err().to_string()
            );
            // A password in the URL is never shown, not even in `Verified`.
            prop_assert_eq!(
                verified.unwrap().url().map(str::to_owned),
                Some(redacted(&url))
            );
        }
        // The crate's signer signs what the reference signs (in byte order).
        prop_assert_eq!(
            Signer::new(TOKEN).sign_form(&url, &params),
            hmac_base64(
                Algorithm::HmacSha1,
                TOKEN,
                &signed_string(&url, &params, false)
            )
        );
        Ok(())
    });
    counter.require(
        15,
        &[
            "repeated name",
            "repeated pair",
            "non-ASCII name",
            "astral text",
            "empty value",
            "UTF-16 order differs",
            "port",
            "credentials",
            "escape",
            "IPv6",
        ],
    );
}

#[derive(Clone, Copy)]
enum UrlFeature {
    Port,
    Credentials,
    Escape,
    Ipv6,
}

impl UrlFeature {
    fn in_url(self, url: &str) -> bool {
        let authority = url
            .split_once("://")
            .map_or("", |(_, rest)| rest.split(['/', '?']).next().unwrap_or(""));
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        match self {
            UrlFeature::Port => host_port
                .rsplit_once(']')
                .map_or(host_port, |(_, p)| p)
                .contains(':'),
            UrlFeature::Credentials => authority.contains('@'),
            UrlFeature::Escape => url.contains('%'),
            UrlFeature::Ipv6 => host_port.starts_with('['),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn signed_json_verifies(url in url(), body in proptest::collection::vec(any::<u8>(), 0..256)) {
        let signed_url = format!("{url}{}bodySHA256={}", if url.contains('?') { "&" } else { "?" }, sha256_hex(&body));
        let signature = hmac_base64(Algorithm::HmacSha1, TOKEN, &signed_url);
        let headers = [("X-Twilio-Signature", signature.as_str()), ("Content-Type", "application/json")];
        let req = WebhookRequest::from_url("POST", &signed_url).headers(&headers).body(&body);
        prop_assert_eq!(config().verify(&req).map(|v| v.url().map(str::to_owned)), Ok(Some(redacted(&signed_url))));
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
        let outcome = form_request_ok(&config(), &tampered, &params, &signature);
        prop_assert!(outcome.is_err(), "{} accepted (signed for {})", tampered, url);
        let rejection = outcome.unwrap_err();
        // A changed authority may no longer be one (`[::1]` to `[::g]`, a port `8a43`).
        let in_authority = !url[start..start + offset].contains(['/', '?']);
        let expected: &[RejectionReason] = if in_authority {
            &[RejectionReason::SignatureMismatch, RejectionReason::InvalidUrl]
        } else {
            &[RejectionReason::SignatureMismatch]
        };
        prop_assert!(expected.contains(rejection.reason()), "{} for {} (from {})", rejection, tampered, url);
    }

    #[test]
    fn changing_a_parameter_is_rejected_unless_the_signed_string_is_the_same(url in url(), params in params(), which in any::<prop::sample::Index>(), at in any::<prop::sample::Index>(), pick in any::<u8>(), in_name in any::<bool>()) {
        prop_assume!(!params.is_empty());
        let signature = hmac_base64(Algorithm::HmacSha1, TOKEN, &signed_string(&url, &params, false));
        let mut tampered = params.clone();
        let (name, value) = &mut tampered[which.index(params.len())];
        let target = if (in_name && !name.is_empty()) || value.is_empty() { name } else { value };
        if target.is_empty() {
            target.push('x');
        } else {
            let chars: Vec<(usize, char)> = target.char_indices().collect();
            let (offset, c) = chars[at.index(chars.len())];
            target.replace_range(offset..offset + c.len_utf8(), &other_char(c, pick).to_string());
        }
        // With repeated pairs, changing one copy into another pair that is also there
        // leaves the signed string (pairs are signed once) as it was.
        let signed = signed_string(&url, &params, false);
        let same = signed == signed_string(&url, &tampered, false) || signed == signed_string(&url, &tampered, true);
        let outcome = form_request_ok(&config(), &url, &tampered, &signature);
        if same {
            prop_assert!(outcome.is_ok(), "{:?}", outcome);
        } else {
            prop_assert_eq!(outcome.map_err(|r| r.reason().clone()), Err(RejectionReason::SignatureMismatch));
        }
    }

    #[test]
    fn changing_a_body_byte_is_rejected(url in url(), mut body in proptest::collection::vec(any::<u8>(), 1..256), at in any::<prop::sample::Index>(), flip in 1u8..) {
        let signed = Signer::new(TOKEN).sign_body(&url, &body);
        let i = at.index(body.len());
        body[i] ^= flip;
        let headers = [("X-Twilio-Signature", signed.signature.as_str()), ("Content-Type", "application/json")];
        let req = WebhookRequest::from_url("POST", &signed.url).headers(&headers).body(&body);
        prop_assert_eq!(config().verify(&req).map_err(|r| r.reason().clone()), Err(RejectionReason::BodyHashMismatch));
    }
}

// ------------------------------------------------------------------ forged signatures

/// How the request reaches the verifier, and so how the public URL is rebuilt (SPEC §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delivery {
    /// `WebhookRequest::from_url` with the whole URL.
    FullUrl,
    /// Path and query, with the `Host` header and the default scheme (`https`).
    HostHeader,
    /// Path and query, after a configured public base URL (with a path prefix).
    BaseUrl,
    /// Path and query, with trusted `X-Forwarded-Proto/Host` (and `X-Forwarded-Port`).
    XForwarded,
    /// Path and query, with a trusted RFC 7239 `Forwarded`.
    Forwarded,
}

/// What the body is, and so what the signature covers (SPEC §1, §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    /// A GET: the URL only.
    Get,
    /// A POST with a form body: the URL and the sorted parameters.
    Form,
    /// A JSON (or text, XML, untyped) body: the URL with `bodySHA256`.
    Hashed,
    /// A POST with an empty body and no content type: the URL only.
    Empty,
}

/// Which secret signs, as the request selects it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyChoice {
    Primary,
    /// `AccountSid=AC1` in the form or the query selects the sub-account's token.
    SubAccount,
    /// The signature-settings header selects SharedKey KS1 with HMAC-SHA256.
    SharedSha256,
}

/// A request generated from the grammar, and what the verifier must make of it.
#[derive(Debug, Clone)]
struct Generated {
    delivery: Delivery,
    kind: BodyKind,
    key: KeyChoice,
    method: &'static str,
    /// The URL or the path and query, as the request carries it.
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    params: Vec<(String, String)>,
    /// The public URL the verifier must rebuild, and try first.
    public_url: String,
    /// A hashed body whose URL lacks `bodySHA256` (refused as such).
    hash_dropped: bool,
}

impl Generated {
    fn config(&self) -> Config {
        let builder = Config::builder()
            .auth_token(TOKEN)
            .account_token("AC1", SUB_TOKEN)
            .shared_key("KS1", SHARED, Algorithm::HmacSha256);
        match self.delivery {
            Delivery::BaseUrl => {
                let base = &self.public_url[..self.public_url.len() - self.target.len()];
                builder.public_base_url(base)
            }
            Delivery::XForwarded => builder.trust_forwarded_headers(ForwardedHeaders::XForwarded),
            Delivery::Forwarded => builder.trust_forwarded_headers(ForwardedHeaders::Forwarded),
            Delivery::FullUrl | Delivery::HostHeader => builder,
        }
        .build()
        .unwrap()
    }

    fn request<'a>(&'a self, headers: &'a dyn Headers) -> WebhookRequest<'a> {
        let req = match self.delivery {
            Delivery::FullUrl => WebhookRequest::from_url(self.method, &self.target),
            _ => WebhookRequest::new(self.method, &self.target),
        };
        req.headers(headers).body(&self.body)
    }

    /// The algorithm and secret that sign this request.
    fn signing_key(&self) -> (Algorithm, &'static str, KeySource) {
        match self.key {
            KeyChoice::Primary => (Algorithm::HmacSha1, TOKEN, KeySource::PrimaryToken),
            KeyChoice::SubAccount => (
                Algorithm::HmacSha1,
                SUB_TOKEN,
                KeySource::Account("AC1".into()),
            ),
            KeyChoice::SharedSha256 => (
                Algorithm::HmacSha256,
                SHARED,
                KeySource::SharedKey("KS1".into()),
            ),
        }
    }

    /// What Twilio would send in `X-Twilio-Signature` for this request.
    fn genuine_signature(&self) -> String {
        let (algorithm, secret, _) = self.signing_key();
        let params: &[(String, String)] = if self.kind == BodyKind::Form {
            &self.params
        } else {
            &[]
        };
        hmac_base64(
            algorithm,
            secret,
            &signed_string(&self.public_url, params, false),
        )
    }

    /// Grammar features, for the coverage counts.
    fn features(&self) -> Vec<&'static str> {
        let mut out = vec![
            match self.delivery {
                Delivery::FullUrl => "full URL",
                Delivery::HostHeader => "Host header",
                Delivery::BaseUrl => "base URL",
                Delivery::XForwarded => "X-Forwarded-*",
                Delivery::Forwarded => "Forwarded",
            },
            match self.kind {
                BodyKind::Get => "GET",
                BodyKind::Form => "form",
                BodyKind::Hashed => "hashed body",
                BodyKind::Empty => "empty body",
            },
            match self.key {
                KeyChoice::Primary => "primary token",
                KeyChoice::SubAccount => "sub-account",
                KeyChoice::SharedSha256 => "SharedKey SHA-256",
            },
        ];
        for (name, feature) in [
            ("port", UrlFeature::Port),
            ("credentials", UrlFeature::Credentials),
            ("escape", UrlFeature::Escape),
            ("IPv6", UrlFeature::Ipv6),
        ] {
            if feature.in_url(&self.public_url) {
                out.push(name);
            }
        }
        out
    }
}

fn generated() -> impl Strategy<Value = Generated> {
    let delivery = prop_oneof![
        Just(Delivery::FullUrl),
        Just(Delivery::HostHeader),
        Just(Delivery::BaseUrl),
        Just(Delivery::XForwarded),
        Just(Delivery::Forwarded),
    ];
    let kind = prop_oneof![
        1 => Just(BodyKind::Get),
        3 => Just(BodyKind::Form),
        2 => Just(BodyKind::Hashed),
        1 => Just(BodyKind::Empty),
    ];
    let key = prop_oneof![
        3 => Just(KeyChoice::Primary),
        1 => Just(KeyChoice::SubAccount),
        1 => Just(KeyChoice::SharedSha256),
    ];
    let content_type = (
        prop::sample::select(vec![
            FORM,
            "application/x-www-form-urlencoded; charset=UTF-8",
            "Application/X-WWW-Form-Urlencoded",
        ]),
        prop::sample::select(vec![
            Some("application/json"),
            Some("application/json; charset=utf-8"),
            Some("text/plain"),
            Some("application/xml"),
            None,
        ]),
    );
    let body = prop_oneof![
        "\\{\"EventType\":\"[a-z.]{0,12}\",\"n\":[0-9]{1,3}\\}".prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 1..64),
    ];
    (
        (delivery, kind, key, prop_oneof!["https", "http", "wss"]),
        authority(),
        (path(), proptest::option::of(query()), "(/[a-z]{1,6}){0,2}"),
        (params(), body, content_type),
        (any::<bool>(), 0u8..10),
    )
        .prop_map(
            |(
                (delivery, kind, key, scheme),
                (userinfo, host, port),
                (path, query, prefix),
                (params, json, (form_type, hashed_type)),
                (lower_port, drop_hash),
            )| {
                build(
                    delivery,
                    kind,
                    key,
                    scheme,
                    (userinfo, host, port),
                    (path, query, prefix),
                    params,
                    json,
                    (form_type, hashed_type),
                    (lower_port, drop_hash == 0),
                )
            },
        )
}

#[allow(clippy::too_many_arguments)]
fn build(
    delivery: Delivery,
    kind: BodyKind,
    key: KeyChoice,
    scheme: String,
    (userinfo, host, port): (String, String, String),
    (path, query, prefix): (String, Option<String>, String),
    mut params: Vec<(String, String)>,
    json: Vec<u8>,
    (form_type, hashed_type): (&'static str, Option<&'static str>),
    (lower_port, hash_dropped): (bool, bool),
) -> Generated {
    let path = if path.is_empty() {
        "/".to_owned()
    } else {
        path
    };
    let mut query = query;
    // The query must not choose a key of its own: `AccountSid` appears only where the
    // chosen key puts it.
    if let Some(q) = &mut query {
        *q = q.replace("AccountSid", "AccountSidX");
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    match key {
        KeyChoice::SubAccount if kind == BodyKind::Form => {
            params.push(("AccountSid".into(), "AC1".into()));
        }
        KeyChoice::SubAccount => {
            let q = query.get_or_insert_with(String::new);
            if !q.is_empty() {
                q.push('&');
            }
            q.push_str("AccountSid=AC1");
        }
        KeyChoice::SharedSha256 => headers.push((
            "X-Twilio-Webhooks-Signature-Settings".into(),
            "key=KS1,algorithm=HMAC_SHA256".into(),
        )),
        KeyChoice::Primary => {}
    }
    // A Twilio-like form has no AccountSid of its own unless the key choice adds it.
    if key != KeyChoice::SubAccount {
        params.retain(|(n, _)| n != "AccountSid");
    }
    let (method, body) = match kind {
        BodyKind::Get => ("GET", Vec::new()),
        BodyKind::Form => {
            headers.push(("Content-Type".into(), form_type.into()));
            ("POST", form::encode(&params).into_bytes())
        }
        BodyKind::Hashed => {
            if let Some(ct) = hashed_type {
                headers.push(("Content-Type".into(), ct.into()));
            }
            if !hash_dropped {
                let q = query.get_or_insert_with(String::new);
                if !q.is_empty() {
                    q.push('&');
                }
                q.push_str("bodySHA256=");
                q.push_str(&sha256_hex(&json));
            }
            ("POST", json)
        }
        BodyKind::Empty => ("POST", Vec::new()),
    };
    let mut path_and_query = path;
    if let Some(q) = &query {
        path_and_query.push('?');
        path_and_query.push_str(q);
    }
    // A Host header and forwarded hosts carry no credentials; a base URL may.
    let (public_url, target) = match delivery {
        Delivery::FullUrl => {
            let url = format!("{scheme}://{userinfo}{host}{port}{path_and_query}");
            (url.clone(), url)
        }
        Delivery::HostHeader => {
            headers.push(("Host".into(), format!("{host}{port}")));
            (
                format!("https://{host}{port}{path_and_query}"),
                path_and_query,
            )
        }
        Delivery::BaseUrl => {
            headers.push(("Host".into(), "internal:3000".into()));
            (
                format!("{scheme}://{userinfo}{host}{port}{prefix}{path_and_query}"),
                path_and_query,
            )
        }
        Delivery::XForwarded => {
            headers.push(("Host".into(), "internal:3000".into()));
            headers.push(("X-Forwarded-Proto".into(), scheme.clone()));
            // The port in the forwarded host, or (sometimes) in X-Forwarded-Port.
            let port_digits = port.trim_start_matches(':');
            let separate_port = lower_port && !port_digits.is_empty();
            let url_port = if separate_port {
                headers.push(("X-Forwarded-Host".into(), host.clone()));
                headers.push(("X-Forwarded-Port".into(), port_digits.into()));
                let default = (scheme == "https" && port_digits == "443")
                    || (scheme == "http" && port_digits == "80");
                if default { String::new() } else { port.clone() }
            } else {
                headers.push(("X-Forwarded-Host".into(), format!("{host}{port}")));
                port.clone()
            };
            (
                format!("{scheme}://{host}{url_port}{path_and_query}"),
                path_and_query,
            )
        }
        Delivery::Forwarded => {
            headers.push(("Host".into(), "internal:3000".into()));
            headers.push((
                "Forwarded".into(),
                format!("for=192.0.2.60;proto={scheme};host=\"{host}{port}\""),
            ));
            (
                format!("{scheme}://{host}{port}{path_and_query}"),
                path_and_query,
            )
        }
    };
    Generated {
        delivery,
        kind,
        key,
        method,
        target,
        headers,
        body,
        params,
        public_url,
        hash_dropped: kind == BodyKind::Hashed && hash_dropped,
    }
}

/// `url` with the password of its `user:pass@` shown as `***`, as rejections show it.
fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    match authority.rsplit_once('@') {
        Some((userinfo, _)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***{}", &rest[userinfo.len()..]),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

fn forged_signature() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 32)
}

#[test]
fn forged_signatures_are_refused_after_the_hmac() {
    let counter = Counter::default();
    run(600, (generated(), forged_signature()), |(case, random)| {
        let config = case.config();
        let (algorithm, _, _) = case.signing_key();
        let forged = STANDARD.encode(&random[..algorithm.output_len()]);
        let mut headers: Vec<(&str, &str)> = case
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        headers.push(("X-Twilio-Signature", &forged));
        let req = case.request(&headers);
        prop_assert_eq!(config.request_url(&req), Ok(case.public_url.clone()));
        match config.verify(&req) {
            // Only the one HMAC that is right may pass (a 2^-160 chance for random bytes).
            Ok(verified) => prop_assert_eq!(
                &forged,
                &case.genuine_signature(),
                "forged signature accepted: {:?}",
                verified
            ),
            Err(rejection) => {
                let expected = if case.hash_dropped {
                    RejectionReason::MissingBodyHash
                } else {
                    RejectionReason::SignatureMismatch
                };
                prop_assert_eq!(rejection.reason(), &expected, "{}", rejection);
                if expected == RejectionReason::SignatureMismatch {
                    // The candidates were tried, the URL as rebuilt first.
                    prop_assert_eq!(
                        rejection.candidate_urls().first(),
                        Some(&redacted(&case.public_url))
                    );
                    counter.add("signature mismatch");
                    for feature in case.features() {
                        counter.add(feature);
                    }
                }
            }
        }
        Ok(())
    });
    // Most cases reach the HMAC, and every part of the grammar does.
    let mismatches = counter.get("signature mismatch");
    assert!(
        mismatches >= 500,
        "only {mismatches} of 600 cases reached the HMAC"
    );
    counter.require(
        15,
        &[
            "full URL",
            "Host header",
            "base URL",
            "X-Forwarded-*",
            "Forwarded",
            "GET",
            "form",
            "hashed body",
            "empty body",
            "primary token",
            "sub-account",
            "SharedKey SHA-256",
            "port",
            "credentials",
            "escape",
            "IPv6",
        ],
    );
}

#[test]
fn genuine_signatures_verify_and_a_flipped_bit_does_not() {
    let counter = Counter::default();
    run(300, (generated(), 0usize..256), |(case, bit)| {
        prop_assume!(!case.hash_dropped);
        let config = case.config();
        let genuine = case.genuine_signature();
        let mut flipped = STANDARD.decode(&genuine).unwrap();
        let bit = bit % (flipped.len() * 8);
        flipped[bit / 8] ^= 1 << (bit % 8);
        let flipped = STANDARD.encode(flipped);
        let verdict = |signature: &str| {
            let mut headers: Vec<(&str, &str)> = case
                .headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            headers.push(("X-Twilio-Signature", signature));
            config.verify(&case.request(&headers))
        };
        let verified = verdict(&genuine);
        prop_assert!(
            verified.is_ok(),
            "{:?} refused: {}",
            case,
            verified.unwrap_err()
        );
        let verified = verified.unwrap();
        prop_assert_eq!(
            verified.url().map(str::to_owned),
            Some(redacted(&case.public_url))
        );
        prop_assert_eq!(verified.key(), Some(&case.signing_key().2));
        prop_assert_eq!(
            verdict(&flipped).map_err(|r| r.reason().clone()),
            Err(RejectionReason::SignatureMismatch)
        );
        for feature in case.features() {
            counter.add(feature);
        }
        Ok(())
    });
    counter.require(
        5,
        &[
            "full URL",
            "Host header",
            "base URL",
            "X-Forwarded-*",
            "Forwarded",
            "GET",
            "form",
            "hashed body",
            "empty body",
            "sub-account",
            "SharedKey SHA-256",
            "credentials",
            "IPv6",
        ],
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Arbitrary text where the grammar has structure: nothing panics, and nothing
    /// arbitrary is accepted (these headers are never the right HMAC).
    #[test]
    fn arbitrary_input_never_panics_nor_verifies(
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
        let verified = config.verify(&req);
        prop_assert!(verified.is_err(), "{:?} accepted: {:?}", req, verified);
        let explained = config.explain(&req);
        prop_assert!(explained.attempts.iter().all(|a| !a.matched));
        prop_assert_eq!(explained.outcome, verified);
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
