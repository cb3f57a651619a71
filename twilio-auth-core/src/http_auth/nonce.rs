//! Stateless Digest nonces: `base64url(timestamp || HMAC-SHA256(secret, timestamp || realm))`.
//!
//! Any instance that shares the [`NonceSecret`] can check a nonce issued by any other, so Twilio's
//! retry may land on a different instance behind a load balancer. Being stateless, the server
//! does not track `nc`: a captured request can be replayed until its nonce expires.

use std::fmt;
use std::io::Read;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use super::HttpAuthConfigError;

type HmacSha256 = Hmac<Sha256>;

const TIMESTAMP_LEN: usize = 8;
const TAG_LEN: usize = 32;
/// base64url without padding of `TIMESTAMP_LEN + TAG_LEN` bytes.
const NONCE_LEN: usize = ((TIMESTAMP_LEN + TAG_LEN) * 8).div_ceil(6);

/// Nonces stamped further in the future than this are rejected. It absorbs clock differences
/// between instances that share a secret.
pub const NONCE_CLOCK_SKEW_SECS: u64 = 60;

/// Shortest secret accepted by [`NonceSecret::new`], in bytes.
pub const MIN_NONCE_SECRET_LEN: usize = 16;

/// Domain separator so that the opaque value can never equal the MAC of a nonce.
const OPAQUE_LABEL: &[u8] = b"twilio-auth opaque\0";

/// The key that authenticates Digest nonces. Never shown in `Debug`.
///
/// Share one secret across all instances behind a load balancer; with [`NonceSecret::random`]
/// each instance (and each restart) only accepts its own nonces.
///
/// # Examples
///
/// ```
/// use twilio_auth_core::http_auth::NonceSecret;
///
/// let shared = NonceSecret::new(b"a secret shared by every instance".to_vec()).unwrap();
/// assert_eq!(format!("{shared:?}"), "NonceSecret(***)");
/// assert!(NonceSecret::new(b"short".to_vec()).is_err());
/// let _per_process = NonceSecret::random();
/// ```
#[derive(Clone)]
pub struct NonceSecret(Vec<u8>);

impl NonceSecret {
    /// A secret from configured bytes (e.g. an environment variable); at least
    /// [`MIN_NONCE_SECRET_LEN`] bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, HttpAuthConfigError> {
        let bytes = bytes.into();
        if bytes.len() < MIN_NONCE_SECRET_LEN {
            return Err(HttpAuthConfigError::NonceSecretTooShort);
        }
        Ok(Self(bytes))
    }

    /// 32 random bytes from `/dev/urandom`.
    ///
    /// Where that file cannot be read (e.g. Windows), the bytes are a SHA-256 over the time, the
    /// process id, a stack address and the OS-seeded keys of std's `RandomState`.
    pub fn random() -> Self {
        let mut bytes = [0u8; 32];
        let read = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
        if read.is_err() {
            bytes = fallback_entropy();
        }
        Self(bytes.to_vec())
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC accepts keys of any length; the error branch is unreachable but costs nothing.
        HmacSha256::new_from_slice(&self.0).unwrap_or_else(|_| HmacSha256::new(&Default::default()))
    }

    fn tag(&self, timestamp: u64, realm: &str) -> HmacSha256 {
        let mut mac = self.mac();
        mac.update(&timestamp.to_be_bytes());
        mac.update(realm.as_bytes());
        mac
    }

    /// A fresh nonce stamped with `now`.
    pub(crate) fn issue_nonce(&self, realm: &str, now: u64) -> String {
        let mut raw = Vec::with_capacity(TIMESTAMP_LEN + TAG_LEN);
        raw.extend_from_slice(&now.to_be_bytes());
        raw.extend_from_slice(&self.tag(now, realm).finalize().into_bytes());
        URL_SAFE_NO_PAD.encode(raw)
    }

    /// Checks that `nonce` was issued by this secret for `realm` and is not from the future.
    /// Expiry is judged by the caller, after the response, so that only an otherwise valid
    /// request is told `stale=true` (RFC 7616 §3.3).
    pub(crate) fn verify_nonce(&self, nonce: &str, realm: &str, now: u64) -> Result<IssuedAt, ()> {
        if nonce.len() != NONCE_LEN {
            return Err(());
        }
        let raw = URL_SAFE_NO_PAD.decode(nonce).map_err(|_| ())?;
        let (timestamp, tag) = raw.split_first_chunk::<TIMESTAMP_LEN>().ok_or(())?;
        let timestamp = u64::from_be_bytes(*timestamp);
        // `verify_slice` compares in constant time.
        self.tag(timestamp, realm)
            .verify_slice(tag)
            .map_err(|_| ())?;
        if timestamp > now.saturating_add(NONCE_CLOCK_SKEW_SECS) {
            return Err(());
        }
        Ok(IssuedAt(timestamp))
    }

    /// The `opaque` value: fixed per secret and realm, so it too needs no server state.
    pub(crate) fn opaque(&self, realm: &str) -> String {
        let mut mac = self.mac();
        mac.update(OPAQUE_LABEL);
        mac.update(realm.as_bytes());
        let tag = mac.finalize().into_bytes();
        URL_SAFE_NO_PAD.encode(tag.get(..16).unwrap_or_default())
    }
}

impl fmt::Debug for NonceSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NonceSecret(***)")
    }
}

/// The issue time (unix seconds) of an authentic nonce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct IssuedAt(pub(crate) u64);

impl IssuedAt {
    pub(crate) fn is_expired(self, now: u64, lifetime_secs: u64) -> bool {
        now > self.0.saturating_add(lifetime_secs)
    }
}

fn fallback_entropy() -> [u8; 32] {
    use std::hash::{BuildHasher, Hasher};

    let mut hasher = Sha256::new();
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    hasher.update(since_epoch.as_nanos().to_le_bytes());
    hasher.update(std::process::id().to_le_bytes());
    let on_stack = 0u8;
    hasher.update((&on_stack as *const u8 as usize).to_le_bytes());
    hasher.update(format!("{:?}", std::thread::current().id()).as_bytes());
    for _ in 0..4 {
        // std seeds RandomState from the OS random source on every platform.
        let mut random = std::collections::hash_map::RandomState::new().build_hasher();
        random.write_u64(0);
        hasher.update(random.finish().to_le_bytes());
    }
    hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(byte: u8) -> NonceSecret {
        NonceSecret(vec![byte; 32])
    }

    #[test]
    fn nonce_round_trips_and_has_expected_shape() {
        let nonce = secret(1).issue_nonce("realm", 1_700_000_000);
        assert_eq!(nonce.len(), NONCE_LEN);
        assert!(
            nonce
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(
            secret(1).verify_nonce(&nonce, "realm", 1_700_000_000),
            Ok(IssuedAt(1_700_000_000))
        );
    }

    #[test]
    fn nonce_is_bound_to_secret_and_realm() {
        let nonce = secret(1).issue_nonce("realm", 100);
        assert_eq!(secret(2).verify_nonce(&nonce, "realm", 100), Err(()));
        assert_eq!(secret(1).verify_nonce(&nonce, "other", 100), Err(()));
    }

    #[test]
    fn changed_timestamp_is_rejected() {
        let nonce = secret(1).issue_nonce("realm", 100);
        let mut raw = URL_SAFE_NO_PAD.decode(&nonce).unwrap();
        raw[7] ^= 1;
        let forged = URL_SAFE_NO_PAD.encode(raw);
        assert_eq!(secret(1).verify_nonce(&forged, "realm", 100), Err(()));
    }

    #[test]
    fn future_nonce_is_rejected_beyond_skew() {
        let nonce = secret(1).issue_nonce("realm", 1000);
        assert!(
            secret(1)
                .verify_nonce(&nonce, "realm", 1000 - NONCE_CLOCK_SKEW_SECS)
                .is_ok()
        );
        assert_eq!(
            secret(1).verify_nonce(&nonce, "realm", 1000 - NONCE_CLOCK_SKEW_SECS - 1),
            Err(())
        );
    }

    #[test]
    fn expiry_boundary() {
        assert!(!IssuedAt(100).is_expired(400, 300));
        assert!(IssuedAt(100).is_expired(401, 300));
        assert!(!IssuedAt(u64::MAX).is_expired(u64::MAX, 300));
    }

    #[test]
    fn opaque_is_stable_and_secret_dependent() {
        assert_eq!(secret(1).opaque("r"), secret(1).opaque("r"));
        assert_ne!(secret(1).opaque("r"), secret(2).opaque("r"));
        assert_eq!(secret(1).opaque("r").len(), 22);
    }

    #[test]
    fn random_secrets_differ() {
        let (a, b) = (NonceSecret::random(), NonceSecret::random());
        assert_eq!(a.0.len(), 32);
        assert_ne!(a.0, b.0);
        assert_ne!(fallback_entropy(), fallback_entropy());
    }
}
