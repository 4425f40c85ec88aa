-- wrk script for the benchmarks (bench/wrk.py): each thread sends its share of a list of prepared
-- requests (each with its own session cookie and CSRF token), in order, never repeating one: a
-- submit or a start must not be counted twice. When a thread has sent its share it stops, and says
-- so: the figures of a run whose list ran out before the time was up are not used.
--
-- The list file has one request per line: method, path, headers ("Name: value" joined by \31),
-- body, separated by tabs. Arguments: the list file, the number of threads.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

-- Globals, so that done() can read each thread's with thread:get().
prepared = {}
position = 1
statuses = {}
exhausted = 0

local function split(text, separator)
  local parts = {}
  for part in string.gmatch(text .. separator, "(.-)" .. separator) do table.insert(parts, part) end
  return parts
end

function init(args)
  local file, count = args[1], tonumber(args[2])
  local index = 0
  for line in io.lines(file) do
    if index % count == id then
      local fields = split(line, "\t")
      local headers = {}
      if fields[3] ~= "" then
        for _, header in ipairs(split(fields[3], "\31")) do
          local name, value = string.match(header, "^([^:]+):%s*(.*)$")
          headers[name] = value
        end
      end
      local body = fields[4]
      if body == "" then body = nil end
      table.insert(prepared, wrk.format(fields[1], fields[2], headers, body))
    end
    index = index + 1
  end
end

function request()
  if position > #prepared then
    exhausted = 1
    wrk.thread:stop()
    return prepared[#prepared] or wrk.format("GET", "/healthz")  -- a thread whose share was empty
  end
  position = position + 1
  return prepared[position - 1]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local out = {}
  table.insert(out, string.format("requests=%d duration_us=%d", summary.requests, summary.duration))
  table.insert(out, string.format("errors_connect=%d errors_read=%d errors_write=%d errors_timeout=%d",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
  table.insert(out, string.format("p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%.1f",
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
  local codes, ran_out = {}, 0
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    for code, n in pairs(counts) do codes[code] = (codes[code] or 0) + n end
    ran_out = ran_out + thread:get("exhausted")
  end
  local parts = {}
  for code, n in pairs(codes) do table.insert(parts, code .. ":" .. n) end
  table.insert(out, "statuses=" .. table.concat(parts, ","))
  table.insert(out, "exhausted=" .. ran_out)
  io.write("WRKRESULT " .. table.concat(out, " ") .. "\n")
end
