//! What a replay store does: four atomic transitions on a 32-byte key.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// A key in the store: a SHA-256 digest (of what the signature proves, or of a signed
/// content key, or of a Digest nonce use). Never the request's own bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct StoreKey(pub [u8; 32]);

impl StoreKey {
    /// The key as 64 lower-case hex digits.
    pub fn hex(&self) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = String::with_capacity(64);
        for byte in self.0 {
            out.push(HEX[usize::from(byte >> 4)] as char);
            out.push(HEX[usize::from(byte & 15)] as char);
        }
        out
    }
}

impl fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StoreKey({})", &self.hex()[..16])
    }
}

/// What [`ReplayStore::begin`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Begin {
    /// The key was absent: it is now in flight, leased to the caller.
    Fresh,
    /// Another attempt holds the key and its handler has not finished.
    InFlight,
    /// An attempt with this key completed successfully (2xx) within the window.
    Done,
}

/// A store that could not answer (unreachable, timed out, an unexpected reply).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StoreError {}

/// The future every store method returns.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// A replay store: [`MemoryStore`](crate::MemoryStore) for one instance,
/// `RedisStore` (feature `redis`) for many. Each method is one atomic step.
pub trait ReplayStore: Send + Sync + 'static {
    /// If `key` is absent, records it as in flight with `token` for `lease` and answers
    /// [`Begin::Fresh`]; otherwise answers its state, changing nothing.
    fn begin<'a>(
        &'a self,
        key: &'a StoreKey,
        token: u64,
        lease: Duration,
    ) -> StoreFuture<'a, Begin>;

    /// Records `key` as done for `window` (the handler answered 2xx).
    fn complete<'a>(&'a self, key: &'a StoreKey, window: Duration) -> StoreFuture<'a, ()>;

    /// Removes `key` if it is still in flight with `token` (the handler failed: a retry
    /// must be processed).
    fn release<'a>(&'a self, key: &'a StoreKey, token: u64) -> StoreFuture<'a, ()>;

    /// Records `key` for `ttl` if absent: `true` the first time, `false` after (Digest
    /// nonce counts).
    fn claim<'a>(&'a self, key: &'a StoreKey, ttl: Duration) -> StoreFuture<'a, bool>;
}
