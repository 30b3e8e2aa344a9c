-- Scenario files for `hb test`: `scenarios "workflow" { scenario "name" {...}, ... }`
-- and the assertion object a scenario's `check(sb)` receives. Assertions
-- record failures (with file:line) instead of raising, so one run reports
-- every broken expectation; `hb test` counts them and refuses a scenario
-- that asserts nothing about the sandbox's state or requests.

local M = {}
local SCENARIO = {}

local SCENARIO_FIELDS = {
  now = true, sandbox = true, inputs = true, answers = true, actions = true,
  path = true, status = true, step = true, check = true, faults = true,
}

function M.scenario(name)
  local where = hbi.where(2)
  if type(name) ~= "string" or name == "" then
    error(where .. ': scenario needs a name: scenario "what it shows" { ... }', 0)
  end
  return function(spec)
    if type(spec) ~= "table" then
      error(where .. ': scenario "' .. name .. '" needs a table', 0)
    end
    for k in pairs(spec) do
      if type(k) ~= "string" or not SCENARIO_FIELDS[k] then
        error(where .. ': scenario "' .. name .. '" has an unknown field ' .. tostring(k), 0)
      end
    end
    if spec.check ~= nil and type(spec.check) ~= "function" then
      error(where .. ': scenario "' .. name .. '": check must be a function(sb)', 0)
    end
    return setmetatable({ name = name, where = where, spec = spec }, SCENARIO)
  end
end

function M.scenarios(workflow)
  local where = hbi.where(2)
  return function(list)
    local items = {}
    for i, item in ipairs(list) do
      if getmetatable(item) ~= SCENARIO then
        error(where .. ": item " .. i .. " is not a scenario", 0)
      end
      items[#items + 1] = item
    end
    return { kind = "scenarios", workflow = workflow, where = where, scenarios = items }
  end
end

-- The sandbox as a scenario sees it after the run ---------------------------

local SB = {}
SB.__index = SB

local function describe(v)
  if type(v) == "table" then return json.encode(v) end
  return tostring(v)
end

function SB:_record(ok, message)
  self.assertions = self.assertions + 1
  if not ok then
    self.failures[#self.failures + 1] = hbi.where(3) .. ": " .. message
  end
  return ok
end

-- Generic assertions.
function SB:expect(condition, message)
  return self:_record(condition and true or false, message or "expectation failed")
end

function SB:equal(actual, expected, message)
  local same = actual == expected
  if not same and type(actual) == "table" and type(expected) == "table" then
    same = json.encode(actual) == json.encode(expected)
  end
  return self:_record(same, (message or "values differ") .. ": expected " .. describe(expected)
    .. ", got " .. describe(actual))
end

local function contains(list, value)
  for _, v in ipairs(list or {}) do
    if v == value then return true end
  end
  return false
end

function SB:contains(list, value, message)
  return self:_record(contains(list, value), (message or "missing value") .. ": " .. describe(value)
    .. " not in " .. describe(list))
end

function SB:lacks(list, value, message)
  return self:_record(not contains(list, value), (message or "unexpected value") .. ": "
    .. describe(value) .. " in " .. describe(list))
end

-- Requests the sandbox received: filter by method, service, and a Lua
-- pattern on the path (plain text when `plain = true`).
function SB:requests_matching(filter)
  local out = {}
  for _, r in ipairs(self.requests) do
    local ok = (not filter.method or r.method == filter.method)
      and (not filter.service or r.service == filter.service)
      and (not filter.path or string.find(r.path or "", filter.path, 1, filter.plain) ~= nil)
      and (not filter.body or string.find(json.encode(r.body or json.null), filter.body, 1, true) ~= nil)
    if ok then out[#out + 1] = r end
  end
  return out
end

function SB:request_count(filter, n, message)
  local got = #self:requests_matching(filter)
  return self:_record(got == n, (message or "request count") .. ": expected " .. n
    .. " request(s) matching " .. describe(filter) .. ", got " .. got)
end

function SB:no_request(filter, message)
  return self:request_count(filter, 0, message or "no such request")
end

function M.sandbox_view(state, requests, helpers)
  local sb = setmetatable({ state = state, requests = requests, assertions = 0, failures = {} }, SB)
  for name, fn in pairs(helpers or {}) do
    sb[name] = fn
  end
  return sb
end

return M
