#!/usr/bin/env bash
# Side-by-side: verifications per second of twilio-auth against Twilio's official
# validators (twilio-python 9.13.0 from PyPI, twilio-node 5.13.1 from npm) on the valid
# requests of tests/data/workloads.json, measured in the same run.
#
#   benches/compare/run.sh
#
# Reuses the pinned installs of tests/differential/run.sh (tests/differential/work/) when
# they are there, else installs the same pins into benches/compare/work/ (git-ignored).
# Needs python3, node + npm, cargo. Takes about two minutes.
#
# The official libraries are handed the form already parsed (their frameworks parse it);
# twilio-auth starts from the raw body bytes, as its adapters do. Ours is timed with
# criterion (the `verify/*_valid` benchmarks of twilio-auth-core), node with
# process.hrtime.bigint after a JIT warm-up, python with timeit; each is the best or mean
# of several rounds of many iterations.
set -euo pipefail

TWILIO_PYTHON_VERSION=9.13.0
TWILIO_NODE_VERSION=5.13.1

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
workloads="$root/tests/data/workloads.json"
diffwork="$root/tests/differential/work"
work="$here/work"

# --- twilio-python -------------------------------------------------------------------------
python_ok() { [[ -x "$1/bin/python" ]] && [[ "$("$1/bin/python" -c 'import twilio; print(twilio.__version__)' 2>/dev/null)" == "$TWILIO_PYTHON_VERSION" ]]; }
if python_ok "$diffwork/venv"; then
    venv="$diffwork/venv"
else
    venv="$work/venv"
    if ! python_ok "$venv"; then
        echo "== installing twilio==$TWILIO_PYTHON_VERSION (PyPI) into $venv" >&2
        rm -rf "$venv"
        "${PYTHON:-python3}" -m venv "$venv"
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "twilio==$TWILIO_PYTHON_VERSION"
    fi
fi

# --- twilio-node ---------------------------------------------------------------------------
node_ok() { [[ "$(node -p "require('$1/node_modules/twilio/package.json').version" 2>/dev/null)" == "$TWILIO_NODE_VERSION" ]]; }
if node_ok "$diffwork/node"; then
    nodedir="$diffwork/node"
else
    nodedir="$work/node"
    if ! node_ok "$nodedir"; then
        echo "== installing twilio@$TWILIO_NODE_VERSION (npm) into $nodedir" >&2
        rm -rf "$nodedir"
        mkdir -p "$nodedir"
        (cd "$nodedir" && npm init -y >/dev/null &&
            npm install --no-audit --no-fund --loglevel=error --save-exact "twilio@$TWILIO_NODE_VERSION" >&2)
    fi
fi

# --- measure -------------------------------------------------------------------------------
echo "== twilio-node" >&2
node_results="$(NODE_DIR="$nodedir" node "$here/bench.js" "$workloads")"
echo "== twilio-python" >&2
python_results="$("$venv/bin/python" "$here/bench.py" "$workloads")"
echo "== twilio-auth (criterion)" >&2
cd "$root"
cargo bench -q -p twilio-auth-core --bench verify -- '_valid$' \
    --warm-up-time 2 --measurement-time 5 --noplot >&2
target="$(cargo metadata --format-version 1 --no-deps 2>/dev/null |
    "$venv/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])' 2>/dev/null ||
    echo "${CARGO_TARGET_DIR:-$root/target}")"

"$venv/bin/python" "$here/report.py" "$node_results" "$python_results" "$target"
