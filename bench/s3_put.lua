-- wrk script for bench/s3.sh: exactly BENCH_COUNT PUT Object requests,
--   PUT /<bucket>/small/t<thread>-<n>   (path-style, one new key per request)
-- each with the same body (the bytes of BENCH_BODY_FILE, 4 KiB in the benchmark),
-- split between wrk's threads; a thread stops once all of its share is answered.
--
-- The headers carry an AWS SigV4 credential scope with service s3 (moto_server
-- routes on it) and a dummy signature: neither server verifies signatures.
-- The payload is UNSIGNED-PAYLOAD, so no server has a hash to check.
--
-- Stopping after a count: wrk has no request limit, so
--   * delay() holds a connection back (an hour) once its thread has handed out
--     its share, so no request beyond the count is sent (see delay() below);
--   * response() counts answers; on the last one the thread records the time,
--     prints "WRKTHREADDONE <tid>" (flushed) and calls wrk.thread:stop().
-- wrk's main thread still sleeps for -d, and its own duration would include
-- that: the caller sends wrk SIGINT once every thread has printed its line,
-- and the rate is computed from this script's clock (CLOCK_MONOTONIC, via the
-- LuaJIT FFI): from the first request any thread sends to the last answer any
-- thread receives.
--
-- Input, from the environment:
--   BENCH_BUCKET     bucket (must exist)
--   BENCH_BODY_FILE  file whose bytes are every request's body
--   BENCH_COUNT      total requests, over all threads
--   BENCH_THREADS    wrk's -t
--   BENCH_REGION     region in the credential scope (default us-east-1)
--   BENCH_ACCESS_KEY access key in the credential scope: the bucket owner's
--                    (Landbridge refuses other accounts; default "test")
--
-- Output, from done(): one "WRKRESULT k=v ..." line (as bench/api_mix.lua's, plus
-- sent=, answered=, ok= and wall_us=), and one "WRKERRCODE code count" line per
-- error code seen in a non-2xx answer.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("bench_timespec")

local function now_us()
   ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
   return tonumber(ts.tv_sec) * 1e6 + math.floor(tonumber(ts.tv_nsec) / 1000)
end

local HOLD_MS = 3600 * 1000

-- ---- main state: wrk calls setup() once per thread, then done() ----------

local threads = {}
local next_tid = 0

function setup(thread)
   thread:set("tid", next_tid)
   next_tid = next_tid + 1
   table.insert(threads, thread)
end

function done(summary, latency, requests)
   local bad, sent, answered, t0, t1, codes = 0, 0, 0, nil, nil, {}
   local finished = 0
   for _, t in ipairs(threads) do
      bad = bad + (t:get("bad") or 0)
      sent = sent + (t:get("sent") or 0)
      answered = answered + (t:get("answered") or 0)
      if t:get("finished") then finished = finished + 1 end
      local s, e = t:get("first_us"), t:get("last_us")
      if s and s > 0 and (not t0 or s < t0) then t0 = s end
      if e and e > 0 and (not t1 or e > t1) then t1 = e end
      local tc = t:get("codes")
      if tc then
         for code, n in pairs(tc) do codes[code] = (codes[code] or 0) + n end
      end
   end
   local e = summary.errors
   io.write(string.format(
      "WRKRESULT requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d "
         .. "non2xx=%d connect=%d read=%d write=%d timeout=%d "
         .. "sent=%d answered=%d ok=%d wall_us=%d threads_finished=%d\n",
      summary.requests, summary.duration,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      bad, e.connect, e.read, e.write, e.timeout,
      sent, answered, answered - bad, (t0 and t1) and (t1 - t0) or 0, finished))
   for code, n in pairs(codes) do
      io.write(string.format("WRKERRCODE %s %d\n", code, n))
   end
end

-- ---- thread states ---------------------------------------------------------

local prefix, suffix
local share, promised, delayed = 0, 0, false
sent, answered, bad, codes, finished = 0, 0, 0, {}, false
first_us, last_us = 0, 0

function init(args)
   local bucket = os.getenv("BENCH_BUCKET")
   local body_file = os.getenv("BENCH_BODY_FILE")
   local count = tonumber(os.getenv("BENCH_COUNT") or "")
   local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
   local region = os.getenv("BENCH_REGION") or "us-east-1"
   local access_key = os.getenv("BENCH_ACCESS_KEY") or "test"
   assert(bucket and bucket ~= "", "BENCH_BUCKET is not set")
   assert(body_file and body_file ~= "", "BENCH_BODY_FILE is not set")
   assert(count and count >= 1, "BENCH_COUNT must be a positive number")

   local f = assert(io.open(body_file, "rb"))
   local body = f:read("*a")
   f:close()

   -- This thread's share of the count: the remainder goes to the first threads.
   share = math.floor(count / nthreads) + ((tid < count % nthreads) and 1 or 0)

   local headers = {
      ["Host"] = wrk.headers["Host"],
      ["Authorization"] = "AWS4-HMAC-SHA256 Credential=" .. access_key .. "/20260101/" .. region
         .. "/s3/aws4_request, SignedHeaders=host, Signature=0",
      ["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD",
      ["x-amz-date"] = "20260101T000000Z",
      ["Content-Type"] = "application/octet-stream",
   }
   -- wrk.format adds Content-Length from the body. The request is built once, with a
   -- marker for the key, and split there; each request is prefix .. key .. suffix.
   local marker = "{KEY}"  -- found first in the request line, before the body
   local req = wrk.format("PUT", "/" .. bucket .. "/" .. marker, headers, body)
   local at = assert(string.find(req, marker, 1, true))
   prefix = string.sub(req, 1, at - 1)
   suffix = string.sub(req, at + #marker)
   if share == 0 then
      finished = true
      io.write(string.format("WRKTHREADDONE %d\n", tid))
      io.stdout:flush()
   end
end

-- wrk asks delay() before every request() of a connection (a script with delay()
-- makes every request wait on a timer, 0 ms here), so delay() hands out the
-- thread's share: a connection that gets 0 is promised one request, and once
-- the share is promised every connection waits out HOLD_MS (the thread stops
-- long before). Two more request() calls come without a delay(): wrk's check
-- of the script, once, on thread 0's state before any thread runs (answered
-- with a request that is never sent, and not counted), and a resend after a
-- socket error reconnected a connection (counted: it replaces the lost one).
function delay()
   delayed = true
   if promised >= share then return HOLD_MS end
   promised = promised + 1
   return 0
end

function request()
   if not delayed then
      return prefix .. "small/wrk-verify-request" .. suffix
   end
   if first_us == 0 then first_us = now_us() end
   local key = string.format("small/t%d-%07d", tid, sent)
   sent = sent + 1
   return prefix .. key .. suffix
end

function response(status, hdrs, body)
   answered = answered + 1
   if status < 200 or status > 299 then
      bad = bad + 1
      local code = body and string.match(body, "<Code>([^<]+)</Code>")
      code = code or ("HTTP" .. status)
      codes[code] = (codes[code] or 0) + 1
   end
   if answered >= share and not finished then
      finished = true
      last_us = now_us()
      io.write(string.format("WRKTHREADDONE %d\n", tid))
      io.stdout:flush()
      wrk.thread:stop()
   end
end
