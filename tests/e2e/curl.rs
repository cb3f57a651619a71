//! curl as an HTTP Basic/Digest client: the scenarios let curl do its own 401 → retry
//! exchange (`--digest`, `--anyauth`), and read back every response it received.
//!
//! curl is a required tool of the suite, like the official Twilio libraries: when it is
//! missing the HTTP-auth scenarios fail and say how to install it; they never skip.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::http::Response;

/// How to install curl, for error messages.
pub const INSTALL: &str = "apt-get install curl (scripts/test-all.sh installs it when missing)";

/// The longest a curl exchange may take (curl's `--max-time`).
const MAX_TIME: Duration = Duration::from_secs(30);

/// Checks, once per test process, that `curl --version` runs; `Ok` carries its first line.
pub fn ensure_installed() -> Result<String, String> {
    static CHECK: OnceLock<Result<String, String>> = OnceLock::new();
    CHECK
        .get_or_init(|| {
            let output = Command::new(curl_program())
                .arg("--version")
                .output()
                .map_err(|e| format!("cannot run `curl --version`: {e}"));
            match output {
                Ok(out) if out.status.success() => {
                    let text = String::from_utf8_lossy(&out.stdout);
                    Ok(text.lines().next().unwrap_or_default().to_owned())
                }
                Ok(out) => Err(format!("`curl --version` failed: {}", out.status)),
                Err(e) => Err(e),
            }
            .map_err(|e| {
                format!(
                    "curl, the HTTP Basic/Digest client of the end-to-end suite, is not usable: {e}.\n\
                     Install it: {INSTALL}."
                )
            })
        })
        .clone()
}

fn curl_program() -> std::ffi::OsString {
    std::env::var_os("CURL").unwrap_or_else(|| "curl".into())
}

/// What one curl run received and printed.
#[derive(Debug)]
pub struct Transcript {
    /// Every response, in order (401s included); only the last has its body.
    pub responses: Vec<Response>,
    /// curl's `-v` output: `> ` request lines, `< ` response lines, `* ` notes.
    pub verbose: String,
}

impl Transcript {
    /// The statuses of every response, `401 → 200`.
    pub fn trail(&self) -> String {
        self.responses
            .iter()
            .map(|r| r.status.to_string())
            .collect::<Vec<_>>()
            .join(" → ")
    }

    /// The `Authorization` headers curl sent, in order.
    pub fn authorizations(&self) -> Vec<&str> {
        self.verbose
            .lines()
            .filter_map(|line| line.strip_prefix("> "))
            .filter_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("authorization")
                    .then_some(value.trim())
            })
            .collect()
    }

    /// A short account of the exchange for failure messages.
    pub fn describe(&self) -> String {
        let interesting: Vec<&str> = self
            .verbose
            .lines()
            .filter(|l| {
                l.starts_with("> POST")
                    || l.starts_with("> GET")
                    || l.starts_with("> Authorization")
                    || l.starts_with("< HTTP")
                    || l.to_ascii_lowercase().starts_with("< www-authenticate")
            })
            .collect();
        format!("[{}]\n      {}", self.trail(), interesting.join("\n      "))
    }
}

/// Runs curl with `args` (URL included), plus `-s -v`, a header dump and a body file, and
/// returns what it received. A curl that exits non-zero is an error (an HTTP error status
/// is not: no `--fail`).
pub fn run(args: &[String]) -> Result<Transcript, String> {
    ensure_installed()?;
    static RUN: AtomicUsize = AtomicUsize::new(0);
    let n = RUN.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("twilio-auth-e2e-curl-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let headers: PathBuf = dir.join("headers");
    let body: PathBuf = dir.join("body");
    let output = Command::new(curl_program())
        .args(["-s", "-v", "--max-time", &MAX_TIME.as_secs().to_string()])
        .arg("-D")
        .arg(&headers)
        .arg("-o")
        .arg(&body)
        .args(args)
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("all_proxy")
        .env_remove("ALL_PROXY")
        .output()
        .map_err(|e| format!("cannot run curl: {e}"));
    let dumped = std::fs::read(&headers).unwrap_or_default();
    let last_body = std::fs::read(&body).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    let output = output?;
    let verbose = String::from_utf8_lossy(&output.stderr).into_owned();
    if !output.status.success() {
        return Err(format!(
            "curl {} exited with {}:\n{}",
            args.join(" "),
            output.status,
            verbose
        ));
    }
    let mut responses = parse_header_dump(&String::from_utf8_lossy(&dumped));
    if let Some(last) = responses.last_mut() {
        last.body = String::from_utf8_lossy(&last_body).into_owned();
    }
    Ok(Transcript { responses, verbose })
}

/// Splits curl's `-D` dump (every response head, each ending with an empty line) into
/// responses without bodies.
fn parse_header_dump(dump: &str) -> Vec<Response> {
    let mut responses = Vec::new();
    for block in dump.split("\r\n\r\n") {
        let mut lines = block.lines().map(str::trim_end);
        let Some(status_line) = lines.next().filter(|l| l.starts_with("HTTP/")) else {
            continue;
        };
        let Some(status) = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse::<u16>().ok())
        else {
            continue;
        };
        let headers = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        responses.push(Response {
            status,
            headers,
            body: String::new(),
            head: false,
        });
    }
    responses
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_a_header_dump() {
        let dump = "HTTP/1.1 401 Unauthorized\r\nwww-authenticate: Digest a\r\nwww-authenticate: Digest b\r\n\r\nHTTP/1.1 200 OK\r\ncontent-type: text/xml\r\n\r\n";
        let responses = parse_header_dump(dump);
        assert_eq!(responses.len(), 2);
        assert_eq!(
            responses[0].headers_named("WWW-Authenticate"),
            ["Digest a", "Digest b"]
        );
        assert_eq!(responses[1].status, 200);
    }
}
