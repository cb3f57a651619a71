#!/usr/bin/env python3
"""Per-category table of the official verdicts in a case file (for docs/differential-disagreements.md).

Usage: summary.py CASES.json [OURS.json]   (OURS: {"id": true|false} from the Rust test, optional)
"""
import collections
import json
import re
import sys

case_file = json.load(open(sys.argv[1], encoding="utf-8"))
cases = case_file["cases"]
for side, peer in sorted(case_file["peers"].items()):
    print("%s: %s %s from %s" % (side, peer["package"], peer["version"], peer["registry"]))
ours = json.load(open(sys.argv[2])) if len(sys.argv) > 2 else {}
table = collections.OrderedDict()
for c in cases:
    cat = re.sub(r"-\d{4}$", "", c["id"])
    key = (c["python"], c["node"], ours.get(c["id"], "?"))
    table.setdefault(cat, collections.Counter())[key] += 1


def short(v):
    return {True: "T", False: "F", "error": "E"}.get(v, str(v))


def flag(p, n, u):
    """! where python and node agree (an exception counts as a rejection) and we do not."""
    if u == "?" or (p is True) != (n is True):
        return ""
    return "" if (p is True) == u else "!"


for cat, cnt in table.items():
    parts = ", ".join("%spy%s/node%s/us%s:%d" % (flag(p, n, u), short(p), short(n), short(u), k)
                      for (p, n, u), k in sorted(cnt.items(), key=str))
    print("%-32s %s" % (cat, parts))
