#!/usr/bin/env bash
# Installs the local AWS Lambda emulator, cargo-lambda (pinned, from PyPI), into
# tests/differential/work/cargo-lambda (git-ignored), for the end-to-end test that serves
# examples/lambda_app.rs under `cargo lambda watch` (tests/e2e/lambda.rs). Idempotent.
set -euo pipefail
CARGO_LAMBDA_VERSION=1.9.2
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/tests/differential/work/cargo-lambda"
if [ -x "$venv/bin/cargo-lambda" ] && "$venv/bin/cargo-lambda" lambda --version 2>/dev/null | grep -q "cargo-lambda $CARGO_LAMBDA_VERSION"; then
    exit 0
fi
mkdir -p "$(dirname "$venv")"
"${PYTHON:-python3}" -m venv "$venv"
"$venv/bin/pip" install --quiet "cargo-lambda==$CARGO_LAMBDA_VERSION"
"$venv/bin/cargo-lambda" lambda --version
