#!/usr/bin/env python3
"""Writes the Lambda event fixtures of tests/events/*.json, each signed by Twilio's official
python library (`twilio.request_validator.RequestValidator`), the way Twilio signs it.

Run it in the venv that tests/differential/run.sh --install-only creates:

    tests/differential/work/venv/bin/python adapters/twilio-auth-lambda/tests/events/generate.py

Each fixture is {"about", "token", "signed_url", "signer", "event"}: "event" is the JSON
event as the front door delivers it to Lambda (shapes from the AWS documentation of each
payload format), with the X-Twilio-Signature header set. The Rust tests feed "event" to
lambda_http's own deserialisation and verify the request.
"""

import base64
import json
import pathlib
import urllib.parse

import twilio
from twilio.request_validator import RequestValidator

TOKEN = "lambda-fixture-auth-token"
HERE = pathlib.Path(__file__).parent
FORM = "application/x-www-form-urlencoded"
CALL = [
    ("AccountSid", "AC0123456789abcdef0123456789abcdef"),
    ("CallSid", "CA0123456789abcdef0123456789abcdef"),
    ("CallStatus", "ringing"),
    ("Direction", "inbound"),
    ("From", "+14155550100"),
    ("To", "+14155550199"),
    ("CallerName", "Zoë O'Brien & co"),
]
FORM_BODY = urllib.parse.urlencode(CALL)
EVENT = json.dumps({"type": "com.twilio.messaging.message.delivered", "text": "ünïcode"})
V = RequestValidator(TOKEN)


class Multi:
    """Form parameters with repeated names, as a Django QueryDict exposes them."""

    def __init__(self, pairs):
        self.pairs = pairs

    def __iter__(self):
        return iter(dict.fromkeys(n for n, _ in self.pairs))

    def getlist(self, name):
        return [v for n, v in self.pairs if n == name]


def sign_form(url, pairs):
    return V.compute_signature(url, Multi(pairs))


def sign_url(url):
    return V.compute_signature(url, {})


def b64(text):
    return base64.b64encode(text.encode()).decode()


def v2(host, raw_path, raw_query, method, headers, body, base64_body, stage="$default",
       route_key="$default", api_id=None):
    api_id = api_id or host.split(".")[0]
    return {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": {
            "accept": "*/*",
            "content-length": str(len(body.encode()) if body else 0),
            "host": host,
            "i-twilio-idempotency-token": "5d3e7e0c-6f51-4a0b-9d5c-2b3f0a1e9c77",
            "user-agent": "TwilioProxy/1.1",
            "x-amzn-trace-id": "Root=1-6763e1a0-0b1c2d3e4f5a6b7c8d9e0f10",
            "x-forwarded-for": "54.172.60.3",
            "x-forwarded-port": "443",
            "x-forwarded-proto": "https",
            "x-home-region": "us1",
            **headers,
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": api_id,
            "domainName": host,
            "domainPrefix": host.split(".")[0],
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": "54.172.60.3",
                "userAgent": "TwilioProxy/1.1",
            },
            "requestId": "Q2hBcnRlc3RJRA=",
            "routeKey": route_key,
            "stage": stage,
            "time": "01/Dec/2026:08:00:00 +0000",
            "timeEpoch": 1796112000000,
        },
        **({"body": b64(body) if base64_body else body} if body is not None else {}),
        "isBase64Encoded": base64_body,
    }


def v1(host, path, context_path, stage, method, headers, query, body, base64_body,
       resource="/{proxy+}"):
    multi = {}
    for name, value in query:
        multi.setdefault(name, []).append(value)
    single = {name: values[-1] for name, values in multi.items()}
    all_headers = {
        "Accept": "*/*",
        "Host": host,
        "I-Twilio-Idempotency-Token": "5d3e7e0c-6f51-4a0b-9d5c-2b3f0a1e9c77",
        "User-Agent": "TwilioProxy/1.1",
        "X-Amzn-Trace-Id": "Root=1-6763e1a0-0b1c2d3e4f5a6b7c8d9e0f10",
        "X-Forwarded-For": "54.172.60.3",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
        **headers,
    }
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {k: [v] for k, v in all_headers.items()},
        "queryStringParameters": single or None,
        "multiValueQueryStringParameters": multi or None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "a1b2c3d4e5",
            "domainName": host,
            "domainPrefix": host.split(".")[0],
            "extendedRequestId": "Q2hBcnRlc3RJRA=",
            "httpMethod": method,
            "identity": {"sourceIp": "54.172.60.3", "userAgent": "TwilioProxy/1.1"},
            "path": context_path,
            "protocol": "HTTP/1.1",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "requestTime": "01/Dec/2026:08:00:00 +0000",
            "requestTimeEpoch": 1796112000000,
            "resourceId": "roq9wj",
            "resourcePath": resource,
            "stage": stage,
        },
        "body": (b64(body) if base64_body else body) if body is not None else None,
        "isBase64Encoded": base64_body,
    }


def alb(host, path, method, headers, query, body, base64_body):
    # ALB passes the query parameters as the client encoded them (it does not decode them).
    multi = {}
    for name, value in query:
        multi.setdefault(name, []).append(urllib.parse.quote(value, safe=""))
    return {
        "requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/twilio-hooks/6d0ecf831eec9f09"}},
        "httpMethod": method,
        "path": path,
        "multiValueQueryStringParameters": multi,
        "multiValueHeaders": {k: [v] for k, v in {
            "host": host,
            "user-agent": "TwilioProxy/1.1",
            "x-amzn-trace-id": "Root=1-6763e1a0-0b1c2d3e4f5a6b7c8d9e0f10",
            "x-forwarded-for": "54.172.60.3",
            "x-forwarded-port": "443",
            "x-forwarded-proto": "https",
            **headers,
        }.items()},
        "body": (b64(body) if base64_body else body) if body is not None else "",
        "isBase64Encoded": base64_body,
    }


FIXTURES = []


def fixture(name, about, signed_url, signature, event, sig_header="x-twilio-signature"):
    headers = event.get("headers")
    if headers is not None:
        headers["X-Twilio-Signature" if "Host" in headers else sig_header] = signature
    if "multiValueHeaders" in event:
        key = "X-Twilio-Signature" if "Host" in event["multiValueHeaders"] else sig_header
        event["multiValueHeaders"][key] = [signature]
    FIXTURES.append((name, {
        "about": about,
        "token": TOKEN,
        "signed_url": signed_url,
        "signer": f"twilio-python {twilio.__version__}",
        "event": event,
    }))


form_headers = {"content-type": FORM}

# --- Function URL: a form POST, base64-encoded by Lambda --------------------------------
host = "q7kbu6xz4dthjzvrz3ulw6hcqy0aflez.lambda-url.us-east-1.on.aws"
url = f"https://{host}/voice"
fixture("function_url_form_base64", "Function URL, POST form, isBase64Encoded", url,
        sign_form(url, CALL), v2(host, "/voice", "", "POST", form_headers, FORM_BODY, True))

# --- HTTP API, named stage: rawPath carries the stage ------------------------------------
host = "r3pmxmplak.execute-api.us-east-1.amazonaws.com"
url = f"https://{host}/prod/voice"
fixture("http_api_stage_form", "HTTP API (v2), stage prod in rawPath, POST form base64", url,
        sign_form(url, CALL),
        v2(host, "/prod/voice", "", "POST", form_headers, FORM_BODY, True, stage="prod",
           route_key="POST /voice"))

# --- HTTP API, custom domain with an API mapping key, GET with repeated query keys -------
host = "hooks.example.com"
query = "CallSid=CA1&MediaUrl=https%3A%2F%2Fb.example.com%2F2&MediaUrl=https%3A%2F%2Fa.example.com%2F1&Note=a%20b+c&CallStatus=completed"
url = f"https://{host}/twilio/status?{query}"
fixture("http_api_custom_domain_get_repeated_query",
        "HTTP API (v2), custom domain with mapping key 'twilio', GET, repeated query names, %20 and +",
        url, sign_url(url),
        v2(host, "/twilio/status", query, "GET", {}, None, False, route_key="GET /status",
           api_id="r3pmxmplak"))

# --- HTTP API, JSON body signed with bodySHA256 ------------------------------------------
host = "r3pmxmplak.execute-api.us-east-1.amazonaws.com"
query = "bodySHA256=" + V.compute_hash(EVENT)
url = f"https://{host}/events?{query}"
fixture("http_api_json_body_sha256", "HTTP API (v2), $default stage, JSON with bodySHA256",
        url, sign_url(url),
        v2(host, "/events", query, "POST", {"content-type": "application/json"}, EVENT, False))

# --- REST API, stage in requestContext.path only -----------------------------------------
host = "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"
url = f"https://{host}/prod/voice"
fixture("rest_v1_stage_form", "REST API (v1), stage prod: path /voice, requestContext.path /prod/voice",
        url, sign_form(url, CALL),
        v1(host, "/voice", "/prod/voice", "prod", "POST", {"Content-Type": FORM}, [], FORM_BODY, False))

# --- REST API, custom domain with a base path mapping, base64 body -----------------------
host = "api.example.com"
url = f"https://{host}/hooks/voice"
fixture("rest_v1_custom_domain_base64",
        "REST API (v1), custom domain, base path 'hooks', binary media type */*: base64 body",
        url, sign_form(url, CALL),
        v1(host, "/hooks/voice", "/hooks/voice", "prod", "POST", {"Content-Type": FORM}, [], FORM_BODY, True))

# --- REST API, GET with two query names (rebuilt: another order, %20) --------------------
host = "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"
pairs = [("CallStatus", "in progress"), ("CallSid", "CA1")]
url = f"https://{host}/prod/status?" + "&".join(f"{n}={urllib.parse.quote(v)}" for n, v in pairs)
fixture("rest_v1_get_two_query_names",
        "REST API (v1), GET, two query names in non-sorted order, space as %20: rebuilt",
        url, sign_url(url),
        v1(host, "/status", "/prod/status", "prod", "GET", {}, pairs, None, False))

# --- REST API, GET with a status callback's many query names: cannot be rebuilt ----------
pairs = [("CallSid", "CA1"), ("AccountSid", "AC1"), ("From", "+14155550100"), ("To", "+14155550199"),
         ("CallStatus", "completed"), ("Direction", "inbound"), ("ApiVersion", "2010-04-01")]
url = f"https://{host}/prod/status?" + urllib.parse.urlencode(pairs)
fixture("rest_v1_get_many_query_names",
        "REST API (v1), GET status callback with 7 query names in Twilio's order: not rebuildable",
        url, sign_url(url),
        v1(host, "/status", "/prod/status", "prod", "GET", {}, pairs, None, False))

# --- ALB: a form POST, and a GET with query --------------------------------------------
host = "hooks.example.com"
url = f"https://{host}/voice"
fixture("alb_form_base64", "ALB, POST form, isBase64Encoded", url, sign_form(url, CALL),
        alb(host, "/voice", "POST", {"content-type": FORM}, [], FORM_BODY, True))
pairs = [("CallSid", "CA1"), ("CallStatus", "no answer")]
url = f"https://{host}/status?" + urllib.parse.urlencode(pairs)
fixture("alb_get_query", "ALB, GET with two query names, space as +", url, sign_url(url),
        alb(host, "/status", "GET", {}, pairs, None, False))

for name, data in FIXTURES:
    (HERE / f"{name}.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
print(f"wrote {len(FIXTURES)} fixtures with twilio-python {twilio.__version__}")
