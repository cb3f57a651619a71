//! `twilio-auth send`, run as a user would run it, against the axum example app
//! (`examples/axum_app.rs` of the root crate) started as a real server on `127.0.0.1`.
//!
//! The app is built once per test process with `cargo build --example axum_app --features
//! axum -p twilio-auth` into this test's target directory and profile (`cargo test` does not
//! build another package's examples, and a stale binary would test old code); each test
//! starts its own app with `PORT=0` and kills it when done.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

const TOKEN: &str = "send-test-auth-token";
const USER: &str = "twilio";
const PASSWORD: &str = "send-test-password";
/// What the app is told Twilio requests (`TWILIO_WEBHOOK_BASE_URL`).
const PUBLIC: &str = "https://public.example";
const CALL: [&str; 2] = ["CallSid=CA0123456789abcdef", "From=+14155550100"];
const TWIML: &str =
    "<Response><Say>Hello +14155550100, your call CA0123456789abcdef is verified.</Say></Response>";
/// Bounded wait for the app's ready line; the build happens before, without a bound.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// The example app's binary, built by the first test that needs it.
fn example_app() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| build_example_app().unwrap_or_else(|e| panic!("{e}")))
}

fn build_example_app() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    // <target>/<profile>/deps/send-<hash> → <target>/<profile>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| format!("unexpected test executable location {}", exe.display()))?;
    let target_dir = profile_dir
        .parent()
        .ok_or_else(|| format!("no target directory above {}", profile_dir.display()))?;
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("the CLI crate has no parent directory")?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args([
            "build",
            "--quiet",
            "--example",
            "axum_app",
            "--features",
            "axum",
        ])
        .args(["-p", "twilio-auth", "--manifest-path"])
        .arg(workspace.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target_dir);
    match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => {}
        Some("release") => {
            command.arg("--release");
        }
        Some(profile) => {
            command.args(["--profile", profile]);
        }
    }
    let output = command
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`cargo build --example axum_app --features axum -p twilio-auth` failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let binary = profile_dir
        .join("examples")
        .join(format!("axum_app{}", std::env::consts::EXE_SUFFIX));
    if binary.is_file() {
        Ok(binary)
    } else {
        Err(format!(
            "{} does not exist after building it",
            binary.display()
        ))
    }
}

/// A running example app; dropping it kills the process.
struct App {
    child: Child,
    port: u16,
    log: Arc<Mutex<String>>,
}

impl App {
    /// The app with the test's token and credentials, told that Twilio requests `PUBLIC`.
    fn start() -> App {
        App::start_with(&[("TWILIO_WEBHOOK_BASE_URL", PUBLIC)])
    }

    /// The app with a hermetic environment (no `TWILIO_*`/`WEBHOOK_*` of the caller) plus
    /// `vars`.
    fn start_with(vars: &[(&str, &str)]) -> App {
        let mut command = Command::new(example_app());
        for (name, _) in std::env::vars_os() {
            if name.to_str().is_some_and(|n| {
                n.starts_with("TWILIO_") || n.starts_with("WEBHOOK_") || n == "RUST_LOG"
            }) {
                command.env_remove(name);
            }
        }
        command
            .env("PORT", "0")
            .env("TWILIO_AUTH_TOKEN", TOKEN)
            .env("WEBHOOK_USER", USER)
            .env("WEBHOOK_PASSWORD", PASSWORD)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .envs(vars.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("start the example app");

        let log = Arc::new(Mutex::new(String::new()));
        let mut stderr = child.stderr.take().expect("stderr is piped");
        let sink = log.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = stderr.read(&mut buf) {
                let text = String::from_utf8_lossy(&buf[..n]);
                sink.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push_str(&text);
            }
        });
        let (tx, rx) = mpsc::channel();
        let stdout = child.stdout.take().expect("stdout is piped");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });

        let mut app = App {
            child,
            port: 0,
            log,
        };
        loop {
            match rx.recv_timeout(STARTUP_TIMEOUT) {
                Ok(line) => {
                    if let Some(port) = line.strip_prefix("listening on http://127.0.0.1:") {
                        app.port = port.trim().parse().expect("a port in the ready line");
                        return app;
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the app exited before it was ready:\n{}", app.log())
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!(
                        "the app was not ready within {STARTUP_TIMEOUT:?}:\n{}",
                        app.log()
                    )
                }
            }
        }
    }

    /// `--to` for this app.
    fn to(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn log(&self) -> String {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `twilio-auth ARGS` with `token` in `TWILIO_AUTH_TOKEN`.
fn twilio_auth(token: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_twilio-auth"))
        .args(args)
        .env("TWILIO_AUTH_TOKEN", token)
        .env_remove("TWILIO_AUTH_TOKEN_SECONDARY")
        .output()
        .expect("run twilio-auth")
}

/// `twilio-auth send --to APP --url PUBLIC+PATH ARGS…` with the app's token.
fn send(app: &App, path: &str, args: &[&str]) -> Output {
    let (to, url) = (app.to(), format!("{PUBLIC}{path}"));
    let mut argv = vec!["send", "--to", &to, "--url", &url];
    argv.extend(args);
    twilio_auth(TOKEN, &argv)
}

/// `--param` for each field of the call.
fn call_params() -> Vec<&'static str> {
    CALL.iter().flat_map(|p| ["--param", p]).collect()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Everything the command printed, for assertions and failure messages.
fn printed(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        stdout(out),
        stderr(out)
    )
}

/// Neither the token nor the password (nor its Basic encoding) appears in any output.
fn assert_no_secrets(out: &Output) {
    let text = printed(out);
    for secret in [TOKEN, PASSWORD, "dHdpbGlvOnNlbmQtdGVzdC1wYXNzd29yZA"] {
        assert!(!text.contains(secret), "{secret} printed:\n{text}");
    }
}

/// The response status lines `--verbose` showed, in order.
fn exchanges(out: &Output) -> Vec<String> {
    stderr(out)
        .lines()
        .filter_map(|l| l.strip_prefix("< HTTP/1.1 "))
        .map(str::to_owned)
        .collect()
}

#[test]
fn form_post_is_signed_and_answered_with_the_twiml() {
    let app = App::start();
    let mut args = call_params();
    args.push("--verbose");
    let out = send(&app, "/voice?a=%7e&b=it's", &args);
    let text = printed(&out);
    assert_eq!(out.status.code(), Some(0), "{text}\n{}", app.log());
    let stdout = stdout(&out);
    assert!(stdout.starts_with("HTTP/1.1 200 OK\n"), "{text}");
    assert!(stdout.contains("\ncontent-type: text/xml\n"), "{text}");
    assert!(stdout.ends_with(TWIML), "{text}");
    // The request target is --url's path and query, byte for byte, and the body is the form.
    let stderr = stderr(&out);
    assert!(
        stderr.contains("\n> POST /voice?a=%7e&b=it's HTTP/1.1\n"),
        "{text}"
    );
    assert!(
        stderr.contains(&format!("\n> Host: 127.0.0.1:{}\n", app.port)),
        "{text}"
    );
    assert!(
        stderr.contains("\n> Content-Type: application/x-www-form-urlencoded\n"),
        "{text}"
    );
    assert!(
        stderr.contains("\n> CallSid=CA0123456789abcdef&From=%2B14155550100\n"),
        "{text}"
    );
    assert_eq!(exchanges(&out), ["200 OK"]);
    assert_no_secrets(&out);
}

#[test]
fn json_file_adds_body_sha256_to_the_signed_url() {
    let dir = std::env::temp_dir().join(format!("twilio-auth-send-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("event.json");
    std::fs::write(&file, br#"{"type": "call.completed", "n": 1}"#).unwrap();
    let file = file.to_str().unwrap();

    // The URL `sign --add-body-hash` prints is the one `send` requests.
    let signed = twilio_auth(
        TOKEN,
        &[
            "sign",
            "--url",
            &format!("{PUBLIC}/events"),
            "--content-type",
            "application/json",
            "--body-file",
            file,
            "--add-body-hash",
        ],
    );
    let signed_url = stdout(&signed).lines().nth(1).unwrap().to_owned();
    let target = signed_url.strip_prefix(PUBLIC).unwrap();
    assert!(target.starts_with("/events?bodySHA256="), "{signed_url}");

    let app = App::start();
    let out = send(&app, "/events", &["--json-file", file, "--verbose"]);
    let text = printed(&out);
    assert_eq!(out.status.code(), Some(0), "{text}\n{}", app.log());
    assert!(stdout(&out).starts_with("HTTP/1.1 200 OK\n"), "{text}");
    assert!(
        stdout(&out).ends_with(r#"{"received":"call.completed"}"#),
        "{text}"
    );
    assert!(
        stderr(&out).contains(&format!("\n> POST {target} HTTP/1.1\n")),
        "{text}"
    );
    assert!(
        stderr(&out).contains("\n> Content-Type: application/json\n"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn get_without_params_is_signed_by_its_url_and_query() {
    let app = App::start();
    let out = send(
        &app,
        "/status?CallSid=CA1&CallStatus=completed",
        &["--verbose"],
    );
    let text = printed(&out);
    assert_eq!(out.status.code(), Some(0), "{text}\n{}", app.log());
    assert!(
        stdout(&out).ends_with("\n\nstatus completed for CA1\n"),
        "{text}"
    );
    assert!(
        stderr(&out).contains("\n> GET /status?CallSid=CA1&CallStatus=completed HTTP/1.1\n"),
        "{text}"
    );
    assert!(!stderr(&out).contains("> Content-Length"), "{text}");
}

#[test]
fn basic_route_is_answered_after_the_401_challenge() {
    let app = App::start();
    let mut args = call_params();
    args.extend(["--user", USER, "--password", PASSWORD, "--verbose"]);
    let out = send(&app, "/basic/voice", &args);
    let text = printed(&out);
    assert_eq!(out.status.code(), Some(0), "{text}\n{}", app.log());
    assert_eq!(exchanges(&out), ["401 Unauthorized", "200 OK"], "{text}");
    assert!(
        stderr(&out).contains("< www-authenticate: Basic realm="),
        "{text}"
    );
    assert!(
        stderr(&out).contains("* answering the Basic challenge as \"twilio\""),
        "{text}"
    );
    assert!(
        stderr(&out).contains("\n> Authorization: Basic <user:password in base64, not shown>\n"),
        "{text}"
    );
    assert!(stdout(&out).ends_with(TWIML), "{text}");
    assert_no_secrets(&out);

    // Without credentials: the challenge is the final response, with a hint.
    let out = send(&app, "/basic/voice", &call_params());
    let text = printed(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        stdout(&out).starts_with("HTTP/1.1 401 Unauthorized\n"),
        "{text}"
    );
    assert!(
        stderr(&out).contains("give --user and --password"),
        "{text}"
    );

    // A wrong password: one answer, refused.
    let mut args = call_params();
    args.extend(["--user", USER, "--password", "wrong", "--verbose"]);
    let out = send(&app, "/basic/voice", &args);
    let text = printed(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert_eq!(
        exchanges(&out),
        ["401 Unauthorized", "401 Unauthorized"],
        "{text}"
    );
    assert!(
        stderr(&out).contains("refused the --user/--password"),
        "{text}"
    );
}

#[test]
fn digest_route_is_answered_with_sha256_after_the_401_challenge() {
    let app = App::start();
    let mut args = call_params();
    args.extend(["--user", USER, "--password", PASSWORD, "--verbose"]);
    let out = send(&app, "/digest/voice", &args);
    let text = printed(&out);
    assert_eq!(out.status.code(), Some(0), "{text}\n{}", app.log());
    assert_eq!(exchanges(&out), ["401 Unauthorized", "200 OK"], "{text}");
    let stderr = stderr(&out);
    // The app offers SHA-256 and MD5; SHA-256 is chosen, with qop=auth, nc and cnonce.
    assert!(stderr.contains("algorithm=MD5"), "{text}");
    assert!(
        stderr.contains("* answering the Digest SHA-256 challenge as \"twilio\""),
        "{text}"
    );
    let authorization = stderr
        .lines()
        .find_map(|l| l.strip_prefix("> Authorization: "))
        .unwrap_or_else(|| panic!("no Authorization line:\n{text}"));
    for part in [
        "Digest username=\"twilio\"",
        "uri=\"/digest/voice\"",
        "algorithm=SHA-256",
        "qop=auth",
        "nc=00000001",
        "cnonce=\"",
        "response=<not shown>",
    ] {
        assert!(authorization.contains(part), "{part}: {authorization}");
    }
    assert!(stdout(&out).ends_with(TWIML), "{text}");
    assert_no_secrets(&out);
}

#[test]
fn wrong_token_gets_the_apps_403_and_exit_code_1() {
    let app = App::start();
    let to = app.to();
    let url = format!("{PUBLIC}/voice");
    let mut args = vec!["send", "--to", &to, "--url", &url];
    args.extend(call_params());
    let out = twilio_auth("not-the-apps-token", &args);
    let text = printed(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        stdout(&out).starts_with("HTTP/1.1 403 Forbidden\n"),
        "{text}"
    );
    assert!(
        stderr(&out).contains("the signature was refused: is TWILIO_AUTH_TOKEN"),
        "{text}"
    );
    assert!(
        app.log().contains("matches none of the candidate URLs"),
        "{}",
        app.log()
    );
}

#[test]
fn host_defaults_to_the_to_authority_and_host_overrides_it() {
    // Without a base URL the app rebuilds the URL from `Host` (and `http`).
    let app = App::start_with(&[("TWILIO_TRUST_FORWARDED_HEADERS", "x-forwarded")]);
    let to = app.to();
    let status = |url: &str, extra: &[&str]| {
        let mut args = vec!["send", "--to", &to, "--url", url];
        args.extend(call_params());
        args.extend(extra);
        let out = twilio_auth(TOKEN, &args);
        let line = stdout(&out).lines().next().unwrap_or_default().to_owned();
        (out.status.code(), line)
    };
    let ok = (Some(0), "HTTP/1.1 200 OK".to_owned());
    let forbidden = (Some(1), "HTTP/1.1 403 Forbidden".to_owned());
    assert_eq!(status(&format!("{to}/voice"), &[]), ok);
    assert_eq!(status("http://public.example/voice", &[]), forbidden);
    assert_eq!(
        status("http://public.example/voice", &["--host", "public.example"]),
        ok
    );
}

#[test]
fn https_to_is_a_usage_error() {
    let out = twilio_auth(
        TOKEN,
        &[
            "send",
            "--to",
            "https://127.0.0.1:3000",
            "--url",
            "https://public.example/voice",
        ],
    );
    let text = printed(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(stderr(&out).contains("https:// is not supported"), "{text}");
    assert!(stdout(&out).is_empty(), "{text}");
}

#[test]
fn unreachable_server_exits_2() {
    // A port that was free a moment ago.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = twilio_auth(
        TOKEN,
        &[
            "send",
            "--to",
            &format!("http://127.0.0.1:{port}"),
            "--url",
            "https://public.example/voice",
        ],
    );
    let text = printed(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        stderr(&out).contains(&format!("GET /voice to http://127.0.0.1:{port}: ")),
        "{text}"
    );
}
