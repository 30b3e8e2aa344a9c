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

-- Where the scenario called the assertion: the first frame outside this
-- file (assertions call one another, sometimes as tail calls).
local function caller_outside()
  for level = 3, 12 do
    local where = hbi.where(level)
    if where == "?" then
      break
    end
    if not where:find("hb/scenario.lua:", 1, true) then
      return where
    end
  end
  return "?"
end

function SB:_record(ok, message)
  self.assertions = self.assertions + 1
  if not ok then
    self.failures[#self.failures + 1] = caller_outside() .. ": " .. message
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

-- Domain helpers: the sandbox state as the handbook speaks of it. Reads
-- return the stored objects (nil when absent); the has_/no_ forms assert.

local function find_by(list, key, value)
  for _, item in ipairs(list or {}) do
    if item[key] == value then return item end
  end
  return nil
end

function SB:ticket(id)
  return find_by(self.state.zendesk and self.state.zendesk.tickets, "id", id)
end

function SB:org(id)
  return find_by(self.state.zendesk and self.state.zendesk.organizations, "id", id)
end

function SB:tags(ticket_id)
  local t = self:ticket(ticket_id)
  return t and t.tags or {}
end

-- Every comment of a ticket, oldest first.
function SB:comments(ticket_id)
  local t = self:ticket(ticket_id)
  return t and t.comments or {}
end

-- Comments hb wrote (as the sandbox's API user): public replies and internal notes.
local function written_by_hb(self, ticket_id, public)
  local me = self.state.sandbox and self.state.sandbox.zendesk_api_user
  local out = {}
  for _, c in ipairs(self:comments(ticket_id)) do
    if c.author_id == me and (c.public == true) == public then out[#out + 1] = c end
  end
  return out
end

function SB:replies(ticket_id) return written_by_hb(self, ticket_id, true) end
function SB:notes(ticket_id) return written_by_hb(self, ticket_id, false) end

local function any_contains(list, text)
  for _, c in ipairs(list) do
    if string.find(c.body or c.description or "", text, 1, true) then return c end
  end
  return nil
end

function SB:has_note(ticket_id, text, message)
  return self:_record(any_contains(self:notes(ticket_id), text) ~= nil, (message or "internal note")
    .. ": no internal note on ticket " .. ticket_id .. " contains " .. describe(text))
end

function SB:has_reply(ticket_id, text, message)
  return self:_record(any_contains(self:replies(ticket_id), text) ~= nil, (message or "public reply")
    .. ": no public reply on ticket " .. ticket_id .. " contains " .. describe(text))
end

function SB:no_reply(ticket_id, message)
  local n = #self:replies(ticket_id)
  return self:_record(n == 0, (message or "no public reply") .. ": ticket " .. ticket_id .. " got "
    .. n .. " public repl" .. (n == 1 and "y" or "ies"))
end

function SB:project(path)
  return find_by(self.state.gitlab and self.state.gitlab.projects, "path_with_namespace", path)
end

function SB:issues(path)
  local p = self:project(path)
  return p and p.issues or {}
end

function SB:issue(path, iid)
  return find_by(self:issues(path), "iid", iid)
end

-- Issues hb opened (as the sandbox's GitLab API user), oldest first.
function SB:new_issues(path)
  local me = self.state.sandbox and self.state.sandbox.gitlab_api_user
  local out = {}
  for _, i in ipairs(self:issues(path)) do
    if i.author_id == me then out[#out + 1] = i end
  end
  return out
end

function SB:opportunity(id)
  return find_by(self.state.salesforce and self.state.salesforce.Opportunity, "Id", id)
end

function SB:subscription(number)
  return find_by(self.state.zuora and self.state.zuora.subscriptions, "subscriptionNumber", number)
end

-- A request that changes something: anything but GET, except the reads that
-- are POSTs (token fetches, Zuora queries) and the sandbox's own webhook
-- deliveries (outgoing, not requests to it).
local function is_write(r)
  if r.direction == "outgoing" then return false end
  if r.method == "GET" or r.method == "HEAD" then return false end
  local path = r.path or ""
  return not (path:find("/oauth", 1, true) or path:find("/v1/action/query", 1, true))
end

function SB:writes(service)
  local out = {}
  for _, r in ipairs(self.requests) do
    if (not service or r.service == service) and is_write(r) then out[#out + 1] = r end
  end
  return out
end

function SB:no_writes(service, message)
  local n = #self:writes(service)
  return self:_record(n == 0, (message or "no writes") .. ": " .. n .. " write request(s) to "
    .. (service or "any service"))
end

function M.sandbox_view(state, requests, helpers)
  local sb = setmetatable({ state = state, requests = requests, assertions = 0, failures = {} }, SB)
  for name, fn in pairs(helpers or {}) do
    sb[name] = fn
  end
  return sb
end

return M
