//! Differential test against Twilio's official libraries (twilio-python and twilio-node).
//!
//! `tests/differential/run.sh` generates a few thousand webhook requests, has both official
//! validators judge each one, and writes the verdicts to a case file; this test runs our
//! verifier on the same requests. Wherever python and node agree, we must agree too, except
//! for the categories in [`INTENTIONAL`], where SPEC.md deliberately decides otherwise
//! (mirrored, with counts, in `docs/differential-disagreements.md`). Where the official
//! libraries disagree with each other, our verdict is only counted.
//!
//! The case file is `$TWILIO_DIFFERENTIAL_CASES`, or the committed snapshot
//! `tests/data/differential/cases.json` when that is unset, so a plain `cargo test` checks
//! it too. Set `TWILIO_DIFFERENTIAL_OURS` to a path to also write our verdicts there.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use serde::Deserialize;
use twilio_auth_core::{Config, WebhookRequest};

const SNAPSHOT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/data/differential/cases.json"
);

/// So that an empty or truncated case file cannot pass.
const MIN_CASES: usize = 2500;

/// A category of cases (the case id without its `-NNNN` suffix) where we deliberately
/// return `ours` while python and node both return the opposite.
struct Intentional {
    category: &'static str,
    ours: bool,
    reason: &'static str,
}

const INTENTIONAL: &[Intentional] = &[
    Intentional {
        category: "port-wss-add443",
        ours: true,
        reason: "SPEC §3: for schemes other than http/https (wss) both :443 and :80 are \
                 candidates; python and node only add :80 to anything that is not https",
    },
    Intentional {
        category: "port-ws-add443",
        ours: true,
        reason: "SPEC §3: for schemes other than http/https (ws) both :443 and :80 are \
                 candidates; python and node only add :80",
    },
    Intentional {
        category: "scheme-upper-exact",
        ours: true,
        reason: "SPEC §3: the URL exactly as built is always a candidate; python and node \
                 lower-case the scheme before signing and never try it as received",
    },
    Intentional {
        category: "creds-signed-without",
        ours: true,
        reason: "SPEC §3: with user:pass@ in the URL, the URL without credentials is also a \
                 candidate (Twilio's docs say it signs without them); python and node keep them",
    },
    Intentional {
        category: "creds-combo-without-add",
        ours: true,
        reason: "SPEC §3: the candidates combine, so credentials removed *and* the default port \
                 added is one of them; python and node never drop credentials",
    },
    Intentional {
        category: "ctl-signed-exact",
        ours: true,
        reason: "SPEC §3: the URL exactly as built is always a candidate; python and node strip \
                 tab/CR/LF before signing and never try it as received",
    },
    Intentional {
        category: "json-dup-laterbad",
        ours: false,
        reason: "SPEC §2: every bodySHA256 occurrence must match the body; python (parse_qs)[0] \
                 and node (searchParams.get) check only the first",
    },
    Intentional {
        category: "json-pct",
        ours: false,
        reason: "SPEC §2: the bodySHA256 value is compared as received, case-sensitively, to the \
                 lower-case hex Twilio writes; python and node percent-decode the query first",
    },
];

#[derive(Debug, Deserialize)]
struct Case {
    id: String,
    token: String,
    method: String,
    url: String,
    content_type: Option<String>,
    body: String,
    #[allow(dead_code)] // the decoded form, for readers: we decode `body` ourselves
    params: Option<Vec<(String, String)>>,
    signature: Option<String>,
    python: Verdict,
    node: Verdict,
    #[serde(default)]
    note: String,
}

/// An official library's verdict: `true`, `false`, or `"error"` when it threw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Valid,
    Invalid,
    Error,
}

impl Verdict {
    /// For agreement, an exception is a rejection.
    fn accepts(self) -> bool {
        self == Verdict::Valid
    }
}

impl<'de> Deserialize<'de> for Verdict {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Bool(true) => Ok(Verdict::Valid),
            serde_json::Value::Bool(false) => Ok(Verdict::Invalid),
            serde_json::Value::String(s) if s == "error" => Ok(Verdict::Error),
            other => Err(serde::de::Error::custom(format!(
                "verdict must be true, false or \"error\", not {other}"
            ))),
        }
    }
}

fn category(id: &str) -> &str {
    match id.rsplit_once('-') {
        Some((cat, n)) if n.len() == 4 && n.bytes().all(|b| b.is_ascii_digit()) => cat,
        _ => id,
    }
}

/// Our verdict, or the panic message.
fn ours(case: &Case) -> Result<bool, String> {
    let config = Config::builder()
        .auth_token(case.token.as_str())
        .build()
        .map_err(|e| format!("config refused: {e}"))?;
    let mut headers: Vec<(&str, &str)> = Vec::new();
    if let Some(sig) = &case.signature {
        headers.push(("X-Twilio-Signature", sig));
    }
    if let Some(ct) = &case.content_type {
        headers.push(("Content-Type", ct));
    }
    let req = WebhookRequest::from_url(&case.method, &case.url)
        .headers(&headers)
        .body(case.body.as_bytes());
    catch_unwind(AssertUnwindSafe(|| config.verify(&req).is_ok())).map_err(|panic| {
        let msg = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        format!("verify panicked: {msg}")
    })
}

fn describe(case: &Case, ours: bool) -> String {
    format!(
        "  {id}: ours={ours} python={py:?} node={node:?} ({note})\n    method={m} url={url:?}\n    \
         content_type={ct:?} signature={sig:?}\n    body={body:?}",
        id = case.id,
        py = case.python,
        node = case.node,
        note = case.note,
        m = case.method,
        url = case.url,
        ct = case.content_type,
        sig = case.signature,
        body = case.body,
    )
}

#[derive(Default)]
struct Split {
    ours_true: usize,
    ours_false: usize,
}

#[test]
fn agrees_with_official_libraries() {
    let path = std::env::var("TWILIO_DIFFERENTIAL_CASES").unwrap_or_else(|_| SNAPSHOT.to_owned());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    let cases: Vec<Case> =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {path}: {e}"));

    let mut both_agree = 0;
    let mut ours_agree = 0;
    let mut py_errors = 0;
    let mut node_errors = 0;
    let mut both_errors = 0;
    let mut py_only = Split::default(); // python accepts, node rejects
    let mut node_only = Split::default(); // node accepts, python rejects
    let mut intentional_hits: BTreeMap<&str, usize> = BTreeMap::new();
    let mut unexplained = Vec::new();
    let mut failures = Vec::new();
    let mut ours_out = serde_json::Map::new();

    for case in &cases {
        let ours = match ours(case) {
            Ok(v) => v,
            Err(msg) => {
                failures.push(format!("  {}: {msg}", case.id));
                continue;
            }
        };
        ours_out.insert(case.id.clone(), serde_json::Value::Bool(ours));
        py_errors += usize::from(case.python == Verdict::Error);
        node_errors += usize::from(case.node == Verdict::Error);
        both_errors += usize::from(case.python == Verdict::Error && case.node == Verdict::Error);
        let (py, node) = (case.python.accepts(), case.node.accepts());
        if py != node {
            let split = if py { &mut py_only } else { &mut node_only };
            if ours {
                split.ours_true += 1;
            } else {
                split.ours_false += 1;
            }
            continue;
        }
        both_agree += 1;
        if ours == py {
            ours_agree += 1;
            continue;
        }
        let cat = category(&case.id);
        match INTENTIONAL
            .iter()
            .find(|i| i.category == cat && i.ours == ours)
        {
            Some(entry) => *intentional_hits.entry(entry.category).or_default() += 1,
            None => unexplained.push(describe(case, ours)),
        }
    }

    let intentional_total: usize = intentional_hits.values().sum();
    println!("differential cases: {} (from {path})", cases.len());
    println!("  python and node agree:        {both_agree}");
    println!("    we agree with them:         {ours_agree}");
    println!("    intentional disagreements:  {intentional_total}");
    for entry in INTENTIONAL {
        let n = intentional_hits.get(entry.category).copied().unwrap_or(0);
        println!("      {:<24} ours={:<5} {n:>4}", entry.category, entry.ours);
    }
    println!("    unexplained disagreements:  {}", unexplained.len());
    println!(
        "  python accepts, node rejects: {} (we accept {}, reject {})",
        py_only.ours_true + py_only.ours_false,
        py_only.ours_true,
        py_only.ours_false
    );
    println!(
        "  node accepts, python rejects: {} (we accept {}, reject {})",
        node_only.ours_true + node_only.ours_false,
        node_only.ours_true,
        node_only.ours_false
    );
    println!("  exceptions: python {py_errors}, node {node_errors}, both {both_errors}");

    if let Ok(out) = std::env::var("TWILIO_DIFFERENTIAL_OURS") {
        std::fs::write(&out, serde_json::Value::Object(ours_out).to_string())
            .unwrap_or_else(|e| panic!("writing {out}: {e}"));
    }

    assert!(
        cases.len() >= MIN_CASES,
        "only {} cases in {path}; expected at least {MIN_CASES}",
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "verifier failures:\n{}",
        failures.join("\n")
    );
    let stale: Vec<&str> = INTENTIONAL
        .iter()
        .filter(|i| !intentional_hits.contains_key(i.category))
        .map(|i| i.category)
        .collect();
    assert!(
        stale.is_empty(),
        "intentional-disagreement entries that excuse no case (remove them here and in \
         docs/differential-disagreements.md): {stale:?}"
    );
    assert!(
        unexplained.is_empty(),
        "{} case(s) where python and node agree and we do not (fix the core, or add the \
         category to INTENTIONAL with a SPEC reason):\n{}",
        unexplained.len(),
        unexplained.join("\n")
    );
}

#[test]
fn intentional_entries_have_reasons() {
    for entry in INTENTIONAL {
        assert!(!entry.reason.is_empty(), "{} has no reason", entry.category);
        assert!(
            INTENTIONAL
                .iter()
                .filter(|e| e.category == entry.category)
                .count()
                == 1,
            "{} listed twice",
            entry.category
        );
    }
}
