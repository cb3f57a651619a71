#!/usr/bin/env bash
# Instructions and (simulated) branch misses per verification, from callgrind, for the
# criterion ids of `benches/verify.rs`: `bash twilio-auth-core/benches/callgrind.sh [id…]`
# (default: the valid and forged form workloads). Needs valgrind. Valgrind hides the CPU's
# SHA extensions, so SHA-1 runs its portable code here: its instructions are shown apart
# (`sha`), and `rest` is everything else a verification does. Valgrind has no AVX-512
# either: under it the form decoder is the AVX2 one (`form/simd.rs`) when the CPU has AVX2,
# else the scalar one; the last column says which ran. `BENCH_BIN=<path>` profiles an
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
printf '%-22s %10s %10s %10s %12s  %s\n' id instr/verify sha rest branch-miss decoder
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
    # Which form decoder ran: the vector one (AVX2 under valgrind) or the scalar one.
    decoder=$(callgrind_annotate --show=Ir "$file" 2>/dev/null |
        grep -oE 'form::(simd::x86::decode_avx2|decode::decode_scalar)' | head -1 | sed 's/.*:://')
    awk -v id="$id" -v c="$calls" -v ir="$ir" -v sha="$sha" -v b="$((bcm + bim))" -v d="${decoder:--}" 'BEGIN {
        printf "%-22s %10d %10d %10d %12.1f  %s\n", id, ir/c, sha/c, (ir-sha)/c, b/c, d }'
done
rm -rf "$out"
