//! Differential test against Twilio's official libraries (twilio-python and twilio-node).
//!
//! `tests/differential/run.sh` generates a few thousand webhook requests, has both official
//! validators judge each one, and writes the verdicts to a case file; this test runs our
//! verifier on the same requests. Wherever python and node agree, we must agree too, except
//! for the categories in [`INTENTIONAL`], where SPEC.md deliberately decides otherwise.
//! Where the official libraries disagree with each other, we take the side [`DISPUTED`]
//! names for the case's category. Both tables mirror `docs/differential-disagreements.md`,
//! with their exact case counts; [`CATEGORY_SIZES`] and [`TALLY`] pin the rest of the file,
//! and [`PEERS`] the library versions that judged it (recorded in the file by the runners).
//! The generator is deterministic, so a regenerated file with the pinned peers reproduces
//! every count; `tests/differential/summary.py` prints the per-category tallies to update
//! them from when the generator changes.
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

/// The official libraries that judged the cases, as pinned in `tests/differential/run.sh`
/// (python) and `tests/differential/node/package.json` (node): (side, registry, package,
/// version).
const PEERS: [(&str, &str, &str, &str); 2] = [
    ("python", "PyPI", "twilio", "9.13.0"),
    ("node", "npm", "twilio", "5.13.1"),
];

/// A category of cases (the case id without its `-NNNN` suffix) where we deliberately
/// return `ours` while python and node both return the opposite, in exactly `cases` cases.
struct Intentional {
    category: &'static str,
    ours: bool,
    cases: usize,
    reason: &'static str,
}

const INTENTIONAL: &[Intentional] = &[
    Intentional {
        category: "port-wss-add443",
        ours: true,
        cases: 20,
        reason: "SPEC §3: for schemes other than http/https (wss) both :443 and :80 are \
                 candidates; python and node only add :80 to anything that is not https",
    },
    Intentional {
        category: "port-ws-add443",
        ours: true,
        cases: 10,
        reason: "SPEC §3: for schemes other than http/https (ws) both :443 and :80 are \
                 candidates; python and node only add :80",
    },
    Intentional {
        category: "scheme-upper-exact",
        ours: true,
        cases: 25,
        reason: "SPEC §3: the URL exactly as built is always a candidate; python and node \
                 lower-case the scheme before signing and never try it as received",
    },
    Intentional {
        category: "creds-signed-without",
        ours: true,
        cases: 40,
        reason: "SPEC §3: with user:pass@ in the URL, the URL without credentials is also a \
                 candidate (Twilio's docs say it signs without them); python and node keep them",
    },
    Intentional {
        category: "creds-combo-without-add",
        ours: true,
        cases: 15,
        reason: "SPEC §3: the candidates combine, so credentials removed *and* the default port \
                 added is one of them; python and node never drop credentials",
    },
    Intentional {
        category: "ctl-signed-exact",
        ours: true,
        cases: 15,
        reason: "SPEC §3: the URL exactly as built is always a candidate; python and node strip \
                 tab/CR/LF before signing and never try it as received",
    },
    Intentional {
        category: "json-dup-laterbad",
        ours: false,
        cases: 13,
        reason: "SPEC §2: every bodySHA256 occurrence must match the body; python (parse_qs)[0] \
                 and node (searchParams.get) check only the first",
    },
    Intentional {
        category: "json-pct",
        ours: false,
        cases: 8,
        reason: "SPEC §2: the bodySHA256 value is compared as received, case-sensitively, to the \
                 lower-case hex Twilio writes; python and node percent-decode the query first",
    },
];

/// A category of cases where python and node disagree with each other, and the verdict we
/// give in each of its `cases` such cases (the side SPEC.md takes).
struct Disputed {
    category: &'static str,
    ours: bool,
    cases: usize,
    reason: &'static str,
}

const SORT_ORDER: &str = "a name or value outside the BMP sorted against one at or above \
    U+E000: python sorts by code point (byte order), node by UTF-16 unit; SPEC §1 makes both \
    orders candidates, so we accept what either signed";
const NODE_REENCODES: &str = "a raw ', raw non-ASCII, +, a key without = or lower-case \
    escapes in the URL, signed as written: node re-serialises the URL (twilio-node issue \
    1183), python keeps it; SPEC §3: never re-encode";
const PYTHON_REMOVE_PORT: &str = "user:pass@host:8443 or [::1]:8443 received, signed without \
    the port: python's remove_port splits the netloc at the first ':'; we edit only the \
    authority (SPEC §3)";
const NO_BODY_HASH: &str = "a non-form body with no usable bodySHA256 (missing, empty, or \
    spelled bodysha256): SPEC §2 rejects it, even an empty body (python validates the URL \
    alone)";

const DISPUTED: &[Disputed] = &[
    Disputed {
        category: "sort-utf16",
        ours: true,
        cases: 240,
        reason: SORT_ORDER,
    },
    Disputed {
        category: "form-basic",
        ours: true,
        cases: 138,
        reason: NODE_REENCODES,
    },
    Disputed {
        category: "form-empty",
        ours: true,
        cases: 16,
        reason: NODE_REENCODES,
    },
    Disputed {
        category: "get-basic",
        ours: true,
        cases: 60,
        reason: NODE_REENCODES,
    },
    Disputed {
        category: "json-good",
        ours: true,
        cases: 12,
        reason: NODE_REENCODES,
    },
    Disputed {
        category: "json-dup-same",
        ours: true,
        cases: 2,
        reason: NODE_REENCODES,
    },
    Disputed {
        category: "query-exact",
        ours: true,
        cases: 73,
        reason: NODE_REENCODES,
    },
    Disputed {
        category: "path-exact",
        ours: true,
        cases: 14,
        reason: NODE_REENCODES,
    },
    Disputed {
        category: "port-odd",
        ours: true,
        cases: 12,
        reason: "node normalises the port text (08443 -> 8443, an empty port dropped) before signing; the URL as built is a candidate (SPEC §3)",
    },
    Disputed {
        category: "ipv6-long",
        ours: true,
        cases: 10,
        reason: "node compresses [2001:db8:0:0:0:0:0:7] to [2001:db8::7]; we never re-serialise (SPEC §3)",
    },
    Disputed {
        category: "creds-empty-password",
        ours: true,
        cases: 10,
        reason: "node drops the empty password of a:@host; we never re-serialise (SPEC §3)",
    },
    Disputed {
        category: "host-mixedcase",
        ours: true,
        cases: 10,
        reason: "node lower-cases the host; Twilio signs it as configured (SPEC §3)",
    },
    Disputed {
        category: "path-empty",
        ours: true,
        cases: 10,
        reason: "node adds / to https://host?x=1; we never re-serialise (SPEC §3)",
    },
    Disputed {
        category: "creds-port-drop",
        ours: true,
        cases: 18,
        reason: PYTHON_REMOVE_PORT,
    },
    Disputed {
        category: "ipv6-drop443",
        ours: true,
        cases: 15,
        reason: PYTHON_REMOVE_PORT,
    },
    Disputed {
        category: "ipv6-port-drop",
        ours: true,
        cases: 25,
        reason: PYTHON_REMOVE_PORT,
    },
    Disputed {
        category: "query-legacy-quote",
        ours: true,
        cases: 38,
        reason: "' received and %27 signed or the reverse: SPEC §3 lists the legacy ' <-> %27 re-encoding (node tries it, python does not)",
    },
    Disputed {
        category: "query-empty",
        ours: true,
        cases: 20,
        reason: "a URL ending in an empty ?, signed as written: the URL as built is a candidate (python's geturl() drops the ?)",
    },
    Disputed {
        category: "query-empty-signed-without",
        ours: false,
        cases: 10,
        reason: "an empty ? received, signed without it: dropping the ? is not a SPEC §3 candidate (python drops it by accident)",
    },
    Disputed {
        category: "query-reencoded",
        ours: false,
        cases: 19,
        reason: "query re-encoded other than ' <-> %27 (%7E/~, %3A/:, é/%C3%A9): SPEC §3 allows only the legacy quote re-encoding (node accepts through its URL round trips)",
    },
    Disputed {
        category: "json-missing-emptybody",
        ours: false,
        cases: 15,
        reason: NO_BODY_HASH,
    },
    Disputed {
        category: "json-missing",
        ours: false,
        cases: 1,
        reason: NO_BODY_HASH,
    },
    Disputed {
        category: "json-empty",
        ours: false,
        cases: 1,
        reason: NO_BODY_HASH,
    },
    Disputed {
        category: "json-keycase",
        ours: false,
        cases: 1,
        reason: NO_BODY_HASH,
    },
    Disputed {
        category: "json-dup-laterbad",
        ours: false,
        cases: 2,
        reason: "SPEC §2: every bodySHA256 occurrence must match (as in INTENTIONAL; node fails these for URL re-encoding)",
    },
    Disputed {
        category: "json-pct",
        ours: false,
        cases: 2,
        reason: "SPEC §2: bodySHA256 is compared as received (as in INTENTIONAL; node fails these for URL re-encoding)",
    },
    Disputed {
        category: "ipv6-bad",
        ours: false,
        cases: 1,
        reason: "https://[::1]x/voice: a malformed authority is refused before any HMAC (SPEC §5; node throws, python accepts)",
    },
];

/// Cases per category, as `gen.py` plans them.
const CATEGORY_SIZES: &[(&str, usize)] = &[
    ("form-basic", 450),
    ("form-twilio", 120),
    ("form-empty", 60),
    ("form-repeat", 220),
    ("sort-utf16", 240),
    ("sort-bmp", 60),
    ("form-encoding", 120),
    ("port-https-add443", 40),
    ("port-https-drop443", 40),
    ("port-http-add80", 30),
    ("port-http-drop80", 30),
    ("port-drop8443", 30),
    ("port-exact8443", 20),
    ("port-add8443", 20),
    ("port-https-add80", 15),
    ("port-http-add443", 15),
    ("port-http443-drop", 10),
    ("port-wss-add80", 15),
    ("port-wss-add443", 20),
    ("port-wss-drop443", 10),
    ("port-wss-exact", 10),
    ("port-ws-add80", 10),
    ("port-ws-add443", 10),
    ("port-odd", 30),
    ("port-invalid", 18),
    ("scheme-upper-signlower", 40),
    ("scheme-upper-exact", 25),
    ("scheme-mismatch", 20),
    ("creds-exact", 40),
    ("creds-exact-port", 20),
    ("creds-signed-without", 40),
    ("creds-port-drop", 25),
    ("creds-port-adddefault", 15),
    ("creds-combo-without-add", 15),
    ("scheme-combo-upper-add443", 15),
    ("creds-empty-password", 10),
    ("ipv6-exact", 25),
    ("ipv6-long", 10),
    ("ipv6-exact-port", 20),
    ("ipv6-add443", 20),
    ("ipv6-drop443", 15),
    ("ipv6-port-drop", 25),
    ("ipv6-bad", 8),
    ("query-exact", 150),
    ("query-legacy-quote", 50),
    ("query-reencoded", 25),
    ("query-empty", 20),
    ("query-empty-signed-without", 10),
    ("path-exact", 50),
    ("path-empty", 10),
    ("host-mixedcase", 10),
    ("ctl-signed-without", 25),
    ("ctl-signed-exact", 15),
    ("slash-added", 10),
    ("json-good", 150),
    ("json-bad", 30),
    ("json-missing", 40),
    ("json-dup-same", 15),
    ("json-dup-laterbad", 15),
    ("json-dup-firstbad", 10),
    ("json-upper", 15),
    ("json-pct", 10),
    ("json-empty", 10),
    ("json-keycase", 10),
    ("json-good-emptybody", 15),
    ("json-missing-emptybody", 15),
    ("json-noctype", 10),
    ("form-with-bodysha", 10),
    ("get-basic", 200),
    ("wrong-token", 40),
    ("wrong-token-case", 10),
    ("tamper-url", 150),
    ("tamper-param", 150),
    ("tamper-name", 60),
    ("tamper-addparam", 40),
    ("tamper-body", 80),
    ("header-missing", 18),
    ("header-empty", 18),
    ("header-nonbase64", 18),
    ("header-truncate1", 18),
    ("header-truncate4", 18),
    ("header-truncate-half", 18),
    ("header-garbage", 18),
    ("header-ws-trailing", 18),
    ("header-ws-leading", 18),
    ("header-ws-inner", 18),
    ("header-newline", 18),
    ("header-nopad", 18),
    ("header-urlsafe", 18),
    ("header-lower", 18),
    ("header-doubled", 18),
    ("header-sha256", 18),
    ("header-hex", 18),
    ("header-extra-pad", 18),
    ("header-nonascii", 18),
];

/// The whole file's counts, as `docs/differential-disagreements.md` reports them.
#[derive(Debug, Default, PartialEq, Eq)]
struct Tally {
    cases: usize,
    /// Python and node agree (an exception counts as a rejection).
    both_agree: usize,
    /// ... and so do we.
    ours_agree: usize,
    /// ... and we do not, as [`INTENTIONAL`] says.
    intentional: usize,
    /// Python accepts, node rejects: how many we accept, how many we reject.
    python_only: (usize, usize),
    /// Node accepts, python rejects: how many we accept, how many we reject.
    node_only: (usize, usize),
    python_errors: usize,
    node_errors: usize,
    both_errors: usize,
}

const TALLY: Tally = Tally {
    cases: 3833,
    both_agree: 3058,
    ours_agree: 2912,
    intentional: 146,
    python_only: (487, 33),
    node_only: (236, 19),
    python_errors: 83,
    node_errors: 27,
    both_errors: 26,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    peers: BTreeMap<String, Peer>,
    cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Peer {
    registry: String,
    package: String,
    version: String,
}

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

fn read_case_file() -> (String, CaseFile) {
    let path = std::env::var("TWILIO_DIFFERENTIAL_CASES").unwrap_or_else(|_| SNAPSHOT.to_owned());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    let file = serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {path}: {e}"));
    (path, file)
}

/// Counts per category, for the table's categories only, as the check found them.
fn counted<'a>(
    table: impl Iterator<Item = (&'a str, usize)>,
    hits: &BTreeMap<&str, usize>,
) -> Vec<String> {
    table
        .filter_map(|(category, expected)| {
            let found = hits.get(category).copied().unwrap_or(0);
            (found != expected).then(|| format!("  {category}: {found} cases, expected {expected}"))
        })
        .collect()
}

#[test]
fn case_file_was_made_by_the_pinned_libraries() {
    let (path, file) = read_case_file();
    let recorded: Vec<(&str, &str, &str, &str)> = file
        .peers
        .iter()
        .map(|(side, p)| (side.as_str(), &*p.registry, &*p.package, &*p.version))
        .collect();
    let mut pinned = PEERS.to_vec();
    pinned.sort();
    assert_eq!(recorded, pinned, "peer libraries recorded in {path}");

    // The pins the harness installs are the ones this test expects, so bumping one without
    // regenerating the snapshot (and updating the counts here) fails.
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/differential");
    let run_sh = std::fs::read_to_string(format!("{root}/run.sh")).unwrap();
    let python_pin = format!("TWILIO_PYTHON_VERSION={}", PEERS[0].3);
    assert!(
        run_sh.contains(&python_pin),
        "run.sh does not pin {python_pin}"
    );
    let package: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{root}/node/package.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        package["dependencies"]["twilio"], PEERS[1].3,
        "node/package.json"
    );
}

#[test]
fn agrees_with_official_libraries() {
    let (path, CaseFile { cases, .. }) = read_case_file();

    let mut tally = Tally {
        cases: cases.len(),
        ..Tally::default()
    };
    let mut sizes: BTreeMap<&str, usize> = BTreeMap::new();
    let mut intentional_hits: BTreeMap<&str, usize> = BTreeMap::new();
    let mut disputed_hits: BTreeMap<&str, usize> = BTreeMap::new();
    let mut unexplained = Vec::new();
    let mut wrong_side = Vec::new();
    let mut failures = Vec::new();
    let mut ours_out = serde_json::Map::new();

    for case in &cases {
        let cat = category(&case.id);
        *sizes.entry(cat).or_default() += 1;
        let ours = match ours(case) {
            Ok(v) => v,
            Err(msg) => {
                failures.push(format!("  {}: {msg}", case.id));
                continue;
            }
        };
        ours_out.insert(case.id.clone(), serde_json::Value::Bool(ours));
        tally.python_errors += usize::from(case.python == Verdict::Error);
        tally.node_errors += usize::from(case.node == Verdict::Error);
        tally.both_errors +=
            usize::from(case.python == Verdict::Error && case.node == Verdict::Error);
        let (py, node) = (case.python.accepts(), case.node.accepts());
        if py != node {
            let split = if py {
                &mut tally.python_only
            } else {
                &mut tally.node_only
            };
            if ours {
                split.0 += 1;
            } else {
                split.1 += 1;
            }
            match DISPUTED.iter().find(|d| d.category == cat) {
                Some(entry) if entry.ours == ours => {
                    *disputed_hits.entry(entry.category).or_default() += 1
                }
                _ => wrong_side.push(describe(case, ours)),
            }
            continue;
        }
        tally.both_agree += 1;
        if ours == py {
            tally.ours_agree += 1;
            continue;
        }
        match INTENTIONAL
            .iter()
            .find(|i| i.category == cat && i.ours == ours)
        {
            Some(entry) => {
                tally.intentional += 1;
                *intentional_hits.entry(entry.category).or_default() += 1
            }
            None => unexplained.push(describe(case, ours)),
        }
    }

    println!("differential cases: {} (from {path})", cases.len());
    println!("{tally:#?}");
    for entry in INTENTIONAL {
        let n = intentional_hits.get(entry.category).copied().unwrap_or(0);
        println!(
            "  intentional {:<28} ours={:<5} {n:>4}",
            entry.category, entry.ours
        );
    }
    for entry in DISPUTED {
        let n = disputed_hits.get(entry.category).copied().unwrap_or(0);
        println!(
            "  disputed    {:<28} ours={:<5} {n:>4}",
            entry.category, entry.ours
        );
    }

    if let Ok(out) = std::env::var("TWILIO_DIFFERENTIAL_OURS") {
        std::fs::write(&out, serde_json::Value::Object(ours_out).to_string())
            .unwrap_or_else(|e| panic!("writing {out}: {e}"));
    }

    assert!(
        failures.is_empty(),
        "verifier failures:\n{}",
        failures.join("\n")
    );
    assert!(
        unexplained.is_empty(),
        "{} case(s) where python and node agree and we do not (fix the core, or add the \
         category to INTENTIONAL with a SPEC reason):\n{}",
        unexplained.len(),
        unexplained.join("\n")
    );
    assert!(
        wrong_side.is_empty(),
        "{} case(s) where python and node disagree and we do not take the side DISPUTED \
         (and docs/differential-disagreements.md) names for the category:\n{}",
        wrong_side.len(),
        wrong_side.join("\n")
    );
    let miscounted = [
        counted(
            INTENTIONAL.iter().map(|i| (i.category, i.cases)),
            &intentional_hits,
        ),
        counted(
            DISPUTED.iter().map(|d| (d.category, d.cases)),
            &disputed_hits,
        ),
        counted(CATEGORY_SIZES.iter().copied(), &sizes),
    ]
    .concat();
    assert!(
        miscounted.is_empty(),
        "case counts differ from INTENTIONAL, DISPUTED or CATEGORY_SIZES (regenerated with \
         other peers, or gen.py changed?):\n{}",
        miscounted.join("\n")
    );
    let unknown: Vec<&&str> = sizes
        .keys()
        .filter(|cat| !CATEGORY_SIZES.iter().any(|(known, _)| known == *cat))
        .collect();
    assert!(
        unknown.is_empty(),
        "categories missing from CATEGORY_SIZES: {unknown:?}"
    );
    assert_eq!(tally, TALLY, "totals of {path}");
}

#[test]
fn disputed_entries_have_reasons_and_match_the_totals() {
    for entry in DISPUTED {
        assert!(!entry.reason.is_empty(), "{} has no reason", entry.category);
        assert_eq!(
            DISPUTED
                .iter()
                .filter(|e| e.category == entry.category)
                .count(),
            1,
            "{} listed twice",
            entry.category
        );
    }
    let listed: usize = DISPUTED.iter().map(|d| d.cases).sum();
    let (py, node) = (TALLY.python_only, TALLY.node_only);
    assert_eq!(listed, py.0 + py.1 + node.0 + node.1);
    let listed: usize = INTENTIONAL.iter().map(|i| i.cases).sum();
    assert_eq!(listed, TALLY.intentional);
    let planned: usize = CATEGORY_SIZES.iter().map(|(_, n)| n).sum();
    assert_eq!(planned, TALLY.cases);
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
