-- Salesforce REST API, as intent-level operations: SOQL queries (following
-- nextRecordsUrl), reading a record, and updating only the fields given
-- (PATCH; Salesforce answers 204 without a body).
--
-- sobjects.get returns nil, err when the record does not exist; other
-- failures raise the uniform error. query returns an iterator over every
-- record. In a dry run, update returns { planned = true, ... } and sends
-- nothing.

local svc = require "hb.service"

local M = { sobjects = {} }

-- What each operation may do is the C operation table's
-- (runtime/services/service_table.c).

M.api_version = "v60.0"

local function data_path(rest)
  return ("/services/data/%s%s"):format(M.api_version, rest)
end

local function request(op, method, path, extra)
  local spec = { service = "salesforce", op = "salesforce." .. op, method = method, path = path }
  for k, v in pairs(extra or {}) do
    spec[k] = v
  end
  return spec
end

local function sobject_type(t, op)
  if type(t) ~= "string" or not t:match("^[%a][%w_]*$") then
    error(op .. ": the object type must be an API name like \"Opportunity\"", 3)
  end
  return t
end

local function record_id(id, op)
  if type(id) ~= "string" or not id:match("^%w+$") then
    error(op .. ": the record id must be a Salesforce id like \"006...\"", 3)
  end
  return id
end

-- Every record a SOQL query returns.
function M.query(soql)
  soql = svc.string_arg(soql, "salesforce.query", "soql")
  return svc.pages(request("query", "GET", data_path("/query"), { query = { q = soql } }),
    function(res)
      local body = res.body or {}
      local nxt = nil
      if body.done == false and type(body.nextRecordsUrl) == "string" then
        nxt = request("query", "GET", body.nextRecordsUrl)
      end
      return body.records, nxt
    end)
end

-- A record; fields (a list) limits what is read.
function M.sobjects.get(type_name, id, fields)
  local op = "salesforce.sobjects.get"
  type_name, id = sobject_type(type_name, op), record_id(id, op)
  local extra = {}
  if fields ~= nil then
    extra.query = { fields = table.concat(svc.string_list(fields, op, "fields"), ",") }
  end
  local res, err = svc.lookup(request("sobjects.get", "GET",
    data_path(("/sobjects/%s/%s"):format(type_name, id)), extra))
  if not res then
    return nil, err
  end
  return res.body
end

-- Sets the given fields and no others.
function M.sobjects.update(type_name, id, fields)
  local op = "salesforce.sobjects.update"
  type_name, id = sobject_type(type_name, op), record_id(id, op)
  fields = svc.table_arg(fields, op, "fields")
  if next(fields) == nil then
    error(op .. ": no fields to update", 2)
  end
  return svc.write(request("sobjects.update", "PATCH",
    data_path(("/sobjects/%s/%s"):format(type_name, id)), {
      body = fields, -- setting the same values twice changes nothing
      object = ("salesforce:%s:%s"):format(type_name, id),
    }), function() return { id = id, updated = true } end)
end

return M
