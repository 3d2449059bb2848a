-- One benchmark scenario for wrk: GETs of paths drawn at random from a file, optionally a
-- share of post creations (or, with edit=1, of PATCHes of those paths' bodies), and an exact
-- count of the response statuses.
--
--   wrk -t1 -c16 -d5s --latency -s bench/wrk/requests.lua http://HOST:PORT -- \
--       urls=FILE [seed=N] [etag=TAG] [write_share=0.1 token=TOKEN body=FILE nonce=TEXT]
--       [edit=1] [accept_encoding=gzip]
--
-- Why a script: cold scenarios need a different URL on (almost) every request, and wrk's own
-- summary counts only non-2xx/3xx answers, so a 304 scenario that got 200s would look fine.
-- Every response's status is counted per thread and summed in done(), which prints one line
-- "BENCH {json}" with the counts, wrk's error counters and the latency percentiles (in
-- microseconds) for bench.loadgen to parse. The same script drives the API and the bare app.

local threads = {}
local paths = {}
local get_headers = {}
local post_headers = {}
local post_body = "\"\""
local write_share = 0
local edit = false
local nonce = "run"
local counter = 0
statuses = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  local options = {}
  for _, arg in ipairs(args) do
    local key, value = arg:match("^([%w_]+)=(.*)$")
    assert(key, "arguments are key=value, not " .. arg)
    options[key] = value
  end
  if options.urls then
    for line in io.lines(options.urls) do
      if line ~= "" then
        paths[#paths + 1] = line
      end
    end
  end
  if options.etag then
    get_headers["If-None-Match"] = options.etag
  end
  if options.accept_encoding then
    get_headers["Accept-Encoding"] = options.accept_encoding
  end
  write_share = tonumber(options.write_share or "0")
  if write_share > 0 then
    post_headers["Authorization"] = "Bearer " .. options.token
    post_headers["Content-Type"] = "application/json"
    -- The file holds the body as a JSON string, quotes and escapes included.
    local file = assert(io.open(options.body, "rb"))
    post_body = file:read("*a")
    file:close()
    nonce = options.nonce or nonce
    -- The JSON string without its closing quote, so each edit can end it differently.
    edit = options.edit == "1"
    if edit then
      post_body = post_body:match('^(.*)"%s*$')
    end
  end
  assert(#paths > 0 or write_share >= 1, "no paths to request")
  math.randomseed(tonumber(options.seed or "1") * 1000 + id)
end

function request()
  if write_share > 0 and (write_share >= 1 or math.random() < write_share) then
    counter = counter + 1
    if edit then
      -- A body that differs from every one before: each PATCH is a change, and a revision.
      local body = string.format('{"body":%s %s-%d-%d"}', post_body, nonce, id, counter)
      return wrk.format("PATCH", paths[math.random(#paths)], post_headers, body)
    end
    local title = string.format("Benchmark %s-%d-%d", nonce, id, counter)
    local body = '{"title":"' .. title .. '","status":"published","body":' .. post_body .. "}"
    return wrk.format("POST", "/api/v1/posts", post_headers, body)
  end
  return wrk.format("GET", paths[math.random(#paths)], get_headers)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(counts) do
    parts[#parts + 1] = string.format('"%d":%d', status, count)
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,"p95_us":%d,'
      .. '"p99_us":%d,'
      .. '"max_us":%d,"mean_us":%.1f,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,'
      .. '"timeout":%d},"statuses":{%s}}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(90), latency:percentile(95), latency:percentile(99), latency.max, latency.mean,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    table.concat(parts, ",")
  ))
end
