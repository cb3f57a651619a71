//! Command-line arguments: a small parser, so the tool needs no dependency beyond the core.

use std::fmt;

use twilio_auth_core::Secret;

use crate::http::{Origin, is_tchar};

/// What the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Print the signature Twilio would send.
    Sign(RequestArgs),
    /// Check a signature.
    Verify {
        request: RequestArgs,
        /// `None`: no `--signature`, as when the header was absent.
        signature: Option<String>,
        explain: bool,
    },
    /// Sign a request and send it to a server.
    Send {
        request: RequestArgs,
        delivery: Delivery,
    },
    /// Print the usage text.
    Help,
}

/// The request being signed or verified.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestArgs {
    pub url: String,
    pub method: String,
    pub content_type: Option<String>,
    pub body_file: Option<String>,
    pub params: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub add_body_hash: bool,
}

/// Where and how `send` delivers the signed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// `--to`: the server's `http://` origin.
    pub to: Origin,
    /// `--host`: the `Host` header, when it is not `--to`'s authority.
    pub host: Option<String>,
    /// `--user` and `--password`, sent only in answer to a `401` challenge.
    pub credentials: Option<(String, Secret)>,
    pub verbose: bool,
}

/// The media type of `--json-file` bodies.
pub const JSON: &str = "application/json";

/// A usage error, shown with the usage text and exit code 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub const USAGE: &str = "\
Sign, verify and send Twilio webhook requests (X-Twilio-Signature).

Usage:
  twilio-auth sign   --url URL [REQUEST OPTIONS] [--add-body-hash]
  twilio-auth verify --url URL [REQUEST OPTIONS] [--signature SIG] [--explain]
  twilio-auth send   --to http://HOST:PORT --url URL [SEND OPTIONS]

Request options:
  --url URL             the full public URL Twilio requested (scheme through query)
  --method M            HTTP method (default POST)
  --content-type CT     Content-Type of the body (default: form when --param is given)
  --body-file PATH      raw body bytes, read from PATH
  --param NAME=VALUE    a form parameter (repeatable); builds a form body
  --header 'NAME: VAL'  an extra request header (repeatable), e.g. the signature settings

sign:    prints the X-Twilio-Signature value. For a non-form body, --add-body-hash first
         adds bodySHA256 to the URL and prints that URL on a second line.
verify:  exits 0 if the signature is valid, 1 if not (reason on stderr), 2 on usage or
         I/O errors. Without --signature the header counts as absent. --explain prints
         every candidate URL and signed string that was tried, and for a signature that
         matches none the diagnosis: the usual mistake it does match (another scheme,
         host, path prefix or API Gateway stage, the query as rebuilt) and what to set.

Send options:
  --to http://HOST[:PORT]  the server to send to, e.g. your app on http://127.0.0.1:3000;
                           plain HTTP/1.1 only (no TLS: an https:// address is refused)
  --url URL                the public URL Twilio requests, which is signed; its path and
                           query are sent as the request target, byte for byte
  --param NAME=VALUE       a form parameter (repeatable): an x-www-form-urlencoded body
  --json-file PATH         a JSON body: bodySHA256 is added to --url's query, as Twilio does
  --method M               default POST with --param or --json-file, GET without
  --host HOST              the Host header (default: --to's HOST[:PORT])
  --user U --password P    HTTP Basic/Digest credentials, sent only after a 401 challenge
                           (Digest SHA-256 preferred, then Digest MD5, then Basic)
  --verbose                print each exchange on stderr (never the token or password)

send:    prints the final response's status line, headers and body; exits 0 for a 2xx
         status, 1 for any other, 2 on usage or connection errors.

The Auth Token is read from TWILIO_AUTH_TOKEN (verify also accepts
TWILIO_AUTH_TOKEN_SECONDARY if set); it is never printed.
";

/// Parses the arguments after the program name.
pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Command, UsageError> {
    let mut args = args.into_iter();
    let command = match args.next() {
        None => return Err(UsageError("missing command: sign, verify or send".into())),
        Some(c) => c,
    };
    if matches!(command.as_str(), "-h" | "--help" | "help") {
        return Ok(Command::Help);
    }
    let (verifying, sending) = match command.as_str() {
        "sign" => (false, false),
        "verify" => (true, false),
        "send" => (false, true),
        other => {
            return Err(UsageError(format!(
                "unknown command {other:?}: expected sign, verify or send"
            )));
        }
    };
    // Options of sign and verify only: send builds its body from --param or --json-file.
    let describing = !sending;

    let mut request = RequestArgs::default();
    let mut url = None;
    let mut method = None;
    let mut signature = None;
    let mut explain = false;
    let mut to = None;
    let mut host = None;
    let mut user = None;
    let mut password = None;
    let mut verbose = false;
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if arg.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, UsageError> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => args
                    .next()
                    .ok_or_else(|| UsageError(format!("{name} needs a value"))),
            }
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--url" => url = Some(value("--url")?),
            "--method" => method = Some(value("--method")?),
            "--content-type" if describing => {
                request.content_type = Some(value("--content-type")?);
            }
            "--body-file" if describing => request.body_file = Some(value("--body-file")?),
            "--param" => {
                let pair = value("--param")?;
                let (name, val) = pair
                    .split_once('=')
                    .ok_or_else(|| UsageError(format!("--param {pair:?} is not NAME=VALUE")))?;
                request.params.push((name.to_owned(), val.to_owned()));
            }
            "--header" if describing => {
                let line = value("--header")?;
                let (name, val) = line
                    .split_once(':')
                    .ok_or_else(|| UsageError(format!("--header {line:?} is not 'NAME: VALUE'")))?;
                request
                    .headers
                    .push((name.trim().to_owned(), val.trim_start().to_owned()));
            }
            "--add-body-hash" if describing && !verifying && inline.is_none() => {
                request.add_body_hash = true
            }
            "--signature" if verifying => signature = Some(value("--signature")?),
            "--explain" if verifying && inline.is_none() => explain = true,
            "--to" if sending => to = Some(value("--to")?),
            "--host" if sending => host = Some(value("--host")?),
            "--json-file" if sending => request.body_file = Some(value("--json-file")?),
            "--user" if sending => user = Some(value("--user")?),
            "--password" if sending => password = Some(Secret::new(value("--password")?)),
            "--verbose" if sending && inline.is_none() => verbose = true,
            other => {
                return Err(UsageError(format!(
                    "unknown option {other:?} for {command}"
                )));
            }
        }
    }
    request.url = url.ok_or_else(|| UsageError("--url is required".into()))?;
    if request.body_file.is_some() && !request.params.is_empty() {
        let body_flag = if sending {
            "--json-file"
        } else {
            "--body-file"
        };
        return Err(UsageError(format!(
            "give either {body_flag} or --param, not both"
        )));
    }
    if sending {
        let has_body = request.body_file.is_some() || !request.params.is_empty();
        request.method = method.unwrap_or_else(|| if has_body { "POST" } else { "GET" }.into());
        let delivery = delivery(&mut request, to, host, user, password, verbose)?;
        return Ok(Command::Send { request, delivery });
    }
    request.method = method.unwrap_or_else(|| "POST".into());
    Ok(if verifying {
        Command::Verify {
            request,
            signature,
            explain,
        }
    } else {
        Command::Sign(request)
    })
}

/// Checks `send`'s options and completes the request: a `--json-file` body is JSON whose
/// hash Twilio adds to the URL.
fn delivery(
    request: &mut RequestArgs,
    to: Option<String>,
    host: Option<String>,
    user: Option<String>,
    password: Option<Secret>,
    verbose: bool,
) -> Result<Delivery, UsageError> {
    let to =
        to.ok_or_else(|| UsageError("--to is required, e.g. --to http://127.0.0.1:3000".into()))?;
    let to = Origin::parse(&to).map_err(UsageError)?;
    if !is_token(&request.method) {
        return Err(UsageError(format!(
            "--method {:?} is not an HTTP method",
            request.method
        )));
    }
    let url_only = request.method == "GET" || request.method == "HEAD";
    if url_only && !request.params.is_empty() {
        return Err(UsageError(format!(
            "--param builds a form body, which a {} does not carry: put the parameters in --url's query",
            request.method
        )));
    }
    if request.body_file.is_some() {
        if url_only {
            return Err(UsageError(format!(
                "--json-file sends a body: use --method POST (the default), not {}",
                request.method
            )));
        }
        request.content_type = Some(JSON.into());
        request.add_body_hash = true;
    }
    if let Some(host) = &host
        && (host.is_empty() || host.chars().any(|c| c.is_control() || c == ' '))
    {
        return Err(UsageError(format!("--host {host:?} is not a host name")));
    }
    let credentials = match (user, password) {
        (None, None) => None,
        (Some(user), Some(password)) => {
            if user.chars().any(char::is_control) {
                return Err(UsageError("--user contains a control character".into()));
            }
            Some((user, password))
        }
        (Some(_), None) => return Err(UsageError("--user needs --password".into())),
        (None, Some(_)) => return Err(UsageError("--password needs --user".into())),
    };
    Ok(Delivery {
        to,
        host,
        credentials,
        verbose,
    })
}

/// An HTTP token (RFC 9110 §5.6.2), as a method must be.
fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_tchar)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(args: &[&str]) -> Result<Command, UsageError> {
        parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn signature_is_kept_exactly_as_given() {
        let cmd = parse_str(&["verify", "--url", "https://h/", "--signature= abc= "]).unwrap();
        let Command::Verify { signature, .. } = cmd else {
            panic!()
        };
        assert_eq!(signature.as_deref(), Some(" abc= "));
    }

    #[test]
    fn params_and_headers_accumulate() {
        let cmd = parse_str(&[
            "sign",
            "--url=https://h/",
            "--param",
            "A=1=2",
            "--param=B=",
            "--header",
            "X-Y: z",
        ])
        .unwrap();
        let Command::Sign(req) = cmd else { panic!() };
        assert_eq!(
            req.params,
            [("A".into(), "1=2".into()), ("B".into(), String::new())]
        );
        assert_eq!(req.headers, [("X-Y".into(), "z".into())]);
        assert_eq!(req.method, "POST");
    }

    fn send(args: &[&str]) -> Result<(RequestArgs, Delivery), UsageError> {
        let mut argv = vec![
            "send",
            "--to",
            "http://127.0.0.1:3000",
            "--url",
            "https://p/v",
        ];
        argv.extend(args);
        match parse_str(&argv)? {
            Command::Send { request, delivery } => Ok((request, delivery)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn send_method_follows_the_body_and_json_files_are_hashed() {
        let (request, delivery) = send(&["--param", "A=1"]).unwrap();
        assert_eq!(request.method, "POST");
        assert_eq!(request.content_type, None);
        assert_eq!(delivery.to.authority(), "127.0.0.1:3000");
        assert_eq!((delivery.host, delivery.verbose), (None, false));
        assert_eq!(delivery.credentials, None);

        assert_eq!(send(&[]).unwrap().0.method, "GET");
        assert_eq!(send(&["--method", "DELETE"]).unwrap().0.method, "DELETE");

        let (request, _) = send(&["--json-file", "e.json"]).unwrap();
        assert_eq!(request.method, "POST");
        assert_eq!(request.body_file.as_deref(), Some("e.json"));
        assert_eq!(request.content_type.as_deref(), Some(JSON));
        assert!(request.add_body_hash);
    }

    #[test]
    fn send_credentials_host_and_verbose() {
        let (_, delivery) = send(&[
            "--user",
            "twilio",
            "--password=s3cret",
            "--host",
            "public.example",
            "--verbose",
        ])
        .unwrap();
        let (user, password) = delivery.credentials.clone().unwrap();
        assert_eq!((user.as_str(), password.expose()), ("twilio", "s3cret"));
        assert_eq!(delivery.host.as_deref(), Some("public.example"));
        assert!(delivery.verbose);
        assert!(!format!("{delivery:?}").contains("s3cret"));
    }

    #[test]
    fn send_usage_errors() {
        let https = parse_str(&["send", "--to", "https://h", "--url", "https://p/v"]);
        assert!(https.unwrap_err().0.contains("https:// is not supported"));
        assert!(parse_str(&["send", "--url", "https://p/v"]).is_err());
        for args in [
            &["--user", "u"][..],
            &["--password", "p"],
            &["--method", "GET", "--param", "a=b"],
            &["--method", "GET", "--json-file", "f"],
            &["--json-file", "f", "--param", "a=b"],
            &["--method", "PO ST"],
            &["--host", "a b"],
            &["--user", "u\r\nX: y", "--password", "p"],
            &["--verbose=yes"],
            &["--body-file", "f"],
            &["--content-type", "text/plain"],
            &["--header", "X: y"],
            &["--add-body-hash"],
            &["--signature", "x"],
        ] {
            assert!(send(args).is_err(), "{args:?}");
        }
        for option in ["--to", "--host", "--json-file", "--user", "--password"] {
            assert!(
                parse_str(&["sign", "--url", "u", option, "x"]).is_err(),
                "{option}"
            );
        }
        assert!(parse_str(&["verify", "--url", "u", "--verbose"]).is_err());
    }

    #[test]
    fn usage_errors() {
        assert!(parse_str(&[]).is_err());
        assert!(parse_str(&["frobnicate"]).is_err());
        assert!(parse_str(&["sign"]).is_err());
        assert!(parse_str(&["sign", "--url", "u", "--signature", "x"]).is_err());
        assert!(parse_str(&["verify", "--url", "u", "--add-body-hash"]).is_err());
        assert!(parse_str(&["verify", "--url"]).is_err());
        assert!(parse_str(&["sign", "--url", "u", "--param", "novalue"]).is_err());
        assert!(parse_str(&["sign", "--url", "u", "--param", "a=b", "--body-file", "f"]).is_err());
    }
}
