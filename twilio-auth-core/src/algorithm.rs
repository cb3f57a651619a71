//! Signature algorithms and the `X-Twilio-Webhooks-Signature-Settings` header, which
//! switches a request from the Auth Token with HMAC-SHA1 to a SharedKey secret.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The HMAC that produced an `X-Twilio-Signature`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// HMAC-SHA1: the default, always used with Auth Tokens.
    HmacSha1,
    /// HMAC-SHA256, selected per request by the signature-settings header.
    HmacSha256,
}

impl Algorithm {
    /// The name Twilio uses in the signature-settings header.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::HmacSha1 => "HMAC_SHA1",
            Algorithm::HmacSha256 => "HMAC_SHA256",
        }
    }

    /// Parses `HMAC_SHA1` / `HMAC_SHA256` (any letter case).
    pub fn from_name(name: &str) -> Option<Self> {
        if name.eq_ignore_ascii_case("HMAC_SHA1") {
            Some(Algorithm::HmacSha1)
        } else if name.eq_ignore_ascii_case("HMAC_SHA256") {
            Some(Algorithm::HmacSha256)
        } else {
            None
        }
    }

    /// Length in bytes of the decoded signature.
    pub fn output_len(self) -> usize {
        match self {
            Algorithm::HmacSha1 => 20,
            Algorithm::HmacSha256 => 32,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The parsed `X-Twilio-Webhooks-Signature-Settings: key=<id>,algorithm=<ALG>` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SignatureSettings<'h> {
    pub key_id: &'h str,
    pub algorithm: Result<Algorithm, ()>,
}

impl<'h> SignatureSettings<'h> {
    /// `None` when the header has no `key`.
    pub fn parse(header: &'h str) -> Option<Self> {
        let mut key_id = None;
        let mut algorithm = Ok(Algorithm::HmacSha1);
        for part in header.split([',', ';']) {
            let Some((name, value)) = part.split_once('=') else {
                continue;
            };
            let value = value.trim().trim_matches('"');
            match name.trim() {
                n if n.eq_ignore_ascii_case("key") => key_id = Some(value),
                n if n.eq_ignore_ascii_case("algorithm") => {
                    algorithm = Algorithm::from_name(value).ok_or(())
                }
                _ => {}
            }
        }
        key_id
            .filter(|k| !k.is_empty())
            .map(|key_id| SignatureSettings { key_id, algorithm })
    }
}

/// A secret turned into ready-keyed HMAC states, so each candidate costs one clone and
/// the hashing of its own bytes.
#[derive(Clone)]
pub(crate) struct KeyedMac {
    sha1: Hmac<Sha1>,
    sha256: Hmac<Sha256>,
}

impl KeyedMac {
    pub fn new(secret: &[u8]) -> Self {
        // HMAC accepts keys of any length; these cannot fail.
        KeyedMac {
            sha1: <Hmac<Sha1> as KeyInit>::new_from_slice(secret)
                .unwrap_or_else(|_| unreachable!()),
            sha256: <Hmac<Sha256> as KeyInit>::new_from_slice(secret)
                .unwrap_or_else(|_| unreachable!()),
        }
    }

    /// Whether `signature` is the MAC of `url` followed by `suffix` (the parameters),
    /// compared in constant time. The two are fed to the MAC one after the other: the
    /// signed string is never built.
    pub fn matches(
        &self,
        algorithm: Algorithm,
        url: &str,
        suffix: &[u8],
        signature: &[u8],
    ) -> bool {
        let pieces = [url.as_bytes(), suffix];
        match algorithm {
            Algorithm::HmacSha1 => mac_matches(&self.sha1, pieces, signature),
            Algorithm::HmacSha256 => mac_matches(&self.sha256, pieces, signature),
        }
    }

    /// The MAC of `url` followed by `suffix` (the parameters).
    pub fn sign(&self, algorithm: Algorithm, url: &str, suffix: &[u8]) -> Vec<u8> {
        let pieces = [url.as_bytes(), suffix];
        match algorithm {
            Algorithm::HmacSha1 => mac_of(&self.sha1, pieces).to_vec(),
            Algorithm::HmacSha256 => mac_of(&self.sha256, pieces).to_vec(),
        }
    }
}

/// The MAC of the pieces, one after the other, from a clone of the keyed state.
fn mac_of<'p, M: Mac + Clone>(
    keyed: &M,
    pieces: impl IntoIterator<Item = &'p [u8]>,
) -> hmac::digest::Output<M> {
    let mut mac = keyed.clone();
    for piece in pieces {
        mac.update(piece);
    }
    mac.finalize().into_bytes()
}

fn mac_matches<M: Mac + Clone>(keyed: &M, pieces: [&[u8]; 2], signature: &[u8]) -> bool {
    let expected = mac_of(keyed, pieces);
    bool::from(expected.as_slice().ct_eq(signature))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_header_parses_key_and_algorithm() {
        let s = SignatureSettings::parse("key=KS123, algorithm=HMAC_SHA256").unwrap();
        assert_eq!(s.key_id, "KS123");
        assert_eq!(s.algorithm, Ok(Algorithm::HmacSha256));
        let s = SignatureSettings::parse("key=KS1,algorithm=MD5").unwrap();
        assert_eq!(s.algorithm, Err(()));
        assert!(SignatureSettings::parse("algorithm=HMAC_SHA1").is_none());
        assert!(SignatureSettings::parse("").is_none());
    }
}
