-- Zendesk Support API v2, as intent-level operations: each names what it
-- changes, so adding a tag never replaces the others and a comment is an
-- internal note unless a public reply is asked for (public = true), which a
-- workflow's forbid = { "zendesk.public_reply" } refuses (C sees the public
-- comment in the body, whichever operation carries it).
--
-- Ids come first, then a table of fields. Reads return the object; get-style
-- reads return nil, err when it does not exist; every other failure raises
-- the uniform error. Lists (search, tickets.comments) return an iterator over
-- every item of every page. In a dry run, writes return
-- { planned = true, op = ..., object = ... } and send nothing.

local svc = require "hb.service"

local M = { tickets = {}, organizations = {}, ticket_forms = {}, ticket_fields = {}, users = {} }

-- Each operation sends its requests under its name ("zendesk.tickets.get");
-- what that operation may do (read or write, which methods and paths,
-- whether it may be repeated, what `forbid` sees) is the C operation table's
-- (runtime/services/service_table.c), not this file's.

local API = "/api/v2"

local function request(op, method, path, extra)
  local spec = { service = "zendesk", op = "zendesk." .. op, method = method, path = path }
  for k, v in pairs(extra or {}) do
    spec[k] = v
  end
  return spec
end

-- Zendesk pages two ways: cursor (meta.has_more + links.next) and offset
-- (next_page); both carry the next page as a full URL.
local function next_link(body)
  local meta, links = body.meta, body.links
  if type(meta) == "table" and meta.has_more == true and type(links) == "table"
      and type(links.next) == "string" then
    return links.next
  end
  if type(body.next_page) == "string" then
    return body.next_page
  end
  return nil
end

local function paged(spec, key)
  return svc.pages(spec, function(res, prev)
    local body = res.body or {}
    local link = next_link(body)
    local nxt = nil
    if link then
      nxt = request(prev.op:sub(#"zendesk." + 1), "GET", link)
    end
    return body[key], nxt
  end)
end

-- A comment as Zendesk wants it, with `public` always explicit: Zendesk's
-- own default is a public reply.
local function comment_body(op, c)
  if type(c) == "string" then
    c = { body = c }
  end
  if type(c) ~= "table" or (type(c.body) ~= "string" and type(c.html_body) ~= "string") then
    error(op .. ": a comment needs a body (a string, or { body = ..., public = false })", 3)
  end
  local out = svc.copy(c)
  out.public = c.public == true
  return out
end

-- Exactly-once comments (hb.service). A comment has no field of its own to
-- hold a marker, but the update that makes it does: Zendesk keeps an
-- update's `ticket.metadata` as its ticket audit's `metadata.custom`, which
-- no person edits and the audits API returns. The marker goes there, and a
-- comment is recognised only by an audit carrying exactly its marker: the
-- ticket's audits, newest first, back to the intent's time (listing, never
-- search, which indexes minutes late). Another run's comment, however alike
-- in text, carries another marker and is never taken for this one.
local MARKER_KEY = "hb_marker"

local function with_marker(ticket, marker)
  local meta = type(ticket.metadata) == "table" and svc.copy(ticket.metadata) or {}
  meta[MARKER_KEY] = marker
  ticket.metadata = meta
end

local function audits(id, query)
  return paged(request("tickets.audits", "GET", ("%s/tickets/%d/audits.json"):format(API, id),
    { query = query }), "audits")
end

local function comment_of(audit)
  for _, ev in ipairs(type(audit.events) == "table" and audit.events or {}) do
    if type(ev) == "table" and ev.type == "Comment" then
      return ev
    end
  end
  return nil
end

local function find_comment(id, marker, since)
  for a in audits(id, { ["page[size]"] = 100, sort_order = "desc" }) do
    local custom = type(a.metadata) == "table" and a.metadata.custom
    if type(custom) == "table" and custom[MARKER_KEY] == marker then
      return a, comment_of(a)
    end
    if type(a.created_at) == "string" and a.created_at < since then
      break
    end
  end
  return nil
end

local function comment_once(id)
  return {
    mark = function(spec, marker)
      with_marker(spec.body.ticket, marker)
    end,
    find = function(marker, since)
      local audit, c = find_comment(id, marker, since)
      if not audit then
        return nil
      end
      local res = svc.call(request("tickets.get", "GET", ("%s/tickets/%d.json"):format(API, id)))
      return res.body.ticket, ("zendesk:comment:%d#%s"):format(id,
        tostring(c and c.id or ("audit " .. tostring(audit.id))))
    end,
  }
end

local function refuse_tags(op, fields, adder)
  if fields.tags ~= nil then
    error(("%s: `tags` would replace every tag; use %s / remove_tags"):format(op, adder), 3)
  end
end

-- tickets ------------------------------------------------------------------

function M.tickets.get(id)
  id = svc.positive_id(id, "zendesk.tickets.get", "ticket")
  local res, err = svc.lookup(request("tickets.get", "GET", ("%s/tickets/%d.json"):format(API, id)))
  if not res then
    return nil, err
  end
  return res.body.ticket
end

-- Changes ticket fields (status, priority, custom_fields, a comment ...).
function M.tickets.update(id, fields)
  local op = "zendesk.tickets.update"
  id = svc.positive_id(id, op, "ticket")
  fields = svc.copy(svc.table_arg(fields, op, "fields"))
  refuse_tags(op, fields, "zendesk.tickets.add_tags")
  if fields.comment ~= nil then
    fields.comment = comment_body(op, fields.comment)
  end
  -- Setting fields twice changes nothing; a comment would repeat, so with
  -- one the write is made exactly-once.
  return svc.write(request("tickets.update", "PUT", ("%s/tickets/%d.json"):format(API, id), {
    body = { ticket = fields },
    object = "zendesk:ticket:" .. id,
  }), function(res) return res.body.ticket end,
  fields.comment ~= nil and comment_once(id) or nil)
end

local function tags_call(kind, opname, method, id, tags)
  local op = "zendesk." .. kind .. "." .. opname
  id = svc.positive_id(id, op, kind == "tickets" and "ticket" or "organization", 4)
  tags = svc.string_list(tags, op, "tags", 4)
  local object = (kind == "tickets" and "zendesk:ticket:" or "zendesk:organization:") .. id
  -- The tags endpoint: PUT adds, DELETE removes; both are safe to repeat.
  return svc.write(request(kind .. "." .. opname, method,
    ("%s/%s/%d/tags.json"):format(API, kind, id),
    { body = { tags = tags }, object = object }),
    function(res) return res.body and res.body.tags end)
end

function M.tickets.add_tags(id, tags)
  return tags_call("tickets", "add_tags", "PUT", id, tags)
end

function M.tickets.remove_tags(id, tags)
  return tags_call("tickets", "remove_tags", "DELETE", id, tags)
end

-- An internal note by default; { body = ..., public = true } for a reply the
-- customer sees.
function M.tickets.comment(id, c)
  local op = "zendesk.tickets.comment"
  id = svc.positive_id(id, op, "ticket")
  local comment = comment_body(op, c)
  return svc.write(request("tickets.comment", "PUT", ("%s/tickets/%d.json"):format(API, id), {
    body = { ticket = { comment = comment } },
    object = "zendesk:ticket:" .. id,
  }), function(res) return res.body.ticket end, comment_once(id))
end

-- Every comment, oldest first, with its attachments.
function M.tickets.comments(id)
  id = svc.positive_id(id, "zendesk.tickets.comments", "ticket")
  return paged(request("tickets.comments", "GET", ("%s/tickets/%d/comments.json"):format(API, id),
    { query = { ["page[size]"] = 100 } }), "comments")
end

-- Every audit of the ticket (one per update that changed it: its events,
-- who and how, and the update's metadata), oldest first.
function M.tickets.audits(id)
  id = svc.positive_id(id, "zendesk.tickets.audits", "ticket")
  return audits(id, { ["page[size]"] = 100 })
end

-- The statuses an update may set (a ticket closes by itself after solved).
local STATUSES = { new = true, open = true, pending = true, hold = true, solved = true }

-- Sets the ticket's status, with a comment in the same update when given:
-- a reply that sets it to pending while the customer is asked for
-- something ({ body = ..., public = true }), or an internal note (a string,
-- or public = false). One update, so the customer never sees the reply
-- without the status, nor the status without the reply.
function M.tickets.set_status(id, status, c)
  local op = "zendesk.tickets.set_status"
  id = svc.positive_id(id, op, "ticket")
  if not STATUSES[status] then
    error(op .. ": status must be new, open, pending, hold or solved, not " .. tostring(status), 2)
  end
  local fields = { status = status }
  if c ~= nil then
    fields.comment = comment_body(op, c)
  end
  return svc.write(request("tickets.set_status", "PUT", ("%s/tickets/%d.json"):format(API, id), {
    body = { ticket = fields },
    object = "zendesk:ticket:" .. id,
  }), function(res) return res.body.ticket end,
  fields.comment and comment_once(id) or nil)
end

-- Where people see Zendesk: ZENDESK_WEB_URL, else ZENDESK_URL (in the
-- sandbox, HB_SANDBOX_WEB_URL: the same for every run). nil when unset.
local function web_base()
  return hbi.web_base("zendesk")
end

-- The ticket's page in the agent interface (https://x.zendesk.com/agent/tickets/123),
-- made from its id alone: no request, so a link for a ticket hb has not read.
function M.tickets.web_url(id)
  local op = "zendesk.tickets.web_url"
  id = svc.positive_id(id, op, "ticket")
  local base = web_base()
  if not base then
    error(op .. ": ZENDESK_URL is not set, so there is no address to link to", 2)
  end
  return ("%s/agent/tickets/%d"):format(base, id)
end

-- The ticket's page in the agent interface (https://x.zendesk.com/agent/tickets/123),
-- for a ticket that exists: `t` is a ticket (no request) or its id (read
-- first). nil, err when there is no such ticket.
function M.tickets.agent_url(t)
  local op = "zendesk.tickets.agent_url"
  if type(t) ~= "table" then
    local id = svc.positive_id(t, op, "ticket")
    local res, err = svc.lookup(request("tickets.agent_url", "GET", ("%s/tickets/%d.json"):format(API, id)))
    if not res then
      return nil, err
    end
    t = res.body.ticket
  end
  local base, id = tostring(t.url or ""):match("^(.-)/api/v2/tickets/(%d+)%.json$")
  if not base then
    error(op .. ": the ticket has no API url to derive its agent page from", 2)
  end
  return ("%s/agent/tickets/%s"):format(web_base() or base, id)
end

-- Adds email CCs (addresses), keeping the ones already there.
function M.tickets.add_cc(id, emails)
  local op = "zendesk.tickets.add_cc"
  id = svc.positive_id(id, op, "ticket")
  local ccs = {}
  for i, e in ipairs(svc.string_list(emails, op, "emails")) do
    ccs[i] = { user_email = e, action = "put" }
  end
  return svc.write(request("tickets.add_cc", "PUT", ("%s/tickets/%d.json"):format(API, id), {
    body = { ticket = { email_ccs = ccs } },
    object = "zendesk:ticket:" .. id,
  }), function(res) return res.body.ticket end)
end

-- organizations --------------------------------------------------------------

function M.organizations.get(id)
  id = svc.positive_id(id, "zendesk.organizations.get", "organization")
  local res, err = svc.lookup(request("organizations.get", "GET",
    ("%s/organizations/%d.json"):format(API, id)))
  if not res then
    return nil, err
  end
  return res.body.organization
end

function M.organizations.update(id, fields)
  local op = "zendesk.organizations.update"
  id = svc.positive_id(id, op, "organization")
  fields = svc.copy(svc.table_arg(fields, op, "fields"))
  refuse_tags(op, fields, "zendesk.organizations.add_tags")
  return svc.write(request("organizations.update", "PUT",
    ("%s/organizations/%d.json"):format(API, id), {
      body = { organization = fields },
      object = "zendesk:organization:" .. id,
    }), function(res) return res.body.organization end)
end

function M.organizations.add_tags(id, tags)
  return tags_call("organizations", "add_tags", "PUT", id, tags)
end

function M.organizations.remove_tags(id, tags)
  return tags_call("organizations", "remove_tags", "DELETE", id, tags)
end

-- ticket forms and users -------------------------------------------------------

-- The object of a listing (ticket forms, ticket fields) whose `key` is
-- `name`: exactly, else ignoring case; an active one before an inactive
-- one. Forms and fields are found by name because ids differ between
-- instances.
local function find_named(op, collection, key, name)
  name = svc.string_arg(name, "zendesk." .. op, key)
  local best, best_rank
  for item in paged(request(op, "GET", ("%s/%s.json"):format(API, collection)), collection) do
    local text = type(item[key]) == "string" and item[key] or ""
    local rank = text == name and 0 or text:lower() == name:lower() and 2 or nil
    if rank and item.active == false then
      rank = rank + 1
    end
    if rank and (not best_rank or rank < best_rank) then
      best, best_rank = item, rank
    end
  end
  return best
end

-- The form with this name, or nil.
function M.ticket_forms.find(name)
  return find_named("ticket_forms.find", "ticket_forms", "name", name)
end

-- The field with this title, or nil; support.custom_field reads a ticket's
-- value of it.
function M.ticket_fields.find(title)
  return find_named("ticket_fields.find", "ticket_fields", "title", title)
end

-- The user with this email address (any case), or nil.
function M.users.find_by_email(email)
  local op = "zendesk.users.find_by_email"
  email = svc.string_arg(email, op, "email")
  for user in paged(request("users.find_by_email", "GET", API .. "/users/search.json",
      { query = { query = email } }), "users") do
    if type(user.email) == "string" and user.email:lower() == email:lower() then
      return user
    end
  end
  return nil
end

-- Every ticket the user requested (the requester's other tickets, when the
-- caller leaves out the one at hand), oldest first.
function M.users.requested_tickets(id)
  id = svc.positive_id(id, "zendesk.users.requested_tickets", "user")
  return paged(request("users.requested_tickets", "GET",
    ("%s/users/%d/tickets/requested.json"):format(API, id), { query = { per_page = 100 } }), "tickets")
end

function M.users.get(id)
  id = svc.positive_id(id, "zendesk.users.get", "user")
  local res, err = svc.lookup(request("users.get", "GET", ("%s/users/%d.json"):format(API, id)))
  if not res then
    return nil, err
  end
  return res.body.user
end

-- search ---------------------------------------------------------------------

-- Every result of a search ("type:ticket organization:5 status<solved").
-- Zendesk serves at most 1000 results and indexes new records with a delay
-- of minutes: do not search for something this run just created.
function M.search(query)
  query = svc.string_arg(query, "zendesk.search", "query")
  return paged(request("search", "GET", API .. "/search.json",
    { query = { query = query, per_page = 100 } }), "results")
end

return M
