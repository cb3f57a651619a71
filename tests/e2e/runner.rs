//! Runs the scenario table against one example app: one app process per environment of
//! the table, every scenario's request over a real socket, and after each one a genuine
//! request that the app must still answer (a hostile request must not take it down).

use std::fmt::Write as _;

use super::app::{self, App, TOKEN};
use super::curl;
use super::http::{self, Response};
use super::http_auth;
use super::peers;
use super::scenarios::{self, Action, Ctx, Scenario};

/// Runs every scenario against the example app `app` (e.g. `"axum_app"`) and panics with
/// a report if any fails.
pub fn run_table(app: &str) {
    // Missing peers are a failure, never a skip.
    if let Err(message) = peers::ensure_installed() {
        panic!("{message}");
    }
    // So is curl, the HTTP Basic/Digest client of some scenarios.
    if let Err(message) = curl::ensure_installed() {
        panic!("{message}");
    }
    let binary = app::example_binary(app).unwrap_or_else(|e| panic!("{e}"));
    let table = scenarios::table();

    let mut report = String::new();
    let mut failures = Vec::new();
    for env in scenarios::ENVS {
        let rows: Vec<&Scenario> = table.iter().filter(|s| s.env == *env).collect();
        let _ = writeln!(report, "-- {app}, {} ({} scenarios)", env.name, rows.len());
        let mut server = match App::start(&binary, env.vars) {
            Ok(server) => server,
            Err(e) => {
                let _ = writeln!(report, "FAIL  the app did not start: {e}");
                failures.extend(
                    rows.iter()
                        .map(|s| format!("{} / {}: app did not start", env.name, s.name)),
                );
                continue;
            }
        };
        let ctx = Ctx::new(env, server.addr.port());
        let mut group_failed = false;
        if let Err(e) = still_up(&mut server, &ctx) {
            let _ = writeln!(
                report,
                "FAIL  the app does not answer a genuine request: {e}"
            );
            failures.push(format!(
                "{} / genuine request before the scenarios: {e}",
                env.name
            ));
            group_failed = true;
        }
        for scenario in rows {
            let outcome = run_one(app, &server, &ctx, scenario).and_then(|status| {
                still_up(&mut server, &ctx).map(|()| status).map_err(|e| {
                    format!("the app no longer answers a genuine request afterwards: {e}")
                })
            });
            match outcome {
                Ok(trail) => {
                    let _ = writeln!(report, "pass  {:<70} {trail}", scenario.name);
                }
                Err(why) => {
                    let _ = writeln!(report, "FAIL  {:<70} {why}", scenario.name);
                    failures.push(format!("{} / {}: {why}", env.name, scenario.name));
                    group_failed = true;
                }
            }
        }
        // SPEC §5: the HTTP authentication password never reaches the log.
        if server.log().contains(http_auth::PASSWORD) {
            let _ = writeln!(report, "FAIL  the app logged the WEBHOOK_PASSWORD");
            failures.push(format!("{}: the app logged the WEBHOOK_PASSWORD", env.name));
            group_failed = true;
        }
        if group_failed {
            let _ = writeln!(
                report,
                "   app log ({}):\n{}",
                env.name,
                indent(&tail(&server.log(), 60))
            );
        }
    }

    let _ = writeln!(report, "-- {app}, configurations it must refuse");
    for scenario in scenarios::startup_table() {
        match check_refused(&binary, &scenario) {
            Ok(()) => {
                let _ = writeln!(report, "pass  {:<70} refused", scenario.name);
            }
            Err(why) => {
                let _ = writeln!(report, "FAIL  {:<70} {why}", scenario.name);
                failures.push(format!("start-up / {}: {why}", scenario.name));
            }
        }
    }

    println!("{report}");
    assert!(
        failures.is_empty(),
        "{} of the end-to-end scenarios failed against {app} (report above):\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}

/// Runs a scenario (one request, or an exchange) and checks the answer; `Ok` carries the
/// statuses for the report (`401 → 200`).
fn run_one(app: &str, server: &App, ctx: &Ctx, scenario: &Scenario) -> Result<String, String> {
    let responses = match scenario.action {
        Action::Send(build) => {
            let request = build(ctx, scenario.signer)?;
            vec![http::send(server.addr, &request).map_err(|e| format!("no response: {e}"))?]
        }
        Action::Exchange(exchange) => exchange(ctx, scenario.signer)?,
    };
    let trail: Vec<u16> = responses.iter().map(|r| r.status).collect();
    let trail_text = trail
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(" → ");
    let Some(response) = responses.last() else {
        return Err("the exchange received no response".to_owned());
    };
    let expect = scenario.expect.for_app(app);
    let mut problems = Vec::new();
    if let Some(expected) = expect.trail
        && trail != expected
    {
        problems.push(format!("statuses {trail_text} instead of {expected:?}"));
    }
    if let Some(expected) = expect.challenges {
        check_challenges(response, expected, &mut problems);
    }
    for earlier in &responses[..responses.len() - 1] {
        if earlier.body.contains(TOKEN) || earlier.body.contains(http_auth::PASSWORD) {
            problems.push("a response contains a secret".to_owned());
        }
    }
    if response.status != expect.status {
        problems.push(format!(
            "status {} instead of {}",
            response.status, expect.status
        ));
    }
    if let Some(fragment) = expect.body
        && !response.body.contains(fragment)
    {
        problems.push(format!("body lacks {fragment:?}"));
    }
    if let Some(fragment) = expect.content_type {
        let content_type = response.header("content-type").unwrap_or("");
        if !content_type.contains(fragment) {
            problems.push(format!("content-type {content_type:?} lacks {fragment:?}"));
        }
    }
    // SPEC §5: a rejection is a short body that gives nothing away.
    if response.status >= 400 && response.body.len() > 512 {
        problems.push(format!("a {}-byte rejection body", response.body.len()));
    }
    if response.body.contains(TOKEN) {
        problems.push("the response contains the Auth Token".to_owned());
    }
    if response.body.contains(http_auth::PASSWORD) {
        problems.push("the response contains the WEBHOOK_PASSWORD".to_owned());
    }
    if problems.is_empty() {
        Ok(trail_text)
    } else {
        Err(format!(
            "{}; body: {:?}",
            problems.join(", "),
            shorten(&response.body, 200)
        ))
    }
}

/// The `WWW-Authenticate` headers must be exactly `expected` (each starting with its
/// fragment), in order.
fn check_challenges(response: &Response, expected: &[&str], problems: &mut Vec<String>) {
    let challenges = response.headers_named("www-authenticate");
    let matches = challenges.len() == expected.len()
        && challenges
            .iter()
            .zip(expected)
            .all(|(c, e)| c.starts_with(e));
    if !matches {
        problems.push(format!(
            "WWW-Authenticate {challenges:?} instead of {expected:?}"
        ));
    }
}

/// A genuine signed request must still get its 200, and the process must still run.
fn still_up(server: &mut App, ctx: &Ctx) -> Result<(), String> {
    let response = http::send(server.addr, &scenarios::probe(ctx)?).map_err(|e| e.to_string());
    if !server.is_running() {
        return Err("the app process exited".to_owned());
    }
    match response? {
        r if r.status == 200 => Ok(()),
        r => Err(format!("status {} ({:?})", r.status, shorten(&r.body, 200))),
    }
}

fn check_refused(
    binary: &std::path::Path,
    scenario: &scenarios::StartupScenario,
) -> Result<(), String> {
    let exit = app::run_to_exit(binary, scenario.vars)?;
    let mut problems = Vec::new();
    if exit.status.success() {
        problems.push("it exited with status 0".to_owned());
    }
    if !exit.stderr.contains("error:") || !exit.stderr.contains(scenario.stderr) {
        problems.push(format!("stderr lacks `error:` and {:?}", scenario.stderr));
    }
    if exit.stderr.contains("panicked") {
        problems.push("it panicked".to_owned());
    }
    if exit.stderr.contains(TOKEN) {
        problems.push("stderr contains the Auth Token".to_owned());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}; stderr: {:?}",
            problems.join(", "),
            shorten(&exit.stderr, 400)
        ))
    }
}

fn shorten(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("      {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
