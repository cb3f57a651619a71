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
    not(any(feature = "axum", feature = "rocket", feature = "warp")),
    allow(dead_code)
)]

mod e2e {
    pub mod app;
    pub mod binding;
    pub mod curl;
    pub mod hostile;
    pub mod http;
    pub mod http_auth;
    pub mod peers;
    pub mod relay;
    pub mod runner;
    pub mod scenarios;
}

use std::collections::HashSet;

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

/// The peers are only worth their place if they compute what Twilio computes; our signer
/// implements the same SPEC, so all three must agree on ordinary input.
#[test]
fn official_libraries_sign_as_our_signer_does() {
    if let Err(message) = peers::ensure_installed() {
        panic!("{message}");
    }
    let token = "12345";
    let url = "https://public.example.com/voice?x=1&y=it's";
    let params = [
        ("To", "+14155550199"),
        ("CallSid", "CA1"),
        ("Body", "héllo wörld & more"),
    ];
    let body = r#"{"type":"call.completed","text":"ünïcode"}"#;
    for peer in [Peer::Python, Peer::Node] {
        let name = peer.name();
        assert_eq!(
            peer.sign_form(token, url, &params).unwrap(),
            Peer::Ours.sign_form(token, url, &params).unwrap(),
            "form signature of {name}"
        );
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
