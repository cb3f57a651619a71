//! Digest access authentication (RFC 7616): algorithms, the response computation and the
//! verification of a client's `Authorization: Digest …` parameters.

use std::fmt;

use md5::Md5;
use sha2::Sha256;
use subtle::{Choice, ConstantTimeEq};

use super::authorization::{AuthParams, MalformedAuthorization};
use super::{Authenticated, DigestNonceUse, HttpAuthConfig, HttpAuthFailureReason, HttpAuthScheme};

/// A Digest hash algorithm (RFC 7616 §3.2 and §6.1).
///
/// Challenges offer [`Sha256`](Self::Sha256) and [`Md5`](Self::Md5); the `-sess` variants are
/// accepted from clients that choose them. SHA-512-256 and `userhash` are not supported.
///
/// # Examples
///
/// ```
/// use twilio_auth_core::http_auth::DigestAlgorithm;
///
/// assert_eq!(DigestAlgorithm::from_token("sha-256"), Some(DigestAlgorithm::Sha256));
/// assert_eq!(DigestAlgorithm::Md5Sess.as_str(), "MD5-sess");
/// assert_eq!(DigestAlgorithm::from_token("SHA-512-256"), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DigestAlgorithm {
    /// `MD5`, also what an absent `algorithm` parameter means.
    Md5,
    /// `MD5-sess`.
    Md5Sess,
    /// `SHA-256`.
    Sha256,
    /// `SHA-256-sess`.
    Sha256Sess,
}

impl DigestAlgorithm {
    /// The token as written in `algorithm=`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::Md5Sess => "MD5-sess",
            Self::Sha256 => "SHA-256",
            Self::Sha256Sess => "SHA-256-sess",
        }
    }

    /// The algorithm named by an `algorithm=` token (case-insensitive), if supported.
    pub fn from_token(token: &str) -> Option<Self> {
        [Self::Md5, Self::Md5Sess, Self::Sha256, Self::Sha256Sess]
            .into_iter()
            .find(|algorithm| algorithm.as_str().eq_ignore_ascii_case(token))
    }

    fn is_session(self) -> bool {
        matches!(self, Self::Md5Sess | Self::Sha256Sess)
    }

    /// Lower-case hex of the hash of `parts` joined by `:`.
    fn hash_hex(self, parts: &[&str]) -> String {
        fn run<D: sha2::Digest>(parts: &[&str]) -> String {
            let mut hasher = D::new();
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    hasher.update(b":");
                }
                hasher.update(part.as_bytes());
            }
            hex(&hasher.finalize())
        }
        match self {
            Self::Md5 | Self::Md5Sess => run::<Md5>(parts),
            Self::Sha256 | Self::Sha256Sess => run::<Sha256>(parts),
        }
    }
}

impl fmt::Display for DigestAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The values that enter a Digest `response` for `qop=auth` (RFC 7616 §3.4.1).
///
/// The fields are named rather than positional because they are all strings and easy to swap.
#[derive(Clone, Copy)]
pub struct DigestResponseInput<'a> {
    /// `username` (not hashed: `userhash` is not supported).
    pub username: &'a str,
    /// `realm` from the challenge.
    pub realm: &'a str,
    /// The user's password.
    pub password: &'a str,
    /// The request method, e.g. `POST`.
    pub method: &'a str,
    /// The `uri` parameter (the request target).
    pub uri: &'a str,
    /// The server's `nonce`.
    pub nonce: &'a str,
    /// The nonce count `nc`, e.g. `00000001`.
    pub nc: &'a str,
    /// The client nonce `cnonce`.
    pub cnonce: &'a str,
    /// The quality of protection; `auth` (with `auth-int` the result would be wrong: the body
    /// hash is not included).
    pub qop: &'a str,
}

impl fmt::Debug for DigestResponseInput<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DigestResponseInput")
            .field("username", &self.username)
            .field("realm", &self.realm)
            .field("password", &"***")
            .field("method", &self.method)
            .field("uri", &self.uri)
            .field("nonce", &self.nonce)
            .field("nc", &self.nc)
            .field("cnonce", &self.cnonce)
            .field("qop", &self.qop)
            .finish()
    }
}

/// Computes the Digest `response` value (lower-case hex) as client and server both do:
///
/// ```text
/// A1       = username:realm:password                       (-sess: H(that):nonce:cnonce)
/// A2       = method:uri
/// response = H( H(A1):nonce:nc:cnonce:qop:H(A2) )
/// ```
///
/// # Examples
///
/// The SHA-256 example of RFC 7616 §3.9.1:
///
/// ```
/// use twilio_auth_core::http_auth::{DigestAlgorithm, DigestResponseInput, digest_response};
///
/// let response = digest_response(DigestAlgorithm::Sha256, &DigestResponseInput {
///     username: "Mufasa",
///     realm: "http-auth@example.org",
///     password: "Circle of Life",
///     method: "GET",
///     uri: "/dir/index.html",
///     nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
///     nc: "00000001",
///     cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
///     qop: "auth",
/// });
/// assert_eq!(response, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
/// ```
pub fn digest_response(algorithm: DigestAlgorithm, input: &DigestResponseInput<'_>) -> String {
    let mut ha1 = algorithm.hash_hex(&[input.username, input.realm, input.password]);
    if algorithm.is_session() {
        ha1 = algorithm.hash_hex(&[&ha1, input.nonce, input.cnonce]);
    }
    let ha2 = algorithm.hash_hex(&[input.method, input.uri]);
    algorithm.hash_hex(&[&ha1, input.nonce, input.nc, input.cnonce, input.qop, &ha2])
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

/// Verifies Digest credentials for one request.
///
/// Order matters: cheap syntactic and binding checks first, then the nonce's authenticity, then
/// the response against every configured credential (no early exit), and only then the nonce's
/// age, so that `stale=true` is sent only for an otherwise valid request.
pub(crate) fn verify(
    config: &HttpAuthConfig,
    params: &AuthParams,
    method: &str,
    request_target: &str,
    now: u64,
) -> Result<Authenticated, HttpAuthFailureReason> {
    let required = |name: &'static str| {
        params.get(name).ok_or(HttpAuthFailureReason::Malformed(
            MalformedAuthorization::MissingParameter(name),
        ))
    };
    let username = required("username")?;
    let realm = required("realm")?;
    let nonce = required("nonce")?;
    let uri = required("uri")?;
    let response = required("response")?;

    let algorithm = match params.get("algorithm") {
        None => DigestAlgorithm::Md5,
        Some(token) => {
            DigestAlgorithm::from_token(token).ok_or(HttpAuthFailureReason::UnsupportedAlgorithm)?
        }
    };
    // RFC 2069 requests (no qop, hence no cnonce) are refused: we always offer qop="auth", and
    // RFC 7616 §3.4 requires the client to pick one of the offered qop values.
    let qop = params
        .get("qop")
        .ok_or(HttpAuthFailureReason::UnsupportedQop)?;
    if !qop.eq_ignore_ascii_case("auth") {
        return Err(HttpAuthFailureReason::UnsupportedQop);
    }
    let nc = required("nc")?;
    if nc.len() != 8 || !nc.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(HttpAuthFailureReason::Malformed(
            MalformedAuthorization::InvalidNonceCount,
        ));
    }
    let cnonce = required("cnonce").and_then(|cnonce| {
        if cnonce.is_empty() {
            Err(HttpAuthFailureReason::Malformed(
                MalformedAuthorization::MissingParameter("cnonce"),
            ))
        } else {
            Ok(cnonce)
        }
    })?;
    let opaque = required("opaque")?;

    if realm != config.realm() {
        return Err(HttpAuthFailureReason::RealmMismatch);
    }
    if opaque != config.nonce_secret().opaque(config.realm()) {
        return Err(HttpAuthFailureReason::OpaqueMismatch);
    }
    if uri != request_target {
        return Err(HttpAuthFailureReason::UriMismatch);
    }
    let issued_at = config
        .nonce_secret()
        .verify_nonce(nonce, config.realm(), now)
        .map_err(|()| HttpAuthFailureReason::BadNonce)?;

    let received = response.to_ascii_lowercase();
    let mut user_known = Choice::from(0);
    let mut accepted = Choice::from(0);
    for credential in config.credentials() {
        let user_matches = credential.user_matches(username);
        let expected = digest_response(
            algorithm,
            &DigestResponseInput {
                username,
                realm,
                password: credential.password(),
                method,
                uri,
                nonce,
                nc,
                cnonce,
                qop,
            },
        );
        user_known |= user_matches;
        accepted |= user_matches & expected.as_bytes().ct_eq(received.as_bytes());
    }
    if !bool::from(accepted) {
        return Err(if bool::from(user_known) {
            HttpAuthFailureReason::WrongPassword
        } else {
            HttpAuthFailureReason::UnknownUser
        });
    }
    if issued_at.is_expired(now, config.nonce_lifetime_secs()) {
        return Err(HttpAuthFailureReason::StaleNonce);
    }
    Ok(
        Authenticated::new(username.to_owned(), HttpAuthScheme::Digest(algorithm)).with_nonce_use(
            DigestNonceUse {
                nonce: nonce.to_owned(),
                nc: nc.to_ascii_lowercase(),
                issued_at: issued_at.0,
                accepted_until: issued_at
                    .0
                    .saturating_add(config.nonce_lifetime_secs())
                    .saturating_add(super::NONCE_CLOCK_SKEW_SECS),
            },
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc_7616_example(algorithm: DigestAlgorithm) -> String {
        digest_response(
            algorithm,
            &DigestResponseInput {
                username: "Mufasa",
                realm: "http-auth@example.org",
                password: "Circle of Life",
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
    fn rfc_7616_sha256_example() {
        assert_eq!(
            rfc_7616_example(DigestAlgorithm::Sha256),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
        );
    }

    #[test]
    fn rfc_7616_md5_example() {
        assert_eq!(
            rfc_7616_example(DigestAlgorithm::Md5),
            "8ca523f5e9506fed4657c9700eebdbec"
        );
    }

    #[test]
    fn session_variants_hash_the_nonces_into_a1() {
        // -sess changes A1 only, so the result differs from the plain algorithm but has its size.
        let md5_sess = rfc_7616_example(DigestAlgorithm::Md5Sess);
        let sha_sess = rfc_7616_example(DigestAlgorithm::Sha256Sess);
        assert_eq!((md5_sess.len(), sha_sess.len()), (32, 64));
        assert_ne!(md5_sess, rfc_7616_example(DigestAlgorithm::Md5));
        assert_ne!(sha_sess, rfc_7616_example(DigestAlgorithm::Sha256));
    }

    #[test]
    fn session_variants_match_an_independent_implementation() {
        // Computed with Python's hashlib from the RFC 7616 §3.9.1 inputs:
        // HA1 = H(H(user:realm:password):nonce:cnonce).
        assert_eq!(
            rfc_7616_example(DigestAlgorithm::Md5Sess),
            "e783283f46242139c486a698fec7211d"
        );
        assert_eq!(
            rfc_7616_example(DigestAlgorithm::Sha256Sess),
            "2fd51b3a77ad75bad6afad6003e818d767133c46d9e2749e7f5232ae1ea3efd7"
        );
    }

    #[test]
    fn hex_is_lowercase_and_padded() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
    }

    #[test]
    fn algorithm_tokens() {
        for algorithm in [
            DigestAlgorithm::Md5,
            DigestAlgorithm::Md5Sess,
            DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha256Sess,
        ] {
            assert_eq!(
                DigestAlgorithm::from_token(algorithm.as_str()),
                Some(algorithm)
            );
        }
        assert_eq!(
            DigestAlgorithm::from_token("md5-SESS"),
            Some(DigestAlgorithm::Md5Sess)
        );
        assert_eq!(DigestAlgorithm::from_token(""), None);
        assert_eq!(DigestAlgorithm::from_token("SHA-1"), None);
    }
}
