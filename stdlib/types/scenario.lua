---@meta
-- Editor types for scenario files (workflows/tests/<name>_test.lua): the
-- `scenarios` and `scenario` constructors and the sandbox view a check
-- receives. The implementation is stdlib/hb/scenario.lua.

---@class hb.ScenarioSpec
---@field now? string ISO 8601 clock for the run (default 2026-11-22T10:00:00Z)
---@field sandbox? table a patch applied to the seed before the run
---@field faults? string fault rules for the sandbox
---@field inputs? table<string, any>
---@field answers? table<string, string> answers given when the run starts
---@field actions? table[] {answer=}, {event=, payload=}, {sandbox=}, {advance="2h"}, {resume=true}
---@field path? string[] the steps taken, in order
---@field status? string succeeded | failed | waiting | ...
---@field step? string the step the run ends (or waits) at
---@field check? fun(sb: hb.Sandbox)

---@param name string
---@return fun(spec: hb.ScenarioSpec): table
function scenario(name) end

---@param workflow string
---@return fun(list: table[]): table
function scenarios(workflow) end

---The sandbox after the run. Assertions record failures with the
---scenario's line instead of raising.
---@class hb.Sandbox
---@field state table every object, in the seed's shape
---@field requests table[] method, path, query, service, status, body
local Sandbox = {}

---@return boolean
function Sandbox:expect(condition, message) end
---@return boolean
function Sandbox:equal(actual, expected, message) end
---@return boolean
function Sandbox:contains(list, value, message) end
---@return boolean
function Sandbox:lacks(list, value, message) end
---@param filter {method?: string, service?: string, path?: string, plain?: boolean, body?: string}
---@return table[]
function Sandbox:requests_matching(filter) end
---@return boolean
function Sandbox:request_count(filter, n, message) end
---@return boolean
function Sandbox:no_request(filter, message) end

---@param id integer
---@return table|nil ticket with its comments
function Sandbox:ticket(id) end
---@param id integer
---@return table|nil
function Sandbox:org(id) end
---@param ticket_id integer
---@return string[]
function Sandbox:tags(ticket_id) end
---@param ticket_id integer
---@return table[]
function Sandbox:comments(ticket_id) end
---Public replies hb wrote (as the sandbox's API user).
---@param ticket_id integer
---@return table[]
function Sandbox:replies(ticket_id) end
---Internal notes hb wrote.
---@param ticket_id integer
---@return table[]
function Sandbox:notes(ticket_id) end
---@return boolean
function Sandbox:has_note(ticket_id, text, message) end
---@return boolean
function Sandbox:has_reply(ticket_id, text, message) end
---@return boolean
function Sandbox:no_reply(ticket_id, message) end
---@param path string project path with namespace
---@return table|nil
function Sandbox:project(path) end
---@return table[]
function Sandbox:issues(path) end
---@return table|nil
function Sandbox:issue(path, iid) end
---Issues hb opened (as the sandbox's GitLab API user).
---@return table[]
function Sandbox:new_issues(path) end
---@param id string Salesforce Id
---@return table|nil
function Sandbox:opportunity(id) end
---@param number string A-S...
---@return table|nil
function Sandbox:subscription(number) end
---Requests that changed something (reads that are POSTs excluded).
---@param service? string
---@return table[]
function Sandbox:writes(service) end
---@return boolean
function Sandbox:no_writes(service, message) end
