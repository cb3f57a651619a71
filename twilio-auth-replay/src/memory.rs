//! `MemoryStore`: a bounded in-process store on `moka`, for a single instance.

use std::fmt;
use std::time::{Duration, Instant};

use moka::Expiry;
use moka::ops::compute::Op;
use moka::sync::Cache;

use crate::store::{Begin, ReplayStore, StoreError, StoreFuture, StoreKey};

/// How many keys a [`MemoryStore`] keeps by default.
pub const DEFAULT_CAPACITY: u64 = 250_000;

#[derive(Clone, Copy, Debug)]
enum State {
    InFlight(u64),
    Done,
    Claimed,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    state: State,
    ttl: Duration,
}

/// Each entry lives for its own duration: the lease while in flight, the window once done.
struct PerEntry;

impl Expiry<StoreKey, Entry> for PerEntry {
    fn expire_after_create(&self, _: &StoreKey, value: &Entry, _: Instant) -> Option<Duration> {
        Some(value.ttl)
    }

    fn expire_after_update(
        &self,
        _: &StoreKey,
        value: &Entry,
        _: Instant,
        _: Option<Duration>,
    ) -> Option<Duration> {
        Some(value.ttl)
    }
}

/// An in-memory replay store: at most `capacity` keys (least recently used evicted first;
/// an evicted key is forgotten early, so size the capacity above the number of webhooks the
/// window holds), each expiring after its own lease or window.
///
/// It protects one process only: behind a load balancer use `RedisStore` (feature `redis`).
#[derive(Clone)]
pub struct MemoryStore {
    cache: Cache<StoreKey, Entry>,
}

impl MemoryStore {
    /// A store with [`DEFAULT_CAPACITY`] keys.
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }

    /// A store that keeps at most `capacity` keys.
    pub fn with_capacity(capacity: u64) -> Self {
        MemoryStore {
            cache: Cache::builder()
                .max_capacity(capacity)
                .expire_after(PerEntry)
                .build(),
        }
    }

    /// How many keys the store holds (approximate until [`sync`](Self::sync)).
    pub fn len(&self) -> u64 {
        self.cache.entry_count()
    }

    /// Whether the store holds no key (approximate until [`sync`](Self::sync)).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Runs the cache's pending evictions now (tests, metrics).
    pub fn sync(&self) {
        self.cache.run_pending_tasks();
    }

    fn begin_now(&self, key: StoreKey, token: u64, lease: Duration) -> Begin {
        let entry = self.cache.entry(key).or_insert_with(|| Entry {
            state: State::InFlight(token),
            ttl: lease,
        });
        if entry.is_fresh() {
            return Begin::Fresh;
        }
        match entry.value().state {
            State::InFlight(_) => Begin::InFlight,
            State::Done | State::Claimed => Begin::Done,
        }
    }

    fn release_now(&self, key: StoreKey, token: u64) {
        self.cache
            .entry(key)
            .and_compute_with(|current| match current {
                Some(entry) if matches!(entry.value().state, State::InFlight(t) if t == token) => {
                    Op::Remove
                }
                _ => Op::Nop,
            });
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("capacity", &self.cache.policy().max_capacity())
            .field("len", &self.cache.entry_count())
            .finish()
    }
}

impl ReplayStore for MemoryStore {
    fn begin<'a>(
        &'a self,
        key: &'a StoreKey,
        token: u64,
        lease: Duration,
    ) -> StoreFuture<'a, Begin> {
        let begun = self.begin_now(*key, token, lease);
        Box::pin(async move { Ok::<_, StoreError>(begun) })
    }

    fn complete<'a>(&'a self, key: &'a StoreKey, window: Duration) -> StoreFuture<'a, ()> {
        self.cache.insert(
            *key,
            Entry {
                state: State::Done,
                ttl: window,
            },
        );
        Box::pin(async { Ok(()) })
    }

    fn release<'a>(&'a self, key: &'a StoreKey, token: u64) -> StoreFuture<'a, ()> {
        self.release_now(*key, token);
        Box::pin(async { Ok(()) })
    }

    fn claim<'a>(&'a self, key: &'a StoreKey, ttl: Duration) -> StoreFuture<'a, bool> {
        let fresh = self
            .cache
            .entry(*key)
            .or_insert_with(|| Entry {
                state: State::Claimed,
                ttl,
            })
            .is_fresh();
        Box::pin(async move { Ok(fresh) })
    }
}
