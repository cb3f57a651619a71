//! `RedisStore`: one store shared by every instance, on Redis (feature `redis`).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, Script};
use tokio::sync::OnceCell;

use crate::store::{Begin, ReplayStore, StoreError, StoreFuture, StoreKey};

/// The prefix of every key a [`RedisStore`] writes, unless [`prefix`](RedisStore::prefix)
/// changes it.
pub const DEFAULT_PREFIX: &str = "twilio-auth:replay:";

/// `GET` the key; if absent, `SET` it in flight for the lease. One script, so two instances
/// can never both see the key absent.
const BEGIN: &str = r"
local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ''
";

/// Deletes the key only while it is still the caller's lease.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// A replay store on Redis, shared by every instance of the app: the state transitions are
/// one Lua script (`begin`, `release`) or one `SET … PX` (`complete`, and `SET … NX PX` for
/// Digest nonce counts), so instances never both take the same key.
///
/// The connection is made lazily (a `redis` [`ConnectionManager`]): the app starts while
/// Redis is down, the guard answers `503` (fail-closed) meanwhile, and the manager
/// reconnects when Redis is back, without restarting the app. Each call is bounded by the
/// guard's [store timeout](crate::ReplayGuard::store_timeout).
#[derive(Clone)]
pub struct RedisStore {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client,
    manager: OnceCell<ConnectionManager>,
    prefix: String,
    begin: Script,
    release: Script,
    connect_timeout: Duration,
}

impl RedisStore {
    /// A store on the Redis at `url` (`redis://127.0.0.1:6379/`, `rediss://…`). Only
    /// parses the URL: nothing is connected until the first request.
    pub fn new(url: &str) -> Result<Self, StoreError> {
        let client = Client::open(url).map_err(|e| StoreError(format!("redis URL: {e}")))?;
        Ok(RedisStore {
            inner: Arc::new(Inner {
                client,
                manager: OnceCell::new(),
                prefix: DEFAULT_PREFIX.to_owned(),
                begin: Script::new(BEGIN),
                release: Script::new(RELEASE),
                connect_timeout: Duration::from_millis(500),
            }),
        })
    }

    /// The prefix of the keys (default [`DEFAULT_PREFIX`]): give each app sharing a Redis
    /// its own. Call before the store is shared.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.prefix = prefix.into();
        }
        self
    }

    fn key(&self, key: &StoreKey) -> String {
        format!("{}{}", self.inner.prefix, key.hex())
    }

    async fn connection(&self) -> Result<ConnectionManager, StoreError> {
        let inner = &self.inner;
        inner
            .manager
            .get_or_try_init(|| async {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(inner.connect_timeout))
                    .set_response_timeout(Some(inner.connect_timeout))
                    .set_number_of_retries(1)
                    .set_max_delay(Duration::from_millis(500));
                ConnectionManager::new_lazy_with_config(inner.client.clone(), config)
                    .map_err(|e| StoreError(format!("redis: {e}")))
            })
            .await
            .cloned()
    }
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let info = self.inner.client.get_connection_info();
        f.debug_struct("RedisStore")
            .field("addr", &info.addr().to_string())
            .field("prefix", &self.inner.prefix)
            .finish_non_exhaustive()
    }
}

fn redis_error(e: redis::RedisError) -> StoreError {
    StoreError(format!("redis: {e}"))
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

impl ReplayStore for RedisStore {
    fn begin<'a>(
        &'a self,
        key: &'a StoreKey,
        token: u64,
        lease: Duration,
    ) -> StoreFuture<'a, Begin> {
        Box::pin(async move {
            let mut con = self.connection().await?;
            let found: String = self
                .inner
                .begin
                .key(self.key(key))
                .arg(format!("i:{token:016x}"))
                .arg(millis(lease))
                .invoke_async(&mut con)
                .await
                .map_err(redis_error)?;
            match found.as_str() {
                "" => Ok(Begin::Fresh),
                "d" => Ok(Begin::Done),
                v if v.starts_with("i:") => Ok(Begin::InFlight),
                other => Err(StoreError(format!(
                    "redis: unexpected value {other:?} under a replay key"
                ))),
            }
        })
    }

    fn complete<'a>(&'a self, key: &'a StoreKey, window: Duration) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut con = self.connection().await?;
            let () = redis::cmd("SET")
                .arg(self.key(key))
                .arg("d")
                .arg("PX")
                .arg(millis(window))
                .query_async(&mut con)
                .await
                .map_err(redis_error)?;
            Ok(())
        })
    }

    fn release<'a>(&'a self, key: &'a StoreKey, token: u64) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut con = self.connection().await?;
            let _: i64 = self
                .inner
                .release
                .key(self.key(key))
                .arg(format!("i:{token:016x}"))
                .invoke_async(&mut con)
                .await
                .map_err(redis_error)?;
            Ok(())
        })
    }

    fn claim<'a>(&'a self, key: &'a StoreKey, ttl: Duration) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let mut con = self.connection().await?;
            let set: Option<String> = redis::cmd("SET")
                .arg(self.key(key))
                .arg("n")
                .arg("NX")
                .arg("PX")
                .arg(millis(ttl))
                .query_async(&mut con)
                .await
                .map_err(redis_error)?;
            Ok(set.is_some())
        })
    }
}
