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

---A member of a group or project, inherited memberships included.
---@class gitlab.Member
---@field id integer The user's id.
---@field username string
---@field name string
---@field state string
---@field access_level integer 10 Guest ... 50 Owner (support.gitlab_roles).
---@field expires_at? string

---@class gitlab.User
---@field id integer
---@field username string
---@field name string
---@field state string
---@field web_url string

gitlab = { issues = {}, notes = {}, templates = {}, groups = {}, projects = {}, users = {} }

---Creates an issue, once even across a crash (its marker is found instead of writing again).
---@param project integer|string
---@param fields { title: string, description?: string, labels?: string[]|string, confidential?: boolean, assignee_ids?: integer[], due_date?: string }
---@return gitlab.Issue|hb.Planned
function gitlab.issues.create(project, fields) end

---The issue's page, from the project's path and the iid alone (no request):
---GITLAB_WEB_URL (else GITLAB_URL) .. "/group/project/-/issues/" .. iid.
---@param project string
---@param iid integer
---@return string url
function gitlab.issues.web_url(project, iid) end

---The issue with this iid in the project (id or path); nil, err when there is none.
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

---Adds labels, keeping every other label of the issue.
---@param project integer|string
---@param iid integer
---@param labels string[]|string
---@return gitlab.Issue|hb.Planned
function gitlab.issues.add_labels(project, iid, labels) end

---Removes labels, keeping every other label of the issue.
---@param project integer|string
---@param iid integer
---@param labels string[]|string
---@return gitlab.Issue|hb.Planned
function gitlab.issues.remove_labels(project, iid, labels) end

---A member of the group (its id or full path), inherited memberships included; nil, err when not a member.
---@param group integer|string
---@param user_id integer
---@return gitlab.Member|nil member
---@return hb.ServiceError|nil err
function gitlab.groups.member(group, user_id) end

---Every member of the group, inherited ones included.
---@param group integer|string
---@param filters? { query?: string }
---@return fun(): gitlab.Member?
function gitlab.groups.members(group, filters) end

---A member of the project, inherited memberships included; nil, err when not a member.
---@param project integer|string
---@param user_id integer
---@return gitlab.Member|nil member
---@return hb.ServiceError|nil err
function gitlab.projects.member(project, user_id) end

---Every member of the project, inherited ones included.
---@param project integer|string
---@param filters? { query?: string }
---@return fun(): gitlab.Member?
function gitlab.projects.members(project, filters) end

---A user by username (any case) or whole email address; nil when none, nil, err when several match.
---@param who string
---@return gitlab.User|nil user
---@return table|nil err
function gitlab.users.find(who) end
