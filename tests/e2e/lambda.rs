//! `examples/lambda_app.rs` under the local Lambda emulator: `cargo lambda watch` (the
//! PyPI package `cargo-lambda`, installed by `scripts/install-cargo-lambda.sh`) serves the
//! function over HTTP on `127.0.0.1` as a Function URL would (payload v2 events), and the
//! requests are signed by Twilio's official libraries.

use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use twilio_auth::{REPORT_ONLY_LOG_PREFIX, STARTUP_WARNING};

use super::evidence::Evidence;
use super::http::{self, Body, Request};
use super::peers::{self, Peer};

const TOKEN: &str = "e2e-lambda-auth-token";
const BODY_LIMIT: usize = 1024;
/// The first request builds and starts the function: allow for a cold build.
const FIRST_REQUEST_TIMEOUT: Duration = Duration::from_secs(600);

/// The emulator's binary: the pinned install, else one on `PATH`.
fn cargo_lambda() -> Result<PathBuf, String> {
    let pinned = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/differential/work/cargo-lambda/bin/cargo-lambda");
    if pinned.is_file() {
        return Ok(pinned);
    }
    let on_path = Command::new("cargo-lambda")
        .args(["lambda", "--version"])
        .output();
    match on_path {
        Ok(output) if output.status.success() => Ok(PathBuf::from("cargo-lambda")),
        _ => Err(format!(
            "the local Lambda emulator is not installed: run `bash scripts/install-cargo-lambda.sh` \
             (it installs cargo-lambda from PyPI into {})",
            pinned.display()
        )),
    }
}

/// `cargo lambda watch` serving `lambda_app`; killed with its process group on drop.
struct Emulator {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        // The emulator and the `cargo run` it spawned share the group started here.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Emulator {
    fn start() -> Result<Emulator, String> {
        Emulator::start_with(&[])
    }

    /// Like [`start`](Self::start), with more variables for the function.
    fn start_with(vars: &[(&str, &str)]) -> Result<Emulator, String> {
        use std::os::unix::process::CommandExt;
        let binary = cargo_lambda()?;
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        // The test's own target directory: the function is built once, like the other apps.
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let target_dir = exe
            .ancestors()
            .nth(3)
            .ok_or("unexpected test executable location")?
            .to_owned();
        let log = target_dir.join(format!("lambda-emulator-{port}.log"));
        let out = std::fs::File::create(&log).map_err(|e| e.to_string())?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let mut command = Command::new(binary);
        for (name, _) in std::env::vars_os() {
            if name
                .to_str()
                .is_some_and(|n| n.starts_with("TWILIO_") || n.starts_with("WEBHOOK_"))
            {
                command.env_remove(name);
            }
        }
        command
            .args([
                "lambda",
                "watch",
                "--example",
                "lambda_app",
                "--features",
                "lambda,replay",
            ])
            .args([
                "--ignore-changes",
                "-A",
                "127.0.0.1",
                "-P",
                &port.to_string(),
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("CARGO_TARGET_DIR", &target_dir)
            .env("TWILIO_AUTH_TOKEN", TOKEN)
            .env("TWILIO_WEBHOOK_BASE_URL", format!("http://{addr}"))
            .env("TWILIO_BODY_LIMIT", BODY_LIMIT.to_string())
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .envs(vars.iter().copied())
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0);
        let child = command
            .spawn()
            .map_err(|e| format!("cannot start cargo-lambda: {e}"))?;
        let emulator = Emulator { child, addr, log };
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(addr).is_err() {
            if Instant::now() > deadline {
                return Err(format!(
                    "the emulator did not listen within 60 s:\n{}",
                    emulator.log()
                ));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Ok(emulator)
    }

    fn log(&self) -> String {
        let mut text = String::new();
        if let Ok(mut file) = std::fs::File::open(&self.log) {
            let _ = file.read_to_string(&mut text);
        }
        text
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

/// Waits for the function to be built and started, with a request to a path the app does
/// not serve (a 404: no handler, no refusal). The emulator answers 5xx while the function
/// is starting, and may run an invocation whose answer it then loses (the first build can
/// outlast its timeout): a signed request sent then could run its handler twice.
fn wait_until_ready(emulator: &Emulator) {
    let deadline = Instant::now() + FIRST_REQUEST_TIMEOUT;
    let probe = Request::get("/not-a-route");
    loop {
        match http::send(emulator.addr, &probe) {
            Ok(response) if response.status == 404 && response.body.contains("Not Found") => return,
            other if Instant::now() > deadline => {
                panic!("no answer from the function: {other:?}\n{}", emulator.log())
            }
            _ => std::thread::sleep(Duration::from_secs(2)),
        }
    }
}

#[test]
fn lambda_app_under_the_local_emulator() {
    if let Err(message) = peers::ensure_installed() {
        panic!("{message}");
    }
    let emulator = Emulator::start().unwrap_or_else(|e| panic!("{e}"));
    let call: &[(&str, &str)] = &[
        ("CallSid", "CAlambda1"),
        ("From", "+14155550100"),
        ("CallerName", "Zoë & co"),
    ];
    let voice = emulator.url("/voice");
    let signature = Peer::Python.sign_form(TOKEN, &voice, call).unwrap();

    let mut rows: Vec<(String, u16, u16, String)> = Vec::new();
    let mut check = |what: &str, response: http::Response, status: u16, body: &str| {
        assert!(
            response.body.contains(body),
            "{what}: body {:?} lacks {body:?}",
            response.body
        );
        rows.push((what.to_owned(), response.status, status, response.body));
    };

    wait_until_ready(&emulator);
    let valid = Request::post("/voice").signature(&signature).form(call);
    check(
        "valid voice form (twilio-python)",
        http::send(emulator.addr, &valid).expect("an answer"),
        200,
        "your call CAlambda1 is verified",
    );

    let forged: &[(&str, &str)] = &[
        ("CallSid", "CA_EVIL"),
        ("From", "+14155550100"),
        ("CallerName", "Zoë & co"),
    ];
    let response = http::send(
        emulator.addr,
        &Request::post("/voice").signature(&signature).form(forged),
    )
    .unwrap();
    check("forged form, genuine signature", response, 403, "Forbidden");

    let big = "x".repeat(BODY_LIMIT + 1);
    let oversized = Request::post("/voice")
        .signature(&signature)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(Body::Sized(format!("CallSid={big}").into_bytes()));
    check(
        "oversized body",
        http::send(emulator.addr, &oversized).unwrap(),
        413,
        "Payload Too Large",
    );

    let status_url =
        emulator.url("/status?CallSid=CAlambda2&CallStatus=in%20progress&MediaUrl=b&MediaUrl=a");
    let signature = Peer::Node.sign_url(TOKEN, &status_url).unwrap();
    let target = &status_url[emulator.url("").len()..];
    let response = http::send(emulator.addr, &Request::get(target).signature(&signature)).unwrap();
    check(
        "GET status callback, raw query (twilio-node)",
        response,
        200,
        "status in progress for CAlambda2",
    );
    let reordered = "/status?CallStatus=in%20progress&CallSid=CAlambda2&MediaUrl=b&MediaUrl=a";
    let response = http::send(
        emulator.addr,
        &Request::get(reordered).signature(&signature),
    )
    .unwrap();
    check(
        "GET status callback, query reordered",
        response,
        403,
        "Forbidden",
    );

    let event = r#"{"type":"com.twilio.voice.call.completed","text":"ünïcode"}"#;
    let (events_url, signature) = Peer::Python
        .sign_body(TOKEN, &emulator.url("/events"), event)
        .unwrap();
    let target = events_url[emulator.url("").len()..].to_owned();
    let response = http::send(
        emulator.addr,
        &Request::post(&target).signature(&signature).json(event),
    )
    .unwrap();
    check(
        "JSON event with bodySHA256 (twilio-python)",
        response,
        200,
        "com.twilio.voice.call.completed",
    );
    let other = r#"{"type":"com.twilio.voice.call.failed","text":"ünïcode"}"#;
    let response = http::send(
        emulator.addr,
        &Request::post(&target).signature(&signature).json(other),
    )
    .unwrap();
    check("JSON event, another body", response, 403, "Forbidden");

    let log = emulator.log();
    drop(emulator);
    let mut failed = Vec::new();
    for (what, got, want, body) in &rows {
        let mark = if got == want { "pass" } else { "FAIL" };
        println!("{mark}  lambda_app under cargo lambda watch: {what:<50} {got}");
        if got != want {
            failed.push(format!("{what}: {got} instead of {want} ({body:?})"));
        }
    }
    assert!(failed.is_empty(), "{}\n{log}", failed.join("\n"));
    // The handler ran once per accepted request, and never for a refused one.
    let evidence = Evidence::read(&log);
    assert_eq!(evidence.handlers, ["voice", "status", "events"], "{log}");
    assert_eq!(evidence.refusal_statuses(), [403, 403, 403, 413], "{log}");
}

/// Report-only mode and the replay guard (`twilio_auth::lambda::verify_report_only`,
/// `twilio_auth::lambda::replay::handle_once`) under the emulator: a forged request reaches
/// the report-only handler marked unverified and nothing else, HTTP Basic is never bypassed,
/// and a signed request is processed once however often it is sent.
#[test]
fn lambda_app_reports_only_where_asked_and_refuses_replays() {
    const USER: &str = "twilio";
    const PASSWORD: &str = "lambda-report-only-password";
    if let Err(message) = peers::ensure_installed() {
        panic!("{message}");
    }
    let emulator = Emulator::start_with(&[("WEBHOOK_USER", USER), ("WEBHOOK_PASSWORD", PASSWORD)])
        .unwrap_or_else(|e| panic!("{e}"));
    wait_until_ready(&emulator);
    let send = |request: &Request| http::send(emulator.addr, request).expect("an answer");
    let signed = |path: &str, call_sid: &str| {
        let params = [("CallSid", call_sid), ("From", "+14155550100")];
        let signature = Peer::Python
            .sign_form(TOKEN, &emulator.url(path), &params)
            .unwrap();
        Request::post(path).signature(&signature).form(&params)
    };
    let forged = |path: &str, call_sid: &str| {
        Request::post(path)
            .signature("AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
            .form(&[("CallSid", call_sid), ("From", "+14155550100")])
    };
    let basic = |request: Request| {
        request.header(
            "Authorization",
            &super::http_auth::basic_authorization(USER, PASSWORD),
        )
    };
    let status_body = |r: http::Response| (r.status, r.body);

    // Report-only: let through and marked where asked, refused next to it.
    let (status, body) = status_body(send(&forged("/report-only/voice", "CAro1")));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("unverified call CAro1"), "{body}");
    assert_eq!(send(&forged("/voice", "CAro2")).status, 403);
    let (status, body) = status_body(send(&signed("/report-only/voice", "CAro3")));
    assert!(status == 200 && body.contains("verified call CAro3") && !body.contains("unverified"));
    // HTTP Basic stays enforced: no credentials → 401 whatever the signature.
    let response = send(&signed("/report-only/basic/voice", "CAro4"));
    assert_eq!(response.status, 401, "{response:?}");
    assert!(!response.headers_named("www-authenticate").is_empty());
    let (status, body) = status_body(send(&basic(forged("/report-only/basic/voice", "CAro5"))));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("unverified call CAro5"), "{body}");

    // Replay: processed once, whatever is resent or retagged.
    let count = |handler: &str| -> u64 {
        let response = send(&Request::get("/replay/count"));
        assert_eq!(response.status, 200, "{response:?}");
        let counts: serde_json::Value = serde_json::from_str(&response.body).unwrap();
        counts[handler].as_u64().unwrap()
    };
    let processed = |r: &http::Response| r.status == 200 && r.body.contains("<Response>");
    let request = signed("/replay/voice", "CAreplay1");
    let first = send(&request);
    assert!(processed(&first), "{first:?}");
    for duplicate in [
        request.clone(),
        request
            .clone()
            .header("I-Twilio-Idempotency-Token", "attacker-chosen")
            .header("User-Agent", "curl/8"),
    ] {
        let (status, body) = status_body(send(&duplicate));
        assert_eq!((status, body.as_str()), (200, ""));
    }
    assert_eq!(send(&forged("/replay/voice", "CAreplay1")).status, 403);
    assert_eq!(count("voice"), 1);
    // A first delivery that failed (500) is processed when Twilio retries, then done.
    let flaky = signed("/replay/flaky", "CAflaky1");
    assert_eq!(send(&flaky).status, 500);
    assert!(processed(&send(&flaky)));
    let (status, body) = status_body(send(&flaky));
    assert_eq!((status, body.as_str()), (200, ""));
    assert_eq!(count("flaky"), 2);

    let log = emulator.log();
    drop(emulator);
    let first_request = log
        .find("handler=\"report_only_voice\"")
        .expect("the report-only handler ran");
    assert_eq!(log.matches(STARTUP_WARNING).count(), 2, "{log}");
    assert!(log.find(STARTUP_WARNING).unwrap() < first_request, "{log}");
    // Two forged requests let through, each with its line; the verified one without.
    assert_eq!(log.matches(REPORT_ONLY_LOG_PREFIX).count(), 2, "{log}");
    assert!(
        !log.contains(TOKEN) && !log.contains(PASSWORD),
        "a secret in the log"
    );
    let evidence = Evidence::read(&log);
    assert_eq!(
        evidence.handlers,
        [
            "report_only_voice",
            "report_only_voice",
            "report_only_voice",
            "replay_voice",
            "replay_flaky",
            "replay_flaky",
        ],
        "{log}"
    );
}
