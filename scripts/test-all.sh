#!/usr/bin/env bash
# Runs every test of the project, installing what the tests need first:
#   - the pinned official Twilio libraries (PyPI twilio==9.13.0, npm twilio@5.13.1), used as
#     peers by the end-to-end suite and the differential test;
#   - the local AWS Lambda emulator (PyPI cargo-lambda==1.9.2), which serves the Lambda
#     example app in the end-to-end suite;
#   - curl (the HTTP Basic/Digest end-to-end client), when the machine lacks it;
#   - redis-server (Debian's package), when missing: tests/replay.rs starts its own on a free
#     loopback port, and fails under CI without it.
# Then: every Rust test of every crate with every feature (unit, doctests, conformance,
# properties, CLI, trybuild, end-to-end against real servers), the compile-fail cases
# without a framework feature, the README's quick starts built as printed, the facade's
# docs without warnings for each feature set, and the live differential test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n== [%ss] %s\n' "$SECONDS" "$*" >&2; }

if ! command -v curl >/dev/null 2>&1; then
    step "installing curl"
    apt-get update -qq && apt-get install -y -qq curl >/dev/null
fi

if ! command -v redis-server >/dev/null 2>&1; then
    step "installing redis-server (for tests/replay.rs)"
    apt-get update -qq && apt-get install -y -qq redis-server >/dev/null
fi

step "installing the official Twilio libraries (peers)"
bash tests/differential/run.sh --install-only

step "installing the local Lambda emulator (cargo-lambda from PyPI, for tests/e2e/lambda.rs)"
bash scripts/install-cargo-lambda.sh

step "cargo test --workspace --all-features"
cargo test --workspace --all-features

step "compile-fail tests without a framework feature, and with each framework alone"
cargo test -p twilio-auth --no-default-features --test ui
cargo test -p twilio-auth --features rocket --test ui
cargo test -p twilio-auth --features warp --test ui
cargo test -p twilio-auth --features actix --test ui

step "the README's quick starts, built as printed (scripts/readme-snippets.sh)"
bash scripts/readme-snippets.sh

step "cargo doc without warnings, without a framework feature and with each one alone"
for features in "" axum rocket warp actix tower lambda replay redis axum,replay; do
    RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -p twilio-auth --no-default-features ${features:+--features "$features"}
done

step "differential test against twilio-python and twilio-node"
bash tests/differential/run.sh
