#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 30) each, one after the other, with cargo-fuzz
# (libFuzzer) on the stable toolchain: `-s none` (no sanitizer: Rust is memory-safe and
# `-Zsanitizer` needs nightly) and `-a` (debug assertions, so integer overflow panics).
# Exits non-zero if any target crashed; the crashing inputs are in fuzz/artifacts/<target>/.
#
#   fuzz/run.sh            # 30 s per target
#   fuzz/run.sh 600        # the long run (use `nice -n 19` on a shared machine)
#   FUZZ_TARGETS="form_parse authorization" fuzz/run.sh 20
#   FUZZ_TOLERANT=1 fuzz/run.sh 20 # tolerate the known issues of README.md (only their shapes)
#
# New corpus entries go to fuzz/target/corpus-run/<target>, never into the committed
# fuzz/corpus/<target> (which is only read); minimise with `cargo fuzz cmin` (README.md).
set -euo pipefail

SECONDS_PER_TARGET="${1:-30}"
CARGO_FUZZ_VERSION=0.13.2
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
targets="${FUZZ_TARGETS:-form_parse form_decode candidate_urls authorization verify_request sign_then_verify}"
target_dir="$here/target"
scratch="$target_dir/corpus-run"
logs="$target_dir/logs"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz $CARGO_FUZZ_VERSION"
    cargo install --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi

flags=(--sanitizer none --debug-assertions --target-dir "$target_dir" --fuzz-dir "$here")
if [[ "${FUZZ_TOLERANT:-0}" == 1 ]]; then
    flags+=(--no-default-features)
fi

cd "$here/.."
echo "== building fuzz targets ($(cargo fuzz --version))"
cargo fuzz build "${flags[@]}"

mkdir -p "$scratch" "$logs"
failed=()
for t in $targets; do
    mkdir -p "$scratch/$t" "$here/corpus/$t"
    echo "== $t: ${SECONDS_PER_TARGET}s"
    status=0
    cargo fuzz run "${flags[@]}" "$t" "$scratch/$t" "$here/corpus/$t" -- \
        -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -print_final_stats=1 \
        >"$logs/$t.log" 2>&1 || status=$?
    # The final libFuzzer status line (executions, coverage, corpus) and the final stats.
    grep -E '^#[0-9]+[[:space:]]+DONE' "$logs/$t.log" | tail -1 || true
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$logs/$t.log" \
        | tr '\n' ' ' || true
    echo
    if [[ $status -ne 0 ]]; then
        echo "!! $t crashed (exit $status); log $logs/$t.log:"
        grep -E -A12 'panicked|ERROR: libFuzzer|SUMMARY' "$logs/$t.log" | head -60 || tail -40 "$logs/$t.log"
        ls "$here/artifacts/$t" 2>/dev/null || true
        failed+=("$t")
    fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzz: crashes in ${failed[*]}; reproduce with"
    echo "  cargo fuzz run -s none -a <target> fuzz/artifacts/<target>/<crash file>"
    exit 1
fi
echo "fuzz: no crash in $(wc -w <<<"$targets") targets x ${SECONDS_PER_TARGET}s"
