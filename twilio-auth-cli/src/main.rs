//! `twilio-auth`: sign and verify Twilio webhook requests from the command line, explain why
//! a request that should be valid is rejected, and send a signed test request to an app.

mod args;
mod challenge;
mod http;
mod send;

use std::process::ExitCode;

use args::{Command, RequestArgs, USAGE, UsageError};
use twilio_auth_core::{
    Config, ENV_AUTH_TOKEN, ENV_AUTH_TOKEN_SECONDARY, SignedBody, Signer, WebhookRequest, form,
};

const FORM: &str = "application/x-www-form-urlencoded";

/// A failure before any verdict: exit code 2.
enum Fatal {
    Usage(UsageError),
    Other(String),
}

fn main() -> ExitCode {
    match run(std::env::args().skip(1)) {
        Ok(code) => code,
        Err(Fatal::Usage(e)) => {
            eprintln!("twilio-auth: {e}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Fatal::Other(e)) => {
            eprintln!("twilio-auth: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(argv: impl Iterator<Item = String>) -> Result<ExitCode, Fatal> {
    match args::parse(argv).map_err(Fatal::Usage)? {
        Command::Help => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Sign(request) => sign(&request),
        Command::Verify {
            request,
            signature,
            explain,
        } => verify(&request, signature.as_deref(), explain),
        Command::Send { request, delivery } => send::send(&request, &delivery),
    }
}

fn token(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|t| !t.is_empty())
}

fn primary_token() -> Result<String, Fatal> {
    token(ENV_AUTH_TOKEN).ok_or_else(|| Fatal::Other(format!("{ENV_AUTH_TOKEN} is not set")))
}

/// The body bytes and content type the request options describe.
fn body_of(request: &RequestArgs) -> Result<(Vec<u8>, Option<String>), Fatal> {
    if !request.params.is_empty() {
        let ct = request
            .content_type
            .clone()
            .unwrap_or_else(|| FORM.to_owned());
        return Ok((form::encode(&request.params).into_bytes(), Some(ct)));
    }
    let body = match &request.body_file {
        Some(path) => {
            std::fs::read(path).map_err(|e| Fatal::Other(format!("cannot read {path}: {e}")))?
        }
        None => Vec::new(),
    };
    Ok((body, request.content_type.clone()))
}

fn is_url_only(request: &RequestArgs) -> bool {
    request.method.eq_ignore_ascii_case("GET") || request.method.eq_ignore_ascii_case("HEAD")
}

fn sign(request: &RequestArgs) -> Result<ExitCode, Fatal> {
    let (body, content_type) = body_of(request)?;
    let signed = signed(request, &body, content_type.as_deref())?;
    if request.add_body_hash {
        println!("{}\n{}", signed.signature, signed.url);
    } else {
        println!("{}", signed.signature);
    }
    Ok(ExitCode::SUCCESS)
}

/// The URL Twilio requests (with `bodySHA256` under `--add-body-hash`) and the
/// `X-Twilio-Signature` it sends with it: what `sign` prints and `send` sends.
fn signed(
    request: &RequestArgs,
    body: &[u8],
    content_type: Option<&str>,
) -> Result<SignedBody, Fatal> {
    let signer = Signer::new(primary_token()?);
    let is_form = content_type.is_some_and(form::is_form_content_type);
    if request.add_body_hash {
        if is_form || is_url_only(request) {
            return Err(Fatal::Usage(UsageError(
                "--add-body-hash is for non-form bodies (JSON): give --body-file and --content-type".into(),
            )));
        }
        return Ok(signer.sign_body(&request.url, body));
    }
    let signature = if is_form && !is_url_only(request) {
        signer.sign_form_body(&request.url, body)
    } else {
        signer.sign_url(&request.url)
    };
    Ok(SignedBody {
        url: request.url.clone(),
        signature,
    })
}

fn verify(
    request: &RequestArgs,
    signature: Option<&str>,
    explain: bool,
) -> Result<ExitCode, Fatal> {
    let mut builder = Config::builder().auth_token(primary_token()?);
    if let Some(secondary) = token(ENV_AUTH_TOKEN_SECONDARY) {
        builder = builder.secondary_auth_token(secondary);
    }
    let (body, content_type) = body_of(request)?;
    let config = builder
        .body_limit(body.len().max(1))
        .build()
        .map_err(|e| Fatal::Other(e.to_string()))?;
    let mut headers: Vec<(String, String)> = request.headers.clone();
    if let Some(ct) = content_type {
        headers.push(("Content-Type".into(), ct));
    }
    if let Some(sig) = signature {
        headers.push(("X-Twilio-Signature".into(), sig.to_owned()));
    }
    let req = WebhookRequest::from_url(&request.method, &request.url)
        .headers(&headers)
        .body(&body);

    let outcome = if explain {
        let explanation = config.explain(&req);
        println!(
            "request: {} {} ({} body bytes)",
            request.method,
            request.url,
            body.len()
        );
        if explanation.attempts.is_empty() {
            println!("no signature comparison was made");
        }
        for (i, attempt) in explanation.attempts.iter().enumerate() {
            println!(
                "candidate {}: {}\n  key: {} ({})\n  signed string: {}\n  result: {}",
                i + 1,
                attempt.url,
                attempt.key,
                attempt.algorithm,
                attempt.signed_string,
                if attempt.matched { "MATCH" } else { "no match" }
            );
        }
        // The diagnosis's guesses: variants of the usual mistakes, never accepted.
        for (i, guess) in explanation.guesses.iter().enumerate() {
            println!(
                "diagnosis guess {}: {} (key: {}) … {}",
                i + 1,
                guess.url,
                guess.key,
                if guess.matched { "MATCH" } else { "no match" }
            );
        }
        explanation.outcome
    } else {
        config.verify(&req)
    };
    match outcome {
        Ok(verified) => {
            let url = verified.url().unwrap_or_default().to_owned();
            if explain {
                println!("valid: signed over {url}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(rejection) => {
            eprintln!("invalid: {}", rejection.reason());
            if explain {
                println!("invalid: {}", rejection.reason());
            }
            // What the signature does match, and what to configure (never a secret).
            if let Some(diagnosis) = rejection.diagnosis() {
                eprintln!("diagnosis: {}", diagnosis.advice());
                if explain {
                    println!("diagnosis ({}): {}", diagnosis.mistake(), diagnosis.key());
                    println!("diagnosis: {}", diagnosis.advice());
                }
            }
            Ok(ExitCode::from(1))
        }
    }
}
