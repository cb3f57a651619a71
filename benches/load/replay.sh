#!/usr/bin/env bash
# The replay guard under load (issue 18): wrk against examples/load_target_replay.rs, the same
# axum handler behind the TwilioAuthLayer with and without `.replay(guard)` on a real
# redis-server, in the same run, each request a new signed webhook (as Twilio sends them).
#
#   bash benches/load/replay.sh
#
# Prints requests/s, the ratio guarded/unguarded, p50/p99 latency and server CPU per
# request of each route, and checks that every request got 200, that no request was sent
# twice, and that the guarded handler ran exactly once per request sent to it.
#
# Environment (defaults):
#   LOAD_DURATION=5 LOAD_ROUNDS=2 LOAD_THREADS=2 LOAD_CONNECTIONS=32
#   LOAD_REPLAY_REQUESTS=400000   distinct requests per route and round (enough for the run)
#   LOAD_PROFILE=release
#
# Installs wrk and redis-server from Debian when missing; starts its own redis-server on a
# free loopback port (no persistence, a temporary directory) and stops it afterwards.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=benches/load/lib.sh
source "$here/lib.sh"

duration="${LOAD_DURATION:-5}"
rounds="${LOAD_ROUNDS:-2}"
threads="${LOAD_THREADS:-2}"
connections="${LOAD_CONNECTIONS:-32}"
per_round="${LOAD_REPLAY_REQUESTS:-400000}"
profile="${LOAD_PROFILE:-release}"
base_url="https://myapp.example.com"

for tool in wrk redis-server; do
    if ! command -v "$tool" >/dev/null; then
        echo "== installing $tool (Debian)" >&2
        apt-get update -qq && apt-get install -y -qq "$tool" >/dev/null
    fi
done

server_bin="$(build_example load_target_replay axum,redis "$profile")"

work="$(mktemp -d "${TMPDIR:-/tmp}/twilio-auth-replay-load.XXXXXX")"
server_pid=""
redis_pid=""
cleanup() {
    [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
    [[ -n "$redis_pid" ]] && kill "$redis_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# --- redis ---------------------------------------------------------------------------------
redis_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$work" >"$work/redis.log" 2>&1 &
redis_pid=$!
for _ in $(seq 100); do
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
    sleep 0.1
done
redis-cli -p "$redis_port" ping >/dev/null || { echo "error: redis-server did not start" >&2; cat "$work/redis.log" >&2; exit 2; }

# --- requests ------------------------------------------------------------------------------
eval "$(python3 "$here/sign.py" "$root/tests/data/workloads.json" "$base_url" /verified/voice 65536)"
total=$((per_round * rounds))
echo "== signing $total distinct requests per route" >&2
for route in verified replay; do
    eval "$(python3 "$here/replay_requests.py" "$root/tests/data/workloads.json" "$base_url" \
        "/$route/voice" "$total" "$work/$route.txt")"
done
export LOAD_PREFIX LOAD_SUFFIX LOAD_QUERY

# --- server --------------------------------------------------------------------------------
PORT=0 TWILIO_AUTH_TOKEN="$LOAD_TOKEN" TWILIO_WEBHOOK_BASE_URL="$base_url" \
    REDIS_URL="redis://127.0.0.1:$redis_port/" RUST_LOG="${RUST_LOG:-error}" \
    "$server_bin" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
url="$(wait_for_url "$server_pid" "$work/server.out" "$work/server.err")"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }

run=0
for round in $(seq "$rounds"); do
    offset=$(((round - 1) * per_round))
    order=(verified replay)
    ((round % 2)) || order=(replay verified)
    for route in "${order[@]}"; do
        run=$((run + 1))
        echo "   round $round: /$route/voice" >&2
        before="$(cpu_ticks)"
        LOAD_FILE="$work/$route.txt" LOAD_OFFSET="$offset" LOAD_COUNT="$per_round" \
            LOAD_THREADS="$threads" LOAD_PATH="/$route/voice" \
            timeout "$((duration + 60))" wrk --timeout 5s -t"$threads" -c"$connections" \
            -d"${duration}s" -s "$here/replay.lua" "$url" >"$work/run-$run.txt" 2>&1 ||
            { echo "error: wrk failed:" >&2; cat "$work/run-$run.txt" >&2; exit 1; }
        after="$(cpu_ticks)"
        echo "$route $(grep '^LOADRESULT' "$work/run-$run.txt") cpu_ticks=$((after - before))" >>"$work/results.txt"
    done
done
counts="$(curl -s "$url/count")"

python3 - "$work/results.txt" "$counts" "$(getconf CLK_TCK)" "$connections" <<'EOF'
import sys
from collections import defaultdict

results, counts, clk_tck = sys.argv[1], sys.argv[2].split(), int(sys.argv[3])
runs = defaultdict(list)
for line in open(results):
    route, _, *fields = line.split()
    runs[route].append(dict(f.split("=") for f in fields))

print("Replay guard under load (Redis store), same run, each request a new signed webhook\n")
print("| route | requests | req/s | p50 | p99 | server CPU/request | non-2xx | socket errors |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
total = {}
failures = []
for route in ("verified", "replay"):
    reqs = sum(int(r["requests"]) for r in runs[route])
    secs = sum(int(r["duration_us"]) for r in runs[route]) / 1e6
    cpu_us = sum(int(r["cpu_ticks"]) for r in runs[route]) / clk_tck * 1e6
    p50 = max(int(r["p50_us"]) for r in runs[route])
    p99 = max(int(r["p99_us"]) for r in runs[route])
    non2xx = sum(int(r["non2xx"]) for r in runs[route])
    errors = sum(int(r[k]) for r in runs[route] for k in ("connect", "read", "write", "timeout"))
    laps = sum(int(r["laps"]) for r in runs[route])
    total[route] = (reqs, reqs / secs)
    label = "`POST /verified/voice` (layer)" if route == "verified" else "`POST /replay/voice` (layer + Redis guard)"
    print(f"| {label} | {reqs} | {reqs / secs:,.0f} | {p50} µs | {p99} µs | {cpu_us / reqs:.1f} µs | {non2xx} | {errors} |")
    if non2xx or errors:
        failures.append(f"{route}: {non2xx} non-2xx answers, {errors} socket errors")
    if laps:
        failures.append(f"{route}: a wrk thread ran out of distinct requests ({laps} laps): raise LOAD_REPLAY_REQUESTS")
ratio = total["replay"][1] / total["verified"][1]
print(f"\nguarded / unguarded throughput: {ratio:.1%} (max p50/p99 over the rounds)")
runs_verified, runs_replay = (int(c) for c in counts)
print(f"handler runs: verified {runs_verified} for {total['verified'][0]} requests, "
      f"replay {runs_replay} for {total['replay'][0]} requests")
# wrk counts the responses it read; requests still in flight when a round ends reach the
# handler uncounted (at most one per connection per round). A request answered as a
# duplicate would not run the handler at all: fewer runs than responses is the failure.
slack = int(sys.argv[4]) * len(runs["replay"])
if not 0 <= runs_replay - total["replay"][0] <= slack:
    failures.append(f"the guarded handler ran {runs_replay} times for {total['replay'][0]} distinct requests answered")
if failures:
    print("\nFAIL\n  - " + "\n  - ".join(failures))
    sys.exit(1)
print("\nPASS: every request 200, none sent twice, the guarded handler ran for every request (none taken for a duplicate)")
EOF
