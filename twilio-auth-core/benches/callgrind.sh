#!/usr/bin/env bash
# Instructions and (simulated) branch misses per verification, from callgrind, for the
# criterion ids of `benches/verify.rs`: `bash twilio-auth-core/benches/callgrind.sh [id…]`
# (default: the valid and forged form workloads). Needs valgrind. Valgrind hides the CPU's
# SHA extensions, so SHA-1 runs its portable code here: its instructions are shown apart
# (`sha`), and `rest` is everything else a verification does. Valgrind has no AVX-512
# either: the form decoder's vector path (`form/simd.rs`) does not run under it, the scalar
# one does, so these counts are the scalar decoder's. `BENCH_BIN=<path>` profiles an
# already built bench binary (another commit's) instead of building this one.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
bench=${BENCH_BIN:-}
[ -n "$bench" ] || bench=$(cargo bench -p twilio-auth-core --bench verify --no-run --message-format=json 2>/dev/null |
    grep -o '"executable":"[^"]*verify-[^"]*"' | tail -1 | cut -d'"' -f4)
ids=("$@")
[ ${#ids[@]} -gt 0 ] || ids=(voice_valid voice_forged sms_valid sms_forged)
out=$(mktemp -d)
printf '%-22s %10s %10s %10s %12s\n' id instr/verify sha rest branch-miss
for id in "${ids[@]}"; do
    file="$out/$id.out"
    valgrind --tool=callgrind --branch-sim=yes --callgrind-out-file="$file" \
        "$bench" --bench --profile-time 1 "verify/$id\$" >/dev/null 2>&1
    # Calls of `verify_observed` (the one path every verification takes), summed over its
    # callers (`verify` may be inlined into the benchmark's closure).
    calls=$(callgrind_annotate --tree=caller "$file" 2>/dev/null | awk '
        /^ *[0-9,]+ .*< / { if (match($0, /\(([0-9,]+)x\)/)) { c = substr($0, RSTART + 1, RLENGTH - 3); gsub(",", "", c); sum += c } next }
        /\* .*Config>::verify_observed \[/ && !done { print sum; done = 1 }
        { sum = 0 }')
    if [ -z "$calls" ] || [ "$calls" = 0 ]; then
        printf '%-22s %s\n' "$id" "(verify_observed inlined into the benchmark: not counted)"
        continue
    fi
    # Inclusive cost of `verify_observed`: Ir and the two kinds of mispredicted branches.
    read -r ir bcm bim < <(callgrind_annotate --inclusive=yes --show=Ir,Bcm,Bim "$file" 2>/dev/null |
        grep -E 'Config>::verify_observed \[' | head -1 | sed -E 's/\([^)]*\)//g; s/,//g' | awk '{print $1, $2, $3}')
    sha=$(callgrind_annotate --show=Ir "$file" 2>/dev/null | grep -E 'sha1::compress' |
        awk '{gsub(",","",$1); s+=$1} END {print s+0}')
    awk -v id="$id" -v c="$calls" -v ir="$ir" -v sha="$sha" -v b="$((bcm + bim))" 'BEGIN {
        printf "%-22s %10d %10d %10d %12.1f\n", id, ir/c, sha/c, (ir-sha)/c, b/c }'
done
rm -rf "$out"
