-- One Carelink scenario under wrk:
--   wrk ... -s load.lua URL -- SCENARIO ITEMS THREADS ORIGIN [EXTRA]
-- EXTRA is the static file's path, or the password every bench patient shares.
-- Every request comes from its own client address (X-Forwarded-For, believed because the portal
-- trusts 127.0.0.1 as its proxy), so per-client limits never cut a run short. ITEMS is a file of
-- one value per line (a token, a session secret, an address), split between wrk's threads; a
-- scenario that uses its items up (redeeming links) stops its thread when they run out.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local scenario, items, next_item, sent, consumes, extra
-- Globals, so that done() can read each thread's counts.
landed, sent_back = 0, 0
local form = {
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Accept"] = "text/html",
}

function init(args)
  scenario = args[1]
  local nthreads = tonumber(args[3])
  form["Origin"] = args[4]
  extra = args[5]
  items, next_item, sent = {}, 1, 0
  consumes = scenario == "redeem"
  -- Reading answers costs wrk time the server could have had: only password sign-in reads
  -- where each one sends the browser (in, or back to the form: wrong or busy).
  if scenario ~= "password" then response = nil end
  if args[2] ~= "-" then
    local i = 0
    for line in io.lines(args[2]) do
      if i % nthreads == id then items[#items + 1] = line end
      i = i + 1
    end
  end
end

local function next_value()
  local value = items[next_item]
  next_item = next_item + 1
  if next_item > #items then
    if consumes then wrk.thread:stop() end
    next_item = 1
  end
  return value
end

local function client()
  sent = sent + 1
  return string.format("10.%d.%d.%d", id + 1, math.floor(sent / 256) % 256, sent % 256)
end

-- A page, asked for as a browser does: compressed if the portal will.
local function page(ip)
  return { ["X-Forwarded-For"] = ip, ["Accept"] = "text/html", ["Accept-Encoding"] = "br, gzip" }
end

function request()
  local ip = client()
  if scenario == "static" then
    return wrk.format("GET", extra,
      { ["X-Forwarded-For"] = ip, ["Accept-Encoding"] = "br, gzip" })
  elseif scenario == "login" then
    return wrk.format("GET", "/login", page(ip))
  elseif scenario == "link_page" then
    return wrk.format("GET", "/login/link/" .. next_value(), page(ip))
  elseif scenario == "appointments" then
    local headers = page(ip)
    headers["Cookie"] = "carelink_session=" .. next_value()
    return wrk.format("GET", "/appointments", headers)
  end
  form["X-Forwarded-For"] = ip
  if scenario == "ask" then
    return wrk.format("POST", "/api/ask_for_login_link", form,
      "email=" .. next_value() .. "&next=")
  elseif scenario == "redeem" then
    return wrk.format("POST", "/api/sign_in_with_link", form,
      "token=" .. next_value() .. "&time_zone=")
  elseif scenario == "password" then
    return wrk.format("POST", "/api/sign_in_with_password", form,
      "email=" .. next_value() .. "&password=" .. extra .. "&next=&time_zone=")
  end
  error("unknown scenario " .. scenario)
end

function response(status, headers)
  local location = headers["Location"] or headers["location"] or ""
  if location:find("^/appointments") then
    landed = landed + 1
  elseif status == 302 then
    sent_back = sent_back + 1
  end
end

function done(summary, latency)
  local total_landed, total_sent_back = 0, 0
  for _, thread in ipairs(threads) do
    total_landed = total_landed + thread:get("landed")
    total_sent_back = total_sent_back + thread:get("sent_back")
  end
  local e = summary.errors
  io.write(string.format(
    "CARELINK requests=%d duration_us=%d p50_us=%d p99_us=%d socket_errors=%d " ..
    "status_errors=%d landed=%d sent_back=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status, total_landed, total_sent_back))
end
