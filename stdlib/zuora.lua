-- Zuora REST API v1 (reads only). Zuora can answer HTTP 200 with
-- success:false; the transport turns that into the uniform error, so a
-- result here is always a success.
--
-- get-style reads return nil, err when the key is unknown (Zuora's code
-- "50000040"); other failures raise. Lists return an iterator over every
-- item of every page. query() is a POST but a read: it changes nothing.

local svc = require "hb.service"

local M = { subscriptions = {}, accounts = {} }

-- What each operation may do is the C operation table's
-- (runtime/services/service_table.c): query is a POST that reads.

local function request(op, method, path, extra)
  local spec = { service = "zuora", op = "zuora." .. op, method = method, path = path }
  for k, v in pairs(extra or {}) do
    spec[k] = v
  end
  return spec
end

-- A subscription by number ("A-S00001234") or id.
function M.subscriptions.get(key)
  key = svc.string_arg(key, "zuora.subscriptions.get", "key")
  local res, err = svc.lookup(request("subscriptions.get", "GET",
    "/v1/subscriptions/" .. hbi.escape(key)))
  if not res then
    return nil, err
  end
  return res.body
end

-- Every subscription of an account (number or id), 40 a page.
function M.subscriptions.by_account(account)
  account = svc.string_arg(account, "zuora.subscriptions.by_account", "account")
  return svc.pages(request("subscriptions.by_account", "GET",
    "/v1/subscriptions/accounts/" .. hbi.escape(account),
    { query = { page = 1, pageSize = 40 } }), function(res)
      local body = res.body or {}
      local nxt = nil
      -- nextPage is present only when more remain: a URL or a path.
      if type(body.nextPage) == "string" and body.nextPage ~= "" then
        nxt = request("subscriptions.by_account", "GET", body.nextPage)
      end
      return body.subscriptions, nxt
    end)
end

-- basicInfo, billToContact, soldToContact, the latest subscriptions,
-- invoices and payments of an account; nil, err when it is unknown.
function M.accounts.summary(account)
  account = svc.string_arg(account, "zuora.accounts.summary", "account")
  local res, err = svc.lookup(request("accounts.summary", "GET",
    ("/v1/accounts/%s/summary"):format(hbi.escape(account))))
  if not res then
    return nil, err
  end
  return res.body
end

-- Every record a ZOQL query matches, following queryMore (2000 a call).
function M.query(zoql)
  zoql = svc.string_arg(zoql, "zuora.query", "zoql")
  return svc.pages(request("query", "POST", "/v1/action/query",
    { body = { queryString = zoql } }), function(res)
      local body = res.body or {}
      local nxt = nil
      if body.done == false and type(body.queryLocator) == "string" then
        nxt = request("query", "POST", "/v1/action/queryMore",
          { body = { queryLocator = body.queryLocator } })
      end
      return body.records, nxt
    end)
end

return M
