-- wrk script: the realistic mix of the reliability issue's load scenario. Each
-- request is drawn at random by weight: survey page loads and submissions
-- (each invitation token submitted once), member pages, friction filed and
-- me-too, the triage list and the priorities API. Inputs come from files
-- written by mix.py (one value per line). The summary counts statuses by class
-- and the submissions acknowledged (201 {"status":"stored"}).
local function lines(name)
  local out = {}
  for line in io.lines(os.getenv("MIX_DIR") .. "/" .. name) do out[#out + 1] = line end
  return out
end
local invitations, members, reports = lines("invitations.txt"), lines("members.txt"), lines("reports.txt")
local api_token, cycle = lines("api_token.txt")[1], lines("closed_cycle.txt")[1]
local answers = io.open(os.getenv("MIX_DIR") .. "/answers.json"):read("*a")
local friction = io.open(os.getenv("MIX_DIR") .. "/friction.json"):read("*a")
local threads, counter = {}, 0

-- name, weight (of 100); MIX_WEIGHTS="file_friction:50,me_too:50" replaces it.
local MIX = {
  {"survey_page", 25}, {"submit", 20}, {"member_page", 15}, {"file_friction", 8},
  {"me_too", 12}, {"triage_list", 10}, {"priorities", 10},
}
if os.getenv("MIX_WEIGHTS") and os.getenv("MIX_WEIGHTS") ~= "" then
  MIX = {}
  for name, weight in string.gmatch(os.getenv("MIX_WEIGHTS"), "([%w_]+):(%d+)") do
    MIX[#MIX + 1] = {name, tonumber(weight)}
  end
end

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  next_invitation = id
  step = tonumber(os.getenv("THREADS") or "2")
  math.randomseed(id * 7919)
  acknowledged, s2, s3, s4, s5, s409, s429 = 0, 0, 0, 0, 0, 0, 0
end

local function pick(list) return list[math.random(#list)] end
local function bearer(t) return {["Authorization"] = "Bearer " .. t, ["Content-Type"] = "application/json"} end

local function next_token()
  local t = invitations[next_invitation]
  next_invitation = next_invitation + step
  return t
end

function request()
  local r, kind = math.random(100), nil
  for _, m in ipairs(MIX) do
    r = r - m[2]
    if r <= 0 then kind = m[1] break end
  end
  if kind == "survey_page" then
    return wrk.format("GET", "/s/" .. pick(invitations))
  elseif kind == "submit" then
    local t = next_token()
    if t then
      return wrk.format("POST", "/api/v1/responses", {["Content-Type"] = "application/json"},
        (string.gsub(answers, "TOKEN", t)))
    end
    return wrk.format("GET", "/s/" .. pick(invitations))
  elseif kind == "member_page" then
    return wrk.format("GET", "/p/" .. pick(members))
  elseif kind == "file_friction" then
    return wrk.format("POST", "/api/v1/friction", bearer(pick(members)), friction)
  elseif kind == "me_too" then
    return wrk.format("POST", "/api/v1/friction/" .. pick(reports) .. "/me-too", bearer(pick(members)), "")
  elseif kind == "triage_list" then
    return wrk.format("GET", "/api/v1/friction?status=new&limit=50", bearer(api_token))
  else
    return wrk.format("GET", "/api/v1/cycles/" .. cycle .. "/priorities", bearer(api_token))
  end
end

function response(status, headers, body)
  local class = math.floor(status / 100)
  if class == 2 then s2 = s2 + 1 elseif class == 3 then s3 = s3 + 1
  elseif class == 4 then s4 = s4 + 1 else s5 = s5 + 1 end
  if status == 409 then s409 = s409 + 1 elseif status == 429 then s429 = s429 + 1 end
  if status == 201 and string.find(body, '"stored"', 1, true) then acknowledged = acknowledged + 1 end
end

function done(summary, latency, requests)
  local ack, c2, c3, c4, c5, c409, c429 = 0, 0, 0, 0, 0, 0, 0
  for _, t in ipairs(threads) do
    ack = ack + t:get("acknowledged"); c2 = c2 + t:get("s2"); c3 = c3 + t:get("s3")
    c4 = c4 + t:get("s4"); c5 = c5 + t:get("s5"); c409 = c409 + t:get("s409"); c429 = c429 + t:get("s429")
  end
  local secs = summary.duration / 1e6
  io.write(string.format("MIX requests=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f 2xx=%d 3xx=%d 4xx=%d 5xx=%d "
    .. "socket_errors=%d acknowledged=%d of_4xx_409=%d of_4xx_429=%d\n", summary.requests, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000, c2, c3, c4, c5,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, ack, c409, c429))
end
