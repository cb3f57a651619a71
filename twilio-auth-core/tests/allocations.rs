//! Heap allocations per verification, on the workloads of `tests/data/workloads.json` (the
//! requests the benchmarks use), counted by a global allocator that wraps the system one.
//! The bounds are the current counts: a change that allocates more on the hot path fails
//! here, and so does one whose largest allocation grows past the body's size (a small
//! block is served from the allocator's per-thread cache; a large one takes its slower
//! path). `cargo test -p twilio-auth-core --test allocations -- --nocapture` prints them.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use twilio_auth_core::{Config, WebhookRequest};

#[path = "support/workloads.rs"]
mod workloads;
use workloads::{load, raw};

/// Counts the allocations (and reallocations) made by the current thread, so other tests
/// running at the same time do not disturb the count.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn count_one(size: usize) {
    // `try_with`: the allocator may run while a thread's locals are being torn down.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
    let _ = LARGEST.try_with(|largest| largest.set(largest.get().max(size)));
}

// SAFETY: every call is forwarded unchanged to `System`; only a counter is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one(layout.size());
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, passed on as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout` (every path above uses it).
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one(new_size);
        // SAFETY: as for `dealloc`, and the caller upholds `realloc`'s contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// How many allocations `f` made, and the size of the largest.
fn allocations_during(f: impl FnOnce()) -> (u64, usize) {
    let before = ALLOCATIONS.with(Cell::get);
    LARGEST.with(|largest| largest.set(0));
    f();
    (
        ALLOCATIONS.with(Cell::get) - before,
        LARGEST.with(Cell::get),
    )
}

/// Upper bounds per verification: (benchmark id, workload, valid?, allocations). Before
/// the lean hot path these were 15, 29, 31, 44, 7 and 20. A valid form request now costs
/// the URL: the body is decoded into buffers the thread keeps from one verification to
/// the next (here, from the first call). A body not already in order (sms) adds the sort's
/// keys, its index, the fields in order and the suffix; a forged request adds the
/// candidate URLs that the rejection reports, and the hints for the log (their list and
/// the scheme the URL was rebuilt with: two more), computed only when refusing. The
/// refusal's diagnosis (`twilio_auth_core::diagnosis`, on by default) adds one more to
/// each forged request, and only to them: the one buffer every guessed URL is written
/// into (the guesses themselves are tried one by one, never collected).
const BOUNDS: &[(&str, &str, bool, u64)] = &[
    ("voice_valid", "voice_20_params", true, 1),
    ("voice_forged", "voice_20_params", false, 7),
    ("sms_valid", "sms_100_params_8k", true, 5),
    ("sms_forged", "sms_100_params_8k", false, 11),
    ("json64k_valid", "json_64k", true, 1),
    ("json64k_forged", "json_64k", false, 7),
];

#[test]
fn allocations_per_verification_stay_within_bounds() {
    let workloads = load();
    let config = Config::builder()
        .auth_token(workloads.token.as_str())
        .body_limit(1 << 20)
        .build()
        .unwrap();

    let mut over = Vec::new();
    for &(id, key, valid, bound) in BOUNDS {
        let w = &workloads.workloads[key];
        let raw = raw(w);
        let signature = if valid {
            &w.signature
        } else {
            &w.bad_signature
        };
        let headers = [
            ("Host", raw.host.as_str()),
            ("Content-Type", raw.content_type),
            ("X-Twilio-Signature", signature.as_str()),
        ];
        let req = WebhookRequest::new("POST", &raw.path_and_query)
            .headers(&headers)
            .body(&raw.body);

        // The first call may initialise lazily-built state; count a later one.
        assert_eq!(config.verify(&req).is_ok(), valid, "{id}");
        let mut outcome = None;
        let (count, largest) = allocations_during(|| outcome = Some(config.verify(&req)));
        assert_eq!(outcome.unwrap().is_ok(), valid, "{id}");
        println!(
            "verify/{id}: {count} allocations (bound {bound}), the largest {largest} bytes \
             (body {} bytes)",
            raw.body.len()
        );
        if count > bound {
            over.push(format!("{id}: {count} > {bound}"));
        }
        // Nothing is allocated twice the body's size; the list of fields (a few words per
        // 24 body bytes, rounded up) may exceed it by one entry.
        if largest > raw.body.len() + 64 {
            over.push(format!(
                "{id}: a block of {largest} bytes for a body of {}",
                raw.body.len()
            ));
        }
    }
    assert!(over.is_empty(), "more allocations than allowed: {over:?}");
}
