-- wrk script for the mixed load (benches/load/run.sh): one wrk instance per kind of
-- request, all three running at the same time against /verified/voice, so every
-- response is counted under the kind that caused it.
--
--   LOAD_KIND=valid     the signed voice webhook                       expect 200
--   LOAD_KIND=forged    the same body with a forged signature          expect 403
--   LOAD_KIND=oversize  a form body over the limit (LOAD_OVERSIZE_BYTES,
--                       announced by Content-Length), valid signature  expect 413
--
-- Environment (from sign.py): LOAD_KIND, LOAD_PATH, LOAD_QUERY, LOAD_BODY,
-- LOAD_SIGNATURE, LOAD_FORGED, LOAD_OVERSIZE_BYTES.

local kind = os.getenv("LOAD_KIND")
local path = os.getenv("LOAD_PATH") .. "?" .. os.getenv("LOAD_QUERY")
local body = os.getenv("LOAD_BODY")
local signature = os.getenv("LOAD_SIGNATURE")

if kind == "forged" then
   signature = os.getenv("LOAD_FORGED")
elseif kind == "oversize" then
   -- The voice form, padded with one more parameter up to the size.
   local size = tonumber(os.getenv("LOAD_OVERSIZE_BYTES"))
   local pad = "&Padding="
   body = body .. pad .. string.rep("x", size - #body - #pad)
elseif kind ~= "valid" then
   error("LOAD_KIND must be valid, forged or oversize, not " .. tostring(kind))
end

local headers = {
   ["Content-Type"] = "application/x-www-form-urlencoded",
   ["X-Twilio-Signature"] = signature,
}
-- Static request (no request() function): wrk builds it once, no Lua call per request.
wrk.method = "POST"
wrk.path = path
wrk.headers = headers
wrk.body = body

-- Per-thread status counts, gathered in done().
counts = {}

function response(status, headers, body)
   local key = tostring(status)
   counts[key] = (counts[key] or 0) + 1
end

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function done(summary, latency, requests)
   local total = {}
   for _, thread in ipairs(threads) do
      for status, n in pairs(thread:get("counts")) do
         total[status] = (total[status] or 0) + n
      end
   end
   local statuses = {}
   for status, n in pairs(total) do
      table.insert(statuses, string.format("status_%s=%d", status, n))
   end
   table.sort(statuses)
   local e = summary.errors
   io.write(string.format(
      "LOADRESULT kind=%s requests=%d duration_us=%d connect=%d read=%d write=%d timeout=%d non2xx=%d p50_us=%d p99_us=%d %s\n",
      kind, summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout,
      e.status, latency:percentile(50), latency:percentile(99), table.concat(statuses, " ")))
end
