//! Signatures from Twilio's official libraries, so that some scenarios do not depend on our
//! own signer being right: `twilio` for python (`RequestValidator(token).compute_signature`,
//! `.compute_hash`) and for node (`twilio.getExpectedTwilioSignature`,
//! `.getExpectedBodyHash`).
//!
//! They are the pinned installs of `tests/differential/run.sh`: a python venv in
//! `tests/differential/work/venv` and `node_modules` in `tests/differential/work/node`.
//! When they are missing the suite fails and says how to install them; it never skips.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use twilio_auth::Signer;

/// Who computes a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    /// `twilio_auth::Signer`.
    Ours,
    /// twilio-python.
    Python,
    /// twilio-node.
    Node,
}

/// The command that installs the peers, for error messages.
pub const INSTALL: &str = "tests/differential/run.sh";

const PYTHON_SIGNER: &str = r#"
import json, sys
from twilio.request_validator import RequestValidator
class MultiDict(dict):
    """Every value of a repeated name, as Flask's MultiDict gives them (`getall`)."""
    def getall(self, name):
        return self[name]
req = json.load(sys.stdin)
validator = RequestValidator(req["token"])
url = req["url"]
params = MultiDict()
for name, value in req["params"]:
    params.setdefault(name, []).append(value)
if req["body"] is not None:
    url += ("&" if "?" in url else "?") + "bodySHA256=" + validator.compute_hash(req["body"])
json.dump({"url": url, "signature": validator.compute_signature(url, params)}, sys.stdout)
"#;

const NODE_SIGNER: &str = r#"
const twilio = require("twilio");
const req = JSON.parse(require("fs").readFileSync(0, "utf8"));
let url = req.url;
const params = Object.create(null);
for (const [name, value] of req.params) {
  params[name] = name in params ? [].concat(params[name], value) : value;
}
if (req.body !== null) {
  url += (url.includes("?") ? "&" : "?") + "bodySHA256=" + twilio.getExpectedBodyHash(req.body);
}
process.stdout.write(JSON.stringify({ url, signature: twilio.getExpectedTwilioSignature(req.token, url, params) }));
"#;

fn work_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential/work")
}

pub fn python() -> PathBuf {
    let venv = work_dir().join("venv");
    if cfg!(windows) {
        venv.join("Scripts/python.exe")
    } else {
        venv.join("bin/python")
    }
}

fn node_modules() -> PathBuf {
    work_dir().join("node/node_modules")
}

fn node() -> Command {
    let mut command = Command::new(std::env::var_os("NODE").unwrap_or_else(|| "node".into()));
    command.env("NODE_PATH", node_modules());
    command
}

/// Checks, once per test process, that both official libraries can be loaded.
pub fn ensure_installed() -> Result<(), String> {
    static CHECK: OnceLock<Result<(), String>> = OnceLock::new();
    CHECK
        .get_or_init(|| {
            let python_version = run(
                Command::new(python()).args(["-c", "import twilio; print(twilio.__version__)"]),
                "",
            );
            let node_version = run(
                node().args([
                    "-e",
                    "process.stdout.write(require('twilio/package.json').version)",
                ]),
                "",
            );
            match (python_version, node_version) {
                (Ok(_), Ok(_)) => Ok(()),
                (python_check, node_check) => {
                    let mut problems = Vec::new();
                    if let Err(e) = python_check {
                        problems.push(format!("twilio-python ({}): {e}", python().display()));
                    }
                    if let Err(e) = node_check {
                        problems.push(format!("twilio-node ({}): {e}", node_modules().display()));
                    }
                    Err(format!(
                        "the official Twilio libraries that sign some end-to-end scenarios are not \
                         installed.\nInstall them with `{INSTALL}` (set SKIP_CARGO=1 to stop after \
                         installing and generating; needs python3, node and npm).\n{}",
                        problems.join("\n")
                    ))
                }
            }
        })
        .clone()
}

impl Peer {
    pub fn name(self) -> &'static str {
        match self {
            Peer::Ours => "ours",
            Peer::Python => "twilio-python",
            Peer::Node => "twilio-node",
        }
    }

    /// The signature of a form POST to `url` with `params`.
    pub fn sign_form(
        self,
        token: &str,
        url: &str,
        params: &[(&str, &str)],
    ) -> Result<String, String> {
        match self {
            Peer::Ours => Ok(Signer::new(token).sign_form(url, params)),
            peer => peer
                .call(token, url, params, None)
                .map(|(_, signature)| signature),
        }
    }

    /// The signature of a request signed by URL alone (a GET with its query).
    pub fn sign_url(self, token: &str, url: &str) -> Result<String, String> {
        self.sign_form(token, url, &[])
    }

    /// `url` with the peer's `bodySHA256` of `body` appended, and its signature.
    pub fn sign_body(self, token: &str, url: &str, body: &str) -> Result<(String, String), String> {
        match self {
            Peer::Ours => {
                let signed = Signer::new(token).sign_body(url, body.as_bytes());
                Ok((signed.url, signed.signature))
            }
            peer => peer.call(token, url, &[], Some(body)),
        }
    }

    fn call(
        self,
        token: &str,
        url: &str,
        params: &[(&str, &str)],
        body: Option<&str>,
    ) -> Result<(String, String), String> {
        ensure_installed()?;
        let input =
            serde_json::json!({ "token": token, "url": url, "params": params, "body": body });
        let output = match self {
            Peer::Python => run(
                Command::new(python()).args(["-c", PYTHON_SIGNER]),
                &input.to_string(),
            ),
            Peer::Node => run(node().args(["-e", NODE_SIGNER]), &input.to_string()),
            Peer::Ours => unreachable!("our signer runs in-process"),
        }
        .map_err(|e| format!("{} could not sign: {e}", self.name()))?;
        let value: serde_json::Value = serde_json::from_str(&output)
            .map_err(|e| format!("{} printed {output:?}: {e}", self.name()))?;
        match (value["url"].as_str(), value["signature"].as_str()) {
            (Some(url), Some(signature)) => Ok((url.to_owned(), signature.to_owned())),
            _ => Err(format!("{} printed {output:?}", self.name())),
        }
    }
}

/// Runs `command` with `stdin`, returning its stdout, or an error with its stderr.
fn run(command: &mut Command, stdin: &str) -> Result<String, String> {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {:?}: {e}", command.get_program()))?;
    if let Some(mut pipe) = child.stdin.take() {
        pipe.write_all(stdin.as_bytes())
            .map_err(|e| e.to_string())?;
    }
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.trim().lines().last().unwrap_or("").to_owned();
        Err(format!("{} ({last})", output.status))
    }
}
