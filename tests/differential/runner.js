#!/usr/bin/env node
// twilio-node side of the differential test (the pinned `twilio` installed under work/node).
//
//   runner.js sign PLAN.json NODE_SIGS.json
//       signs the planned cases assigned to node with getExpectedTwilioSignature
//   runner.js validate CASES_PY.json CASES.json
//       evaluates every case the way an Express app would: validateRequest(token, sig, url,
//       params) with the decoded form (a name maps to an array when it repeats, as
//       querystring.parse gives it) for form POSTs and {} for GET, and
//       validateRequestWithBody(token, sig, url, body) for other bodies. Verdict: true /
//       false, or "error" when it throws. Writes the final case file, one case per line:
//       {"peers": {"python": {...}, "node": {registry, package, version}}, "cases": [...]}.
"use strict";

const fs = require("fs");
const path = require("path");

const nodeDir = process.env.DIFF_NODE_DIR || path.join(__dirname, "work", "node");
const twilioPath = require.resolve("twilio", { paths: [nodeDir] });
const twilio = require(twilioPath);
const twilioVersion = JSON.parse(
  fs.readFileSync(path.join(path.dirname(twilioPath), "..", "package.json"), "utf8"),
).version;

const FORM = "application/x-www-form-urlencoded";

function isForm(ctype) {
  return ctype !== null && ctype.split(";")[0].trim().toLowerCase() === FORM;
}

// Decoded form pairs as querystring.parse / express.urlencoded({extended: false}) return them.
function paramsObject(pairs) {
  const obj = Object.create(null);
  for (const [name, value] of pairs || []) {
    if (!(name in obj)) obj[name] = value;
    else if (Array.isArray(obj[name])) obj[name].push(value);
    else obj[name] = [obj[name], value];
  }
  return obj;
}

function sign(planPath, outPath) {
  const plan = JSON.parse(fs.readFileSync(planPath, "utf8"));
  const sigs = {};
  for (const c of plan) {
    if (c.sign && c.sign.by === "node") {
      sigs[c.id] = twilio.getExpectedTwilioSignature(c.sign.token, c.sign.url, paramsObject(c.sign.params));
    }
  }
  fs.writeFileSync(outPath, JSON.stringify(sigs));
  console.error(`runner.js sign (twilio-node ${twilioVersion}): ${Object.keys(sigs).length} signatures`);
}

function evaluate(c) {
  try {
    let ok;
    if (c.method === "GET") {
      ok = twilio.validateRequest(c.token, c.signature, c.url, {});
    } else if (isForm(c.content_type)) {
      ok = twilio.validateRequest(c.token, c.signature, c.url, paramsObject(c.params));
    } else {
      ok = twilio.validateRequestWithBody(c.token, c.signature, c.url, c.body);
    }
    return [ok === true, null];
  } catch (e) {
    return ["error", `${e.name}: ${e.message}`];
  }
}

function validate(inPath, outPath) {
  const input = JSON.parse(fs.readFileSync(inPath, "utf8"));
  const cases = input.cases;
  const peers = { ...input.peers, node: { registry: "npm", package: "twilio", version: twilioVersion } };
  const lines = [];
  const counts = { true: 0, false: 0, error: 0 };
  for (const c of cases) {
    const [verdict, err] = evaluate(c);
    counts[String(verdict)]++;
    const out = {
      id: c.id,
      token: c.token,
      method: c.method,
      url: c.url,
      content_type: c.content_type,
      body: c.body,
      params: c.params,
      signature: c.signature,
      python: c.python,
      node: verdict,
    };
    if (c.python_error) out.python_error = c.python_error;
    if (err) out.node_error = err;
    out.signed_by = c.signed_by;
    out.note = c.note;
    lines.push(JSON.stringify(out));
  }
  // One case per line, so that a regenerated snapshot diffs by case.
  fs.writeFileSync(
    outPath,
    `{"peers":${JSON.stringify(peers)},\n"cases":[\n` + lines.join(",\n") + "\n]}\n",
  );
  console.error(
    `runner.js validate (twilio-node ${twilioVersion}): ${cases.length} cases, ` +
      `true ${counts.true}, false ${counts.false}, error ${counts.error}`,
  );
}

const [cmd, a, b] = process.argv.slice(2);
if (cmd === "sign") sign(a, b);
else if (cmd === "validate") validate(a, b);
else {
  console.error("usage: runner.js sign PLAN NODE_SIGS | validate CASES_PY CASES");
  process.exit(2);
}
