//! Report-only mode against an example app as a real process on `127.0.0.1`: the routes
//! `/report-only/voice` and `/report-only/basic/voice` (a `TwilioAuthLayer` with
//! `.report_only()`, the second after HTTP Basic) next to the enforcing `/voice`.
//! Signatures come from twilio-python.
//!
//! Each row is checked against the app's log: whether the handler ran (and said
//! `verified`/`unverified`), whether our verifier refused, and whether a report-only line
//! with the expected reason was written. What must hold: a forged or unsigned request goes
//! through a report-only route marked unverified with its diagnosis logged; the enforcing
//! route beside it refuses the same request; HTTP authentication and the body limit are
//! never bypassed.

use std::fmt::Write as _;

use twilio_auth::{REPORT_ONLY_LOG_PREFIX, STARTUP_WARNING};

use super::app::{self, App, TOKEN};
use super::evidence::Evidence;
use super::http::{self, Request};
use super::http_auth::{self, BASIC_CHALLENGE};
use super::peers::{self, Peer};
use super::runner;
use super::scenarios::{AppEnv, Ctx, FORGER_TOKEN};

const ENV: AppEnv = AppEnv {
    name: "report-only routes, public base URL, HTTP Basic credentials",
    vars: &[
        ("TWILIO_WEBHOOK_BASE_URL", "https://public.example.com"),
        ("WEBHOOK_USER", http_auth::USER),
        ("WEBHOOK_PASSWORD", http_auth::PASSWORD),
        ("WEBHOOK_REALM", http_auth::REALM),
        ("TWILIO_BODY_LIMIT", "4096"),
    ],
    public_base: Some("https://public.example.com"),
};

const CALL: &[(&str, &str)] = &[("CallSid", "CAreport0001"), ("From", "+14155550100")];

/// What a row expects.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// 200 from the handler, which says `verified call` (`true`) or `unverified call`;
    /// for an unverified one, a report-only line with this reason text.
    Through {
        verified: bool,
        reason: &'static str,
    },
    /// This status from our verifier (with this reason text in its refusal line), and no
    /// handler.
    Refused(u16, &'static str),
}

type Build = fn(&Ctx) -> Result<Request, String>;

fn signed_with(ctx: &Ctx, token: &str, path: &str) -> Result<Request, String> {
    let signature = Peer::Python.sign_form(token, &ctx.url(path), CALL)?;
    Ok(Request::post(path).form(CALL).signature(&signature))
}

fn basic(request: Request, password: &str) -> Request {
    request.header(
        "Authorization",
        &http_auth::basic_authorization(http_auth::USER, password),
    )
}

fn rows() -> Vec<(&'static str, Build, Expect)> {
    const MISMATCH: &str = "matches none of the candidate URLs";
    const MISSING: &str = "missing X-Twilio-Signature header";
    vec![
        (
            "report-only, signed by python → 200 verified, nothing reported",
            |ctx| signed_with(ctx, TOKEN, "/report-only/voice"),
            Expect::Through {
                verified: true,
                reason: "",
            },
        ),
        (
            "report-only, forged → 200 unverified, the mismatch reported",
            |ctx| signed_with(ctx, FORGER_TOKEN, "/report-only/voice"),
            Expect::Through {
                verified: false,
                reason: MISMATCH,
            },
        ),
        (
            "report-only, no signature → 200 unverified, reported",
            |_| Ok(Request::post("/report-only/voice").form(CALL)),
            Expect::Through {
                verified: false,
                reason: MISSING,
            },
        ),
        (
            "report-only, signed for another path → 200 unverified, reported",
            |ctx| {
                let signature = Peer::Python.sign_form(TOKEN, &ctx.url("/voice"), CALL)?;
                Ok(Request::post("/report-only/voice")
                    .form(CALL)
                    .signature(&signature))
            },
            Expect::Through {
                verified: false,
                reason: MISMATCH,
            },
        ),
        (
            "the enforcing /voice beside it, same forgery → 403, no handler",
            |ctx| signed_with(ctx, FORGER_TOKEN, "/voice"),
            Expect::Refused(403, MISMATCH),
        ),
        (
            "report-only, over the body limit → 413, no handler",
            |ctx| {
                let big = "x".repeat(8192);
                let params = [("CallSid", "CAreport0001"), ("Padding", big.as_str())];
                let signature =
                    Peer::Ours.sign_form(TOKEN, &ctx.url("/report-only/voice"), &params)?;
                Ok(Request::post("/report-only/voice")
                    .form(&params)
                    .signature(&signature))
            },
            Expect::Refused(413, "body larger than the"),
        ),
        (
            "report-only behind Basic, forged, no credentials → 401 challenge, no handler",
            |ctx| signed_with(ctx, FORGER_TOKEN, "/report-only/basic/voice"),
            Expect::Refused(401, "HTTP authentication failed"),
        ),
        (
            "report-only behind Basic, signed, wrong password → 401, no handler",
            |ctx| {
                signed_with(ctx, TOKEN, "/report-only/basic/voice")
                    .map(|r| basic(r, http_auth::WRONG_PASSWORD))
            },
            Expect::Refused(401, "HTTP authentication failed"),
        ),
        (
            "report-only behind Basic, forged, right password → 200 unverified, reported",
            |ctx| {
                signed_with(ctx, FORGER_TOKEN, "/report-only/basic/voice")
                    .map(|r| basic(r, http_auth::PASSWORD))
            },
            Expect::Through {
                verified: false,
                reason: MISMATCH,
            },
        ),
        (
            "report-only behind Basic, signed, right password → 200 verified",
            |ctx| {
                signed_with(ctx, TOKEN, "/report-only/basic/voice")
                    .map(|r| basic(r, http_auth::PASSWORD))
            },
            Expect::Through {
                verified: true,
                reason: "",
            },
        ),
    ]
}

/// Checks one row's response and log.
fn check(response: &http::Response, log: &str, expect: Expect) -> Result<String, String> {
    let evidence = Evidence::read(log);
    let reported: Vec<&str> = log
        .lines()
        .filter(|line| line.contains(REPORT_ONLY_LOG_PREFIX))
        .collect();
    match expect {
        Expect::Through { verified, reason } => {
            let said = if verified {
                "verified call"
            } else {
                "unverified call"
            };
            if response.status != 200 || !response.body.contains(&format!("<Say>{said} ")) {
                return Err(format!(
                    "expected 200 with {said:?}, got {} {:?}",
                    response.status, response.body
                ));
            }
            if evidence.handlers != ["report_only_voice"] || !evidence.refusals.is_empty() {
                return Err(format!("expected the handler once: {}", evidence.summary()));
            }
            match (verified, reported.as_slice()) {
                (true, []) => {}
                (false, [line]) if line.contains(reason) && line.contains("(403)") => {}
                _ => {
                    return Err(format!(
                        "report-only lines {reported:?}, expected {reason:?}"
                    ));
                }
            }
        }
        Expect::Refused(status, reason) => {
            if response.status != status {
                return Err(format!("status {} instead of {status}", response.status));
            }
            if status == 401 {
                let challenges = response.headers_named("www-authenticate");
                if !challenges.iter().any(|c| c.starts_with(BASIC_CHALLENGE)) {
                    return Err(format!("challenges {challenges:?}"));
                }
            }
            if !evidence.handlers.is_empty() || !reported.is_empty() {
                return Err(format!(
                    "a refused request ran {:?} / was reported {reported:?}",
                    evidence.handlers
                ));
            }
            if !evidence
                .refusals
                .iter()
                .any(|(s, text)| *s == status && text.contains(reason))
            {
                return Err(format!(
                    "no refusal {status} {reason:?}: {}",
                    evidence.summary()
                ));
            }
        }
    }
    Ok(response.status.to_string())
}

/// Runs every row against the example app `app` and panics with a report if any fails.
pub fn run(app: &str) {
    if let Err(message) = peers::ensure_installed() {
        panic!("{message}");
    }
    let binary = app::example_binary(app).unwrap_or_else(|e| panic!("{e}"));
    let mut server = App::start(&binary, ENV.vars).unwrap_or_else(|e| panic!("{app}: {e}"));
    let ctx = Ctx::new(app, &ENV, server.addr.port());
    let mut report = format!("-- {app}, {}\n", ENV.name);
    let mut failures = Vec::new();

    let mut probes = 0;
    let mut mark = runner::still_up(&mut server, &ctx, &mut probes, 0)
        .unwrap_or_else(|e| panic!("{app} does not answer: {e}"))
        .1;
    for (name, build, expect) in rows() {
        let response = build(&ctx)
            .and_then(|request| http::send(server.addr, &request).map_err(|e| e.to_string()));
        let fenced = runner::still_up(&mut server, &ctx, &mut probes, mark);
        let outcome = response.and_then(|response| {
            let (fence, _) = fenced
                .as_ref()
                .map_err(|e| format!("no answer afterwards: {e}"))?;
            check(&response, &server.log_between(mark, *fence), expect)
        });
        mark = match &fenced {
            Ok((_, end)) => *end,
            Err(_) => server.log_len(),
        };
        match outcome {
            Ok(trail) => {
                let _ = writeln!(report, "pass  {name:<82} {trail}");
            }
            Err(why) => {
                let _ = writeln!(report, "FAIL  {name:<82} {why}");
                failures.push(format!("{name}: {why}"));
            }
        }
    }
    let log = server.log();
    // Loud at set-up: a warning per report-only route (actix-web builds the app once per
    // worker, so there may be more), written before the first request to them.
    let warnings = log.matches(STARTUP_WARNING).count();
    let first_request = log
        .find("handler=\"report_only_voice\"")
        .unwrap_or(log.len());
    let warned_first = log
        .find(STARTUP_WARNING)
        .is_some_and(|at| at < first_request);
    if warnings < 2 || !warned_first {
        failures.push(format!(
            "{warnings} set-up warnings for two report-only routes (before the first request: \
             {warned_first})"
        ));
    }
    for secret in [TOKEN, http_auth::PASSWORD] {
        if log.contains(secret) {
            failures.push(format!(
                "the app logged a secret ({} characters)",
                secret.len()
            ));
        }
    }
    if !failures.is_empty() {
        let _ = writeln!(report, "   app log (last lines):");
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        for line in tail.into_iter().rev() {
            let _ = writeln!(report, "      {line}");
        }
    }
    println!("{report}");
    assert!(
        failures.is_empty(),
        "{} report-only rows failed against {app} (report above):\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}
