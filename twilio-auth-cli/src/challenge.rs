//! Answering an HTTP authentication challenge (`401` with `WWW-Authenticate`) as Twilio does
//! for a webhook URL with `user:pass@`: Digest with `qop=auth` (SHA-256 preferred, then MD5),
//! else Basic. The response computation and the auth-param parser are the core's, so client
//! and server agree by construction.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use twilio_auth_core::Secret;
use twilio_auth_core::http_auth::{
    Credentials, DigestAlgorithm, DigestResponseInput, digest_response, parse_authorization,
};

use crate::http::is_tchar;

/// A challenge this tool can answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Challenge {
    Basic,
    Digest(DigestChallenge),
}

/// What a Digest answer needs from the challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestChallenge {
    algorithm: DigestAlgorithm,
    realm: String,
    nonce: String,
    opaque: Option<String>,
    /// `stale=true`: the previous nonce expired, the credentials were right.
    stale: bool,
}

/// An `Authorization` value, and how `--verbose` shows it: without the password or anything
/// computed from it.
#[derive(Debug)]
pub struct Answer {
    pub header: String,
    pub shown: String,
}

/// The challenge to answer among all `WWW-Authenticate` values: Digest SHA-256, SHA-256-sess,
/// MD5, MD5-sess, then Basic. Digest challenges without `qop=auth` (RFC 2069) or asking for
/// `userhash` are not answered.
pub fn preferred<'a>(www_authenticate: impl IntoIterator<Item = &'a str>) -> Option<Challenge> {
    www_authenticate
        .into_iter()
        .flat_map(split_challenges)
        .filter_map(Challenge::parse)
        .min_by_key(Challenge::rank)
}

impl Challenge {
    fn parse(challenge: &str) -> Option<Challenge> {
        let scheme = challenge.split([' ', '\t']).next()?;
        if scheme.eq_ignore_ascii_case("Basic") {
            return Some(Challenge::Basic);
        }
        // A challenge has the syntax of Digest credentials, so the core's parser reads it.
        let Ok(Credentials::Digest(params)) = parse_authorization(challenge) else {
            return None;
        };
        let is_true = |name: &str| {
            params
                .get(name)
                .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        };
        let algorithm = match params.get("algorithm") {
            None => DigestAlgorithm::Md5,
            Some(token) => DigestAlgorithm::from_token(token)?,
        };
        let offers_auth = params
            .get("qop")?
            .split(',')
            .any(|qop| qop.trim().eq_ignore_ascii_case("auth"));
        if !offers_auth || is_true("userhash") {
            return None;
        }
        Some(Challenge::Digest(DigestChallenge {
            algorithm,
            realm: params.get("realm")?.to_owned(),
            nonce: params.get("nonce")?.to_owned(),
            opaque: params.get("opaque").map(str::to_owned),
            stale: is_true("stale"),
        }))
    }

    fn rank(&self) -> u8 {
        match self {
            Challenge::Digest(digest) => match digest.algorithm {
                DigestAlgorithm::Sha256 => 0,
                DigestAlgorithm::Sha256Sess => 1,
                DigestAlgorithm::Md5 => 2,
                DigestAlgorithm::Md5Sess => 3,
            },
            Challenge::Basic => 4,
        }
    }

    /// Whether this is a Digest challenge saying that the last nonce expired.
    pub fn is_stale(&self) -> bool {
        matches!(self, Challenge::Digest(digest) if digest.stale)
    }

    /// `Basic`, or `Digest` and its algorithm.
    pub fn name(&self) -> String {
        match self {
            Challenge::Basic => "Basic".into(),
            Challenge::Digest(digest) => format!("Digest {}", digest.algorithm),
        }
    }

    /// The `Authorization` value for a request with `method` and request target `uri`.
    pub fn answer(
        &self,
        user: &str,
        password: &Secret,
        method: &str,
        uri: &str,
    ) -> Result<Answer, String> {
        match self {
            Challenge::Basic => {
                if user.contains(':') {
                    return Err("a Basic user name cannot contain ':' (RFC 7617)".into());
                }
                let token = STANDARD.encode(format!("{user}:{}", password.expose()));
                Ok(Answer {
                    header: format!("Basic {token}"),
                    shown: "Basic <user:password in base64, not shown>".into(),
                })
            }
            Challenge::Digest(digest) => {
                // One request per nonce: the count is always 1.
                let nc = "00000001";
                let cnonce = cnonce();
                let response = digest_response(
                    digest.algorithm,
                    &DigestResponseInput {
                        username: user,
                        realm: &digest.realm,
                        password: password.expose(),
                        method,
                        uri,
                        nonce: &digest.nonce,
                        nc,
                        cnonce: &cnonce,
                        qop: "auth",
                    },
                );
                let mut fields = format!(
                    "Digest username={}, realm={}, nonce={}, uri={}, algorithm={}, qop=auth, nc={nc}, cnonce=\"{cnonce}\"",
                    quote(user),
                    quote(&digest.realm),
                    quote(&digest.nonce),
                    quote(uri),
                    digest.algorithm,
                );
                if let Some(opaque) = &digest.opaque {
                    fields.push_str(&format!(", opaque={}", quote(opaque)));
                }
                Ok(Answer {
                    header: format!("{fields}, response=\"{response}\""),
                    shown: format!("{fields}, response=<not shown>"),
                })
            }
        }
    }
}

/// Splits one `WWW-Authenticate` value into its challenges. The value is a comma-separated
/// list in which a challenge starts with an auth-scheme token not followed by `=` (RFC 9110
/// §11.6.1), and commas inside quoted strings do not count.
fn split_challenges(value: &str) -> Vec<&str> {
    let mut challenges = Vec::new();
    let (mut start, mut in_quotes, mut escaped) = (0, false, false);
    for (i, b) in value.bytes().enumerate() {
        if in_quotes {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_quotes = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_quotes = true,
            b',' if starts_challenge(&value[i + 1..]) => {
                challenges.push(trim_element(&value[start..i]));
                start = i + 1;
            }
            _ => {}
        }
    }
    challenges.push(trim_element(&value[start..]));
    challenges.retain(|c| !c.is_empty());
    challenges
}

/// A list element without surrounding whitespace and empty elements (`,,`).
fn trim_element(element: &str) -> &str {
    element.trim_matches([' ', '\t', ','])
}

/// Whether the text after a list comma begins a new challenge: a token, then the end or
/// whitespace and something other than `=`.
fn starts_challenge(rest: &str) -> bool {
    let rest = rest.trim_start_matches([' ', '\t', ',']);
    let token_len = rest.bytes().take_while(|&b| is_tchar(b)).count();
    if token_len == 0 {
        return false;
    }
    let after = &rest[token_len..];
    let after_space = after.trim_start_matches([' ', '\t']);
    after.is_empty() || (after_space.len() < after.len() && !after_space.starts_with('='))
}

/// A quoted-string with `"` and `\` escaped.
fn quote(value: &str) -> String {
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    quoted
}

/// A fresh client nonce of 128 bits from std's randomly keyed hasher: it must differ between
/// requests and be hard to guess, which needs no random-number dependency.
fn cnonce() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    (0..2u8)
        .map(|half| {
            let mut hasher = RandomState::new().build_hasher();
            hasher.write_u8(half);
            hasher.write_u128(now);
            hasher.write_u32(std::process::id());
            format!("{:016x}", hasher.finish())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use twilio_auth_core::http_auth::{
        HttpAuthConfig, HttpAuthRequirement, NonceSecret, decode_basic_credentials,
    };

    use super::*;

    #[test]
    fn challenges_in_one_value_are_split_at_scheme_tokens() {
        // RFC 9110 §11.6.1's example, then empty elements and a comma in a quoted string.
        assert_eq!(
            split_challenges(
                r#"Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple""#
            ),
            [
                r#"Newauth realm="apps", type=1, title="Login to \"apps\"""#,
                r#"Basic realm="simple""#
            ]
        );
        assert_eq!(
            split_challenges(r#"Digest realm="a, Basic b", qop = "auth",, Basic realm="x", "#),
            [
                r#"Digest realm="a, Basic b", qop = "auth""#,
                r#"Basic realm="x""#
            ]
        );
        assert_eq!(split_challenges("Negotiate, Basic"), ["Negotiate", "Basic"]);
    }

    #[test]
    fn digest_sha256_is_preferred_then_md5_then_basic() {
        let sha = r#"Digest realm="r", qop="auth", algorithm=SHA-256, nonce="n1", opaque="o""#;
        let md5 = r#"Digest realm="r", qop="auth,auth-int", nonce="n2""#;
        let basic = r#"Basic realm="r", charset="UTF-8""#;
        let name = |values: &[&str]| preferred(values.iter().copied()).map(|c| c.name());
        assert_eq!(name(&[basic, md5, sha]).as_deref(), Some("Digest SHA-256"));
        assert_eq!(name(&[basic, md5]).as_deref(), Some("Digest MD5"));
        assert_eq!(
            name(&[&format!("{basic}, {md5}")]).as_deref(),
            Some("Digest MD5")
        );
        assert_eq!(name(&[basic]).as_deref(), Some("Basic"));
        assert!(!preferred([sha]).unwrap().is_stale());
        assert!(
            preferred([format!("{sha}, stale=TRUE").as_str()])
                .unwrap()
                .is_stale()
        );
        // Not answerable: no qop (RFC 2069), auth-int only, userhash, an unknown algorithm,
        // another scheme.
        for value in [
            r#"Digest realm="r", nonce="n""#,
            r#"Digest realm="r", qop="auth-int", nonce="n""#,
            r#"Digest realm="r", qop="auth", nonce="n", userhash=true"#,
            r#"Digest realm="r", qop="auth", nonce="n", algorithm=SHA-512-256"#,
            "Bearer realm=\"r\"",
        ] {
            assert_eq!(preferred([value]), None, "{value}");
        }
    }

    /// Each answer is accepted by the core's server side, the one the example apps run.
    #[test]
    fn answers_are_accepted_by_the_server_side() {
        let server = HttpAuthConfig::builder("twilio-webhooks")
            .credential("twilio", "s3cret")
            .nonce_secret(NonceSecret::new(b"sixteen bytes or more".to_vec()).unwrap())
            .build()
            .unwrap();
        let password = Secret::new("s3cret");
        let now = 1_700_000_000;
        for requirement in [HttpAuthRequirement::Basic, HttpAuthRequirement::Digest] {
            let failure = server
                .check(requirement, "POST", "/voice?x=\"1\"", None, now)
                .unwrap_err();
            let challenges = failure.challenges();
            for challenge in challenges {
                let challenge = preferred([challenge.as_str()]).unwrap();
                let answer = challenge
                    .answer("twilio", &password, "POST", "/voice?x=\"1\"")
                    .unwrap();
                let user = server
                    .check(
                        requirement,
                        "POST",
                        "/voice?x=\"1\"",
                        Some(&answer.header),
                        now + 1,
                    )
                    .unwrap_or_else(|e| panic!("{} refused: {e}", challenge.name()))
                    .unwrap();
                assert_eq!(user.user(), "twilio");
                assert!(!answer.shown.contains("s3cret"), "{}", answer.shown);
                if let Challenge::Digest(_) = challenge {
                    let response = answer.header.rsplit("response=").next().unwrap();
                    assert!(!answer.shown.contains(response.trim_matches('"')));
                }
            }
        }
    }

    #[test]
    fn basic_answer_encodes_user_and_password() {
        let answer = Challenge::Basic
            .answer("twilio", &Secret::new("pa:ss"), "POST", "/")
            .unwrap();
        let token = answer.header.strip_prefix("Basic ").unwrap();
        let (user, password) = decode_basic_credentials(token).unwrap();
        assert_eq!((user.as_str(), password.as_str()), ("twilio", "pa:ss"));
        assert!(
            Challenge::Basic
                .answer("a:b", &Secret::new("p"), "POST", "/")
                .is_err()
        );
    }

    #[test]
    fn cnonces_differ() {
        assert_ne!(cnonce(), cnonce());
        assert_eq!(cnonce().len(), 32);
    }
}
