//! The `twilio-auth` binary, run as a user would run it.

use std::process::{Command, Output};

const TOKEN: &str = "12345";
const URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";
const PARAMS: [&str; 5] = [
    "CallSid=CA1234567890ABCDE",
    "Caller=+14158675309",
    "Digits=1234",
    "From=+14158675309",
    "To=+18005551212",
];

fn twilio_auth(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_twilio-auth"))
        .args(args)
        .env("TWILIO_AUTH_TOKEN", TOKEN)
        .env_remove("TWILIO_AUTH_TOKEN_SECONDARY")
        .output()
        .expect("run twilio-auth")
}

fn with_params(mut args: Vec<&str>) -> Vec<&str> {
    for p in &PARAMS {
        args.extend(["--param", p]);
    }
    args
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn sign_prints_the_documented_signature() {
    let out = twilio_auth(&with_params(vec!["sign", "--url", URL]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "RSOYDt4T1cUTdK1PDd93/VVr8B8=\n");
}

#[test]
fn verify_accepts_what_sign_produces_and_rejects_a_one_character_change() {
    let signed = twilio_auth(&with_params(vec!["sign", "--url", URL]));
    let signature = stdout(&signed).trim_end().to_owned();
    let flag = format!("--signature={signature}");

    let ok = twilio_auth(&with_params(vec!["verify", "--url", URL, &flag]));
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));

    let mut tampered = signature.clone().into_bytes();
    tampered[3] = if tampered[3] == b'A' { b'B' } else { b'A' };
    let flag = format!("--signature={}", String::from_utf8(tampered).unwrap());
    let bad = twilio_auth(&with_params(vec!["verify", "--url", URL, &flag]));
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).contains("matches none of the candidate URLs"),
        "{}",
        stderr(&bad)
    );

    let other_url = twilio_auth(&with_params(vec![
        "verify",
        "--url",
        "https://mycompany.com/myapp.php?foo=1&bar=3",
        &format!("--signature={signature}"),
    ]));
    assert_eq!(other_url.status.code(), Some(1));
}

#[test]
fn missing_signature_is_invalid_and_whitespace_is_not_trimmed() {
    let out = twilio_auth(&with_params(vec!["verify", "--url", URL]));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("missing X-Twilio-Signature"),
        "{}",
        stderr(&out)
    );

    let out = twilio_auth(&with_params(vec![
        "verify",
        "--url",
        URL,
        "--signature= RSOYDt4T1cUTdK1PDd93/VVr8B8=",
    ]));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn explain_lists_candidates_and_signed_strings_without_the_token() {
    let out = twilio_auth(&with_params(vec![
        "verify",
        "--url",
        "https://mycompany.com:1234/myapp.php?foo=1&bar=2",
        "--signature",
        "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
        "--explain",
    ]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("candidate 1: https://mycompany.com:1234/myapp.php?foo=1&bar=2"),
        "{text}"
    );
    assert!(text.contains(
        "signed string: https://mycompany.com/myapp.php?foo=1&bar=2CallSidCA1234567890ABCDECaller+14158675309Digits1234From+14158675309To+18005551212"
    ));
    assert!(text.contains("MATCH"));
    assert!(!text.contains("key: 12345"), "{text}");

    let out = twilio_auth(&[
        "verify",
        "--url",
        URL,
        "--signature",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "--explain",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("candidate 2: https://mycompany.com:443/myapp.php?foo=1&bar=2"),
        "{text}"
    );
    assert!(
        text.contains("invalid: X-Twilio-Signature matches none"),
        "{text}"
    );
}

#[test]
fn explain_gives_the_diagnosis_of_a_stripped_prefix() {
    // Twilio called the URL with `/twilio`, which the app's router stripped: the URL given
    // to verify lacks it, and the diagnosis names the prefix and the base URL to set.
    let signed = twilio_auth(&with_params(vec![
        "sign",
        "--url",
        "https://mycompany.com/twilio/myapp.php?foo=1&bar=2",
    ]));
    let signature = stdout(&signed).trim_end().to_owned();
    let out = twilio_auth(&with_params(vec![
        "verify",
        "--url",
        URL,
        "--signature",
        &signature,
        "--explain",
    ]));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    let advice = "diagnosis: Twilio signed https://mycompany.com/twilio/myapp.php?foo=1&bar=2, \
                  with the path prefix \"/twilio\" that a router stripped before verification \
                  (e.g. axum Router::nest); set the public base URL to \
                  https://mycompany.com/twilio (TWILIO_WEBHOOK_BASE_URL, \
                  ConfigBuilder::public_base_url), or verify before the prefix is stripped";
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.contains(&advice), "{text}");
    assert!(
        lines.contains(&"diagnosis (prefix_stripped): primary Auth Token"),
        "{text}"
    );
    // The attempts listed are the verification's; the diagnosis's guesses come apart:
    // the other scheme, then the prefix that matches.
    assert!(!text.contains("candidate 3:"), "{text}");
    assert!(
        lines.contains(
            &"diagnosis guess 2: https://mycompany.com/twilio/myapp.php?foo=1&bar=2 \
              (key: primary Auth Token) … MATCH"
        ),
        "{text}"
    );
    for line in lines.iter().filter(|l| l.starts_with("diagnosis")) {
        assert!(!line.contains(TOKEN), "{line}");
    }
    // Without --explain, the advice goes to stderr with the reason.
    let out = twilio_auth(&with_params(vec![
        "verify",
        "--url",
        URL,
        "--signature",
        &signature,
    ]));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).lines().any(|l| l == advice),
        "{}",
        stderr(&out)
    );

    // A signature nothing explains: no diagnosis line.
    let out = twilio_auth(&with_params(vec![
        "verify",
        "--url",
        URL,
        "--signature",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "--explain",
    ]));
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(!text.contains("diagnosis:"), "{text}");
    assert!(!text.contains("MATCH"), "{text}");
    assert!(
        text.contains("diagnosis guess 1: http://mycompany.com/"),
        "{text}"
    );
}

#[test]
fn json_body_with_add_body_hash_round_trips() {
    let dir = std::env::temp_dir().join(format!("twilio-auth-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let body = dir.join("event.json");
    std::fs::write(&body, br#"{"property": "value", "boolean": true}"#).unwrap();
    let body = body.to_str().unwrap();

    let out = twilio_auth(&[
        "sign",
        "--url",
        URL,
        "--content-type",
        "application/json",
        "--body-file",
        body,
        "--add-body-hash",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let mut lines = text.lines();
    let (signature, url) = (lines.next().unwrap(), lines.next().unwrap());
    assert_eq!(signature, "a9nBmqA0ju/hNViExpshrM61xv4=");
    assert_eq!(
        url,
        "https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
    );

    let verify = |file: &str| {
        twilio_auth(&[
            "verify",
            "--url",
            url,
            "--content-type",
            "application/json",
            "--body-file",
            file,
            "--signature",
            signature,
        ])
    };
    assert_eq!(verify(body).status.code(), Some(0));
    let changed = dir.join("changed.json");
    std::fs::write(&changed, br#"{"property": "value", "boolean": false}"#).unwrap();
    let out = verify(changed.to_str().unwrap());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("bodySHA256 does not match"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn usage_and_io_errors_exit_2() {
    assert_eq!(twilio_auth(&["verify"]).status.code(), Some(2));
    assert_eq!(twilio_auth(&["bogus"]).status.code(), Some(2));
    let out = twilio_auth(&[
        "verify",
        "--url",
        URL,
        "--body-file",
        "/nonexistent/file",
        "--signature",
        "x",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read /nonexistent/file"));

    let out = Command::new(env!("CARGO_BIN_EXE_twilio-auth"))
        .args(["sign", "--url", URL])
        .env_remove("TWILIO_AUTH_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("TWILIO_AUTH_TOKEN is not set"));
}

#[test]
fn get_requests_are_signed_by_url_alone() {
    let url = "https://example.com/status?CallSid=CA1&CallStatus=completed";
    let signed = twilio_auth(&["sign", "--method", "GET", "--url", url]);
    let signature = stdout(&signed).trim_end().to_owned();
    let out = twilio_auth(&[
        "verify",
        "--method",
        "GET",
        "--url",
        url,
        "--signature",
        &signature,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
