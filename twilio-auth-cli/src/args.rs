//! Command-line arguments: a small parser, so the tool needs no dependency beyond the core.

use std::fmt;

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

/// A usage error, shown with the usage text and exit code 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub const USAGE: &str = "\
Sign and verify Twilio webhook requests (X-Twilio-Signature).

Usage:
  twilio-auth sign   --url URL [REQUEST OPTIONS] [--add-body-hash]
  twilio-auth verify --url URL [REQUEST OPTIONS] [--signature SIG] [--explain]

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
         every candidate URL and signed string that was tried.

The Auth Token is read from TWILIO_AUTH_TOKEN (and TWILIO_AUTH_TOKEN_SECONDARY if set);
it is never printed.
";

/// Parses the arguments after the program name.
pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Command, UsageError> {
    let mut args = args.into_iter();
    let command = match args.next() {
        None => return Err(UsageError("missing command: sign or verify".into())),
        Some(c) => c,
    };
    if matches!(command.as_str(), "-h" | "--help" | "help") {
        return Ok(Command::Help);
    }
    let verifying = match command.as_str() {
        "sign" => false,
        "verify" => true,
        other => {
            return Err(UsageError(format!(
                "unknown command {other:?}: expected sign or verify"
            )));
        }
    };

    let mut request = RequestArgs {
        method: "POST".into(),
        ..RequestArgs::default()
    };
    let mut url = None;
    let mut signature = None;
    let mut explain = false;
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
            "--method" => request.method = value("--method")?,
            "--content-type" => request.content_type = Some(value("--content-type")?),
            "--body-file" => request.body_file = Some(value("--body-file")?),
            "--param" => {
                let pair = value("--param")?;
                let (name, val) = pair
                    .split_once('=')
                    .ok_or_else(|| UsageError(format!("--param {pair:?} is not NAME=VALUE")))?;
                request.params.push((name.to_owned(), val.to_owned()));
            }
            "--header" => {
                let line = value("--header")?;
                let (name, val) = line
                    .split_once(':')
                    .ok_or_else(|| UsageError(format!("--header {line:?} is not 'NAME: VALUE'")))?;
                request
                    .headers
                    .push((name.trim().to_owned(), val.trim_start().to_owned()));
            }
            "--add-body-hash" if !verifying && inline.is_none() => request.add_body_hash = true,
            "--signature" if verifying => signature = Some(value("--signature")?),
            "--explain" if verifying && inline.is_none() => explain = true,
            other => {
                return Err(UsageError(format!(
                    "unknown option {other:?} for {command}"
                )));
            }
        }
    }
    request.url = url.ok_or_else(|| UsageError("--url is required".into()))?;
    if request.body_file.is_some() && !request.params.is_empty() {
        return Err(UsageError(
            "give either --body-file or --param, not both".into(),
        ));
    }
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
