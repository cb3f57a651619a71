//! Runs the scenario table against one example app: one app process per environment of
//! the table, every scenario's request over a real socket, and after each one a genuine
//! request that the app must still answer (a hostile request must not take it down). That
//! request (the probe) also fences the app's log, so each scenario is checked against the
//! lines its own requests caused (`evidence.rs`): which handlers ran, and which refusals
//! were our verifier's.

use std::fmt::Write as _;

use super::app::{self, App, TOKEN};
use super::curl;
use super::evidence::{self, Evidence};
use super::http::{self, Response};
use super::http_auth;
use super::peers;
use super::scenarios::{self, Action, By, Ctx, Scenario};

/// How long the runner waits for the probe's handler line to reach the log.
const LOG_FENCE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

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
        let ctx = Ctx::new(app, env, server.addr.port());
        let mut group_failed = false;
        let mut probes = 0;
        // Where the current scenario's part of the log starts.
        let mut mark = match still_up(&mut server, &ctx, &mut probes, 0) {
            Ok((_, end)) => end,
            Err(e) => {
                let _ = writeln!(
                    report,
                    "FAIL  the app does not answer a genuine request: {e}"
                );
                failures.push(format!(
                    "{} / genuine request before the scenarios: {e}",
                    env.name
                ));
                group_failed = true;
                server.log_len()
            }
        };
        for scenario in rows {
            let answered = run_one(&server, &ctx, scenario);
            // The probe runs after every scenario, failed or not, so the next scenario's
            // part of the log starts after this one's.
            let fenced = still_up(&mut server, &ctx, &mut probes, mark).map_err(|e| {
                format!("the app no longer answers a genuine request afterwards: {e}")
            });
            // After a failed probe, the next scenario's part starts where the log ends now.
            let next_mark = match &fenced {
                Ok((_, end)) => *end,
                Err(_) => server.log_len(),
            };
            let outcome = answered.and_then(|(trail, responses)| {
                let (fence, _) = fenced?;
                let log = server.log_between(mark, fence);
                check_evidence(&ctx, scenario, &responses, &Evidence::read(&log))?;
                Ok(trail)
            });
            mark = next_mark;
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
/// statuses for the report (`401 → 200`) and the responses.
fn run_one(
    server: &App,
    ctx: &Ctx,
    scenario: &Scenario,
) -> Result<(String, Vec<Response>), String> {
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
    let expect = scenario.expect.for_app(&ctx.app);
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
        Ok((trail_text, responses))
    } else {
        Err(format!(
            "{}; body: {:?}",
            problems.join(", "),
            shorten(&response.body, 200)
        ))
    }
}

/// Who answered each response, by the row's expectation: [`Expect::first`] for the first
/// one where the row states it, else `2xx` a handler and `4xx` our verifier.
///
/// [`Expect::first`]: scenarios::Expect::first
fn authors(ctx: &Ctx, scenario: &Scenario, responses: &[Response]) -> Result<Vec<By>, String> {
    let mut authors = Vec::with_capacity(responses.len());
    for (i, response) in responses.iter().enumerate() {
        let stated = match (i, scenario.expect.for_app(&ctx.app).first) {
            (0, Some(first)) => {
                let Some((status, by)) = first.of(&ctx.app) else {
                    return Err(format!(
                        "the row states no first answer for {} (PerApp)",
                        ctx.app
                    ));
                };
                if response.status != status {
                    return Err(format!(
                        "first answer {} instead of {status} ({by:?}) for {}; body {:?}",
                        response.status,
                        ctx.app,
                        shorten(&response.body, 200)
                    ));
                }
                Some(by)
            }
            _ => None,
        };
        authors.push(stated.unwrap_or(if response.status < 300 {
            By::Handler
        } else {
            By::Verifier
        }));
    }
    Ok(authors)
}

/// The app's log for this scenario must show exactly the handler runs and verifier
/// refusals its responses claim, and a refusal of the verifier must carry its body.
fn check_evidence(
    ctx: &Ctx,
    scenario: &Scenario,
    responses: &[Response],
    evidence: &Evidence,
) -> Result<(), String> {
    let authors = authors(ctx, scenario, responses)?;
    let mut problems = Vec::new();
    let handled = authors.iter().filter(|&&by| by == By::Handler).count();
    if evidence.handlers.len() != handled {
        problems.push(format!(
            "{} handler run(s) in the app's log instead of {handled}{}",
            evidence.handlers.len(),
            if handled == 0 {
                " (a refused request reached the handler)"
            } else {
                ""
            }
        ));
    }
    let mut refused: Vec<u16> = responses
        .iter()
        .zip(&authors)
        .filter(|&(_, &by)| by == By::Verifier)
        .map(|(r, _)| r.status)
        .collect();
    refused.sort_unstable();
    if evidence.refusal_statuses() != refused {
        problems.push(format!(
            "refusals of our verifier in the app's log {:?} instead of {refused:?} (a refusal \
             that is not the verifier's, or a verifier refusal answered otherwise)",
            evidence.refusal_statuses()
        ));
    }
    if let Some(fragment) = scenario.expect.for_app(&ctx.app).reason
        && !evidence
            .refusals
            .iter()
            .any(|(_, text)| text.contains(fragment))
    {
        problems.push(format!("no verifier refusal for {fragment:?}"));
    }
    let last = responses.len().saturating_sub(1);
    for (i, (response, by)) in responses.iter().zip(&authors).enumerate() {
        // curl reports the body of the last response only.
        if *by != By::Verifier || response.head || (i != last && response.body.is_empty()) {
            continue;
        }
        if !evidence::is_verifier_body(response.status, &response.body) {
            problems.push(format!(
                "a {} body {:?} instead of the verifier's",
                response.status,
                shorten(&response.body, 100)
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{}; {}", problems.join(", "), evidence.summary()))
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

/// A genuine signed request (the next probe) must still get its 200, and the process must
/// still run; `Ok` carries where the probe's handler line starts in the log (after byte
/// `from`), and where its `CallSid` ends.
pub fn still_up(
    server: &mut App,
    ctx: &Ctx,
    probes: &mut usize,
    from: usize,
) -> Result<(usize, usize), String> {
    *probes += 1;
    let call_sid = scenarios::probe_call_sid(*probes);
    let response =
        http::send(server.addr, &scenarios::probe(ctx, *probes)?).map_err(|e| e.to_string());
    if !server.is_running() {
        return Err("the app process exited".to_owned());
    }
    match response? {
        r if r.status == 200 && r.body.contains(&call_sid) => {}
        r => return Err(format!("status {} ({:?})", r.status, shorten(&r.body, 200))),
    }
    // The handler's field, not the request line some frameworks log first.
    let handler_field = format!("call_sid={call_sid}");
    let start = server.wait_for_line(from, &handler_field, LOG_FENCE_WAIT)?;
    let end = server
        .log_between(start, server.log_len())
        .find(&handler_field)
        .map_or(start, |at| start + at + handler_field.len());
    Ok((start, end))
}

fn check_refused(
    binary: &std::path::Path,
    scenario: &scenarios::StartupScenario,
) -> Result<(), String> {
    let exit = app::run_to_exit(binary, scenario.vars)?;
    let mut problems = Vec::new();
    // The contract: a configuration error exits with status 2, nothing else.
    if exit.status.code() != Some(2) {
        problems.push(format!(
            "it exited with {} instead of status 2",
            exit.status
        ));
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
