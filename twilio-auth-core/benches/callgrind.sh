#!/usr/bin/env bash
# Instructions and (simulated) branch misses per verification, from callgrind, for the
# criterion ids of `benches/verify.rs`: `bash twilio-auth-core/benches/callgrind.sh [id…]`
# (default: the valid and forged form workloads). Needs valgrind. Valgrind hides the CPU's
# SHA extensions, so SHA-1 runs its portable code here: its instructions are shown apart
# (`sha`), and `rest` is everything else a verification does.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
bench=$(cargo bench -p twilio-auth-core --bench verify --no-run --message-format=json 2>/dev/null |
    grep -o '"executable":"[^"]*verify-[^"]*"' | tail -1 | cut -d'"' -f4)
ids=("$@")
[ ${#ids[@]} -gt 0 ] || ids=(voice_valid voice_forged sms_valid sms_forged)
out=$(mktemp -d)
printf '%-22s %10s %10s %10s %12s\n' id instr/verify sha rest branch-miss
for id in "${ids[@]}"; do
    file="$out/$id.out"
    valgrind --tool=callgrind --branch-sim=yes --callgrind-out-file="$file" \
        "$bench" --bench --profile-time 1 "verify/$id\$" >/dev/null 2>&1
    calls=$(callgrind_annotate --tree=caller "$file" 2>/dev/null |
        grep -E '< .*Config>::verify \(' | grep -oE '\(([0-9,]+)x\)' | tr -dc 0-9)
    # Inclusive cost of `verify`: Ir and the two kinds of mispredicted branches.
    read -r ir bcm bim < <(callgrind_annotate --inclusive=yes --show=Ir,Bcm,Bim "$file" 2>/dev/null |
        grep -E 'Config>::verify \[' | head -1 | sed -E 's/\([^)]*\)//g; s/,//g' | awk '{print $1, $2, $3}')
    sha=$(callgrind_annotate --show=Ir "$file" 2>/dev/null | grep -E 'sha1::compress' |
        awk '{gsub(",","",$1); s+=$1} END {print s+0}')
    awk -v id="$id" -v c="$calls" -v ir="$ir" -v sha="$sha" -v b="$((bcm + bim))" 'BEGIN {
        printf "%-22s %10d %10d %10d %12.1f\n", id, ir/c, sha/c, (ir-sha)/c, b/c }'
done
rm -rf "$out"
