#!/usr/bin/env python3
"""The summary of benches/load/run.sh: reads the LOADRESULT lines the wrk scripts wrote and
the RSS samples, prints the two tables, and exits 1 when a check fails."""

import argparse
import os
import statistics
import sys
from pathlib import Path

EXPECTED = {"valid": "200", "forged": "403", "oversize": "413"}
LABEL = {"valid": "valid", "forged": "forged", "oversize": "over limit"}
SOCKET_ERRORS = ("connect", "read", "write", "timeout")


def parse(line: str) -> dict:
    fields = {}
    for item in line.split():
        if "=" in item:
            key, value = item.split("=", 1)
            fields[key] = value if key == "kind" else int(value)
    return fields


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f} MiB"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("work", type=Path)
    ap.add_argument("--app", default="axum")
    ap.add_argument("--settings", default="")
    ap.add_argument("--mixed-settings", default="")
    ap.add_argument("--min-ratio", type=float, default=0.90)
    ap.add_argument("--alive", default="1")
    args = ap.parse_args()
    failures = []

    # --- throughput -----------------------------------------------------------------------
    runs = []
    for line in (args.work / "throughput.txt").read_text().splitlines():
        path, rest = line.split(" ", 1)
        runs.append((path, parse(rest)))
    print(f"Throughput of the {args.app} load target ({args.settings})")
    print()
    print("| run | route | requests | req/s | server CPU/request | p50 | p99 | non-2xx | socket errors |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    tick_us = 1e6 / os.sysconf("SC_CLK_TCK")
    cpu = {}
    totals = {}
    for i, (path, r) in enumerate(runs, 1):
        rps = r["requests"] / (r["duration_us"] / 1e6)
        errors = sum(r[k] for k in SOCKET_ERRORS)
        cpu_us = r["server_cpu_ticks"] * tick_us
        ticks, reqs = cpu.get(path, (0, 0))
        cpu[path] = (ticks + cpu_us, reqs + r["requests"])
        print(
            f"| {i} | `POST {path}` | {r['requests']} | {rps:,.0f} | {cpu_us / r['requests']:.1f} µs "
            f"| {r['p50_us']} µs "
            f"| {r['p99_us']} µs | {r['non2xx']} | {errors} |"
        )
        req, dur = totals.get(path, (0, 0))
        totals[path] = (req + r["requests"], dur + r["duration_us"])
        if r["non2xx"] or errors:
            failures.append(f"throughput run {i} ({path}): {r['non2xx']} non-2xx, {errors} socket errors")
    rate = {path: req / (dur / 1e6) for path, (req, dur) in totals.items()}
    verified, plain = rate["/verified/voice"], rate["/plain/voice"]
    ratio = verified / plain
    # Rounds (V P, P V, ...): how much of the difference is the machine's noise.
    pairs = []
    for (pa, a), (pb, b) in zip(runs[0::2], runs[1::2]):
        by_path = {pa: a, pb: b}
        if set(by_path) == {"/verified/voice", "/plain/voice"}:
            v, p = by_path["/verified/voice"], by_path["/plain/voice"]
            pairs.append((v["requests"] / v["duration_us"]) / (p["requests"] / p["duration_us"]))
    print()
    if pairs:
        print(
            "ratio per round (verified / plain): " + ", ".join(f"{p:.1%}" for p in pairs)
            + f"; median {statistics.median(pairs):.1%}"
        )
    print(
        f"verified {verified:,.0f} req/s, plain {plain:,.0f} req/s (both runs of each pooled): "
        f"ratio {ratio:.1%} (target >= {args.min_ratio:.0%})"
    )
    # Less sensitive to other work on the machine than requests/s: the server's own CPU
    # time (user + system, /proc/<pid>/stat) per request, pooled per route.
    per = {p: us / n for p, (us, n) in cpu.items()}
    cv, cp = per["/verified/voice"], per["/plain/voice"]
    print(
        f"server CPU per request: verified {cv:.1f} µs, plain {cp:.1f} µs "
        f"(+{cv - cp:.1f} µs; plain/verified = {cp / cv:.1%})"
    )
    if ratio < args.min_ratio:
        failures.append(f"verified route at {ratio:.1%} of plain, under {args.min_ratio:.0%}")

    # --- mixed ----------------------------------------------------------------------------
    print()
    print(f"Mixed load on `POST /verified/voice` ({args.mixed_settings})")
    print()
    print("| kind | expected | requests | req/s | statuses | non-expected | socket errors (c/r/w/t) | p99 |")
    print("|---|---:|---:|---:|---|---:|---|---:|")
    mixed = {}
    for line in (args.work / "mixed.txt").read_text().splitlines():
        r = parse(line)
        mixed[r["kind"]] = r
    all_requests = 0
    for kind in ("valid", "forged", "oversize"):
        r = mixed.get(kind)
        if r is None:
            failures.append(f"no result for the {kind} requests")
            continue
        statuses = {k[len("status_"):]: v for k, v in r.items() if k.startswith("status_")}
        unexpected = sum(n for s, n in statuses.items() if s != EXPECTED[kind])
        errors = [r[k] for k in SOCKET_ERRORS]
        rps = r["requests"] / (r["duration_us"] / 1e6)
        all_requests += r["requests"]
        shown = ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())) or "none"
        print(
            f"| {LABEL[kind]} | {EXPECTED[kind]} | {r['requests']} | {rps:,.0f} | {shown} "
            f"| {unexpected} | {'/'.join(map(str, errors))} | {r['p99_us']} µs |"
        )
        if unexpected:
            failures.append(f"{kind}: {unexpected} responses other than {EXPECTED[kind]}")
        if sum(statuses.values()) != r["requests"]:
            failures.append(f"{kind}: {r['requests']} requests but {sum(statuses.values())} statuses counted")
        if not r["requests"]:
            failures.append(f"{kind}: no request completed")
        # An over-limit request is answered before its body is read; the server may then
        # close the connection on a client still writing. Valid and forged requests must
        # never see a socket error.
        if kind != "oversize" and sum(errors):
            failures.append(f"{kind}: socket errors connect/read/write/timeout = {errors}")
        if kind == "oversize" and r["timeout"]:
            failures.append(f"oversize: {r['timeout']} timeouts")

    # --- memory ---------------------------------------------------------------------------
    samples = []
    for line in (args.work / "rss.txt").read_text().splitlines():
        t, rss, hwm = line.split()
        samples.append((t, int(rss), int(hwm)))
    start = samples[0][1]
    end = samples[-1][1]
    peak = max(s[1] for s in samples)
    hwm = samples[-1][2]
    timed = [s for s in samples if s[0] != "end" and s[0] != "0"]
    # Flat: after the first quarter of the run (connections opened, buffers and allocator
    # arenas at their working size), RSS at the end of the load is within max(8 MiB, 10%)
    # of that early level.
    early = timed[max(0, len(timed) // 4 - 1)][1] if timed else start
    last_loaded = timed[-1][1] if timed else end
    growth = last_loaded - early
    flat = growth <= max(8 * 1024, early // 10)
    print()
    print(
        f"Server memory ({len(timed)} samples, 1/s): RSS start {mib(start)}, "
        f"after 1/4 of the run {mib(early)}, max {mib(peak)}, last under load {mib(last_loaded)}, "
        f"end {mib(end)}; VmHWM {mib(hwm)}; growth over the last 3/4: {growth / 1024:+.1f} MiB"
        f" -> {'flat' if flat else 'NOT flat'}"
    )
    print(f"Total mixed requests: {all_requests}; server alive and answering afterwards: "
          f"{'yes' if args.alive == '1' else 'NO'}")
    if not flat:
        failures.append(f"memory grew by {growth / 1024:.1f} MiB under steady load")
    if hwm > 256 * 1024:
        failures.append(f"peak RSS {mib(hwm)} over 256 MiB")
    if args.alive != "1":
        failures.append("the server died or stopped answering valid requests")

    print()
    if failures:
        print("FAIL")
        for f in failures:
            print(f"  - {f}")
        return 1
    print("PASS: all checks hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
