//! What the example apps' replay-protected routes share (feature `replay`): the guard from
//! the environment (Redis with `REDIS_URL`, else memory), the handlers' run counts that
//! `GET /replay/count` reports, and the "flaky" handler's rule (the first delivery of each
//! `CallSid` fails with a 500, as a failed delivery Twilio retries).

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use twilio_auth::replay::ReplayGuard;

/// How long `/replay/voice` takes: long enough for concurrent duplicates to find the
/// request in flight.
pub const VOICE_DELAY: Duration = Duration::from_millis(100);

/// The handlers whose runs `/replay/count` reports.
#[derive(Debug, Clone, Copy)]
pub enum Handler {
    /// `POST /replay/voice`.
    Voice,
    /// `POST /replay/flaky`.
    Flaky,
    /// `POST /replay/digest/voice`.
    Digest,
    /// `POST /replay/attribute/voice` (apps whose attribute takes a guard).
    Attribute,
}

static RUNS: [AtomicU64; 4] = [const { AtomicU64::new(0) }; 4];
static GUARD: OnceLock<ReplayGuard> = OnceLock::new();

/// The guard from the environment: Redis with `REDIS_URL`, else memory; its store's name.
/// Called once by `main`, before the routes are built; an error is a configuration error.
pub fn init_from_env() -> Result<&'static str, String> {
    let url = std::env::var("REDIS_URL").ok().filter(|u| !u.is_empty());
    let (guard, which) = match url {
        None => (ReplayGuard::memory(), "memory"),
        #[cfg(feature = "redis")]
        Some(url) => {
            let store = twilio_auth::replay::RedisStore::new(&url)
                .map_err(|e| format!("REDIS_URL: {e}"))?;
            (ReplayGuard::new(store), "redis")
        }
        #[cfg(not(feature = "redis"))]
        Some(_) => {
            return Err(
                "REDIS_URL is set but the app was built without the `redis` feature".into(),
            );
        }
    };
    let _ = GUARD.set(guard);
    Ok(which)
}

/// The guard of every replay-protected route (clones share one store).
pub fn guard() -> ReplayGuard {
    GUARD.get_or_init(ReplayGuard::memory).clone()
}

impl Handler {
    /// The handler's name in its log line (the contract's `handler` field).
    pub fn name(self) -> &'static str {
        match self {
            Handler::Voice => "replay_voice",
            Handler::Flaky => "replay_flaky",
            Handler::Digest => "replay_digest_voice",
            Handler::Attribute => "replay_attribute_voice",
        }
    }
}

/// Counts a run of `handler` and logs it (the contract's handler line); returns the run's
/// number.
pub fn ran(handler: Handler, call_sid: &str) -> u64 {
    let n = RUNS[handler as usize].fetch_add(1, Ordering::SeqCst) + 1;
    tracing::info!(handler = handler.name(), call_sid, run = n, "incoming call");
    n
}

/// Whether this is the first delivery of `call_sid` to the flaky handler (which then
/// answers 500).
pub fn first_delivery(call_sid: &str) -> bool {
    static SEEN: Mutex<Option<HashSet<String>>> = Mutex::new(None);
    SEEN.lock()
        .unwrap_or_else(|e| e.into_inner())
        .get_or_insert_with(HashSet::new)
        .insert(call_sid.to_owned())
}

/// The body of `GET /replay/count`: each handler's runs.
pub fn counts_json() -> String {
    let runs = |h: Handler| RUNS[h as usize].load(Ordering::SeqCst);
    serde_json::json!({
        "voice": runs(Handler::Voice),
        "flaky": runs(Handler::Flaky),
        "digest": runs(Handler::Digest),
        "attribute": runs(Handler::Attribute),
    })
    .to_string()
}
