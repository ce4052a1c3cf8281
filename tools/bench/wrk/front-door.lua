-- wrk script for the front-door bench (tools/bench/front-door.ts). Configured by environment:
--   FD_MODE   get | join | verify          what each request is
--   FD_PATH   the request path (join: /api/campaigns/<id>/queue)
--   FD_DATA   a file of tab-separated lines: join "sessionToken<TAB>deviceId", verify "rrn<TAB>name"
--   FD_XFF    1: each data line is sent with its own X-Forwarded-For (10.x.y.z), as clients behind an edge
--   FD_HEADERS extra "name: value" headers separated by "|"
--   FD_RATE   total requests/s to offer (0: as fast as answers come back, closed loop). Paced like
--             wrk2: each request has a slot on a fixed schedule and is sent when its slot comes, so
--             the offered rate does not fall when answers slow down (as long as connections are free).
-- Prints one line "FRONTDOOR_JSON {…}" with counts per status, 429s carrying Retry-After, errors
-- (connect, read, write, timeout: with --timeout 1s a timeout is an answer later than 1 s) and latency.
local ffi = require("ffi")
ffi.cdef[[
  typedef struct { long tv_sec; long tv_usec; } fd_timeval;
  int gettimeofday(fd_timeval *tv, void *tz);
]]
local tv = ffi.new("fd_timeval")
local function now_ms()
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) * 1000 + tonumber(tv.tv_usec) / 1000
end

local threads = {}
local thread_count = 0
function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

local mode, path, xff, rate, lines, extra
function init(args)
  mode = os.getenv("FD_MODE") or "get"
  path = os.getenv("FD_PATH") or "/"
  xff = os.getenv("FD_XFF") == "1"
  rate = tonumber(os.getenv("FD_RATE") or "0")
  local threads_total = tonumber(os.getenv("FD_THREADS") or "1")
  extra = {}
  for h in string.gmatch(os.getenv("FD_HEADERS") or "", "[^|]+") do
    local k, v = string.match(h, "^%s*([^:]+):%s*(.*)$")
    if k then extra[k] = v end
  end
  lines = {}
  local data = os.getenv("FD_DATA")
  if data and data ~= "" then
    for line in io.lines(data) do
      local a, b = string.match(line, "^([^\t]*)\t(.*)$")
      if a then table.insert(lines, { a, b }) end
    end
  end
  counts = {}
  retry_after = 0
  n = thread_index or 0
  step = threads_total
  interval_ms = rate > 0 and (1000 * threads_total / rate) or 0
  next_slot = nil
end

function delay()
  if interval_ms == 0 then return 0 end
  local now = now_ms()
  if next_slot == nil then next_slot = now end
  local slot = next_slot
  next_slot = next_slot + interval_ms
  local wait = slot - now
  if wait < 0 then return 0 end
  return math.floor(wait)
end

local function address(i)
  return string.format("10.%d.%d.%d", math.floor(i / 65536) % 256, math.floor(i / 256) % 256, i % 256)
end

-- Request k (0-based) of the cycle: data line k and, with FD_XFF, address k.
local function build(k)
  local headers = {}
  for h, v in pairs(extra) do headers[h] = v end
  if xff then headers["X-Forwarded-For"] = address(k) end
  if mode == "get" then
    return wrk.format("GET", path, headers, nil)
  end
  local line = lines[k + 1]
  headers["Content-Type"] = "application/json"
  if mode == "join" then
    headers["Authorization"] = "Bearer " .. line[1]
    return wrk.format("POST", path, headers, '{"deviceId":"' .. line[2] .. '"}')
  end
  -- verify
  return wrk.format("POST", path, headers, '{"providerId":"pass","rrn":"' .. line[1] .. '","name":"' .. line[2] .. '"}')
end

-- Every request is formatted once, in init (wrk's advice: request() runs per request on the
-- generator's one thread, and formatting there made the paced overload offer 2.67x instead of 5x).
-- Request i is the cycle's request i mod its length: a data line with its own address.
local reqs
local function prepare()
  reqs = {}
  local count = #lines > 0 and #lines or (xff and 65536 or 1)
  for k = 0, count - 1 do reqs[k + 1] = build(k) end
end

function request()
  if reqs == nil then prepare() end
  local i = n
  n = n + step
  return reqs[(i % #reqs) + 1]
end

function response(status, headers, body)
  local k = tostring(status)
  -- 429s by the problem's code: queue-busy (shedding, budget) or too-many-requests (limits).
  if status == 429 and body then
    local code = string.match(body, '"code":"([a-z-]+)"')
    if code then k = "429 " .. code end
    -- Who refused: the edge's rate limit, the edge standing in for a slow origin, or the origin.
    local edge = headers["X-Edge-Refusal"]
    if edge then k = k .. " (edge: " .. edge .. ")" end
  end
  counts[k] = (counts[k] or 0) + 1
  if status == 429 and (headers["Retry-After"] or headers["retry-after"] or headers["retry-After"]) then retry_after = retry_after + 1 end
end

function done(summary, latency, requests)
  local total = {}
  local ra = 0
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for k, v in pairs(c) do total[k] = (total[k] or 0) + v end
    ra = ra + (t:get("retry_after") or 0)
  end
  local parts = {}
  for k, v in pairs(total) do table.insert(parts, string.format('"%s":%d', k, v)) end
  local e = summary.errors
  io.write(string.format(
    'FRONTDOOR_JSON {"requests":%d,"durationUs":%d,"statuses":{%s},"retryAfter429":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},"latencyUs":{"p50":%d,"p90":%d,"p99":%d,"max":%d}}\n',
    summary.requests, summary.duration, table.concat(parts, ","), ra, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
