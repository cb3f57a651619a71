// twilio-node's validators on the workloads, timed with process.hrtime.bigint. Prints JSON.
const fs = require("fs");
const path = require("path");
const twilio = require(path.join(process.env.NODE_DIR, "node_modules", "twilio"));

const data = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const results = {};
for (const [name, key] of [["voice", "voice_20_params"], ["sms", "sms_100_params_8k"], ["json64k", "json_64k"]]) {
  const w = data.workloads[key];
  // The framework has already parsed the form (express gives an object); JSON stays raw.
  const call = w.kind === "form"
    ? () => twilio.validateRequest(data.token, w.signature, w.url, Object.fromEntries(w.params))
    : () => twilio.validateRequestWithBody(data.token, w.signature, w.url, w.body);
  if (!call()) throw new Error(`${name}: the valid request did not validate`);
  const run = (n) => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) call();
    return Number(process.hrtime.bigint() - start) / 1e9;
  };
  // Warm up (JIT), size the loop to ~0.25 s, then keep the best of 5 rounds.
  let n = 100;
  while (run(n) < 0.05) n *= 2;
  n = Math.max(1, Math.round((n * 0.25) / run(n)));
  let best = Infinity;
  for (let r = 0; r < 5; r++) best = Math.min(best, run(n) / n);
  results[name] = 1 / best;
}
console.log(JSON.stringify(results));
