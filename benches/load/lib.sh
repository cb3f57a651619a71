# Shared by the load scripts (run.sh, replay.sh), which source it: building an example
# target, and waiting for a started server's ready line.

# build_example EXAMPLE FEATURES PROFILE: builds examples/EXAMPLE.rs (in this repository)
# with FEATURES and PROFILE and prints the path of its executable; exits 2 when there is none.
build_example() {
    local example="$1" features="$2" profile="$3" bin
    echo "== building examples/$example.rs ($profile)" >&2
    bin="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." &&
        cargo build --profile "$profile" --example "$example" --features "$features" \
            --message-format=json-render-diagnostics |
        python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == sys.argv[1] and m.get("executable"):
        print(m["executable"])' "$example")"
    [[ -x "$bin" ]] || { echo "error: no $example executable" >&2; exit 2; }
    printf '%s\n' "$bin"
}

# wait_for_url PID OUT ERR: waits (up to 20 s) for the server PID to print its one ready
# line, `listening on http://127.0.0.1:PORT`, to the file OUT, and prints that URL; when the
# server exits or never prints it, shows its stderr (the file ERR) and exits 2.
wait_for_url() {
    local pid="$1" out="$2" err="$3" url=""
    for _ in $(seq 200); do
        url="$(sed -n 's/^listening on \(http:\/\/127\.0\.0\.1:[0-9]*\)$/\1/p' "$out" 2>/dev/null || true)"
        [[ -n "$url" ]] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if [[ -z "$url" ]]; then
        echo "error: the server did not start:" >&2
        cat "$err" >&2
        exit 2
    fi
    printf '%s\n' "$url"
}
