#!/usr/bin/env bash
# Load test of an adapter against its load target, on 127.0.0.1 only:
#
#   benches/load/run.sh                  # axum: examples/load_target.rs
#   LOAD_APP=actix benches/load/run.sh   # actix-web: examples/load_target_actix.rs
#   LOAD_APP=warp benches/load/run.sh    # warp: examples/load_target_warp.rs
#   LOAD_APP=hyper benches/load/run.sh   # hyper + the tower layer: examples/load_target_hyper.rs
#   LOAD_APP=rocket benches/load/run.sh  # Rocket: examples/load_target_rocket.rs
#
# 1. Cost of the adapter (issue 8, item 4): requests/s of POST /verified/voice
#    (#[twilio_signed]) against POST /plain/voice (the same handler, no verification), in
#    the same run with the same wrk settings, in rounds of one run each whose order
#    alternates (V P, P V, ...), after a warm-up of each. Target: verified >= 90% of plain,
#    both routes' runs pooled.
# 2. Mixed load (issue 7, item 3): valid (200), forged (403) and over-limit (413) requests
#    at the same time, one wrk instance per kind so every response is counted under its
#    kind; the server's VmRSS/VmHWM sampled every second. Checks: no status other than the
#    expected one for each kind (so no valid request refused), no socket error on valid or
#    forged requests, memory flat, and the server still answers afterwards.
#
# Prints one summary and exits non-zero when a check fails. About 2.5 minutes once built.
# Installs wrk from Debian when missing (apt-get). Needs cargo, python3 (stdlib), curl.
#
# Settings (environment):
#   LOAD_THREADS=2 LOAD_CONNECTIONS=32 LOAD_DURATION=10   throughput runs (seconds)
#   LOAD_ROUNDS=4                                         rounds of one run per route
#   LOAD_WARMUP=3                                         warm-up per route (seconds)
#   LOAD_MIXED_DURATION=45 LOAD_MIXED_CONNECTIONS=64      mixed run (seconds)
#   LOAD_MIN_RATIO=0.90                                   throughput target
#   LOAD_PROFILE=release                                  cargo profile of the server
#   LOAD_APP=axum                                         axum | actix | warp | hyper | rocket
#   LOAD_KEEP=1                                           keep the work directory
#   LOAD_ROTATE_MS=N                                      axum only: the server swaps its Auth
#                                                         Tokens every N ms while it serves
#                                                         (the signing token stays primary or
#                                                         secondary): valid must stay all 200
#
# CI runs a short version (`.ci/run`): the dev profile it has already built, a few seconds
# per run, and LOAD_MIN_RATIO=0 — the statuses, socket errors, memory and liveness checks of
# the mixed load hold, and the throughput ratio is printed; the 90% target is a benchmark,
# measured in release on a quiet machine (README, "Performance").
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=benches/load/lib.sh
source "$here/lib.sh"

threads="${LOAD_THREADS:-2}"
rounds="${LOAD_ROUNDS:-4}"
connections="${LOAD_CONNECTIONS:-32}"
duration="${LOAD_DURATION:-10}"
warmup="${LOAD_WARMUP:-3}"
mixed_duration="${LOAD_MIXED_DURATION:-45}"
mixed_connections="${LOAD_MIXED_CONNECTIONS:-64}"
min_ratio="${LOAD_MIN_RATIO:-0.90}"
profile="${LOAD_PROFILE:-release}"
app="${LOAD_APP:-axum}"
features="$app"
case "$app" in
    axum) example=load_target ;;
    actix) example=load_target_actix ;;
    warp) example=load_target_warp ;;
    hyper) example=load_target_hyper; features=tower ;;
    rocket) example=load_target_rocket ;;
    *) echo "error: LOAD_APP=$app: expected axum, actix, warp, hyper or rocket" >&2; exit 2 ;;
esac
base_url="https://myapp.example.com"
body_limit=65536

# --- tools ---------------------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
    echo "== installing wrk (Debian)" >&2
    apt-get update && apt-get install -y wrk
fi
for tool in cargo python3 curl; do
    command -v "$tool" >/dev/null || { echo "error: $tool is needed" >&2; exit 2; }
done

server_bin="$(build_example "$example" "$features" "$profile")"

work="$(mktemp -d "${TMPDIR:-/tmp}/twilio-auth-load.XXXXXX")"
server_pid=""
sampler_pid=""
cleanup() {
    [[ -n "$sampler_pid" ]] && kill "$sampler_pid" 2>/dev/null || true
    if [[ -n "$server_pid" ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [[ "${LOAD_KEEP:-0}" == 1 ]]; then
        echo "work directory kept: $work" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

# --- requests ------------------------------------------------------------------------------
# Signed for the URL the server rebuilds: its configured base URL + path + query.
eval "$(python3 "$here/sign.py" "$root/tests/data/workloads.json" "$base_url" /verified/voice "$body_limit")"
export LOAD_BODY LOAD_QUERY LOAD_SIGNATURE LOAD_FORGED LOAD_OVERSIZE_BYTES

# --- server --------------------------------------------------------------------------------
# Created here: the background job's redirections may come after the first read below.
: >"$work/server.out"
: >"$work/server.err"
PORT=0 TWILIO_AUTH_TOKEN="$LOAD_TOKEN" TWILIO_WEBHOOK_BASE_URL="$base_url" \
    TWILIO_BODY_LIMIT="$body_limit" RUST_LOG="${RUST_LOG:-error}" \
    TWILIO_LOAD_ROTATE_MS="${LOAD_ROTATE_MS:-}" \
    "$server_bin" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
url="$(wait_for_url "$server_pid" "$work/server.out" "$work/server.err")"
echo "== server pid $server_pid at $url" >&2

# One request of each kind before measuring: a wrong signature would make every "valid"
# request a 403 and the throughput figures meaningless.
smoke() { # expected-status path signature [body-bytes]
    local body="$LOAD_BODY" got
    if [[ -n "${4:-}" ]]; then
        body="$body&Padding=$(head -c "$(($4 - ${#LOAD_BODY} - 9))" /dev/zero | tr '\0' x)"
    fi
    got="$(printf '%s' "$body" | curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
        -H 'Content-Type: application/x-www-form-urlencoded' -H "X-Twilio-Signature: $3" \
        --data-binary @- "$url$2?$LOAD_QUERY")"
    if [[ "$got" != "$1" ]]; then
        echo "error: smoke test: POST $2 answered $got, expected $1" >&2
        exit 1
    fi
}
smoke 200 /verified/voice "$LOAD_SIGNATURE"
smoke 200 /plain/voice "$LOAD_SIGNATURE"
smoke 403 /verified/voice "$LOAD_FORGED"
smoke 413 /verified/voice "$LOAD_SIGNATURE" "$LOAD_OVERSIZE_BYTES"

rss() { # prints "VmRSS VmHWM" in KiB
    awk '/^VmRSS:/ {r = $2} /^VmHWM:/ {h = $2} END {print r, h}' "/proc/$server_pid/status"
}

cpu_ticks() { # user + system CPU time of the server, in clock ticks
    awk '{print $14 + $15}' "/proc/$server_pid/stat"
}

# --- 1. throughput: verified vs plain -------------------------------------------------------
wrk_run() { # out-file path seconds wrk-args...
    local out="$1" path="$2" seconds="$3"
    shift 3
    LOAD_PATH="$path" timeout "$((seconds + 30))" wrk --timeout 5s -d "${seconds}s" "$@" \
        "$url" >"$out" 2>&1 || { echo "error: wrk failed:" >&2; cat "$out" >&2; exit 1; }
}
echo "== throughput: -t$threads -c$connections, warm-up ${warmup}s per route, then $rounds rounds (V P, P V, ...) of ${duration}s" >&2
for path in /verified/voice /plain/voice; do
    wrk_run "$work/warmup.txt" "$path" "$warmup" -t"$threads" -c"$connections" -s "$here/throughput.lua"
done
# Rounds of one run of each route, the order alternating (V P, P V, V P, ...): a slow
# drift of the machine's speed then weighs on both routes alike.
order=()
for round in $(seq "$rounds"); do
    if ((round % 2)); then
        order+=(/verified/voice /plain/voice)
    else
        order+=(/plain/voice /verified/voice)
    fi
done
run=0
for path in "${order[@]}"; do
    run=$((run + 1))
    echo "   run $run: $path" >&2
    cpu_before="$(cpu_ticks)"
    wrk_run "$work/throughput-$run.txt" "$path" "$duration" \
        -t"$threads" -c"$connections" -s "$here/throughput.lua"
    cpu_after="$(cpu_ticks)"
    echo "$path $(grep '^LOADRESULT' "$work/throughput-$run.txt") server_cpu_ticks=$((cpu_after - cpu_before))" \
        >>"$work/throughput.txt"
done

# --- 2. mixed load ---------------------------------------------------------------------------
echo "== mixed load: ${mixed_duration}s, $mixed_connections connections (valid, forged, over-limit at once)" >&2
echo "0 $(rss)" >"$work/rss.txt"
(
    t=0
    while kill -0 "$server_pid" 2>/dev/null; do
        sleep 1
        t=$((t + 1))
        echo "$t $(rss)" >>"$work/rss.txt"
    done
) &
sampler_pid=$!
per_kind=$((mixed_connections / 3))
mixed_pids=()
for kind in valid forged oversize; do
    conns="$per_kind"
    [[ "$kind" == valid ]] && conns=$((mixed_connections - 2 * per_kind))
    LOAD_KIND="$kind" LOAD_PATH=/verified/voice timeout "$((mixed_duration + 30))" \
        wrk --timeout 5s -t1 -c"$conns" -d "${mixed_duration}s" -s "$here/mixed.lua" "$url" \
        >"$work/mixed-$kind.txt" 2>&1 &
    mixed_pids+=($!)
done
mixed_failed=0
for pid in "${mixed_pids[@]}"; do
    wait "$pid" || mixed_failed=1
done
sleep 3 # let the last connections close, then the end sample
echo "end $(rss)" >>"$work/rss.txt"
kill "$sampler_pid" 2>/dev/null || true
wait "$sampler_pid" 2>/dev/null || true
sampler_pid=""
if [[ "$mixed_failed" == 1 ]]; then
    echo "error: a wrk instance of the mixed run failed:" >&2
    cat "$work"/mixed-*.txt >&2
    exit 1
fi
grep -h '^LOADRESULT' "$work"/mixed-*.txt >"$work/mixed.txt"

# Still serving, and still alive.
alive=1
kill -0 "$server_pid" 2>/dev/null || alive=0
if [[ "$alive" == 1 ]]; then
    (smoke 200 /verified/voice "$LOAD_SIGNATURE") || alive=0
fi

# --- token rotation ----------------------------------------------------------------------------
if [[ -n "${LOAD_ROTATE_MS:-}" ]]; then
    rotations="$(sed -n 's/^token rotations: \([0-9]*\)$/\1/p' "$work/server.err" | tail -1)"
    echo "== token rotations while serving (every ${LOAD_ROTATE_MS} ms): ${rotations:-0}" >&2
    if [[ -z "$rotations" ]]; then
        echo "error: LOAD_ROTATE_MS is set but the server rotated no tokens (LOAD_APP=axum only)" >&2
        exit 1
    fi
fi

# --- summary ---------------------------------------------------------------------------------
python3 "$here/report.py" "$work" \
    --app "$app" --settings "-t$threads -c$connections -d${duration}s, $rounds rounds (V P, P V, ...) after ${warmup}s warm-up each" \
    --mixed-settings "${mixed_duration}s, $mixed_connections connections" \
    --min-ratio "$min_ratio" --alive "$alive"
