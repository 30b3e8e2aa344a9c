---@meta
-- Editor types for hb's json library (present in every workflow).

---@class hb.json
---@field null lightuserdata JSON null (nil would erase the key).
json = {}

---Encodes a value as compact JSON with sorted keys.
---@param value any
---@return string
function json.encode(value) end

---Decodes JSON text; raises with the position of a syntax error.
---@param text string
---@return any
function json.decode(text) end

---Marks a table as a JSON array, so that an empty one stays `[]`.
---@generic T: table
---@param t T
---@return T
function json.array(t) end

---Marks a table as a JSON object, so that an empty one stays `{}`.
---@generic T: table
---@param t T
---@return T
function json.object(t) end
