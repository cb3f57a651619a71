#!/usr/bin/env python3
"""twilio-python side of the differential test (runs in the venv that has the pinned `twilio`).

1. Turns the plan from gen.py into concrete cases: computes the signatures assigned to
   python (`RequestValidator.compute_signature`), takes node's from runner.js, keeps
   gen.py's own HMACs, then damages the header value as planned (`mutation`).
2. Evaluates every case with `RequestValidator(token).validate(url, params_or_body, sig)`,
   called the way a Django/Flask app calls it: a multi-value dict of the decoded form for
   form POSTs, the raw body string for other bodies, `{}` for GET. The verdict is
   true / false, or "error" when it raises.

Usage: runner.py PLAN.json NODE_SIGS.json OUT.json
OUT is {"peers": {"python": {"registry", "package", "version"}}, "cases": [...]}.
"""

import base64
import binascii
import json
import random
import sys
from urllib.parse import parse_qsl

import twilio
from twilio.request_validator import RequestValidator

FORM = "application/x-www-form-urlencoded"


class MultiValueDict:
    """Form params as Django's QueryDict exposes them: iterate names, `getlist` values."""

    def __init__(self, pairs):
        self._pairs = [(n, v) for n, v in pairs]

    def __iter__(self):
        seen = []
        for n, _ in self._pairs:
            if n not in seen:
                seen.append(n)
        return iter(seen)

    def __len__(self):
        return len(set(n for n, _ in self._pairs))

    def __contains__(self, name):
        return any(n == name for n, _ in self._pairs)

    def __getitem__(self, name):
        values = self.getlist(name)
        if not values:
            raise KeyError(name)
        return values[-1]

    def getlist(self, name):
        return [v for n, v in self._pairs if n == name]


def is_form(ctype):
    return ctype is not None and ctype.split(";")[0].strip().lower() == FORM


def python_sign(plan):
    params = MultiValueDict(plan["params"]) if plan["params"] is not None else {}
    return RequestValidator(plan["token"]).compute_signature(plan["url"], params)


def mutate(sig, mutation, plan, rng):
    """Damage a good header value the way broken proxies and attackers do."""
    if mutation is None:
        return sig
    raw = base64.b64decode(sig)
    if mutation == "missing":
        return None
    if mutation == "empty":
        return ""
    if mutation == "nonbase64":
        return rng.choice(["not*base64!", "%%%%", "????????????????????????????", sig[:-2] + "!="])
    if mutation == "truncate1":
        return sig[:-1]
    if mutation == "truncate4":
        return sig[:-4]
    if mutation == "truncate-half":
        return sig[: len(sig) // 2]
    if mutation == "garbage":
        return base64.b64encode(bytes(rng.getrandbits(8) for _ in range(20))).decode()
    if mutation == "ws-trailing":
        return sig + rng.choice([" ", "  ", "\t"])
    if mutation == "ws-leading":
        return rng.choice([" ", "\t"]) + sig
    if mutation == "ws-inner":
        i = rng.randrange(1, len(sig) - 1)
        return sig[:i] + " " + sig[i:]
    if mutation == "newline":
        return sig + rng.choice(["\n", "\r\n"])
    if mutation == "nopad":
        return sig.rstrip("=")
    if mutation == "urlsafe":
        s = sig.replace("+", "-").replace("/", "_")
        return s if s != sig else s.rstrip("=")  # nothing to swap: unpadded instead
    if mutation == "lower":
        s = sig.lower()
        return s if s != sig else sig.upper()
    if mutation == "doubled":
        return sig + sig
    if mutation == "sha256":
        params = MultiValueDict(plan["params"]) if plan["params"] is not None else {}
        return RequestValidator(plan["token"]).compute_signature(plan["url"], params, algorithm="HMAC_SHA256")
    if mutation == "hex":
        return binascii.hexlify(raw).decode()
    if mutation == "extra-pad":
        return sig + "="
    if mutation == "nonascii":
        i = rng.randrange(len(sig))
        return sig[:i] + "\u00e9" + sig[i + 1:]
    raise ValueError("unknown mutation " + mutation)


def evaluate(case):
    validator = RequestValidator(case["token"])
    sig = case["signature"] if case["signature"] is not None else ""
    if case["method"] == "GET":
        arg = {}
    elif is_form(case["content_type"]):
        arg = MultiValueDict(case["params"])
    else:
        arg = case["body"]
    try:
        return bool(validator.validate(case["url"], arg, sig)), None
    except Exception as e:  # noqa: BLE001 - any exception is the library's verdict "error"
        return "error", "%s: %s" % (type(e).__name__, e)


def main():
    plan_path, node_sigs_path, out_path = sys.argv[1:4]
    with open(plan_path, encoding="utf-8") as f:
        plan = json.load(f)
    with open(node_sigs_path, encoding="utf-8") as f:
        node_sigs = json.load(f)

    out = []
    for c in plan:
        case = {k: c[k] for k in ("id", "token", "method", "url", "content_type", "body", "params")}
        if "sign" in c:
            s = c["sign"]
            if s["by"] == "python":
                sig = python_sign(s)
            elif s["by"] == "node":
                sig = node_sigs[c["id"]]
            else:
                sig = s["signature"]
            case["signature"] = mutate(sig, s["mutation"], s, random.Random(c["id"]))
            case["signed_by"] = s["by"]
        else:
            case["signature"] = c["signature"]
            case["signed_by"] = None
        if c["params"] is not None:
            decoded = [list(p) for p in parse_qsl(c["body"], keep_blank_values=True, strict_parsing=False)]
            if decoded != c["params"]:
                raise SystemExit("%s: body %r does not decode to params %r" % (c["id"], c["body"], c["params"]))
        verdict, err = evaluate(case)
        case["python"] = verdict
        if err:
            case["python_error"] = err
        case["note"] = c["note"]
        out.append(case)

    # The peer versions travel with the verdicts: the Rust test asserts them, so a case file
    # made with other libraries than the pinned ones cannot pass unnoticed.
    peers = {"python": {"registry": "PyPI", "package": "twilio", "version": twilio.__version__}}
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({"peers": peers, "cases": out}, f, ensure_ascii=False)
    counts = {v: sum(1 for c in out if c["python"] == v) for v in (True, False, "error")}
    print("runner.py (twilio-python %s): %d cases, true %d, false %d, error %d"
          % (twilio.__version__, len(out), counts[True], counts[False], counts["error"]), file=sys.stderr)


if __name__ == "__main__":
    main()
