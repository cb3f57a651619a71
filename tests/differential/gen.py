#!/usr/bin/env python3
"""Generate the request plan for the differential test (stdlib only, fixed seed).

Every planned case describes a webhook request as the server sees it (method, full
URL, content type, raw body, decoded form params) plus *how to sign it*: which
signer (`python` = twilio-python's `RequestValidator.compute_signature`, `node` =
twilio-node's `getExpectedTwilioSignature`, `hmac` = plain HMAC-SHA1 done here),
over which URL and params (a variant of the request's own, to exercise candidate
URLs), and how the resulting header value is then damaged, if at all.

The signers run later (`runner.py` and `runner.js`); this script only plans.
Case ids are `<category>-<nnnn>`: the Rust test's intentional-disagreement table
is keyed by category, so categories group cases that share a reason to differ.

Usage: gen.py OUT.json
"""

import base64
import hashlib
import hmac
import json
import random
import sys
from urllib.parse import quote, quote_plus

SEED = 20240611
rng = random.Random(SEED)

FORM = "application/x-www-form-urlencoded"
FORM_TYPES = [FORM] * 6 + [FORM + "; charset=UTF-8", "Application/X-WWW-Form-Urlencoded"]
JSON_TYPES = ["application/json"] * 5 + ["application/json; charset=utf-8", "text/plain", "application/xml"]

# ---------------------------------------------------------------- building blocks

HOSTS_PLAIN = [
    "example.com", "voice.example.com", "mycompany.com", "abc123.ngrok-free.app",
    "127.0.0.1", "localhost", "hooks.example.org", "xn--bcher-kva.example",
]
# IPv6 literals in the canonical form node's URL parser prints them in
HOSTS_V6 = ["[::1]", "[2001:db8::1]", "[fe80::1ff:fe23:4567:890a]"]
# node prints this one as [2001:db8::7], and drops the empty password of "a:@"
HOST_V6_LONG = "[2001:db8:0:0:0:0:0:7]"
CREDS = ["user:pass@", "user@", "twilio:s3cr3t@", "us%40er:p%3Ass@"]
CRED_EMPTY_PASSWORD = "a:@"
PATHS_SAFE = [
    "/", "/voice", "/sms", "/sms/incoming", "/api/v1/calls/status", "/myapp.php", "/hooks/twilio/",
    "/a/b/c", "/status-callback", "/recording_done", "/v2/messages.json", "/x;jsessionid=1",
    "/path%20with%20space", "/enc%2Fslash",
]
PATHS_UNICODE = ["/caf\u00e9", "/\u65e5\u672c", "/\U0001f600", "/it's", "/caf%C3%A9", "/\uff01"]

# query pieces that every URL parser leaves alone (python and node keep them byte for byte)
QUERY_SAFE = [
    "a=1", "foo=1&bar=2", "To=%2B15551234567", "time=12%3A30", "q=caf%C3%A9",
    "redirect=https%3A%2F%2Fexample.com%2F", "list=1&list=1&list=2", "Reason=x&ReasonConferenceEnded=y",
    "A=1&a=2", "empty=", "x=a%20b", "k=(x)", "k=%7E", "name=it%27s", "n=%F0%9F%98%80",
    "CallSid=CA123&AccountSid=AC456", "page=2&size=50",
]
# query pieces node's URL parser re-encodes (', raw unicode) or its legacy querystring
# round trip changes (+, :, lowercase hex, key without '='); python keeps them as they are
QUERY_NODE_BREAKS = [
    "name=it's", "time=12:30", "q=caf\u00e9", "q=\u65e5\u672c", "e=\U0001f600", "b=\uff01", "p=\ue000",
    "x=a+b", "flag", "h=%c3%a9", "k=~", "s=a b",
]

PARAM_NAMES = [
    "CallSid", "AccountSid", "From", "To", "Body", "CallStatus", "Caller", "Digits", "SpeechResult",
    "MessageSid", "NumMedia", "MediaUrl0", "Reason", "ReasonConferenceEnded", "CALLSID", "callSid",
    "callsid", "a", "A", "aa", "b", "1", "10", "2", "Body[]", "a.b", "x y", "__proto__", "constructor",
    "toString", "\u00fc", "\u540d\u524d", "\U0001f600", "a\U0001f600", "a\uff01", "\ue000", "",
]
PARAM_VALUES = [
    "", "hello", "Hello world", "+15551234567", "CA1234567890ABCDE", "it's", "50%", "a+b", "a&b=c",
    "\u00e9", "\u65e5\u672c\u8a9e", "\U0001f600", "\uff01", "\ue000", "\U0001f600\uff01", "line1\nline2",
    "tab\there", "  spaced  ", "%27", "null", "https://example.com/r?x=1&y=2", "x" * 200, "0", "00",
    "\u00c5ngstr\u00f6m", "\U0001d11e clef", "<Response/>", "\"quoted\"",
]
# pairs whose order differs between byte/code point order (python) and UTF-16 order
# (node): an astral char (surrogates D800-DFFF) against a BMP char at or above U+E000
ASTRAL_VS_HIGH_BMP = [
    ("a\U0001f600", "a\uff01"), ("\U0001f600", "\ue000"), ("x\U00010000", "x\uffe0"),
    ("\U0001d11e", "\uf900"), ("k\U0001f4a9z", "k\ufb01"),
]

TOKENS_COMMON = ["12345", "2bd9e9638872de601313dc77410d3b23", "your_auth_token"]


def token():
    r = rng.random()
    if r < 0.15:
        return rng.choice(TOKENS_COMMON)
    if r < 0.20:
        return "".join(rng.choice("ABCDEFabcdef0123456789") for _ in range(32))
    return "%032x" % rng.getrandbits(128)


def other_token(t):
    while True:
        o = token()
        if o != t:
            return o


def build_url(scheme="https", creds="", host="example.com", port=None, path="/", query=None):
    u = scheme + "://" + creds + host
    if port is not None:
        u += ":" + port
    u += path
    if query is not None:
        u += "?" + query
    return u


def safe_query(maxn=3):
    n = rng.choice([0, 0, 1, 1, 2, maxn])
    if n == 0:
        return None
    return "&".join(rng.choice(QUERY_SAFE) for _ in range(n))


def any_query():
    n = rng.choice([0, 1, 1, 2, 3])
    if n == 0:
        return None
    pool = QUERY_SAFE + QUERY_NODE_BREAKS
    return "&".join(rng.choice(pool) for _ in range(n))


def random_url(node_safe=False):
    """A URL that the python validator (and, if node_safe, the node one) keeps intact when signed exactly."""
    scheme = rng.choice(["https"] * 5 + ["http"])
    creds = rng.choice(CREDS + ([] if node_safe else [CRED_EMPTY_PASSWORD])) if rng.random() < 0.1 else ""
    hosts = HOSTS_V6 + ([] if node_safe else [HOST_V6_LONG])
    host = rng.choice(HOSTS_PLAIN + HOSTS_V6[:1]) if rng.random() < 0.9 else rng.choice(hosts)
    port = rng.choice([None] * 6 + ["8443", "8080", "443" if scheme == "https" else "80"])
    path = rng.choice(PATHS_SAFE)
    query = safe_query() if node_safe else any_query()
    return build_url(scheme, creds, host, port, path, query)


def random_params(n=None, pool_names=PARAM_NAMES, pool_values=PARAM_VALUES, orders_may_differ=False):
    """Random form pairs. Unless orders_may_differ, byte order and UTF-16 order give the same
    signed string (so only the sort-utf16 category exercises that difference)."""
    while True:
        out = _random_params(n, pool_names, pool_values)
        if orders_may_differ or canonical("", out) == canonical("", out, "utf16"):
            return out


def _random_params(n, pool_names, pool_values):
    if n is None:
        n = rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 10, 12])
    out = []
    for _ in range(n):
        name = rng.choice(pool_names)
        value = rng.choice(pool_values)
        out.append([name, value])
        r = rng.random()
        if r < 0.1:
            out.append([name, value])  # duplicate pair
        elif r < 0.2:
            out.append([name, rng.choice(pool_values)])  # repeated name
    rng.shuffle(out)
    return out


def twilio_like_params():
    p = [
        ["AccountSid", "AC" + "%032x" % rng.getrandbits(128)],
        ["CallSid", "CA" + "%032x" % rng.getrandbits(128)],
        ["From", "+1%010d" % rng.randrange(10**10)],
        ["To", "+1%010d" % rng.randrange(10**10)],
        ["CallStatus", rng.choice(["ringing", "in-progress", "completed"])],
        ["Direction", "inbound"],
        ["ApiVersion", "2010-04-01"],
    ]
    if rng.random() < 0.5:
        p.append(["Digits", str(rng.randrange(10000))])
    if rng.random() < 0.4:
        p.append(["SpeechResult", rng.choice(["yes", "I'd like to talk to sales", "caf\u00e9 s'il vous pla\u00eet"])])
    rng.shuffle(p)
    return p


def form_encode(params, style="plus"):
    """x-www-form-urlencoded body; the decoded pairs are always `params`."""
    parts = []
    for name, value in params:
        if style == "plus":
            parts.append(quote_plus(name, safe="") + "=" + quote_plus(value, safe=""))
        elif style == "pct20":
            parts.append(quote(name, safe="") + "=" + quote(value, safe=""))
        elif style == "lowerhex":
            parts.append(_lowerhex(quote_plus(name, safe="")) + "=" + _lowerhex(quote_plus(value, safe="")))
        elif style == "overencode":
            parts.append("".join("%%%02X" % b for b in name.encode()) + "=" + "".join("%%%02X" % b for b in value.encode()))
        elif style == "safe-raw":
            # characters that need no escaping in a form body left raw (* - . _ ~ ! ( ) ' :)
            parts.append(quote_plus(name, safe="*-._~!()':,") + "=" + quote_plus(value, safe="*-._~!()':,"))
        else:
            raise ValueError(style)
    return "&".join(parts)


def _lowerhex(s):
    out, i = [], 0
    while i < len(s):
        if s[i] == "%":
            out.append("%" + s[i + 1:i + 3].lower())
            i += 3
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def canonical(url, params, order="utf8"):
    """The string Twilio signs: URL + sorted names + their sorted, de-duplicated values."""
    s = url
    if params:
        key = (lambda x: x.encode("utf-16-be")) if order == "utf16" else (lambda x: x)
        names = sorted({n for n, _ in params}, key=key)
        for n in names:
            for v in sorted({v for nn, v in params if nn == n}, key=key):
                s += n + v
    return s


def hmac_sign(tok, url, params, order="utf8", algo=hashlib.sha1):
    mac = hmac.new(tok.encode(), canonical(url, params, order).encode(), algo)
    return base64.b64encode(mac.digest()).decode()


def sha256_hex(body):
    return hashlib.sha256(body.encode()).hexdigest()


def add_query(url, piece):
    return url + ("&" if "?" in url else "?") + piece


# ---------------------------------------------------------------- the plan

CASES = []
COUNTERS = {}


def pick_signer():
    return rng.choice(["python", "python", "node", "node", "hmac"])


def add(cat, *, tok, method, url, ctype, body, params, sign_url=None, sign_params="same",
        by=None, order="utf8", sign_token=None, mutation=None, signature="SIGN", note=""):
    """Append a case. signature="SIGN" means: sign with `by` over sign_url/sign_params,
    then apply `mutation`; anything else (None or a string) is the literal header value."""
    n = COUNTERS.get(cat, 0) + 1
    COUNTERS[cat] = n
    case = {
        "id": "%s-%04d" % (cat, n),
        "token": tok,
        "method": method,
        "url": url,
        "content_type": ctype,
        "body": body,
        "params": params,
        "note": note,
    }
    if signature == "SIGN":
        if sign_params == "same":
            sign_params = params if (ctype is not None and ctype.lower().startswith(FORM)) else None
        by = by or pick_signer()
        plan = {"by": by, "url": sign_url if sign_url is not None else url, "params": sign_params,
                "token": sign_token or tok, "mutation": mutation}
        if by == "hmac":
            plan["signature"] = hmac_sign(plan["token"], plan["url"], sign_params, order)
        case["sign"] = plan
    else:
        case["signature"] = signature
    CASES.append(case)
    return case


def form_case(cat, url=None, params=None, note="", **kw):
    url = url or random_url()
    params = random_params() if params is None else params
    style = kw.pop("style", "plus")
    ctype = kw.pop("ctype", None) or rng.choice(FORM_TYPES)
    return add(cat, tok=kw.pop("tok", None) or token(), method="POST", url=url, ctype=ctype,
               body=form_encode(params, style), params=params, note=note, **kw)


def get_case(cat, url=None, note="", **kw):
    url = url or random_url()
    return add(cat, tok=kw.pop("tok", None) or token(), method="GET", url=url, ctype=None, body="",
               params=None, note=note, **kw)


JSON_BODIES = [
    '{"a":1}', '{}', '', '{"name":"\u65e5\u672c\U0001f600"}', '{"name":"\\u65e5\\u672c"}',
    '{\n  "CallSid": "CA123",\n  "Status": "completed"\n}\n', '[1,2,3]', '{"q":"it\'s","x":"a+b&c=d"}',
    '{"nested":{"list":[true,false,null],"n":1.5e10}}', 'not json at all', ' ', '{"k":"' + "v" * 500 + '"}',
]


def json_body():
    if rng.random() < 0.3:
        return json.dumps({"EventType": rng.choice(["onMessageAdded", "com.twilio.call.completed"]),
                           "Sid": "IS%032x" % rng.getrandbits(128),
                           "Body": rng.choice(PARAM_VALUES)}, ensure_ascii=rng.random() < 0.5)
    return rng.choice(JSON_BODIES)


def json_case(cat, url=None, body=None, hash_piece="good", note="", **kw):
    """hash_piece: good | bad | missing | dup-same | dup-laterbad | dup-firstbad | upper | pct | empty | keycase"""
    base = url or random_url()
    body = json_body() if body is None else body
    h = sha256_hex(body)
    bad = sha256_hex(body + "x")
    pieces = {
        "good": ["bodySHA256=" + h],
        "bad": ["bodySHA256=" + bad],
        "missing": [],
        "dup-same": ["bodySHA256=" + h, "bodySHA256=" + h],
        "dup-laterbad": ["bodySHA256=" + h, "bodySHA256=" + bad],
        "dup-firstbad": ["bodySHA256=" + bad, "bodySHA256=" + h],
        "upper": ["bodySHA256=" + h.upper()],
        "pct": ["bodySHA256=" + "".join("%%%02X" % ord(c) if c.isalpha() else c for c in h)],
        "empty": ["bodySHA256="],
        "keycase": ["bodysha256=" + h],
    }[hash_piece]
    url = base
    for p in pieces:
        url = add_query(url, p)
    ctype = kw.pop("ctype", "RANDOM")
    if ctype == "RANDOM":
        ctype = rng.choice(JSON_TYPES)
    return add(cat, tok=kw.pop("tok", None) or token(), method="POST", url=url, ctype=ctype, body=body,
               params=None, note=note or "json body, bodySHA256 " + hash_piece, **kw)


def plan():
    # ---- valid form POSTs, URL signed exactly as received --------------------------------
    for _ in range(450):
        form_case("form-basic", note="form POST signed over the exact URL")
    for _ in range(120):
        form_case("form-twilio", url=random_url(node_safe=True), params=twilio_like_params(),
                  note="realistic voice callback")
    for _ in range(60):
        form_case("form-empty", params=[], note="form POST with no params")

    # ---- names/values: repeats, duplicates, prefixes, case, empty values ------------------
    tricky_names = ["Reason", "ReasonConferenceEnded", "Reasons", "CALLSID", "CallSid", "callSid", "a", "A",
                    "aa", "", "Digits", "Digits2", "1", "10", "2"]
    tricky_vals = ["", "1234", "5678", "x", "X", "xx", "\u00e9", "e\u0301", "a b", "a+b"]
    for _ in range(220):
        params = random_params(rng.randrange(1, 12), tricky_names, tricky_vals)
        form_case("form-repeat", url=random_url(node_safe=True), params=params,
                  note="repeated names, duplicate values, prefix and case-differing names")

    # ---- UTF-16 vs byte order ------------------------------------------------------------
    for i in range(240):
        x, y = rng.choice(ASTRAL_VS_HIGH_BMP)
        if i % 2 == 0:
            params = [[x, rng.choice(PARAM_VALUES)], [y, rng.choice(PARAM_VALUES)]]  # names
        else:
            nm = rng.choice(["Body", "a", "\U0001f600"])
            params = [[nm, x], [nm, y]]  # values of one name
        params += random_params(rng.randrange(0, 4), orders_may_differ=True)
        rng.shuffle(params)
        by = ["python", "node", "hmac", "hmac"][i % 4]
        order = "utf16" if (i % 4 == 3) else "utf8"
        form_case("sort-utf16", url=random_url(node_safe=True), params=params, by=by, order=order,
                  note="astral vs high-BMP sort order; signed by %s (%s order)" %
                       (by, order if by == "hmac" else ("utf8" if by == "python" else "utf16")))
    for _ in range(60):
        params = random_params(rng.randrange(1, 6), ["\u00fc", "u", "\u540d\u524d", "z", "\u00e9", "e"],
                               ["\u00e9", "e", "\u65e5", "z", "\u00fc"])
        form_case("sort-bmp", url=random_url(node_safe=True), params=params,
                  note="BMP-only unicode names/values (orders agree)")

    # ---- raw body encodings ----------------------------------------------------------------
    for style in ["pct20", "lowerhex", "overencode", "safe-raw"]:
        for _ in range(30):
            form_case("form-encoding", url=random_url(node_safe=True), style=style,
                      note="form body encoded " + style)

    # ---- ports -----------------------------------------------------------------------------
    def port_cases(cat, scheme, server_port, sign_port, n, note):
        for _ in range(n):
            host = rng.choice(HOSTS_PLAIN)
            path = rng.choice(PATHS_SAFE)
            q = safe_query()
            url = build_url(scheme, "", host, server_port, path, q)
            surl = build_url(scheme, "", host, sign_port, path, q)
            if rng.random() < 0.5:
                form_case(cat, url=url, params=random_params(rng.randrange(0, 5)), sign_url=surl, note=note)
            else:
                get_case(cat, url=url, sign_url=surl, note=note)

    port_cases("port-https-add443", "https", None, "443", 40, "server URL without port, Twilio signed with :443")
    port_cases("port-https-drop443", "https", "443", None, 40, "server URL with :443, Twilio signed without")
    port_cases("port-http-add80", "http", None, "80", 30, "server URL without port, signed with :80")
    port_cases("port-http-drop80", "http", "80", None, 30, "server URL with :80, signed without")
    port_cases("port-drop8443", "https", "8443", None, 30, "server URL with :8443, signed without a port")
    port_cases("port-exact8443", "https", "8443", "8443", 20, "server URL with :8443, signed exactly")
    port_cases("port-add8443", "https", None, "8443", 20, "signed with :8443, server URL without: must fail")
    port_cases("port-https-add80", "https", None, "80", 15, "https URL signed with :80: must fail")
    port_cases("port-http-add443", "http", None, "443", 15, "http URL signed with :443: must fail")
    port_cases("port-http443-drop", "http", "443", None, 10, "http URL with explicit :443, signed without")
    port_cases("port-wss-add80", "wss", None, "80", 15, "wss URL, signed with :80")
    port_cases("port-wss-add443", "wss", None, "443", 20, "wss URL, signed with :443 (SPEC: both ports for non-http schemes)")
    port_cases("port-wss-drop443", "wss", "443", None, 10, "wss URL with :443, signed without")
    port_cases("port-wss-exact", "wss", None, None, 10, "wss URL signed exactly")
    port_cases("port-ws-add80", "ws", None, "80", 10, "ws URL, signed with :80")
    port_cases("port-ws-add443", "ws", None, "443", 10, "ws URL, signed with :443 (SPEC: both ports for non-http schemes)")
    # odd port spellings, signed exactly
    for p in ["1", "65535", "0", "08443", "", "99999", "443443", "8443a"]:
        cat = "port-odd" if p in ("1", "65535", "0", "08443", "") else "port-invalid"
        for _ in range(6):
            url = build_url("https", "", rng.choice(HOSTS_PLAIN), p, rng.choice(PATHS_SAFE), safe_query())
            get_case(cat, url=url, sign_url=url, note="odd port :%s, signed exactly" % p)

    # ---- schemes -----------------------------------------------------------------------------
    for _ in range(40):
        sch = rng.choice(["HTTPS", "Https", "HTTP", "hTTps"])
        rest = build_url("x", rng.choice(["", ""] + CREDS[:1]), rng.choice(HOSTS_PLAIN), None,
                         rng.choice(PATHS_SAFE), safe_query())[len("x"):]
        form_case("scheme-upper-signlower", url=sch + rest, sign_url=sch.lower() + rest,
                  params=random_params(rng.randrange(0, 4)), note="upper-case scheme received, signed lower-case")
    for _ in range(25):
        sch = rng.choice(["HTTPS", "Https", "HTTP", "WSS"])
        rest = build_url("x", "", rng.choice(HOSTS_PLAIN), None, rng.choice(PATHS_SAFE), safe_query())[len("x"):]
        form_case("scheme-upper-exact", url=sch + rest, sign_url=sch + rest,
                  params=random_params(rng.randrange(0, 4)),
                  note="upper-case scheme signed as received (SPEC: the URL as built is always a candidate)")
    for _ in range(20):
        rest = build_url("x", "", rng.choice(HOSTS_PLAIN), None, rng.choice(PATHS_SAFE), safe_query())[len("x"):]
        get_case("scheme-mismatch", url="https" + rest, sign_url="http" + rest, note="signed with http, received https: must fail")

    # ---- credentials -------------------------------------------------------------------------
    def cred_cases(cat, n, server_port, sign_port, keep_creds, note):
        for _ in range(n):
            scheme = rng.choice(["https", "https", "http"])
            c = rng.choice(CREDS)
            host = rng.choice(HOSTS_PLAIN)
            path = rng.choice(PATHS_SAFE)
            q = safe_query()
            url = build_url(scheme, c, host, server_port, path, q)
            sp = ("443" if scheme == "https" else "80") if sign_port == "DEFAULT" else sign_port
            surl = build_url(scheme, c if keep_creds else "", host, sp, path, q)
            if rng.random() < 0.6:
                form_case(cat, url=url, sign_url=surl, params=random_params(rng.randrange(0, 5)), note=note)
            else:
                get_case(cat, url=url, sign_url=surl, note=note)

    cred_cases("creds-exact", 40, None, None, True, "user:pass@ URL signed with the credentials")
    cred_cases("creds-exact-port", 20, "8443", "8443", True, "credentials and :8443, signed exactly")
    cred_cases("creds-signed-without", 40, None, None, False,
               "credentials in the URL, Twilio signed without them (SPEC §3: docs say Twilio strips them)")
    cred_cases("creds-port-drop", 25, "8443", None, True,
               "credentials and :8443 received, signed without the port (python's remove_port mangles user:pass@)")
    cred_cases("creds-port-adddefault", 15, None, "DEFAULT", True, "credentials, signed with the default port added")
    cred_cases("creds-combo-without-add", 15, None, "DEFAULT", False,
               "credentials received, Twilio signed without them and with the default port")
    for _ in range(15):
        rest = build_url("x", "", rng.choice(HOSTS_PLAIN), None, rng.choice(PATHS_SAFE), safe_query())[len("x"):]
        sch = rng.choice(["HTTPS", "Https"])
        i = rest.index("/", 3) if "/" in rest[3:] else len(rest)
        form_case("scheme-combo-upper-add443", url=sch + rest, sign_url="https" + rest[:i] + ":443" + rest[i:],
                  params=random_params(rng.randrange(0, 4)), note="upper-case scheme received, signed lower-case with :443")
    for _ in range(10):
        url = build_url("https", CRED_EMPTY_PASSWORD, rng.choice(HOSTS_PLAIN), None, rng.choice(PATHS_SAFE), safe_query())
        get_case("creds-empty-password", url=url, note="'user:@' (empty password), signed exactly")

    # ---- IPv6 literals --------------------------------------------------------------------------
    def v6_cases(cat, n, server_port, sign_port, note):
        for _ in range(n):
            host = rng.choice(HOSTS_V6)
            path = rng.choice(PATHS_SAFE)
            q = safe_query()
            url = build_url("https", "", host, server_port, path, q)
            surl = build_url("https", "", host, sign_port, path, q)
            if rng.random() < 0.5:
                form_case(cat, url=url, sign_url=surl, params=random_params(rng.randrange(0, 4)), note=note)
            else:
                get_case(cat, url=url, sign_url=surl, note=note)

    v6_cases("ipv6-exact", 25, None, None, "IPv6 literal host, signed exactly")
    for _ in range(10):
        get_case("ipv6-long", url=build_url("https", "", HOST_V6_LONG, rng.choice([None, "8443"]), "/voice", safe_query()),
                 note="uncompressed IPv6 literal, signed exactly")
    v6_cases("ipv6-exact-port", 20, "8443", "8443", "IPv6 literal with :8443, signed exactly")
    v6_cases("ipv6-add443", 20, None, "443", "IPv6 literal, signed with :443")
    v6_cases("ipv6-drop443", 15, "443", None, "IPv6 literal with :443, signed without")
    v6_cases("ipv6-port-drop", 25, "8443", None,
             "IPv6 literal with :8443, signed without the port (python's remove_port splits on the first ':')")
    for _ in range(8):
        get_case("ipv6-bad", url=build_url("https", "", rng.choice(["[::1", "[zz::1]", "[::1]x"]), None, "/voice", None),
                 note="malformed IPv6 literal, signed exactly")

    # ---- query strings --------------------------------------------------------------------------------
    for _ in range(150):
        url = build_url(rng.choice(["https", "http"]), "", rng.choice(HOSTS_PLAIN), None, rng.choice(PATHS_SAFE),
                        "&".join(rng.choice(QUERY_SAFE + QUERY_NODE_BREAKS * 2) for _ in range(rng.randrange(1, 4))))
        if rng.random() < 0.5:
            form_case("query-exact", url=url, params=random_params(rng.randrange(0, 4)),
                      note="query with ', %27, :, %3A, raw unicode, +; signed exactly")
        else:
            get_case("query-exact", url=url, note="query with ', %27, :, %3A, raw unicode, +; signed exactly")
    # the legacy node re-encodings
    legacy = [("name=it%27s", "name=it's"), ("q=%27a%27", "q='a'"), ("x='%27", "x=%27%27"), ("x='%27", "x=''"),
              ("a=1&n=O%27Brien", "a=1&n=O'Brien")]
    for _ in range(50):
        recv, signed = rng.choice(legacy)
        if rng.random() < 0.5:
            recv, signed = signed, recv
        base = build_url("https", "", rng.choice(HOSTS_PLAIN), None, rng.choice(PATHS_SAFE), None)
        if rng.random() < 0.5:
            form_case("query-legacy-quote", url=base + "?" + recv, sign_url=base + "?" + signed,
                      params=random_params(rng.randrange(0, 3)), note="received ' / %27, signed the other way")
        else:
            get_case("query-legacy-quote", url=base + "?" + recv, sign_url=base + "?" + signed,
                     note="received ' / %27, signed the other way")
    for _ in range(25):
        base = build_url("https", "", rng.choice(HOSTS_PLAIN), None, rng.choice(PATHS_SAFE), None)
        recv, signed = rng.choice([("q=%3A", "q=:"), ("q=:", "q=%3A"), ("q=%7E", "q=~"), ("q=a%20b", "q=a+b"),
                                   ("q=%c3%a9", "q=%C3%A9"), ("q=\u00e9", "q=%C3%A9")])
        get_case("query-reencoded", url=base + "?" + recv, sign_url=base + "?" + signed,
                 note="query re-encoded between signing and receiving (other than ' / %27)")
    for _ in range(20):
        base = build_url("https", "", rng.choice(HOSTS_PLAIN), None, rng.choice(PATHS_SAFE), None)
        get_case("query-empty", url=base + "?", sign_url=base + "?", note="empty query '?' signed exactly")
    for _ in range(10):
        base = build_url("https", "", rng.choice(HOSTS_PLAIN), None, rng.choice(PATHS_SAFE), None)
        get_case("query-empty-signed-without", url=base + "?", sign_url=base,
                 note="empty query '?' received, signed without the '?'")

    # ---- paths --------------------------------------------------------------------------------------------
    for _ in range(50):
        url = build_url("https", "", rng.choice(HOSTS_PLAIN), rng.choice([None, None, "8443"]),
                        rng.choice(PATHS_UNICODE + PATHS_SAFE), safe_query())
        form_case("path-exact", url=url, params=random_params(rng.randrange(0, 3)), note="unicode / quoted path, signed exactly")
    for _ in range(10):
        url = build_url("https", "", rng.choice(HOSTS_PLAIN), None, "", safe_query())
        get_case("path-empty", url=url, note="no path at all (https://host?x), signed exactly")
    for _ in range(10):
        host = rng.choice(["Example.COM", "VOICE.example.com", "MyCompany.com"])
        get_case("host-mixedcase", url=build_url("https", "", host, None, "/voice", safe_query()),
                 note="mixed-case host, signed exactly")

    # ---- ASCII tab / CR / LF inside the URL -------------------------------------------------------------
    for _ in range(25):
        base = build_url("https", "", rng.choice(HOSTS_PLAIN), None, rng.choice(["/voice", "/sms/in", "/a/b"]), safe_query())
        ch = rng.choice(["\t", "\r", "\n", "\r\n"])
        i = rng.randrange(len("https://x") + 1, len(base))
        url = base[:i] + ch + base[i:]
        get_case("ctl-signed-without", url=url, sign_url=base, note="tab/CR/LF in the received URL, signed without")
    for _ in range(15):
        base = build_url("https", "", rng.choice(HOSTS_PLAIN), None, rng.choice(["/voice", "/sms/in", "/a/b"]), safe_query())
        ch = rng.choice(["\t", "\n"])
        i = rng.randrange(len("https://x") + 1, len(base))
        url = base[:i] + ch + base[i:]
        get_case("ctl-signed-exact", url=url, sign_url=url,
                 note="tab/LF in the URL, signed with it (SPEC: URL as built is a candidate; python/node strip first)")

    # ---- trailing slash (off by default) -----------------------------------------------------------------
    for _ in range(10):
        base = build_url("wss", "", rng.choice(HOSTS_PLAIN), None, "/media", None)
        get_case("slash-added", url=base, sign_url=base + "/", note="signed with a trailing '/', option off: must fail")

    # ---- JSON bodies -----------------------------------------------------------------------------------------
    for hp, n in [("good", 150), ("bad", 30), ("missing", 40), ("dup-same", 15), ("dup-laterbad", 15),
                  ("dup-firstbad", 10), ("upper", 15), ("pct", 10), ("empty", 10), ("keycase", 10)]:
        for _ in range(n):
            json_case("json-" + hp, url=random_url(node_safe=rng.random() < 0.7), hash_piece=hp)
    for _ in range(15):
        json_case("json-good-emptybody", url=random_url(node_safe=True), body="", hash_piece="good")
    for _ in range(15):
        json_case("json-missing-emptybody", url=random_url(node_safe=True), body="", hash_piece="missing",
                  note="empty non-form body without bodySHA256")
    for _ in range(10):
        json_case("json-noctype", url=random_url(node_safe=True), hash_piece="good", ctype=None,
                  note="POST without Content-Type, bodySHA256 good")
    for _ in range(10):
        # a form body whose URL carries a (wrong) bodySHA256: forms are signed with their params
        params = random_params(rng.randrange(1, 4))
        u = add_query(random_url(node_safe=True), "bodySHA256=" + sha256_hex("unrelated"))
        form_case("form-with-bodysha", url=u, params=params, note="form POST whose URL has an unrelated bodySHA256")

    # ---- GET ----------------------------------------------------------------------------------------------
    for _ in range(200):
        get_case("get-basic", url=random_url(), note="GET, URL only")

    # ---- wrong secret / algorithm --------------------------------------------------------------------------
    for _ in range(40):
        t = token()
        form_case("wrong-token", tok=t, sign_token=other_token(t), url=random_url(node_safe=True),
                  note="signed with another Auth Token: must fail")
    for _ in range(10):
        t = token()
        if t.swapcase() == t:
            t += "a"
        form_case("wrong-token-case", tok=t.swapcase(), sign_token=t,
                  url=random_url(node_safe=True), note="token differs only in case: must fail")

    # ---- tampering after signing -----------------------------------------------------------------------------
    for _ in range(150):
        c = form_case("tamper-url", url=random_url(node_safe=rng.random() < 0.5), params=random_params(rng.randrange(0, 4)))
        tamper_url(c)
    for _ in range(150):
        c = form_case("tamper-param", url=random_url(node_safe=True), params=random_params(rng.randrange(1, 8)))
        tamper_param(c, what="value")
    for _ in range(60):
        c = form_case("tamper-name", url=random_url(node_safe=True), params=random_params(rng.randrange(1, 6)))
        tamper_param(c, what="name")
    for _ in range(40):
        c = form_case("tamper-addparam", url=random_url(node_safe=True), params=random_params(rng.randrange(0, 5)))
        tamper_param(c, what="add")
    for _ in range(80):
        c = json_case("tamper-body", url=random_url(node_safe=True), hash_piece="good")
        tamper_body(c)

    # ---- bad X-Twilio-Signature headers -------------------------------------------------------------------------
    mutations = ["missing", "empty", "nonbase64", "truncate1", "truncate4", "truncate-half", "garbage",
                 "ws-trailing", "ws-leading", "ws-inner", "newline", "nopad", "urlsafe", "lower", "doubled",
                 "sha256", "hex", "extra-pad", "nonascii"]
    for m in mutations:
        for _ in range(18):
            if rng.random() < 0.6:
                form_case("header-" + m, url=random_url(node_safe=True), params=random_params(rng.randrange(0, 5)),
                          mutation=m, note="bad header: " + m)
            else:
                get_case("header-" + m, url=random_url(node_safe=True), mutation=m, note="bad header: " + m)


def _swap_char(s, positions):
    i = rng.choice(positions)
    c = s[i]
    pool = "abcdefghijklmnopqrstuvwxyz" if c.isalpha() else "0123456789"
    new = rng.choice([p for p in pool if p != c.lower()])
    return s[:i] + new + s[i + 1:]


def tamper_url(c):
    url = c["url"]
    start = url.index("//") + 2
    slash = url.find("/", start)
    region_start = slash if slash != -1 else start
    positions = [i for i in range(region_start, len(url)) if url[i].isascii() and url[i].isalnum()]
    if not positions:  # no alnum in path/query: change the authority instead
        positions = [i for i in range(start, len(url)) if url[i].isascii() and url[i].isalnum()]
    c["url"] = _swap_char(url, positions)
    c["note"] = "one character of the URL changed after signing: must fail"


def tamper_param(c, what):
    params = [list(p) for p in c["params"]]
    before = {canonical("", params), canonical("", params, "utf16")}
    for _ in range(50):
        trial = [list(p) for p in params]
        if what == "add" or not trial:
            trial.insert(rng.randrange(len(trial) + 1), [rng.choice(PARAM_NAMES), rng.choice(PARAM_VALUES)])
        else:
            k = rng.randrange(len(trial))
            idx = 1 if what == "value" else 0
            s = trial[k][idx]
            positions = [i for i in range(len(s)) if s[i].isascii() and s[i].isalnum()]
            trial[k][idx] = _swap_char(s, positions) if positions else s + "x"
        after = {canonical("", trial), canonical("", trial, "utf16")}
        if not (after & before):
            break
    else:
        raise RuntimeError("could not tamper " + c["id"])
    c["params"] = trial
    c["body"] = form_encode(trial)
    c["note"] = "form params changed after signing (%s): must fail" % what


def tamper_body(c):
    body = c["body"]
    positions = [i for i in range(len(body)) if body[i].isascii() and body[i].isalnum()]
    c["body"] = _swap_char(body, positions) if positions else body + " "
    c["note"] = "JSON body changed after signing: must fail"


def main():
    plan()
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        json.dump(CASES, f, ensure_ascii=False)
    print("gen.py: %d cases in %d categories" % (len(CASES), len(COUNTERS)), file=sys.stderr)


if __name__ == "__main__":
    main()
