//! Launches an example app (`examples/<name>.rs`) as a separate process on `127.0.0.1`.
//!
//! The binary is (re)built with `cargo build --example <name> --features <framework>` in
//! this test's target directory and profile, once per test process: `cargo test --test
//! e2e` alone does not build examples, and a stale binary would test old code. The app
//! gets a hermetic environment (no `TWILIO_*` from the caller), `PORT=0`, and is ready
//! when it prints `listening on http://127.0.0.1:PORT`. Dropping an [`App`] kills it.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The Auth Token every app is started with (unless a scenario overrides it).
pub const TOKEN: &str = "e2e-primary-auth-token";

/// Bounded wait for the ready line (or for a misconfigured app to exit).
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// Variables of the app contract (besides `TWILIO_*` and `WEBHOOK_*`): the caller's
/// values never leak into the app.
const CONTRACT_VARS: &[&str] = &["PORT", "RUST_LOG", "REDIS_URL"];

/// The framework feature an example app needs: `axum_app` → `axum`; `hyper_app` → `tower`
/// (hyper is served through the tower layer).
pub fn feature_of(app: &str) -> &str {
    match app {
        "hyper_app" => "tower",
        _ => app.strip_suffix("_app").unwrap_or(app),
    }
}

/// The path of the example binary `app`, built first if this process has not yet done so.
pub fn example_binary(app: &str) -> Result<PathBuf, String> {
    example_binary_with(app, feature_of(app))
}

/// The path of the example binary `app` built with `features` (comma-separated, e.g.
/// `axum,redis`), built first if this process has not yet done so.
pub fn example_binary_with(app: &str, features: &str) -> Result<PathBuf, String> {
    static BUILT: Mutex<Option<HashSet<String>>> = Mutex::new(None);

    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    // target/<profile>/deps/e2e-<hash> → target/<profile>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| format!("unexpected test executable location {}", exe.display()))?;
    let binary = profile_dir
        .join("examples")
        .join(format!("{app}{}", std::env::consts::EXE_SUFFIX));

    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if built
        .get_or_insert_with(HashSet::new)
        .insert(format!("{app} {features}"))
    {
        build(app, features, profile_dir)?;
    }
    if binary.is_file() {
        Ok(binary)
    } else {
        Err(format!(
            "{} does not exist after building it",
            binary.display()
        ))
    }
}

fn build(app: &str, feature: &str, profile_dir: &Path) -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let mut command = Command::new(cargo);
    command.args([
        "build",
        "--quiet",
        "--example",
        app,
        "--features",
        feature,
        "--manifest-path",
    ]);
    command.arg(&manifest);
    if let Some(target_dir) = profile_dir.parent() {
        command.arg("--target-dir").arg(target_dir);
    }
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
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "could not build the example app (`cargo build --example {app} --features {feature}`):\n{}",
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// The apps this process started and that are still running: `(port, pid)`. Scenarios see
/// only the port ([`pid_listening_on`]); the hostile-input rows read the app's memory from
/// `/proc/<pid>/status`.
static RUNNING: Mutex<Vec<(u16, u32)>> = Mutex::new(Vec::new());

/// The process id of the app this process started on `127.0.0.1:port`, while it runs.
pub fn pid_listening_on(port: u16) -> Option<u32> {
    let running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
    running
        .iter()
        .find(|(p, _)| *p == port)
        .map(|&(_, pid)| pid)
}

/// A running example app.
pub struct App {
    child: Child,
    pub addr: SocketAddr,
    log: Arc<Mutex<String>>,
}

/// What the app printed on stdout, line by line, then `Closed` at EOF (it exited).
enum Stdout {
    Line(String),
    Closed,
}

/// A started process and the threads that read its output.
struct Spawned {
    child: Child,
    stdout: Receiver<Stdout>,
    log: Arc<Mutex<String>>,
    stderr_reader: JoinHandle<()>,
}

fn spawn(binary: &Path, vars: &[(&str, &str)]) -> Result<Spawned, String> {
    let mut command = Command::new(binary);
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(|n| {
            n.starts_with("TWILIO_") || n.starts_with("WEBHOOK_") || CONTRACT_VARS.contains(&n)
        }) {
            command.env_remove(name);
        }
    }
    command
        .env("PORT", "0")
        .env("TWILIO_AUTH_TOKEN", TOKEN)
        .env("RUST_LOG", "info,twilio_auth=debug")
        .env("NO_COLOR", "1");
    for (name, value) in vars {
        command.env(name, value);
    }
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;

    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().expect("stdout is piped");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(Stdout::Line(line)).is_err() {
                return;
            }
        }
        let _ = tx.send(Stdout::Closed);
    });
    let log = Arc::new(Mutex::new(String::new()));
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let sink = log.clone();
    let stderr_reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stderr.read(&mut buf) {
            if n == 0 {
                break;
            }
            let text = String::from_utf8_lossy(&buf[..n]);
            sink.lock()
                .unwrap_or_else(|e| e.into_inner())
                .push_str(&text);
        }
    });
    Ok(Spawned {
        child,
        stdout: rx,
        log,
        stderr_reader,
    })
}

fn ready_port(line: &str) -> Option<u16> {
    line.trim()
        .strip_prefix("listening on http://127.0.0.1:")?
        .parse()
        .ok()
}

impl App {
    /// Starts `binary` with the contract's defaults plus `vars`, and waits (bounded) for
    /// its ready line.
    pub fn start(binary: &Path, vars: &[(&str, &str)]) -> Result<App, String> {
        let Spawned {
            child, stdout, log, ..
        } = spawn(binary, vars)?;
        let mut app = App {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            log,
        };
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            let wait = deadline.saturating_duration_since(Instant::now());
            match stdout.recv_timeout(wait) {
                Ok(Stdout::Line(line)) => {
                    if let Some(port) = ready_port(&line) {
                        app.addr.set_port(port);
                        RUNNING
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push((port, app.pid()));
                        return Ok(app);
                    }
                }
                Ok(Stdout::Closed) | Err(RecvTimeoutError::Disconnected) => {
                    let status = app.child.wait().map_err(|e| e.to_string())?;
                    return Err(format!(
                        "the app exited ({status}) before it was ready:\n{}",
                        app.log()
                    ));
                }
                Err(RecvTimeoutError::Timeout) => {
                    return Err(format!(
                        "no `listening on http://127.0.0.1:PORT` line within {STARTUP_TIMEOUT:?}:\n{}",
                        app.log()
                    ));
                }
            }
        }
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The app's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the app logged on stderr so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// How many bytes the app has logged so far: a mark for [`App::log_between`].
    pub fn log_len(&self) -> usize {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// What the app logged from byte `from` to byte `to`.
    pub fn log_between(&self, from: usize, to: usize) -> String {
        let log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        log.get(from..to).unwrap_or_default().to_owned()
    }

    /// Waits (bounded by `within`) until a line logged after byte `from` contains
    /// `fragment`, and returns the offset where that line starts.
    pub fn wait_for_line(
        &self,
        from: usize,
        fragment: &str,
        within: Duration,
    ) -> Result<usize, String> {
        let deadline = Instant::now() + within;
        loop {
            {
                let log = self.log.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(found) = log.get(from..).and_then(|rest| rest.find(fragment)) {
                    let at = from + found;
                    let line_start = log[..at].rfind('\n').map_or(0, |i| i + 1);
                    return Ok(line_start.max(from));
                }
            }
            if Instant::now() >= deadline {
                return Err(format!("no log line with {fragment:?} within {within:?}"));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for App {
    fn drop(&mut self) {
        RUNNING
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|&(_, pid)| pid != self.child.id());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How a misconfigured app ended.
pub struct Exit {
    pub status: ExitStatus,
    pub stderr: String,
}

/// Starts `binary` with `vars` and expects it to exit on its own (a configuration error);
/// `Err` if it became ready instead, or did not end within the startup timeout.
pub fn run_to_exit(binary: &Path, vars: &[(&str, &str)]) -> Result<Exit, String> {
    let Spawned {
        mut child,
        stdout,
        log,
        stderr_reader,
    } = spawn(binary, vars)?;
    let deadline = Instant::now() + STARTUP_TIMEOUT;
    let outcome = loop {
        let wait = deadline.saturating_duration_since(Instant::now());
        match stdout.recv_timeout(wait) {
            Ok(Stdout::Line(line)) if ready_port(&line).is_some() => {
                break Err(format!("it started and printed {line:?}"));
            }
            Ok(Stdout::Line(_)) => {}
            Ok(Stdout::Closed) | Err(RecvTimeoutError::Disconnected) => break Ok(()),
            Err(RecvTimeoutError::Timeout) => {
                break Err(format!(
                    "it neither exited nor became ready within {STARTUP_TIMEOUT:?}"
                ));
            }
        }
    };
    if outcome.is_err() {
        let _ = child.kill();
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    let _ = stderr_reader.join();
    let stderr = log.lock().unwrap_or_else(|e| e.into_inner()).clone();
    outcome.map(|()| Exit { status, stderr })
}
