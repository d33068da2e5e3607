-- wrk script for bench/api.sh: cycles through one EC2 query-protocol call mix,
--   CreateVpc, CreateSubnet, CreateTags, DescribeVpcs (filters),
--   DescribeSubnets (filter), DescribeRouteTables (filter),
-- so that every call is valid and no response grows with the run:
--   * CreateVpc always asks for 10.0.0.0/16 (VPC CIDRs may repeat across VPCs).
--   * CreateSubnet takes /28s from the pool VPCs (each 10.0.0.0/16, so 4096
--     slots apiece), from a per-thread counter; thread t uses the pool VPCs
--     whose index is t modulo the thread count, so no two CreateSubnets collide.
--   * CreateTags overwrites one tag ("hits") on the fixture VPC.
--   * The describes filter on the fixture VPC (tagged bench=fixture, with two
--     subnets and its main route table), never listing what the run creates.
--
-- Input, from the environment:
--   BENCH_FIXTURE_VPC      the fixture VPC's id
--   BENCH_POOL_VPCS        comma-separated ids of the pool VPCs
--   BENCH_THREADS          wrk's -t
--   BENCH_SUBNETS_PER_VPC  /28 slots to use per pool VPC (at most 4096)
--   BENCH_REGION           region in the credential scope (default us-east-1)
--
-- Output, from done(): one "WRKRESULT k=v ..." line, one "WRKERRCODE code count"
-- line per error code seen in a non-2xx answer, and "WRKPOOL exhausted" when a
-- thread ran out of subnet slots and began to reuse them (those calls fail).

local VERSION = "2016-11-15"

local function urlencode(s)
   return (string.gsub(s, "[^%w%-%._~]", function(c)
      return string.format("%%%02X", string.byte(c))
   end))
end

local function form(action, params)
   local parts = { "Action=" .. action, "Version=" .. VERSION }
   for _, kv in ipairs(params) do
      parts[#parts + 1] = kv[1] .. "=" .. urlencode(kv[2])
   end
   return table.concat(parts, "&")
end

-- ---- main state: wrk calls setup() once per thread, then done() ----------

local threads = {}
local next_tid = 0

function setup(thread)
   thread:set("tid", next_tid)
   next_tid = next_tid + 1
   table.insert(threads, thread)
end

function done(summary, latency, requests)
   local bad, exhausted, codes = 0, false, {}
   for _, t in ipairs(threads) do
      bad = bad + (t:get("bad") or 0)
      if t:get("exhausted") then exhausted = true end
      local tc = t:get("codes")
      if tc then
         for code, n in pairs(tc) do codes[code] = (codes[code] or 0) + n end
      end
   end
   local e = summary.errors
   io.write(string.format(
      "WRKRESULT requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d "
         .. "non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
      summary.requests, summary.duration,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      bad, e.connect, e.read, e.write, e.timeout))
   for code, n in pairs(codes) do
      io.write(string.format("WRKERRCODE %s %d\n", code, n))
   end
   if exhausted then io.write("WRKPOOL exhausted\n") end
end

-- ---- thread states ---------------------------------------------------------

local headers, static, my_pool
local per_vpc, subnet_n, tag_n, step = 4096, 0, 0, 0
bad, codes, exhausted = 0, {}, false

function init(args)
   local fixture = os.getenv("BENCH_FIXTURE_VPC")
   local pool_env = os.getenv("BENCH_POOL_VPCS") or ""
   local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
   per_vpc = tonumber(os.getenv("BENCH_SUBNETS_PER_VPC") or "4096")
   local region = os.getenv("BENCH_REGION") or "us-east-1"
   assert(fixture and fixture ~= "", "BENCH_FIXTURE_VPC is not set")
   assert(per_vpc >= 1 and per_vpc <= 4096, "BENCH_SUBNETS_PER_VPC must be 1..4096")

   my_pool = {}
   local i = 0
   for id in string.gmatch(pool_env, "[^,]+") do
      if i % nthreads == tid then my_pool[#my_pool + 1] = id end
      i = i + 1
   end
   assert(#my_pool > 0, "thread " .. tid .. " has no pool VPC (BENCH_POOL_VPCS)")

   headers = {
      ["Host"] = wrk.headers["Host"],
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Authorization"] = "AWS4-HMAC-SHA256 Credential=test/20260101/" .. region
         .. "/ec2/aws4_request, SignedHeaders=host, Signature=0",
   }
   local function post(body) return wrk.format("POST", "/", headers, body) end
   static = {
      create_vpc = post(form("CreateVpc", { { "CidrBlock", "10.0.0.0/16" } })),
      describe_vpcs = post(form("DescribeVpcs", {
         { "Filter.1.Name", "tag:bench" }, { "Filter.1.Value.1", "fixture" },
         { "Filter.2.Name", "state" }, { "Filter.2.Value.1", "available" },
      })),
      describe_subnets = post(form("DescribeSubnets", {
         { "Filter.1.Name", "vpc-id" }, { "Filter.1.Value.1", fixture },
      })),
      describe_route_tables = post(form("DescribeRouteTables", {
         { "Filter.1.Name", "vpc-id" }, { "Filter.1.Value.1", fixture },
      })),
      tags_prefix = "Action=CreateTags&Version=" .. VERSION .. "&ResourceId.1=" .. urlencode(fixture)
         .. "&Tag.1.Key=hits&Tag.1.Value=",
   }
   -- Threads start at different points of the cycle.
   step = tid
end

local function create_subnet()
   local slot = subnet_n % per_vpc
   local vpc_i = math.floor(subnet_n / per_vpc)
   if vpc_i >= #my_pool then exhausted = true end
   local vpc = my_pool[vpc_i % #my_pool + 1]
   subnet_n = subnet_n + 1
   local cidr = string.format("10.0.%d.%d/28", math.floor(slot / 16), (slot % 16) * 16)
   return wrk.format("POST", "/", headers, form("CreateSubnet", { { "VpcId", vpc }, { "CidrBlock", cidr } }))
end

local function create_tags()
   tag_n = tag_n + 1
   return wrk.format("POST", "/", headers, static.tags_prefix .. tag_n)
end

function request()
   local k = step % 6
   step = step + 1
   if k == 0 then return static.create_vpc
   elseif k == 1 then return create_subnet()
   elseif k == 2 then return create_tags()
   elseif k == 3 then return static.describe_vpcs
   elseif k == 4 then return static.describe_subnets
   else return static.describe_route_tables
   end
end

function response(status, hdrs, body)
   if status < 200 or status > 299 then
      bad = bad + 1
      local code = body and string.match(body, "<Code>([^<]+)</Code>")
      code = code or ("HTTP" .. status)
      codes[code] = (codes[code] or 0) + 1
   end
end
