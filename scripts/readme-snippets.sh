#!/usr/bin/env bash
# Builds the README's quick starts exactly as printed, so that a snippet that stops compiling
# fails CI (run by scripts/test-all.sh).
#
# In README.md, a line `<!-- readme-check: NAME -->` (invisible when rendered) marks the
# fenced block right after it as part of the scratch crate NAME:
#   - a ```toml block is appended to the crate's Cargo.toml (its `[dependencies]`), with the
#     `twilio-auth = { version = "…", … }` line pointed at this repository by path;
#   - ```rust blocks go, in the README's order, into the crate's src/main.rs.
# Nothing is hidden: what the README prints is the whole crate. Each crate is written under
# the target directory ($CARGO_TARGET_DIR, else target/) in readme-snippets/NAME, gets a copy
# of this workspace's Cargo.lock (the same dependency versions, so no network is needed once
# the workspace's dependencies are fetched) and is built with `cargo build` into the same
# target directory, reusing what the workspace already compiled. Warnings are errors, except
# dead code.
#
#   bash scripts/readme-snippets.sh          # every crate the README marks
#   bash scripts/readme-snippets.sh axum     # only these
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readme=$repo/README.md
target=${CARGO_TARGET_DIR:-$repo/target}
case $target in /*) ;; *) target=$repo/$target ;; esac
scratch=$target/readme-snippets

# NAME<TAB>LANG<TAB>first line, one line per marked block, and the blocks' text into
# $dir/NAME.LANG (appended in order).
extract() {
    local dir=$1
    awk -v dir="$dir" '
        function fail(msg) { printf "README.md:%d: %s\n", NR, msg > "/dev/stderr"; bad = 1; exit 1 }
        !inblock && match($0, /^<!-- readme-check: [a-z0-9-]+ -->$/) {
            name = $0
            sub(/^<!-- readme-check: /, "", name); sub(/ -->$/, "", name)
            marked = NR
            next
        }
        !inblock && marked && marked == NR - 1 && /^```/ {
            lang = substr($0, 4)
            if (lang != "toml" && lang != "rust") fail("a marked block must be ```toml or ```rust, not ```" lang)
            inblock = 1; start = NR + 1
            out = dir "/" name "." lang
            printf "%s\t%s\t%d\n", name, lang, start
            next
        }
        marked && marked == NR - 1 && !inblock { fail("`<!-- readme-check: " name " -->` must be followed by a fenced block") }
        inblock && /^```$/ { inblock = 0; close(out); next }
        inblock { print >> out }
        END { if (!bad && inblock) fail("unterminated block") }
    ' "$readme"
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
extract "$work" > "$work/blocks.tsv"

names=$(cut -f1 "$work/blocks.tsv" | awk '!seen[$0]++')
if [ "$#" -gt 0 ]; then
    for wanted in "$@"; do
        grep -qx -- "$wanted" <<<"$names" || { echo "README.md marks no crate named $wanted (it marks: $(echo $names))" >&2; exit 2; }
    done
    names=$(printf '%s\n' "$@")
fi
[ -n "$names" ] || { echo "README.md marks no snippets (<!-- readme-check: NAME -->)" >&2; exit 1; }

status=0
for name in $names; do
    [ -f "$work/$name.toml" ] || { echo "readme-$name: no \`\`\`toml block is marked" >&2; status=1; continue; }
    [ -f "$work/$name.rust" ] || { echo "readme-$name: no \`\`\`rust block is marked" >&2; status=1; continue; }
    crate=$scratch/$name
    rm -rf "$crate"
    mkdir -p "$crate/src"
    # The README's dependency on the published crate becomes one on this checkout.
    sed -E "s#^twilio-auth = \\{ version = \"[^\"]*\"#twilio-auth = { path = \"$repo\"#" \
        "$work/$name.toml" > "$work/$name.deps"
    if ! grep -q "^twilio-auth = { path = \"$repo\"" "$work/$name.deps"; then
        echo "readme-$name: the toml block has no \`twilio-auth = { version = \"…\", … }\` line" >&2
        status=1
        continue
    fi
    {
        printf '[package]\nname = "readme-%s"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n' "$name"
        # Its own workspace: the crate sits under this repository's target directory.
        printf '[workspace]\n\n'
        printf '[lints.rust]\nwarnings = "deny"\ndead_code = "allow"\n\n'
        # The workspace's debug profile, so that the dependencies it compiled are reused.
        sed -n '/^\[profile\.dev\]/,/^debug = false/p' "$repo/Cargo.toml"
        printf '\n'
        cat "$work/$name.deps"
    } > "$crate/Cargo.toml"
    cp "$work/$name.rust" "$crate/src/main.rs"
    cp "$repo/Cargo.lock" "$crate/Cargo.lock"
    printf '\n== README snippets: %s (%s)\n' "$name" "$crate" >&2
    # From the repository, so that rustup picks the toolchain of rust-toolchain.toml.
    if ! (cd "$repo" && CARGO_TARGET_DIR=$target cargo build --quiet --manifest-path "$crate/Cargo.toml"); then
        echo "readme-$name: the README's snippets (the blocks marked readme-check: $name) do not compile as printed" >&2
        status=1
    fi
done
exit $status
