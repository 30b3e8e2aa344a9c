-- Plumbing shared by the service modules (zendesk, gitlab, zuora,
-- salesforce), internal to them: workflows cannot require it. Calling the C
-- transport through hbi.request, the two ways a
-- failure comes back (raised, or nil + error where "not found" is an answer
-- a workflow branches on), and iterating over every page of a list.
--
-- A service failure is the uniform error table
--   { service, status, code, message, details, request_id }
-- whose tostring reads "zendesk answered 404 RecordNotFound: Not found".

local M = {}

-- Sends a request; raises the uniform error when the service refused.
function M.call(spec)
  local res, err = hbi.request(spec)
  if not res then
    error(err, 0)
  end
  return res
end

-- True when the error says the thing asked for does not exist.
function M.is_not_found(err)
  if type(err) ~= "table" then
    return false
  end
  return err.status == 404 or err.code == "50000040" or err.code == "NOT_FOUND"
end

-- A read where "not found" is data: nil, err for that; raises otherwise.
function M.lookup(spec)
  local res, err = hbi.request(spec)
  if res then
    return res
  end
  if M.is_not_found(err) then
    return nil, err
  end
  error(err, 0)
end

-- What a write returns in a dry run: it was recorded, not sent.
function M.planned(spec)
  return { planned = true, op = spec.op, object = spec.object }
end

-- True when a write's reply was lost: it may or may not have been applied.
local function reply_lost(err)
  return type(err) == "table" and (err.status == nil or err.status == 0)
    and err.code ~= "connection_failed"
end

-- Exactly-once for a write that is not idempotent. `once` = {
--   mark = function(spec, marker) puts the marker into spec.body, where the
--     service keeps it and a person does not see it;
--   find = function(marker, since) the created object's result (as `pick`
--     would give it) and a name for the audit, or nil: by LISTING, which is
--     current, never by search, which lags;
--   created = function(result) (optional) the created object's audit key
--     ("gitlab:issue:grp/proj#3"), recorded so the trail finds it by it }.
-- Before sending, a marker an interrupted execution of this step recorded
-- an intent for is looked for; after a lost reply, too. Found: audited as
-- reconciled, not sent again.
local function write_once(spec, pick, once)
  local marker, pending, since = hbi.marker()
  if not marker then
    return false
  end
  spec.marker = marker
  once.mark(spec, marker)
  local function found_or_nil()
    local result, name = once.find(marker, since)
    if result == nil then
      return nil
    end
    hbi.reconciled { service = spec.service, op = spec.op, object = spec.object,
      marker = marker, found = tostring(name) }
    return result
  end
  if pending then
    local result = found_or_nil()
    if result ~= nil then
      return true, result
    end
  end
  local res, err = hbi.request(spec)
  if res then
    if res.planned then
      return true, M.planned(spec)
    end
    local result = pick(res)
    local key = once.created and once.created(result)
    if type(key) == "string" then
      hbi.created { service = spec.service, op = spec.op, object = spec.object, created = key }
    end
    return true, result
  end
  if reply_lost(err) then
    local result = found_or_nil()
    if result ~= nil then
      return true, result
    end
  end
  error(err, 0)
end

-- The result of a write: `pick(res)` when sent, the plan in a dry run (C
-- decides which from the operation, whatever the spec says). `once`
-- (optional) makes a non-idempotent write exactly-once: see above.
function M.write(spec, pick, once)
  if once then
    local handled, result = write_once(spec, pick, once)
    if handled then
      return result
    end
  end
  local res = M.call(spec)
  if res.planned then
    return M.planned(spec)
  end
  return pick(res)
end

-- An iterator over every item of every page. `extract(res, spec)` returns
-- the page's items and the next request (nil on the last page). Pages are
-- fetched as the loop needs them.
function M.pages(first, extract)
  local spec, items, i = first, nil, 0
  return function()
    while true do
      if items and i < #items then
        i = i + 1
        return items[i]
      end
      if not spec then
        return nil
      end
      local res = M.call(spec)
      items, spec = extract(res, spec)
      items, i = items or {}, 0
    end
  end
end

-- Argument checks raise at the workflow's line, naming the operation:
-- level 3 (the caller of the operation that called the check) unless the
-- check sits one helper deeper (level 4).
function M.positive_id(v, op, what, level)
  local n = math.tointeger(v)
  if not n and type(v) == "string" and v:match("^%d+$") then
    n = math.tointeger(tonumber(v))
  end
  if not n or n <= 0 then
    error(("%s: %s must be a positive integer id, not %s"):format(op, what, tostring(v)),
      level or 3)
  end
  return n
end

function M.string_arg(v, op, what)
  if type(v) == "number" then
    v = tostring(math.tointeger(v) or v)
  end
  if type(v) ~= "string" or v == "" then
    error(("%s: %s must be a non-empty string, not %s"):format(op, what, tostring(v)), 3)
  end
  return v
end

function M.table_arg(v, op, what)
  if v == nil then
    return {}
  end
  if type(v) ~= "table" then
    error(("%s: %s must be a table, not %s"):format(op, what, type(v)), 3)
  end
  return v
end

-- A string or a non-empty list of strings, as a list.
function M.string_list(v, op, what, level)
  if type(v) == "string" and v ~= "" then
    return { v }
  end
  if type(v) == "table" and #v > 0 then
    local out = {}
    for i, s in ipairs(v) do
      if type(s) ~= "string" or s == "" then
        error(("%s: %s[%d] must be a non-empty string"):format(op, what, i), level or 3)
      end
      out[i] = s
    end
    return out
  end
  error(("%s: %s must be a string or a non-empty list of strings"):format(op, what), level or 3)
end

-- A copy of a table's fields (one level), so bindings never edit the
-- caller's table.
function M.copy(t)
  local out = {}
  for k, v in pairs(t) do
    out[k] = v
  end
  return out
end

return M
