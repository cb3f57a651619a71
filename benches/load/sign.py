#!/usr/bin/env python3
"""Builds the load test's requests from tests/data/workloads.json, with the standard
library only (hmac, hashlib, base64, urllib): no Twilio library.

    sign.py WORKLOADS BASE_URL PATH BODY_LIMIT

prints shell assignments (for `eval`) that the wrk scripts read from the environment:

- LOAD_TOKEN: the workload's Auth Token (the server is started with it);
- LOAD_BODY: the voice workload (21 parameters) as a form body;
- LOAD_QUERY: the workload URL's query, appended to both routes' paths;
- LOAD_SIGNATURE: X-Twilio-Signature of BASE_URL + PATH + LOAD_QUERY with those
  parameters, i.e. the exact URL the server rebuilds from its configured base URL;
- LOAD_FORGED: a forged signature (the workload's bad_signature);
- LOAD_OVERSIZE_BYTES: the size of the over-limit body (BODY_LIMIT + 1 KiB).

Before printing, it checks its signing against the workload's own signature (for the
workload's original URL), so a mistake here fails loudly instead of turning every
"valid" request into a 403.
"""

import base64
import hashlib
import hmac
import json
import shlex
import sys
import urllib.parse


def sign(token: str, url: str, params) -> str:
    """Twilio's form signature: HMAC-SHA1 over the URL followed by each parameter's
    name and value, sorted by name (then value), base64."""
    data = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def main() -> int:
    workloads_path, base_url, path, body_limit = sys.argv[1:5]
    doc = json.load(open(workloads_path, encoding="utf-8"))
    token = doc["token"]
    voice = doc["workloads"]["voice_20_params"]
    params = [tuple(p) for p in voice["params"]]

    own = sign(token, voice["url"], params)
    if own != voice["signature"]:
        print(f"sign.py: self-check failed: {own} != {voice['signature']}", file=sys.stderr)
        return 1

    query = urllib.parse.urlsplit(voice["url"]).query
    url = base_url.rstrip("/") + path + ("?" + query if query else "")
    body = urllib.parse.urlencode(params)
    # The server parses the body back: signing the decoded pairs must equal signing it.
    assert urllib.parse.parse_qsl(body, keep_blank_values=True) == params

    out = {
        "LOAD_TOKEN": token,
        "LOAD_BODY": body,
        "LOAD_QUERY": query,
        "LOAD_SIGNED_URL": url,
        "LOAD_SIGNATURE": sign(token, url, params),
        "LOAD_FORGED": voice["bad_signature"],
        "LOAD_OVERSIZE_BYTES": str(int(body_limit) + 1024),
    }
    for name, value in out.items():
        print(f"{name}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
