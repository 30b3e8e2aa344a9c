---@meta
-- Editor types for `ctx`, the table every function of a workflow receives.

---@class hb.RunInfo
---@field id string The run id (26 characters, sortable by time).
---@field actor string Who started or resumed the run.
---@field target "sandbox"|"live"
---@field dry_run boolean
---@field workflow string

---@class hb.Ctx
---@field input table<string, any> The validated inputs (`hb run NAME ticket=123` gives ctx.input.ticket == 123).
---@field vars table<string, any> Kept after every step; JSON values only (string keys or sequences).
---@field answers table<string, any> Answers of ask steps, by step id.
---@field events table<string, any> Event payloads of wait steps, by step id.
---@field run hb.RunInfo
local ctx = {}

---The engine's clock (frozen by HB_NOW) as RFC 3339 UTC: "2026-11-22T10:00:00Z".
---@return string
function ctx.now() end

---Writes a note to the audit trail; arguments are joined by spaces.
---@param ... any
function ctx.log(...) end
