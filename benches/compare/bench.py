"""twilio-python's RequestValidator on the workloads, timed with timeit. Prints JSON."""
import json
import sys
import timeit

from twilio.request_validator import RequestValidator

data = json.load(open(sys.argv[1]))
validator = RequestValidator(data["token"])
results = {}
for name, key in [("voice", "voice_20_params"), ("sms", "sms_100_params_8k"), ("json64k", "json_64k")]:
    w = data["workloads"][key]
    # The framework has already parsed the form (python gets a dict); JSON stays raw.
    payload = dict(w["params"]) if w["kind"] == "form" else w["body"]
    call = lambda: validator.validate(w["url"], payload, w["signature"])
    assert call(), name
    timer = timeit.Timer(call)
    number, _ = timer.autorange()  # iterations for >= 0.2 s
    best = min(timer.repeat(repeat=5, number=number)) / number
    results[name] = 1.0 / best
print(json.dumps(results))
