//! The end-to-end suite: the example apps, started as real servers on `127.0.0.1`, against
//! one framework-neutral table of scenarios (`tests/e2e/scenarios.rs`), with some
//! signatures computed by Twilio's official python and node libraries.
//!
//! The HTTP Basic/Digest scenarios use curl as one of their clients (`curl --version` must
//! run; `scripts/test-all.sh` installs it when missing).
//!
//! ```text
//! tests/differential/run.sh                       # once: installs the official libraries
//! cargo test --features axum --test e2e
//! ```
//!
//! A new framework's app joins with one test: `runner::run_table("rocket_app")` behind its
//! feature (the app must follow the contract in `examples/axum_app.rs`).

// Without a framework feature only the checks of the table and of the peers run.
#![cfg_attr(
    not(any(
        feature = "axum",
        feature = "rocket",
        feature = "warp",
        feature = "actix",
        feature = "tower"
    )),
    allow(dead_code)
)]

mod e2e {
    pub mod app;
    pub mod binding;
    pub mod curl;
    pub mod evidence;
    pub mod hostile;
    pub mod http;
    pub mod http_auth;
    #[cfg(feature = "lambda")]
    pub mod lambda;
    pub mod peers;
    pub mod relay;
    pub mod report_only;
    pub mod runner;
    pub mod scenarios;
    pub mod websocket;
}

use std::collections::HashSet;

use e2e::evidence::{self, Evidence};
use e2e::peers::{self, Peer};
use e2e::scenarios::{self, ENVS};

#[cfg(feature = "axum")]
#[test]
fn axum_app_passes_every_scenario() {
    e2e::runner::run_table("axum_app");
}

#[cfg(feature = "rocket")]
#[test]
fn rocket_app_passes_every_scenario() {
    e2e::runner::run_table("rocket_app");
}

#[cfg(feature = "warp")]
#[test]
fn warp_app_passes_every_scenario() {
    e2e::runner::run_table("warp_app");
}

#[cfg(feature = "actix")]
#[test]
fn actix_app_passes_every_scenario() {
    e2e::runner::run_table("actix_app");
}

#[cfg(feature = "tower")]
#[test]
fn hyper_app_passes_every_scenario() {
    e2e::runner::run_table("hyper_app");
}

#[cfg(feature = "axum")]
#[test]
fn axum_app_verifies_websocket_handshakes() {
    e2e::websocket::run("axum_app");
}

#[cfg(feature = "rocket")]
#[test]
fn rocket_app_verifies_websocket_handshakes() {
    e2e::websocket::run("rocket_app");
}

#[cfg(feature = "warp")]
#[test]
fn warp_app_verifies_websocket_handshakes() {
    e2e::websocket::run("warp_app");
}

#[cfg(feature = "actix")]
#[test]
fn actix_app_verifies_websocket_handshakes() {
    e2e::websocket::run("actix_app");
}

#[cfg(feature = "tower")]
#[test]
fn hyper_app_verifies_websocket_handshakes() {
    e2e::websocket::run("hyper_app");
}

#[cfg(feature = "axum")]
#[test]
fn axum_app_reports_only_where_asked() {
    e2e::report_only::run("axum_app");
}

#[cfg(feature = "rocket")]
#[test]
fn rocket_app_reports_only_where_asked() {
    e2e::report_only::run("rocket_app");
}

#[cfg(feature = "actix")]
#[test]
fn actix_app_reports_only_where_asked() {
    e2e::report_only::run("actix_app");
}

#[cfg(feature = "tower")]
#[test]
fn hyper_app_reports_only_where_asked() {
    e2e::report_only::run("hyper_app");
}

#[cfg(feature = "warp")]
#[test]
fn warp_app_reports_only_where_asked() {
    e2e::report_only::run("warp_app");
}

/// The peers are only worth their place if they compute what Twilio computes; our signer
/// implements the same SPEC, so all three must agree on ordinary input, on repeated names
/// (values sorted and de-duplicated), on empty names and values, and on non-ASCII text.
/// Where SPEC §1 says the libraries differ (a name outside the BMP sorted against a BMP
/// character ≥ U+E000: python sorts by code point like our signer, node by UTF-16 code unit),
/// python agrees with our signer, node does not, and our verifier accepts both.
#[test]
fn official_libraries_sign_as_our_signer_does() {
    if let Err(message) = peers::ensure_installed() {
        panic!("{message}");
    }
    let token = "12345";
    let url = "https://public.example.com/voice?x=1&y=it's";
    let ordinary: &[(&str, &str)] = &[
        ("To", "+14155550199"),
        ("CallSid", "CA1"),
        ("Body", "héllo wörld & more"),
    ];
    let repeated: &[(&str, &str)] = &[
        ("MediaUrl", "https://b.example.com/2"),
        ("CallSid", "CA1"),
        ("MediaUrl", "https://a.example.com/1"),
        ("MediaUrl", "https://b.example.com/2"),
        ("Empty", ""),
        ("", "nameless"),
        ("Digits", ""),
        ("Digits", "1"),
    ];
    let non_ascii: &[(&str, &str)] = &[
        ("Body", "Zoë 😀 \u{FFFD}"),
        ("Ünïcode", "値"),
        ("Caller", ""),
    ];
    let body = r#"{"type":"call.completed","text":"ünïcode"}"#;
    for peer in [Peer::Python, Peer::Node] {
        let name = peer.name();
        for (what, params) in [
            ("ordinary", ordinary),
            ("repeated names, empty names and values", repeated),
            ("non-ASCII", non_ascii),
        ] {
            assert_eq!(
                peer.sign_form(token, url, params).unwrap(),
                Peer::Ours.sign_form(token, url, params).unwrap(),
                "form signature of {name}, {what} parameters"
            );
        }
        assert_eq!(
            peer.sign_url(token, url).unwrap(),
            Peer::Ours.sign_url(token, url).unwrap(),
            "URL signature of {name}"
        );
        assert_eq!(
            peer.sign_body(token, url, body).unwrap(),
            Peer::Ours.sign_body(token, url, body).unwrap(),
            "bodySHA256 URL and signature of {name}"
        );
        assert_ne!(
            peer.sign_url(token, url).unwrap(),
            peer.sign_url("54321", url).unwrap(),
            "{name} ignores the token"
        );
        assert_ne!(
            peer.sign_form(token, url, &repeated[..3]).unwrap(),
            peer.sign_form(token, url, &repeated[..2]).unwrap(),
            "{name} ignores a repeated name's second value"
        );
    }

    // An emoji name (U+1F600, UTF-16 D83D DE00) against a high-BMP one (U+FF21, `Ａ`):
    // by code point `Ａ` < `😀`, by UTF-16 code unit `😀` < `Ａ`.
    let orders: &[(&str, &str)] = &[("\u{FF21}", "high BMP"), ("😀", "emoji"), ("A", "ascii")];
    let ours = Peer::Ours.sign_form(token, url, orders).unwrap();
    let python = Peer::Python.sign_form(token, url, orders).unwrap();
    let node = Peer::Node.sign_form(token, url, orders).unwrap();
    assert_eq!(
        python, ours,
        "python sorts by code point, as our signer does"
    );
    assert_ne!(
        node, ours,
        "node sorts by UTF-16 code unit, so the orders differ here"
    );
    let config = twilio_auth::Config::builder()
        .auth_token(token)
        .build()
        .unwrap();
    let body = twilio_auth::form::encode(orders);
    for (signer, signature) in [("python", &python), ("node", &node)] {
        let headers = [
            ("X-Twilio-Signature", signature.as_str()),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ];
        let request = twilio_auth::WebhookRequest::from_url("POST", url)
            .headers(&headers)
            .body(body.as_bytes());
        assert!(
            config.verify(&request).is_ok(),
            "the verifier refuses {signer}'s signature of names outside the BMP"
        );
    }
}

#[test]
fn the_table_is_well_formed() {
    let table = scenarios::table();
    let mut names = HashSet::new();
    for scenario in &table {
        assert!(
            names.insert((scenario.env.name, scenario.name.as_str())),
            "duplicate scenario {} / {}",
            scenario.env.name,
            scenario.name
        );
        assert!(
            ENVS.contains(&scenario.env),
            "{}: environment {} is not in ENVS, so it would never run",
            scenario.name,
            scenario.env.name
        );
    }
    for env in ENVS {
        let rows: Vec<_> = table.iter().filter(|s| s.env == *env).collect();
        assert!(
            rows.iter().any(|s| s.expect.status == 200),
            "{}: nothing accepted",
            env.name
        );
        assert!(
            rows.iter().any(|s| s.expect.status >= 400),
            "{}: nothing rejected",
            env.name
        );
    }
    for peer in [Peer::Python, Peer::Node] {
        let accepted = table
            .iter()
            .filter(|s| s.signer == peer && s.expect.status == 200)
            .count();
        let rejected = table
            .iter()
            .filter(|s| s.signer == peer && s.expect.status >= 400)
            .count();
        assert!(
            accepted >= 3 && rejected >= 2,
            "{}: {accepted} accepted, {rejected} rejected",
            peer.name()
        );
    }
    let statuses: HashSet<u16> = table.iter().map(|s| s.expect.status).collect();
    for status in [200, 400, 401, 403, 413] {
        assert!(statuses.contains(&status), "no scenario expects {status}");
    }
    assert!(!scenarios::startup_table().is_empty());
}

/// The runner's proof that a refused request never reached its handler rests on reading the
/// app's log right: lines as each adapter writes them (copied from the apps' logs).
#[test]
fn the_log_reader_tells_handler_runs_from_verifier_refusals() {
    let plain = r##"
2026-12-01T05:34:03.376244Z  INFO axum_app: incoming call handler="voice" call_sid=CA1
2026-12-01T05:34:04.179707Z  WARN twilio_auth_axum::rejection: rejected a Twilio webhook: X-Twilio-Signature matches none of the candidate URLs (403); tried http://127.0.0.1:1/voice?handler=x | http://127.0.0.1/voice?handler=x; hint: X-Forwarded-Host names the host "voice.example.com", but the URL is built from the public base URL (host "127.0.0.1:1"): if Twilio calls "voice.example.com", the base URL is wrong
2026-12-01T05:34:50.636415Z  WARN twilio_auth_rocket::verify: rejected a Twilio webhook: missing X-Twilio-Signature header (403)
2026-12-01T05:34:50.636455Z  WARN rocket_app::_: Data guard `:: twilio_auth :: __private :: rocket :: Verified < Form < IncomingCall > >` failed: refused by twilio-auth with 403 Forbidden, see the warning above.
2026-12-01T05:34:50.636480Z  WARN rocket::server::_: Responding with registered (twilio-auth) 403 catcher.
2026-12-01T05:34:07.452014Z  WARN twilio_auth_axum::body: rejected a Twilio webhook: could not read the body: Failed to buffer the request body: length limit exceeded status=413
2026-12-01T05:35:30.673470Z  WARN twilio_auth_warp::rejection: rejected a Twilio webhook: body larger than the 1024-byte limit (413)
2026-12-01T05:35:30.673470Z DEBUG twilio_auth_warp::rejection: rejected a Twilio webhook: HTTP authentication failed: no Authorization header (401); answered with the challenge (Twilio's first request to a URL with user:password@ carries no credentials, and it retries with them)
2026-12-01T05:34:50.637258Z  INFO rocket_app: call status handler="status" call_sid=CAprobe1 status=completed
"##;
    // The same with colours, should a framework turn them on.
    let coloured = "\u{1b}[2m2026-12-01\u{1b}[0m \u{1b}[32m INFO\u{1b}[0m warp_app: event \
                    \u{1b}[3mhandler\u{1b}[0m\u{1b}[2m=\u{1b}[0m\"events\"\n";
    let log = format!("{plain}{coloured}");
    let evidence = Evidence::read(&log);
    assert_eq!(evidence.handlers, ["voice", "status", "events"]);
    assert_eq!(evidence.refusal_statuses(), [401, 403, 403, 413]);
    assert_eq!(Evidence::read("").refusals, []);
    assert!(evidence::is_verifier_body(
        403,
        "Forbidden: invalid Twilio signature\n"
    ));
    assert!(evidence::is_verifier_body(
        403,
        "Forbidden: request body not covered by the Twilio signature\n"
    ));
    assert!(!evidence::is_verifier_body(403, "Forbidden\n"));
    assert!(!evidence::is_verifier_body(404, "Not Found\n"));
    // Every reason text is non-empty and distinct, or a refusal could be miscounted.
    let reasons = evidence::verifier_reasons();
    let texts: HashSet<&str> = reasons.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(texts.len(), reasons.len());
    assert!(texts.iter().all(|t| t.len() > 10), "{texts:?}");
}
