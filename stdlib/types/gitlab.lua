---@meta
-- Editor types for the gitlab binding (stdlib/gitlab.lua): present in a
-- workflow that declares uses = { "gitlab" }. A project is its numeric id or
-- its path ("group/sub/project"); issues are addressed by iid.

---@class gitlab.Issue
---@field id integer
---@field iid integer
---@field project_id integer
---@field title string
---@field description? string
---@field state "opened"|"closed"
---@field labels string[]
---@field web_url string
---@field references { short: string, full: string }
---@field created_at string

---@class gitlab.Note
---@field id integer
---@field body string
---@field internal boolean
---@field created_at string

gitlab = { issues = {}, notes = {}, templates = {} }

---@param project integer|string
---@param fields { title: string, description?: string, labels?: string[]|string, confidential?: boolean, assignee_ids?: integer[], due_date?: string }
---@return gitlab.Issue|hb.Planned
function gitlab.issues.create(project, fields) end

---@param project integer|string
---@param iid integer
---@return gitlab.Issue|nil issue
---@return hb.ServiceError|nil err
function gitlab.issues.get(project, iid) end

---add_labels / remove_labels (lists or comma strings), state = "closed"|"opened", description, title ...; never `labels`.
---@param project integer|string
---@param iid integer
---@param fields table
---@return gitlab.Issue|hb.Planned
function gitlab.issues.update(project, iid, fields) end

---Every issue matching the filters (labels all must match, search, state).
---@param project integer|string
---@param filters? { labels?: string[]|string, search?: string, state?: "opened"|"closed"|"all" }
---@return fun(): gitlab.Issue?
function gitlab.issues.list(project, filters) end

---A note on an issue: a string, or { body = ..., internal = true } for project members only.
---@param project integer|string
---@param iid integer
---@param note string|{ body: string, internal?: boolean }
---@return gitlab.Note|hb.Planned
function gitlab.notes.create(project, iid, note) end

---The project's issue template `name`, or nil, err.
---@param project integer|string
---@param name string
---@return { name: string, content: string }|nil template
---@return hb.ServiceError|nil err
function gitlab.templates.issue(project, name) end
