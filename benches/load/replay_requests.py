#!/usr/bin/env python3
"""Distinct signed voice webhooks for the replay-guard load test (benches/load/replay.sh),
with the standard library only.

    replay_requests.py WORKLOADS BASE_URL PATH COUNT OUT

A replay guard answers a request it has seen with a cheap duplicate reply, so a load test of
the guard needs a new request each time, as Twilio sends them. Each request here is the
voice workload of tests/data/workloads.json with its own CallSid (same length, so every
body has the same size), signed for BASE_URL + PATH + the workload's query. OUT gets one
line per request, `CALLSID SIGNATURE`; the body around the CallSid is printed as shell
assignments (LOAD_PREFIX, LOAD_SUFFIX) for `eval`, so the wrk script builds
`prefix .. callsid .. suffix` without a copy of the body per line.
"""

import base64
import hashlib
import hmac
import json
import shlex
import sys
import urllib.parse


def main() -> int:
    workloads_path, base_url, path, count, out_path = sys.argv[1:6]
    doc = json.load(open(workloads_path, encoding="utf-8"))
    token = doc["token"].encode()
    voice = doc["workloads"]["voice_20_params"]
    params = [tuple(p) for p in voice["params"]]
    sid_at = [i for i, (name, _) in enumerate(params) if name == "CallSid"]
    if len(sid_at) != 1:
        print("replay_requests.py: the workload needs one CallSid", file=sys.stderr)
        return 1
    sid_at = sid_at[0]
    marker = "CA" + "Z" * 32
    params[sid_at] = ("CallSid", marker)
    body = urllib.parse.urlencode(params)
    prefix, suffix = body.split(marker)
    query = urllib.parse.urlsplit(voice["url"]).query
    url = base_url.rstrip("/") + path + ("?" + query if query else "")

    # The signed string is the URL, then name+value of each parameter sorted by name: only
    # the CallSid's value changes, so the parts before and after it are built once.
    ordered = sorted(params)
    at = ordered.index(("CallSid", marker))
    head = (url + "".join(n + v for n, v in ordered[:at]) + "CallSid").encode()
    tail = "".join(n + v for n, v in ordered[at + 1 :]).encode()
    with open(out_path, "w", encoding="ascii") as out:
        for i in range(int(count)):
            sid = "CA%032x" % (i + 1)
            mac = hmac.new(token, head + sid.encode() + tail, hashlib.sha1).digest()
            out.write(f"{sid} {base64.b64encode(mac).decode()}\n")
    print(f"LOAD_PREFIX={shlex.quote(prefix)}")
    print(f"LOAD_SUFFIX={shlex.quote(suffix)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
