"""Prints the comparison table from the three result sets."""
import json
import os
import sys

node, python, target = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
ours = {}
for name in ("voice", "sms", "json64k"):
    with open(os.path.join(target, "criterion", "verify", f"{name}_valid", "new", "estimates.json")) as f:
        ours[name] = 1e9 / json.load(f)["mean"]["point_estimate"]

rows = [("workload (valid request)", "twilio-auth", "twilio-node 5.13.1", "twilio-python 9.13.0", "ours/node", "ours/python")]
for name, label in (("voice", "voice, 21 params, 518 B"), ("sms", "sms, 100 params, 8 KiB"), ("json64k", "json, 64 KiB bodySHA256")):
    rows.append((label, f"{ours[name]:,.0f}/s", f"{node[name]:,.0f}/s", f"{python[name]:,.0f}/s",
                 f"{ours[name] / node[name]:.1f}×", f"{ours[name] / python[name]:.1f}×"))
widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
for i, row in enumerate(rows):
    print("| " + " | ".join(c.ljust(w) if j == 0 else c.rjust(w) for j, (c, w) in enumerate(zip(row, widths))) + " |")
    if i == 0:
        print("|" + "|".join("-" * (w + 1) + ("-" if j == 0 else ":") for j, w in enumerate(widths)) + "|")
