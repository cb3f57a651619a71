-- wrk script of the replay-guard load test (benches/load/replay.sh): a new signed request
-- each time (a guard answers a request it has seen with a cheap duplicate reply), read
-- from LOAD_FILE (`CALLSID SIGNATURE` lines from replay_requests.py). Each wrk thread takes
-- its own lines of the slice [LOAD_OFFSET, LOAD_OFFSET + LOAD_COUNT), so no request is sent
-- twice unless a thread runs out of lines (then it starts its list again: the script
-- counts those laps, and replay.sh checks the handler ran once per request).
--
-- Environment: LOAD_FILE, LOAD_OFFSET, LOAD_COUNT, LOAD_THREADS, LOAD_PATH, LOAD_QUERY,
-- LOAD_PREFIX, LOAD_SUFFIX.

local next_id = 0
local threads = {}

function setup(thread)
   thread:set("id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

function init(args)
   local file = os.getenv("LOAD_FILE")
   local offset = tonumber(os.getenv("LOAD_OFFSET"))
   local count = tonumber(os.getenv("LOAD_COUNT"))
   local nthreads = tonumber(os.getenv("LOAD_THREADS"))
   local path = os.getenv("LOAD_PATH") .. "?" .. os.getenv("LOAD_QUERY")
   local prefix = os.getenv("LOAD_PREFIX")
   local suffix = os.getenv("LOAD_SUFFIX")
   reqs = {}
   laps = 0
   n = 0
   local i = 0
   for line in io.lines(file) do
      if i >= offset + count then break end
      if i >= offset and (i % nthreads) == id then
         local sid, sig = line:match("^(%S+) (%S+)$")
         reqs[#reqs + 1] = wrk.format("POST", path, {
            ["Content-Type"] = "application/x-www-form-urlencoded",
            ["X-Twilio-Signature"] = sig,
         }, prefix .. sid .. suffix)
      end
      i = i + 1
   end
end

function request()
   n = n + 1
   if n > #reqs then
      n = 1
      laps = laps + 1
   end
   return reqs[n]
end

function done(summary, latency, requests)
   local e = summary.errors
   local reused = 0
   for _, thread in ipairs(threads) do
      reused = reused + (thread:get("laps") or 0)
   end
   io.write(string.format(
      "LOADRESULT requests=%d duration_us=%d connect=%d read=%d write=%d timeout=%d non2xx=%d p50_us=%d p99_us=%d laps=%d\n",
      summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
      latency:percentile(50), latency:percentile(99), reused))
end
