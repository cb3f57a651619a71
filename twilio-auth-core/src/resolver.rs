//! Keys from your own store (feature `resolver`): a [`KeyResolver`] you implement (a
//! database, a secrets manager, a file), asked for the key a request names when the
//! configuration does not hold it ([`Config::key_request`](crate::Config::key_request)),
//! and [`CachedResolver`], the bounded cache to put in front of it. The adapters take one:
//! the tower and axum layers' `key_resolver`, actix-web's `TwilioAuth::key_resolver`,
//! warp's `Verifier::key_resolver`, Lambda's `verify_with_resolver`; the key found goes to
//! [`Config::verify_with_key`](crate::Config::verify_with_key).
//!
//! A resolver's error fails closed: the adapters answer `503` with a short body, the
//! handler does not run, and an error is logged with the key asked for (an `AccountSid` or
//! SharedKey id, never a secret) and the error's text.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::{KeyLookup, ResolvedKey};
use futures_util::FutureExt;
use futures_util::future::Shared;

/// The error a [`KeyResolver`] fails with (its `Display` is logged: keep secrets out of it).
pub type ResolveError = Box<dyn std::error::Error + Send + Sync>;

/// What [`KeyResolver::resolve`] returns: the key, `None` when the store does not know it,
/// or an error (the store is unreachable).
pub type ResolveFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Option<ResolvedKey>, ResolveError>> + Send + 'a>>;

/// A store of keys, asked for a sub-account's Auth Token (by `AccountSid`) or a SharedKey
/// (by the id in `X-Twilio-Webhooks-Signature-Settings`) that the configuration does not
/// hold. Put a [`CachedResolver`] in front of it: the adapter it is given to asks on every
/// request that names such a key.
///
/// ```
/// use twilio_auth_core::{KeyLookup, ResolvedKey};
/// use twilio_auth_core::resolver::{KeyResolver, ResolveFuture};
///
/// struct Vault; // a client of your secrets manager
///
/// impl Vault {
///     async fn token_of(&self, account_sid: &str) -> std::io::Result<Option<String>> {
///         Ok((account_sid == "AC42").then(|| "sub-account-token".to_owned()))
///     }
/// }
///
/// impl KeyResolver for Vault {
///     fn resolve<'a>(&'a self, lookup: &'a KeyLookup) -> ResolveFuture<'a> {
///         Box::pin(async move {
///             Ok(match lookup {
///                 KeyLookup::Account(sid) => {
///                     self.token_of(sid).await?.map(|token| ResolvedKey::account(sid, token))
///                 }
///                 KeyLookup::SharedKey(_) => None,
///                 _ => None,
///             })
///         })
///     }
/// }
/// ```
pub trait KeyResolver: Send + Sync + 'static {
    /// The key `lookup` names: `Ok(None)` when the store does not know it (the request is
    /// then verified with the configured keys alone, and usually refused), an error when
    /// the store cannot answer (the request is refused with `503`). A key for another
    /// account or id than `lookup`'s is ignored.
    fn resolve<'a>(&'a self, lookup: &'a KeyLookup) -> ResolveFuture<'a>;
}

impl<R: KeyResolver> KeyResolver for Arc<R> {
    fn resolve<'a>(&'a self, lookup: &'a KeyLookup) -> ResolveFuture<'a> {
        (**self).resolve(lookup)
    }
}

/// Default number of keys a [`CachedResolver`] holds.
pub const DEFAULT_CACHE_CAPACITY: usize = 10_000;
/// Default time a [`CachedResolver`] keeps a key: 5 minutes.
pub const DEFAULT_TTL: Duration = Duration::from_secs(300);
/// Default time a [`CachedResolver`] remembers that the store does not know a key: 30
/// seconds (shorter, so a sub-account just added is found soon).
pub const DEFAULT_NEGATIVE_TTL: Duration = Duration::from_secs(30);

/// A bounded cache in front of a [`KeyResolver`]: keys found are kept for a
/// [`ttl`](Self::ttl), keys the store does not know for a shorter
/// [`negative_ttl`](Self::negative_ttl) (so repeated requests naming an unknown account do
/// not reach the store each time), errors are not kept. At most
/// [`capacity`](Self::capacity) entries: when full, expired entries go first, then the
/// least recently used tenth. Each new `AccountSid` or SharedKey id costs one store call,
/// forged ones included: rate-limit in front of the layer if your store cannot take it. Concurrent misses for one key make one call to the store, whose
/// answer they all get.
///
/// ```
/// use std::time::Duration;
/// # use twilio_auth_core::KeyLookup;
/// # use twilio_auth_core::resolver::{KeyResolver, ResolveFuture};
/// # struct Vault;
/// # impl KeyResolver for Vault {
/// #     fn resolve<'a>(&'a self, _: &'a KeyLookup) -> ResolveFuture<'a> { Box::pin(async { Ok(None) }) }
/// # }
/// use twilio_auth_core::resolver::CachedResolver;
///
/// let resolver = CachedResolver::new(Vault)
///     .capacity(50_000)
///     .ttl(Duration::from_secs(600))
///     .negative_ttl(Duration::from_secs(60));
/// // Then, e.g.: TwilioAuthLayer::new(config).key_resolver(resolver)
/// ```
pub struct CachedResolver<R> {
    inner: Arc<R>,
    capacity: usize,
    ttl: Duration,
    negative_ttl: Duration,
    cache: Mutex<Cache>,
}

/// The answer of a store call, shared by the requests that wait for it.
type SharedAnswer = Result<Option<ResolvedKey>, Arc<ResolveError>>;
type InFlight = Shared<Pin<Box<dyn Future<Output = SharedAnswer> + Send>>>;

#[derive(Default)]
struct Cache {
    entries: HashMap<KeyLookup, Entry>,
    /// Incremented on every use: the entry with the lowest stamp is the least recently used.
    clock: u64,
    /// The store calls under way, by key.
    in_flight: HashMap<KeyLookup, InFlight>,
}

/// A store error, as each request that waited for the call gets it.
#[derive(Debug)]
struct SharedError(Arc<ResolveError>);

impl fmt::Display for SharedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for SharedError {}

struct Entry {
    key: Option<ResolvedKey>,
    expires: Instant,
    used: u64,
}

impl<R: KeyResolver> CachedResolver<R> {
    /// A cache of [`DEFAULT_CACHE_CAPACITY`] keys, kept [`DEFAULT_TTL`] (unknown ones
    /// [`DEFAULT_NEGATIVE_TTL`]), in front of `inner`.
    pub fn new(inner: R) -> Self {
        CachedResolver {
            inner: Arc::new(inner),
            capacity: DEFAULT_CACHE_CAPACITY,
            ttl: DEFAULT_TTL,
            negative_ttl: DEFAULT_NEGATIVE_TTL,
            cache: Mutex::new(Cache::default()),
        }
    }

    /// The most entries kept (at least 1).
    pub fn capacity(mut self, entries: usize) -> Self {
        self.capacity = entries.max(1);
        self
    }

    /// How long a key found is kept (a rotated token is seen after this at the latest).
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// How long a key the store does not know is remembered as unknown.
    pub fn negative_ttl(mut self, ttl: Duration) -> Self {
        self.negative_ttl = ttl;
        self
    }

    /// Forgets every entry (after a rotation in the store, say).
    pub fn clear(&self) {
        self.lock().entries.clear();
    }

    /// Forgets one key.
    pub fn invalidate(&self, lookup: &KeyLookup) {
        self.lock().entries.remove(lookup);
    }

    /// The number of entries held (some may have expired).
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether no entry is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The resolver behind the cache.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        // A panic while holding the lock leaves a consistent map: keep using it.
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn cached(&self, lookup: &KeyLookup) -> Option<Option<ResolvedKey>> {
        let now = Instant::now();
        let mut cache = self.lock();
        cache.clock += 1;
        let clock = cache.clock;
        match cache.entries.get_mut(lookup) {
            Some(entry) if entry.expires > now => {
                entry.used = clock;
                Some(entry.key.clone())
            }
            Some(_) => {
                cache.entries.remove(lookup);
                None
            }
            None => None,
        }
    }

    fn store(&self, lookup: &KeyLookup, key: Option<ResolvedKey>) {
        let ttl = if key.is_some() {
            self.ttl
        } else {
            self.negative_ttl
        };
        let now = Instant::now();
        let mut cache = self.lock();
        if !cache.entries.contains_key(lookup) && cache.entries.len() >= self.capacity {
            cache.entries.retain(|_, entry| entry.expires > now);
            if cache.entries.len() >= self.capacity {
                // The least recently used tenth goes at once: a full cache (a flood of
                // unknown accounts) costs one pass per capacity/10 insertions, not per one.
                let evict = (self.capacity / 10).max(1);
                let mut stamps: Vec<u64> = cache.entries.values().map(|e| e.used).collect();
                let (_, &mut threshold, _) = stamps.select_nth_unstable(evict - 1);
                cache.entries.retain(|_, entry| entry.used > threshold);
            }
        }
        cache.clock += 1;
        let used = cache.clock;
        cache.entries.insert(
            lookup.clone(),
            Entry {
                key,
                expires: now + ttl,
                used,
            },
        );
    }
}

impl<R: KeyResolver> KeyResolver for CachedResolver<R> {
    fn resolve<'a>(&'a self, lookup: &'a KeyLookup) -> ResolveFuture<'a> {
        Box::pin(async move {
            if let Some(hit) = self.cached(lookup) {
                return Ok(hit);
            }
            // One store call per key at a time: a burst of requests for a new key waits
            // for the first one's call.
            let call = {
                let mut cache = self.lock();
                match cache.in_flight.get(lookup) {
                    Some(call) => call.clone(),
                    None => {
                        let (inner, asked) = (self.inner.clone(), lookup.clone());
                        let call: Pin<Box<dyn Future<Output = SharedAnswer> + Send>> =
                            Box::pin(async move {
                                let key = inner.resolve(&asked).await.map_err(Arc::new)?;
                                // A key for another lookup than asked is of no use.
                                Ok(key.filter(|key| key.lookup() == &asked))
                            });
                        let call = call.shared();
                        cache.in_flight.insert(lookup.clone(), call.clone());
                        call
                    }
                }
            };
            let answer = call.clone().await;
            {
                let mut cache = self.lock();
                // The first waiter to finish records the answer (errors are not kept).
                let ours = cache
                    .in_flight
                    .get(lookup)
                    .is_some_and(|current| current.ptr_eq(&call));
                if ours {
                    cache.in_flight.remove(lookup);
                }
                drop(cache);
                if ours && let Ok(key) = &answer {
                    self.store(lookup, key.clone());
                }
            }
            answer.map_err(|error| Box::new(SharedError(error)) as ResolveError)
        })
    }
}

impl<R> fmt::Debug for CachedResolver<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedResolver")
            .field("capacity", &self.capacity)
            .field("ttl", &self.ttl)
            .field("negative_ttl", &self.negative_ttl)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Knows accounts whose sid ends in an even digit; counts its calls.
    #[derive(Default)]
    struct Even(AtomicUsize);

    impl KeyResolver for Even {
        fn resolve<'a>(&'a self, lookup: &'a KeyLookup) -> ResolveFuture<'a> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move {
                Ok(match lookup {
                    KeyLookup::Account(sid) if sid.ends_with(['0', '2', '4', '6', '8']) => {
                        Some(ResolvedKey::account(sid, "token"))
                    }
                    _ => None,
                })
            })
        }
    }

    fn block_on<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn caches_hits_and_misses_within_bounds() {
        let cached = CachedResolver::new(Even::default()).capacity(2);
        let account = |n: u32| KeyLookup::Account(format!("AC{n}"));
        block_on(async {
            assert!(cached.resolve(&account(2)).await.unwrap().is_some());
            assert!(cached.resolve(&account(2)).await.unwrap().is_some());
            assert!(cached.resolve(&account(1)).await.unwrap().is_none());
            assert!(cached.resolve(&account(1)).await.unwrap().is_none());
            assert_eq!(cached.get_ref().0.load(Ordering::SeqCst), 2);
            // Full: AC2 is the least recently used, so it goes (a tenth of 2, at least 1).
            assert!(cached.resolve(&account(4)).await.unwrap().is_some());
            assert_eq!(cached.len(), 2);
            assert!(cached.resolve(&account(1)).await.unwrap().is_none());
            assert_eq!(cached.get_ref().0.load(Ordering::SeqCst), 3);
            assert!(cached.resolve(&account(2)).await.unwrap().is_some());
            assert_eq!(cached.get_ref().0.load(Ordering::SeqCst), 4);
        });
    }

    /// Answers after a while; counts its calls.
    #[derive(Default)]
    struct Slow(AtomicUsize);

    impl KeyResolver for Slow {
        fn resolve<'a>(&'a self, lookup: &'a KeyLookup) -> ResolveFuture<'a> {
            let call = self.0.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(50)).await;
                match lookup {
                    KeyLookup::Account(sid) if call == 0 => {
                        Ok(Some(ResolvedKey::account(sid, "token")))
                    }
                    _ => Err("store down".into()),
                }
            })
        }
    }

    #[test]
    fn concurrent_misses_make_one_store_call() {
        let cached = Arc::new(CachedResolver::new(Slow::default()));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_time()
            .build()
            .unwrap();
        runtime.block_on(async {
            let lookup = KeyLookup::Account("AC1".into());
            let tasks: Vec<_> = (0..16)
                .map(|_| {
                    let (cached, lookup) = (cached.clone(), lookup.clone());
                    tokio::spawn(async move { cached.resolve(&lookup).await.unwrap().is_some() })
                })
                .collect();
            for task in tasks {
                assert!(task.await.unwrap());
            }
            assert_eq!(cached.get_ref().0.load(Ordering::SeqCst), 1);
            assert!(cached.lock().in_flight.is_empty());
            // Errors are shared too, and not kept.
            let other = KeyLookup::Account("AC2".into());
            let (a, b) = tokio::join!(cached.resolve(&other), cached.resolve(&other));
            assert_eq!(a.unwrap_err().to_string(), "store down");
            assert!(b.is_err());
            assert_eq!(cached.get_ref().0.load(Ordering::SeqCst), 2);
            assert!(cached.resolve(&other).await.is_err());
            assert_eq!(cached.get_ref().0.load(Ordering::SeqCst), 3);
        });
    }

    #[test]
    fn a_full_cache_drops_its_least_recently_used_tenth() {
        let cached = CachedResolver::new(Even::default()).capacity(100);
        let account = |n: u32| KeyLookup::Account(format!("AC{n}"));
        block_on(async {
            for n in 0..100 {
                cached.resolve(&account(n)).await.unwrap();
            }
            // Use the first ten again: the next ten become the least recently used.
            for n in 0..10 {
                cached.resolve(&account(n)).await.unwrap();
            }
            assert_eq!(cached.len(), 100);
            cached.resolve(&account(100)).await.unwrap();
            assert_eq!(cached.len(), 91);
            let calls = cached.get_ref().0.load(Ordering::SeqCst);
            for n in 0..10 {
                cached.resolve(&account(n)).await.unwrap(); // still cached
            }
            assert_eq!(cached.get_ref().0.load(Ordering::SeqCst), calls);
            cached.resolve(&account(10)).await.unwrap(); // evicted: asked again
            assert_eq!(cached.get_ref().0.load(Ordering::SeqCst), calls + 1);
        });
    }

    #[test]
    fn entries_expire() {
        let cached = CachedResolver::new(Even::default())
            .ttl(Duration::from_millis(50))
            .negative_ttl(Duration::ZERO);
        let known = KeyLookup::Account("AC2".into());
        let unknown = KeyLookup::Account("AC1".into());
        block_on(async {
            cached.resolve(&known).await.unwrap();
            cached.resolve(&unknown).await.unwrap();
            cached.resolve(&unknown).await.unwrap();
            cached.resolve(&known).await.unwrap();
            assert_eq!(cached.get_ref().0.load(Ordering::SeqCst), 3);
            std::thread::sleep(Duration::from_millis(60));
            cached.resolve(&known).await.unwrap();
            assert_eq!(cached.get_ref().0.load(Ordering::SeqCst), 4);
        });
        cached.invalidate(&known);
        cached.clear();
        assert!(cached.is_empty());
    }
}
