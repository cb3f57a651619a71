//! Compile-fail tests of `#[twilio_signed]` (trybuild): what must fail with a readable
//! message at the user's own code (`fail` directories, with `.stderr` snapshots). What must
//! compile (`pass` directories) is compiled and run by `tests/macros_pass.rs`, in the
//! workspace's own build: with only failing cases, trybuild checks rather than builds the
//! dependencies in its target directory.
//!
//! Which cases run depends on the facade's features:
//!
//! - with `--features axum`: `tests/ui/fail/*.rs`;
//! - with `--features rocket`: `tests/ui/rocket/fail/*.rs`;
//! - with `--features warp`: `tests/ui/warp/fail/*.rs`;
//! - with `--features actix`: `tests/ui/actix/fail/*.rs`;
//! - with all four: also `tests/ui/all/fail/*.rs` (each framework's attribute refuses the
//!   others' functions);
//! - without any framework feature: `tests/ui/no_feature/*.rs` (the attribute says which
//!   feature to enable).
//!
//! ```text
//! cargo test -p twilio-auth --features axum --test ui
//! cargo test -p twilio-auth --features rocket --test ui
//! cargo test -p twilio-auth --features warp --test ui
//! cargo test -p twilio-auth --features actix --test ui
//! cargo test -p twilio-auth --no-default-features --test ui
//! TRYBUILD=overwrite cargo test -p twilio-auth --features axum --test ui   # refresh snapshots
//! ```
//!
//! Keeping the snapshots stable: compiler diagnostics change between Rust releases, so the
//! `fail` snapshots are compared only on the pinned toolchain ([`PINNED_RUST`], the one
//! `rust-toolchain.toml` selects); on any other compiler they are skipped (the `pass` cases
//! of `tests/macros_pass.rs` still run), and the test says on stderr that the snapshots
//! were skipped. With `CI` set, that skip is a failure: CI must compare the snapshots. Set
//! `TWILIO_AUTH_UI=1` to compare them anyway. Beyond that, the failing programs are tiny,
//! and most messages are the macro's own (plain `syn::Error`s at the user's spans) or come
//! from `#[diagnostic::on_unimplemented]` messages that the adapter defines, not from
//! rustc's wording of trait errors.

/// The minor version of the Rust release the snapshots were recorded with.
const PINNED_RUST: &str = "1.95";

#[test]
fn ui() {
    let snapshots = compare_snapshots();
    let cases = trybuild::TestCases::new();
    #[cfg(feature = "axum")]
    {
        if snapshots {
            cases.compile_fail("tests/ui/fail/*.rs");
        }
    }
    #[cfg(feature = "rocket")]
    {
        if snapshots {
            cases.compile_fail("tests/ui/rocket/fail/*.rs");
        }
    }
    #[cfg(feature = "warp")]
    {
        if snapshots {
            cases.compile_fail("tests/ui/warp/fail/*.rs");
        }
    }
    #[cfg(feature = "actix")]
    {
        if snapshots {
            cases.compile_fail("tests/ui/actix/fail/*.rs");
        }
    }
    // Every framework at once: the root attribute recognises each, and each framework's own
    // attribute refuses the others' functions (features are additive).
    #[cfg(all(
        feature = "axum",
        feature = "rocket",
        feature = "warp",
        feature = "actix"
    ))]
    {
        cases.compile_fail("tests/ui/all/fail/*.rs");
    }
    #[cfg(not(any(
        feature = "axum",
        feature = "rocket",
        feature = "warp",
        feature = "actix"
    )))]
    {
        if snapshots {
            cases.compile_fail("tests/ui/no_feature/*.rs");
        }
    }
}

/// Whether the `fail` snapshots are compared: on the pinned compiler, or when
/// `TWILIO_AUTH_UI=1` forces it. Panics instead of skipping them when `CI` is set.
fn compare_snapshots() -> bool {
    if std::env::var("TWILIO_AUTH_UI").is_ok_and(|v| v == "1") {
        return true;
    }
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let version = std::process::Command::new(rustc)
        .arg("--version")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
        .unwrap_or_default();
    // "rustc 1.95.0 (59807616e 2026-04-14)"
    let pinned = version
        .split_whitespace()
        .nth(1)
        .is_some_and(|v| v.starts_with(&format!("{PINNED_RUST}.")) && !v.contains('-'));
    if pinned {
        return true;
    }
    let why = format!(
        "the trybuild `fail` snapshots are recorded with Rust {PINNED_RUST}, this is {:?}",
        version.trim()
    );
    assert!(
        std::env::var_os("CI").is_none(),
        "{why}: CI must compare them (use the toolchain of rust-toolchain.toml, or set \
         TWILIO_AUTH_UI=1)"
    );
    eprintln!(
        "skipping the `fail` snapshots ({why}; set TWILIO_AUTH_UI=1 to compare them anyway); \
         the `pass` cases are in tests/macros_pass.rs"
    );
    false
}
