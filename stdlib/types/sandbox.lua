---@meta
-- Editor types for what the workflow sandbox changes in the standard
-- library: `os` keeps only time, date and clock (.luarc.json disables the
-- full os, io, debug and package so completion offers only what runs).

os = {}

---@param t? table
---@return integer
function os.time(t) end

---@param format? string
---@param time? integer
---@return string|table
function os.date(format, time) end

---@return number
function os.clock() end

---The uniform error every service raises (or returns as `nil, err` from a
---get-style read when the object does not exist).
---@class hb.ServiceError
---@field service hb.Service
---@field status integer HTTP status (0 when no answer came).
---@field code string|integer The service's own error code.
---@field message string
---@field details any
---@field request_id? string

---What a write returns in a dry run instead of sending anything.
---@class hb.Planned
---@field planned true
---@field op string
---@field object string
