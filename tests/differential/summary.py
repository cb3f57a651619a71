#!/usr/bin/env python3
"""Per-category table of the official verdicts in a case file (for docs/differential-disagreements.md).

Usage: summary.py CASES.json [OURS.json]   (OURS: {"id": true|false} from the Rust test, optional)
"""
import collections
import json
import re
import sys

cases = json.load(open(sys.argv[1], encoding="utf-8"))
ours = json.load(open(sys.argv[2])) if len(sys.argv) > 2 else {}
table = collections.OrderedDict()
for c in cases:
    cat = re.sub(r"-\d{4}$", "", c["id"])
    key = (c["python"], c["node"], ours.get(c["id"], "?"))
    table.setdefault(cat, collections.Counter())[key] += 1


def short(v):
    return {True: "T", False: "F", "error": "E"}.get(v, str(v))


for cat, cnt in table.items():
    parts = ", ".join("py%s/node%s/us%s:%d" % (short(p), short(n), short(u), k) for (p, n, u), k in sorted(cnt.items(), key=str))
    print("%-32s %s" % (cat, parts))
