-- GitLab REST API v4, as intent-level operations. A project is its numeric
-- id or its path ("group/sub/project", sent URL-encoded); issues are
-- addressed by iid within their project. Labels are added and removed, never
-- replaced wholesale.
--
-- Reads return the object; get-style reads return nil, err when it does not
-- exist; other failures raise the uniform error. issues.list returns an
-- iterator over every issue of every page. In a dry run, writes return
-- { planned = true, op = ..., object = ... } and send nothing.

local svc = require "hb.service"

local M = { issues = {}, notes = {}, templates = {}, groups = {}, projects = {}, users = {} }

-- What each operation may do is the C operation table's
-- (runtime/services/service_table.c); "gitlab.notes.list" there is the
-- listing notes.create looks for its marker in.

local API = "/api/v4"

local function request(op, method, path, extra)
  local spec = { service = "gitlab", op = "gitlab." .. op, method = method, path = path }
  for k, v in pairs(extra or {}) do
    spec[k] = v
  end
  return spec
end

-- The project as the API addresses it (id, or the %2F-encoded path) and as
-- objects in the audit trail name it (id or plain path).
local function project_ref(p, op, what)
  local id = math.tointeger(p)
  if id and id > 0 then
    return tostring(id), tostring(id)
  end
  if type(p) == "string" and p ~= "" then
    if p:match("^%d+$") then
      return p, p
    end
    return hbi.escape(p), p
  end
  error(("%s: %s must be a numeric id or a path like \"group/project\""):format(op,
    what or "project"), 3)
end

local function issue_object(project, iid)
  return ("gitlab:issue:%s#%d"):format(project, iid)
end

-- Exactly-once writes (hb.service) keep their run/step marker in the text
-- they create as an HTML comment, which GitLab's markdown does not show.
local function with_marker(text, marker)
  local tag = ("<!-- %s -->"):format(marker)
  if type(text) ~= "string" or text == "" then
    return tag
  end
  return text .. "\n\n" .. tag
end

-- Only the trailer hb appended counts: text that quotes a marker (an issue
-- citing another run's, a note pasted from one) is somebody else's write,
-- and taking it for this one would make two writes one.
local function has_marker(text, marker)
  if type(text) ~= "string" then
    return false
  end
  local tag = ("<!-- %s -->"):format(marker)
  local last = #text -- past trailing whitespace GitLab may add or trim
  while last > 0 and text:sub(last, last):match("%s") do
    last = last - 1
  end
  local body = text:sub(1, last)
  return body == tag or body:sub(-#tag - 2) == "\n\n" .. tag
end

local function comma_list(v, op, what)
  if v == nil or type(v) == "string" then
    return v
  end
  return table.concat(svc.string_list(v, op, what, 4), ",")
end

function M.issues.create(project, fields)
  local op = "gitlab.issues.create"
  local ref, name = project_ref(project, op)
  fields = svc.copy(svc.table_arg(fields, op, "fields"))
  if type(fields.title) ~= "string" or fields.title == "" then
    error(op .. ": fields.title is required", 2)
  end
  fields.labels = comma_list(fields.labels, op, "labels")
  return svc.write(request("issues.create", "POST", ("%s/projects/%s/issues"):format(API, ref), {
    body = fields,
    object = "gitlab:project:" .. name,
  }), function(res) return res.body end, {
    mark = function(spec, marker)
      spec.body.description = with_marker(spec.body.description, marker)
    end,
    find = function(marker, since)
      -- The project's issues created since the intent, newest first: a
      -- listing is current, and few issues are that recent.
      for issue in M.issues.list(project, { state = "all", order_by = "created_at",
          sort = "desc", created_after = since }) do
        if has_marker(issue.description, marker) then
          return issue, issue_object(name, issue.iid)
        end
        if type(issue.created_at) == "string" and issue.created_at < since then
          break
        end
      end
      return nil
    end,
    created = function(issue)
      return type(issue) == "table" and math.tointeger(issue.iid) and issue_object(name, issue.iid)
    end,
  })
end

-- The issue's page (https://gitlab.com/group/project/-/issues/3), from the
-- project's path and the iid alone: no request. The base is GITLAB_WEB_URL,
-- else GITLAB_URL (in the sandbox, HB_SANDBOX_WEB_URL: the same every run).
function M.issues.web_url(project, iid)
  local op = "gitlab.issues.web_url"
  if type(project) ~= "string" or not project:find("/", 1, true) then
    error(op .. ": project must be a path like \"group/project\" (a web address has no numeric ids)", 2)
  end
  iid = svc.positive_id(iid, op, "iid")
  local base = hbi.web_base("gitlab")
  if not base then
    error(op .. ": GITLAB_URL is not set, so there is no address to link to", 2)
  end
  return ("%s/%s/-/issues/%d"):format(base, project, iid)
end

function M.issues.get(project, iid)
  local op = "gitlab.issues.get"
  local ref = project_ref(project, op)
  iid = svc.positive_id(iid, op, "iid")
  local res, err = svc.lookup(request("issues.get", "GET",
    ("%s/projects/%s/issues/%d"):format(API, ref, iid)))
  if not res then
    return nil, err
  end
  return res.body
end

-- fields: add_labels, remove_labels (lists or comma strings), state =
-- "closed" | "opened" (or close = true / reopen = true), description, title,
-- and any other issue attribute GitLab accepts. `labels` is refused: it
-- would replace every label.
function M.issues.update(project, iid, fields)
  local op = "gitlab.issues.update"
  local ref, name = project_ref(project, op)
  iid = svc.positive_id(iid, op, "iid")
  fields = svc.copy(svc.table_arg(fields, op, "fields"))
  if fields.labels ~= nil then
    error(op .. ": `labels` would replace every label; use add_labels / remove_labels", 2)
  end
  fields.add_labels = comma_list(fields.add_labels, op, "add_labels")
  fields.remove_labels = comma_list(fields.remove_labels, op, "remove_labels")
  local state = fields.state
  fields.state = nil
  if state == "closed" or state == "close" or fields.close == true then
    fields.state_event = "close"
  elseif state == "opened" or state == "reopen" or fields.reopen == true then
    fields.state_event = "reopen"
  elseif state ~= nil then
    error(op .. ": state must be \"closed\" or \"opened\"", 2)
  end
  fields.close, fields.reopen = nil, nil
  return svc.write(request("issues.update", "PUT",
    ("%s/projects/%s/issues/%d"):format(API, ref, iid), {
      body = fields, -- label changes and state events land the same way twice
      object = issue_object(name, iid),
    }), function(res) return res.body end)
end

-- Labels added or removed one by one, never the whole list replaced: the
-- issue keeps every other label. Safe to repeat.
local function labels_call(opname, field, project, iid, labels)
  local op = "gitlab." .. opname
  local ref, name = project_ref(project, op)
  iid = svc.positive_id(iid, op, "iid", 4)
  return svc.write(request(opname, "PUT",
    ("%s/projects/%s/issues/%d"):format(API, ref, iid), {
      body = { [field] = table.concat(svc.string_list(labels, op, "labels", 4), ",") },
      object = issue_object(name, iid),
    }), function(res) return res.body end)
end

function M.issues.add_labels(project, iid, labels)
  return labels_call("issues.add_labels", "add_labels", project, iid, labels)
end

function M.issues.remove_labels(project, iid, labels)
  return labels_call("issues.remove_labels", "remove_labels", project, iid, labels)
end

-- The next page: x-next-page (offset paging), else Link rel="next" (keyset
-- paging, or a proxy that drops the x- headers).
local function next_page(res, prev)
  local h = res.headers or {}
  local page = h["x-next-page"]
  if type(page) == "string" and page:match("^%d+$") then
    local spec = svc.copy(prev)
    spec.query = svc.copy(prev.query or {})
    spec.query.page = page
    return spec
  end
  local link = h["link"]
  if type(link) == "string" then
    for url, rel in link:gmatch("<([^>]+)>%s*;%s*rel=\"([^\"]+)\"") do
      if rel == "next" then
        return request(prev.op:sub(#"gitlab." + 1), "GET", url)
      end
    end
  end
  return nil
end

-- Every issue matching filters: labels (all must match), search, state
-- ("opened" | "closed" | "all"), and other list parameters GitLab accepts.
function M.issues.list(project, filters)
  local op = "gitlab.issues.list"
  local ref = project_ref(project, op)
  local query = svc.copy(svc.table_arg(filters, op, "filters"))
  query.labels = comma_list(query.labels, op, "labels")
  query.per_page = query.per_page or 100
  return svc.pages(request("issues.list", "GET", ("%s/projects/%s/issues"):format(API, ref),
    { query = query }), function(res, prev)
      return res.body, next_page(res, prev)
    end)
end

-- note: a string, or { body = ..., internal = true } for a note only
-- project members see.
function M.notes.create(project, iid, note)
  local op = "gitlab.notes.create"
  local ref, name = project_ref(project, op)
  iid = svc.positive_id(iid, op, "iid")
  if type(note) == "string" then
    note = { body = note }
  end
  if type(note) ~= "table" or type(note.body) ~= "string" or note.body == "" then
    error(op .. ": a note needs a body (a string, or { body = ..., internal = true })", 2)
  end
  local notes_path = ("%s/projects/%s/issues/%d/notes"):format(API, ref, iid)
  return svc.write(request("notes.create", "POST", notes_path, {
      body = { body = note.body, internal = note.internal == true },
      object = issue_object(name, iid),
    }), function(res) return res.body end, {
    mark = function(spec, marker)
      spec.body.body = with_marker(spec.body.body, marker)
    end,
    find = function(marker, since)
      -- The issue's notes, newest first, back to the intent's time.
      for n in svc.pages(request("notes.list", "GET", notes_path, { query = {
          sort = "desc", order_by = "created_at", per_page = 100 } }), function(res, prev)
            return res.body, next_page(res, prev)
          end) do
        if has_marker(n.body, marker) then
          return n, ("gitlab:note:%s#%d:%s"):format(name, iid, tostring(n.id))
        end
        if type(n.created_at) == "string" and n.created_at < since then
          break
        end
      end
      return nil
    end,
  })
end

-- Members, inherited ones included (a member of a parent group is a member
-- here too, with the highest role they hold): one by user id, or all.
-- member(...) is nil, err when the user is no member. `kind` is "groups" or
-- "projects"; a group, like a project, is its id or its full path.
local function member_of(kind, holder, user_id)
  local op = ("gitlab.%s.member"):format(kind)
  local ref = project_ref(holder, op, kind:sub(1, -2))
  user_id = svc.positive_id(user_id, op, "user id", 4)
  local res, err = svc.lookup(request(kind .. ".member", "GET",
    ("%s/%s/%s/members/all/%d"):format(API, kind, ref, user_id)))
  if not res then
    return nil, err
  end
  return res.body
end

local function members_of(kind, holder, filters)
  local op = ("gitlab.%s.members"):format(kind)
  local ref = project_ref(holder, op, kind:sub(1, -2))
  local query = svc.copy(svc.table_arg(filters, op, "filters"))
  query.per_page = query.per_page or 100
  return svc.pages(request(kind .. ".members", "GET", ("%s/%s/%s/members/all"):format(API, kind, ref),
    { query = query }), function(res, prev)
      return res.body, next_page(res, prev)
    end)
end

function M.groups.member(group, user_id)
  return member_of("groups", group, user_id)
end

function M.groups.members(group, filters)
  return members_of("groups", group, filters)
end

function M.projects.member(project, user_id)
  return member_of("projects", project, user_id)
end

function M.projects.members(project, filters)
  return members_of("projects", project, filters)
end

-- A user by username (any case) or by email address (which GitLab matches
-- whole, against public emails, or any email for an administrator's
-- token). nil when nobody matches; nil, err when an email matches several.
function M.users.find(who)
  local op = "gitlab.users.find"
  who = svc.string_arg(who, op, "username or email")
  local by_email = who:find("@", 1, true) ~= nil
  local found = {}
  for user in svc.pages(request("users.find", "GET", API .. "/users", { query = {
      [by_email and "search" or "username"] = who, per_page = 100 } }), function(res, prev)
        return res.body, next_page(res, prev)
      end) do
    if by_email or (type(user.username) == "string" and user.username:lower() == who:lower()) then
      found[#found + 1] = user
    end
  end
  if #found > 1 then
    return nil, { service = "gitlab", code = "ambiguous",
      message = ("%d GitLab users match %s"):format(#found, who) }
  end
  return found[1]
end

-- The project's issue template `name` ({ name, content }), or nil, err.
function M.templates.issue(project, name)
  local op = "gitlab.templates.issue"
  local ref = project_ref(project, op)
  name = svc.string_arg(name, op, "name")
  local res, err = svc.lookup(request("templates.issue", "GET",
    ("%s/projects/%s/templates/issues/%s"):format(API, ref, hbi.escape(name))))
  if not res then
    return nil, err
  end
  return res.body
end

return M
