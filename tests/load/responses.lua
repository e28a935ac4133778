-- wrk script: each request submits one survey response with its own invitation token.
-- Tokens come from tokens.txt (one per line); thread t of n takes lines t, t+n, t+2n, ...
local tokens = {}
for line in io.lines(os.getenv("TOKENS") or "tokens.txt") do tokens[#tokens + 1] = line end
local body_template = io.open(os.getenv("ANSWERS") or "answers.json"):read("*a")
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  next_index = id
  step = tonumber(os.getenv("THREADS") or "2")
end

function request()
  local token = tokens[next_index]
  next_index = next_index + step
  if token == nil then
    token = "exhausted-token-pool-xxxxxxxxxxxxxxxxxxxxxxx"
  end
  local body = string.gsub(body_template, "TOKEN", token)
  return wrk.format("POST", "/api/v1/responses", {["Content-Type"] = "application/json"}, body)
end

function done(summary, latency, requests)
  io.write(string.format("requests: %d, errors(non-2xx/3xx): %d, duration: %.1fs\n",
    summary.requests, summary.errors.status, summary.duration / 1e6))
  io.write(string.format("rps: %.1f, p50: %.2fms, p99: %.2fms, max: %.2fms\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
