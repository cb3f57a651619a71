#!/usr/bin/env bash
# Differential test: our verifier against Twilio's official libraries.
#
#   tests/differential/run.sh            install the pinned libraries (once), generate the
#                                        cases, evaluate them with twilio-python and
#                                        twilio-node, then run the Rust comparison
#   tests/differential/run.sh --snapshot also copy the case file to
#                                        tests/data/differential/cases.json (the snapshot
#                                        that a plain `cargo test` checks)
#   SKIP_CARGO=1 tests/differential/run.sh   stop after writing work/cases.json
#   tests/differential/run.sh --install-only  only install the pinned libraries (the
#                                        end-to-end suite uses them as signing peers)
#
# Needs python3 (3.11), node (20) + npm, cargo, and the PyPI and npm registries.
# Everything it installs goes under tests/differential/work/ (git-ignored).
set -euo pipefail

TWILIO_PYTHON_VERSION=9.13.0 # newest 9.x on PyPI when pinned
# The second WebSocket client of the end-to-end suite (tests/e2e/websocket.rs).
WEBSOCKETS_VERSION=15.0.1
# twilio-node is pinned (5.13.1, newest 5.x) in node/package.json + node/package-lock.json

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$here/work"
venv="$work/venv"
nodedir="$work/node"
mkdir -p "$work"

snapshot=0
install_only=0
for arg in "$@"; do
    case "$arg" in
        --snapshot) snapshot=1 ;;
        --install-only) install_only=1 ;;
        *) echo "usage: $0 [--snapshot | --install-only]" >&2; exit 2 ;;
    esac
done

python=${PYTHON:-python3}

# --- twilio-python, pinned, in a venv ----------------------------------------------------
if [[ ! -x "$venv/bin/python" ]] ||
    [[ "$("$venv/bin/python" -c 'import twilio; print(twilio.__version__)' 2>/dev/null)" != "$TWILIO_PYTHON_VERSION" ]]; then
    echo "== installing twilio==$TWILIO_PYTHON_VERSION (PyPI) into $venv" >&2
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "twilio==$TWILIO_PYTHON_VERSION"
fi
if [[ "$("$venv/bin/python" -c 'import websockets; print(websockets.__version__)' 2>/dev/null)" != "$WEBSOCKETS_VERSION" ]]; then
    echo "== installing websockets==$WEBSOCKETS_VERSION (PyPI) into $venv" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "websockets==$WEBSOCKETS_VERSION"
fi

# --- twilio-node, pinned by the committed lock file ----------------------------------------
if ! cmp -s "$here/node/package-lock.json" "$nodedir/.installed-lock.json" ||
    [[ ! -d "$nodedir/node_modules/twilio" ]]; then
    echo "== installing twilio-node (npm ci) into $nodedir" >&2
    rm -rf "$nodedir"
    mkdir -p "$nodedir"
    cp "$here/node/package.json" "$here/node/package-lock.json" "$nodedir/"
    (cd "$nodedir" && npm ci --no-audit --no-fund --loglevel=error >&2)
    cp "$here/node/package-lock.json" "$nodedir/.installed-lock.json"
fi

if [[ $install_only == 1 ]]; then
    echo "== official libraries installed under $work" >&2
    exit 0
fi

# --- generate, sign, evaluate ------------------------------------------------------------------
"$venv/bin/python" "$here/gen.py" "$work/plan.json"
DIFF_NODE_DIR="$nodedir" node "$here/runner.js" sign "$work/plan.json" "$work/node-sigs.json"
"$venv/bin/python" "$here/runner.py" "$work/plan.json" "$work/node-sigs.json" "$work/cases-py.json"
DIFF_NODE_DIR="$nodedir" node "$here/runner.js" validate "$work/cases-py.json" "$work/cases.json"
echo "== wrote $work/cases.json" >&2

if [[ $snapshot == 1 ]]; then
    mkdir -p "$root/tests/data/differential"
    cp "$work/cases.json" "$root/tests/data/differential/cases.json"
    echo "== snapshot updated: tests/data/differential/cases.json" >&2
fi

# --- compare with ours -------------------------------------------------------------------------
if [[ "${SKIP_CARGO:-0}" != 1 ]]; then
    cd "$root"
    TWILIO_DIFFERENTIAL_CASES="$work/cases.json" \
        cargo test -p twilio-auth-core --test differential -- --nocapture
fi
