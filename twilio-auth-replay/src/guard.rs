//! `ReplayGuard`: what runs between a verified request and its handler.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};
use twilio_auth_core::http_auth::HttpAuthFailureReason;
use twilio_auth_core::{Config, Rejection, RejectionReason, RoutePolicy, Verified};

use crate::memory::MemoryStore;
use crate::store::{Begin, ReplayStore, StoreError, StoreKey};
use crate::time::{parse_rfc2822, parse_rfc3339};

/// How long a key stays in flight while its handler runs, by default.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(60);
/// How long a completed request is remembered, by default: 24 hours. Twilio retries a
/// failed webhook within seconds to minutes (voice: connection retries and `#rc`; messaging
/// status callbacks and Event Streams: over minutes to a few hours), so a day covers every
/// retry Twilio makes and any replay of a request captured that day.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);
/// The longest a store call may take before the guard treats the store as down.
pub const DEFAULT_STORE_TIMEOUT: Duration = Duration::from_millis(500);

/// What identifies "the same request" for the guard.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReplayKey {
    /// A SHA-256 of what the signature proves: the `X-Twilio-Signature` value, the URL
    /// whose signature matched, the method and the secret that signed. Two requests with
    /// this key equal are the same signed request. On routes without a signature (HTTP
    /// authentication only) the Digest nonce use is the only key.
    #[default]
    Signature,
    /// `CallSid` + `CallStatus` + `SequenceNumber` (call status callbacks), from the signed
    /// form body or signed query; [`Signature`](Self::Signature) when one is missing.
    CallProgress,
    /// `MessageSid` + `MessageStatus` (message status callbacks); falls back likewise.
    MessageStatus,
    /// The `id` of a JSON body (Event Streams CloudEvents, signed with `bodySHA256`); falls
    /// back likewise.
    JsonId,
}

/// The verified request, as the guard needs it. Every field is covered by the signature
/// (or by Digest authentication) except `idempotency_token`, which is only logged.
#[derive(Clone, Copy, Debug)]
pub struct RequestFacts<'a> {
    /// The request method (`POST`).
    pub method: &'a str,
    /// The `X-Twilio-Signature` header, if any.
    pub signature: Option<&'a str>,
    /// The query string of the request target (without `?`), if any.
    pub query: Option<&'a str>,
    /// The `Content-Type` header, if any.
    pub content_type: Option<&'a str>,
    /// The body bytes that were verified.
    pub body: &'a [u8],
    /// What verification proved.
    pub verified: &'a Verified,
    /// `I-Twilio-Idempotency-Token`: unsigned, so it never decides anything; logged to
    /// recognise Twilio's retries.
    pub idempotency_token: Option<&'a str>,
}

/// Why the guard refused a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefusalReason {
    /// A request with this key completed (2xx) within the window.
    Duplicate,
    /// A request with this key is being handled right now.
    InFlight,
    /// The store did not answer in time (fail-closed).
    StoreUnavailable,
    /// The signed timestamp is older than the configured maximum age (or unreadable).
    Stale,
    /// The Digest `(nonce, nc)` pair was used before: a replayed `Authorization`.
    DigestReplayed,
}

impl fmt::Display for RefusalReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Duplicate => "duplicate of a request already processed",
            Self::InFlight => "duplicate of a request still being processed",
            Self::StoreUnavailable => "replay store unavailable",
            Self::Stale => "signed timestamp too old",
            Self::DigestReplayed => "Digest nonce count already used",
        })
    }
}

/// The answer to a refused request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// Why.
    pub reason: RefusalReason,
    /// The HTTP status to answer with.
    pub status: u16,
    /// The short text body (empty for a duplicate answered `200`).
    pub body: &'static str,
}

impl Refusal {
    fn new(reason: RefusalReason, status: u16) -> Self {
        let body = match (reason, status) {
            (RefusalReason::Duplicate, 200..=299) => "",
            (RefusalReason::Duplicate, _) => "Duplicate request\n",
            (RefusalReason::InFlight, _) => "Request already in progress\n",
            (RefusalReason::StoreUnavailable, _) => "Service unavailable\n",
            (RefusalReason::Stale, _) => "Forbidden\n",
            (RefusalReason::DigestReplayed, _) => "Unauthorized\n",
        };
        Refusal {
            reason,
            status,
            body,
        }
    }

    /// A replayed Digest `Authorization` ([`RefusalReason::DigestReplayed`]) is answered as
    /// any failed login: the rejection, a `401` with fresh challenges for `policy`'s scheme
    /// (a real client logs in anew), for the adapter to answer and log as its refusals.
    /// `None` for the other refusals, answered with [`status`](Self::status) and
    /// [`body`](Self::body).
    pub fn login_rejection(&self, config: &Config, policy: RoutePolicy) -> Option<Rejection> {
        if self.reason != RefusalReason::DigestReplayed {
            return None;
        }
        let challenges = config
            .http_auth()
            .map(|h| h.challenges(policy.http_auth(), unix_now()))
            .unwrap_or_default();
        Some(
            Rejection::new(RejectionReason::HttpAuth(
                HttpAuthFailureReason::ReplayedNonce,
            ))
            .with_challenges(challenges),
        )
    }
}

/// What the guard decided.
#[derive(Debug)]
pub enum Admission {
    /// Run the handler, then hand its status to [`Ticket::finish`].
    Proceed(Ticket),
    /// Answer with this instead of running the handler.
    Refuse(Refusal),
}

/// The replay guard of a route: runs after verification succeeded and before the handler.
///
/// - **Fresh** request: the key goes *in flight* (a lease, [`lease`](Self::lease)), the
///   handler runs, and [`Ticket::finish`] records it *done* for the
///   [`window`](Self::window) when the handler answered 2xx, or releases it otherwise, so
///   that Twilio's retry of a failed attempt (timeout, 5xx, lost connection) is processed.
/// - **Duplicate of a done request**: not processed; answered
///   [`duplicate_status`](Self::duplicate_status) (`200`, empty body, by default: Twilio
///   stops retrying on any 2xx, and a retry whose first answer was lost must not turn into
///   an error).
/// - **Duplicate of one in flight**: not processed concurrently; `409`.
/// - **Store down or slow** ([`store_timeout`](Self::store_timeout)): `503` and a log
///   line (fail-closed), or processed with a warning with [`fail_open`](Self::fail_open).
/// - **Digest**: on a route with Digest authentication, the `(nonce, nc)` pair is recorded
///   too; the same pair again → `401`.
/// - **Freshness** ([`max_age`](Self::max_age)): a signed `Timestamp` parameter or a
///   CloudEvent `time` older than that → `403`.
///
/// Cheap to clone (an `Arc`).
#[derive(Clone)]
pub struct ReplayGuard {
    inner: Arc<Settings>,
}

struct Settings {
    store: Arc<dyn ReplayStore>,
    key: ReplayKey,
    lease: Duration,
    window: Duration,
    timeout: Duration,
    fail_open: bool,
    duplicate_status: u16,
    max_age: Option<Duration>,
}

impl fmt::Debug for ReplayGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.inner;
        f.debug_struct("ReplayGuard")
            .field("key", &s.key)
            .field("lease", &s.lease)
            .field("window", &s.window)
            .field("store_timeout", &s.timeout)
            .field("fail_open", &s.fail_open)
            .field("duplicate_status", &s.duplicate_status)
            .field("max_age", &s.max_age)
            .finish_non_exhaustive()
    }
}

impl Default for ReplayGuard {
    fn default() -> Self {
        Self::memory()
    }
}

impl ReplayGuard {
    /// A guard on `store`, with the defaults: key [`ReplayKey::Signature`], lease 60 s,
    /// window 24 h, store timeout 500 ms, fail-closed, duplicates answered `200`.
    pub fn new(store: impl ReplayStore) -> Self {
        ReplayGuard {
            inner: Arc::new(Settings {
                store: Arc::new(store),
                key: ReplayKey::Signature,
                lease: DEFAULT_LEASE,
                window: DEFAULT_WINDOW,
                timeout: DEFAULT_STORE_TIMEOUT,
                fail_open: false,
                duplicate_status: 200,
                max_age: None,
            }),
        }
    }

    /// A guard on a new [`MemoryStore`] (one instance only).
    pub fn memory() -> Self {
        Self::new(MemoryStore::new())
    }

    fn settings(&mut self) -> &mut Settings {
        Arc::get_mut(&mut self.inner).expect("configure a ReplayGuard before cloning it")
    }

    /// What identifies the same request (default [`ReplayKey::Signature`]).
    pub fn key(mut self, key: ReplayKey) -> Self {
        self.settings().key = key;
        self
    }

    /// How long a key stays in flight while the handler runs (default 60 s). A handler that
    /// runs longer lets a duplicate through after that.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.settings().lease = lease;
        self
    }

    /// How long a completed request is remembered (default 24 h).
    pub fn window(mut self, window: Duration) -> Self {
        self.settings().window = window;
        self
    }

    /// The longest a store call may take (default 500 ms).
    pub fn store_timeout(mut self, timeout: Duration) -> Self {
        self.settings().timeout = timeout;
        self
    }

    /// `true`: when the store fails, process the request and log a warning (a duplicate may
    /// then be processed twice). Default `false`: answer `503`.
    pub fn fail_open(mut self, fail_open: bool) -> Self {
        self.settings().fail_open = fail_open;
        self
    }

    /// The status a duplicate of a completed request gets (default `200`, empty body).
    pub fn duplicate_status(mut self, status: u16) -> Self {
        self.settings().duplicate_status = status;
        self
    }

    /// Refuse (`403`) a request whose signed timestamp (`Timestamp` parameter, CloudEvent
    /// `time`) is older than `age`. Requests without such a field are not judged by it.
    pub fn max_age(mut self, age: Duration) -> Self {
        self.settings().max_age = Some(age);
        self
    }

    /// The window completed requests are remembered for.
    pub fn window_len(&self) -> Duration {
        self.inner.window
    }

    /// The key of `facts` under this guard's [`ReplayKey`]: `None` when the request carries
    /// no signature (an HTTP-authentication-only route).
    pub fn key_of(&self, facts: &RequestFacts<'_>) -> Option<StoreKey> {
        let url = facts.verified.url().unwrap_or("");
        let content = match self.inner.key {
            ReplayKey::Signature => None,
            ReplayKey::CallProgress => {
                content_key(facts, &["CallSid", "CallStatus", "SequenceNumber"])
            }
            ReplayKey::MessageStatus => content_key(facts, &["MessageSid", "MessageStatus"]),
            ReplayKey::JsonId => json_field(facts.body, "id").map(|id| vec![id]),
        };
        if let Some(values) = content {
            let mut h = Sha256::new();
            h.update(b"twilio-auth replay content\0");
            field(&mut h, url.as_bytes());
            for value in values {
                field(&mut h, value.as_bytes());
            }
            return Some(StoreKey(h.finalize().into()));
        }
        let signature = facts.signature?.trim();
        let key = facts.verified.key()?;
        let mut h = Sha256::new();
        h.update(b"twilio-auth replay signature\0");
        field(&mut h, signature.as_bytes());
        field(&mut h, url.as_bytes());
        field(&mut h, facts.method.as_bytes());
        field(&mut h, key.to_string().as_bytes());
        Some(StoreKey(h.finalize().into()))
    }

    /// Decides about one verified request. Call it after verification succeeded and before
    /// the handler; on [`Admission::Proceed`], run the handler and call
    /// [`Ticket::finish`] with its status.
    pub async fn admit(&self, facts: &RequestFacts<'_>) -> Admission {
        let s = &self.inner;
        if let Some(max_age) = s.max_age
            && let Some(Err(())) | Some(Ok(false)) = fresh_enough(facts, max_age)
        {
            return self.refuse(RefusalReason::Stale, 403, facts, None);
        }
        if let Some(nonce_use) = &facts.verified.nonce_use {
            let mut h = Sha256::new();
            h.update(b"twilio-auth replay digest\0");
            field(&mut h, nonce_use.nonce.as_bytes());
            field(&mut h, nonce_use.nc.as_bytes());
            let key = StoreKey(h.finalize().into());
            // Remembered while the nonce is accepted, and no longer.
            let ttl =
                Duration::from_secs(nonce_use.accepted_until.saturating_sub(unix_now()).max(1));
            match self.call(s.store.claim(&key, ttl)).await {
                Ok(true) => {}
                Ok(false) => return self.refuse(RefusalReason::DigestReplayed, 401, facts, None),
                Err(error) => {
                    if let Some(refusal) = self.store_failed(&error, facts) {
                        return Admission::Refuse(refusal);
                    }
                }
            }
        }
        let Some(key) = self.key_of(facts) else {
            return Admission::Proceed(Ticket::none());
        };
        let token = next_token();
        match self.call(s.store.begin(&key, token, s.lease)).await {
            Ok(Begin::Fresh) => Admission::Proceed(Ticket {
                guard: Some(self.clone()),
                key,
                token,
            }),
            Ok(Begin::Done) => self.refuse(
                RefusalReason::Duplicate,
                s.duplicate_status,
                facts,
                Some(key),
            ),
            Ok(Begin::InFlight) => self.refuse(RefusalReason::InFlight, 409, facts, Some(key)),
            Err(error) => match self.store_failed(&error, facts) {
                Some(refusal) => Admission::Refuse(refusal),
                None => Admission::Proceed(Ticket::none()),
            },
        }
    }

    async fn call<T>(
        &self,
        future: impl std::future::Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        match tokio::time::timeout(self.inner.timeout, future).await {
            Ok(result) => result,
            Err(_) => Err(StoreError(format!(
                "no answer within {} ms",
                self.inner.timeout.as_millis()
            ))),
        }
    }

    /// `None`: fail open (process); `Some`: the 503.
    fn store_failed(&self, error: &StoreError, facts: &RequestFacts<'_>) -> Option<Refusal> {
        if self.inner.fail_open {
            tracing::warn!(
                error = %error,
                url = facts.verified.url().unwrap_or(""),
                "twilio-auth replay: store unavailable, processing without replay protection (fail_open)"
            );
            None
        } else {
            tracing::error!(
                error = %error,
                url = facts.verified.url().unwrap_or(""),
                status = 503,
                "twilio-auth replay: store unavailable, request refused (fail-closed)"
            );
            Some(Refusal::new(RefusalReason::StoreUnavailable, 503))
        }
    }

    fn refuse(
        &self,
        reason: RefusalReason,
        status: u16,
        facts: &RequestFacts<'_>,
        key: Option<StoreKey>,
    ) -> Admission {
        let key = key.map(|k| k.hex()[..16].to_owned());
        tracing::warn!(
            reason = %reason,
            status,
            url = facts.verified.url().unwrap_or(""),
            key = key.as_deref().unwrap_or(""),
            idempotency_token = facts.idempotency_token.unwrap_or(""),
            "twilio-auth replay: request refused"
        );
        Admission::Refuse(Refusal::new(reason, status))
    }
}

/// A request the guard let through: [`finish`](Self::finish) it with the handler's status.
/// Dropped unfinished (the handler panicked or the client went away), it releases the key
/// in the background so that a retry is processed.
#[must_use = "call finish() with the handler's status"]
pub struct Ticket {
    guard: Option<ReplayGuard>,
    key: StoreKey,
    token: u64,
}

impl fmt::Debug for Ticket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ticket")
            .field("key", &self.guard.as_ref().map(|_| self.key))
            .finish()
    }
}

impl Ticket {
    fn none() -> Self {
        Ticket {
            guard: None,
            key: StoreKey([0; 32]),
            token: 0,
        }
    }

    /// Records the outcome: 2xx (or `101 Switching Protocols`, an accepted WebSocket
    /// handshake) → done for the window; anything else → released, so that Twilio's retry
    /// is processed.
    pub async fn finish(mut self, status: u16) {
        let Some(guard) = self.guard.take() else {
            return;
        };
        let s = &guard.inner;
        let (what, result) = if (200..300).contains(&status) || status == 101 {
            (
                "done",
                guard.call(s.store.complete(&self.key, s.window)).await,
            )
        } else {
            (
                "release",
                guard.call(s.store.release(&self.key, self.token)).await,
            )
        };
        if let Err(error) = result {
            tracing::warn!(
                error = %error,
                status,
                "twilio-auth replay: could not record {what}; the key stays in flight until its lease ends"
            );
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let Some(guard) = self.guard.take() else {
            return;
        };
        let (key, token) = (self.key, self.token);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let s = &guard.inner;
                let _ = guard.call(s.store.release(&key, token)).await;
            });
        }
    }
}

fn next_token() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let seed = *SEED.get_or_init(|| {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        nanos ^ (u64::from(std::process::id()) << 32)
    });
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    // SplitMix64 of seed + n: distinct per call, unlikely to collide across instances.
    let mut z = seed.wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Length-prefixed, so that no two field lists hash alike.
fn field(h: &mut Sha256, bytes: &[u8]) {
    h.update((bytes.len() as u64).to_be_bytes());
    h.update(bytes);
}

fn is_form(facts: &RequestFacts<'_>) -> bool {
    facts
        .content_type
        .is_some_and(twilio_auth_core::form::is_form_content_type)
}

fn is_json(facts: &RequestFacts<'_>) -> bool {
    facts.content_type.is_some_and(|ct| {
        let ct = ct.split(';').next().unwrap_or("").trim();
        ct.eq_ignore_ascii_case("application/json") || ct.to_ascii_lowercase().ends_with("+json")
    })
}

/// A signed parameter: from the form body (signed as parameters), else the query (signed
/// as part of the URL).
fn param<'a>(facts: &RequestFacts<'a>, name: &str) -> Option<Cow<'a, str>> {
    if is_form(facts)
        && let Some((_, v)) = twilio_auth_core::form::parse(facts.body)
            .into_iter()
            .find(|(n, _)| n == name)
    {
        return Some(v);
    }
    let query = facts.query?;
    twilio_auth_core::form::parse(query.as_bytes())
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
}

fn content_key(facts: &RequestFacts<'_>, names: &[&str]) -> Option<Vec<String>> {
    names
        .iter()
        .map(|name| param(facts, name).map(|v| format!("{name}={v}")))
        .collect()
}

fn json_field(body: &[u8], name: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    match value.get(name)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `None`: no signed timestamp; `Some(Ok(fresh))`; `Some(Err(()))`: unreadable.
fn fresh_enough(facts: &RequestFacts<'_>, max_age: Duration) -> Option<Result<bool, ()>> {
    let at = if let Some(ts) = param(facts, "Timestamp") {
        parse_rfc2822(&ts).or_else(|| parse_rfc3339(&ts))
    } else if is_json(facts) {
        let time = json_field(facts.body, "time")?;
        parse_rfc3339(&time)
    } else {
        return None;
    };
    let Some(at) = at else {
        return Some(Err(()));
    };
    let now = i64::try_from(unix_now()).unwrap_or(i64::MAX);
    let max = i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX);
    Some(Ok(now.saturating_sub(at) <= max))
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
