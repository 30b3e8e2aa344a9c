-- Text for ops authors: descriptions written as long strings, `{name}`
-- placeholders, and the message templates of a workflow folder's
-- lib/messages.lua (`messages { ... }` of `message [[...]]`). Part of the
-- workflow language (hb/workflow.lua installs `messages` and `message`).
--
-- A placeholder is `{` a name `}`, the name made of letters, digits and
-- `_`; any other brace is text (`{"level": ...}` stays as written).

local M = {}

local PLACEHOLDER = "{([%a_][%w_]*)}"

local function fail_at(where, message)
  error(where .. ": " .. message, 0)
end

-- A description as one line: every run of whitespace (newlines and the
-- indentation of a long string included) becomes one space.
function M.fold(text)
  return (text:gsub("%s+", " "):gsub("^ ", ""):gsub(" $", ""))
end

-- The names used in text, in order of first use.
function M.placeholders(text)
  local names, seen = {}, {}
  for name in text:gmatch(PLACEHOLDER) do
    if not seen[name] then
      seen[name] = true
      names[#names + 1] = name
    end
  end
  return names
end

-- The known name closest to a misspelt one (at most two edits), or nil.
local function closest(name, known)
  local function distance(a, b)
    local prev = {}
    for j = 0, #b do
      prev[j] = j
    end
    for i = 1, #a do
      local cur = { [0] = i }
      for j = 1, #b do
        local cost = a:sub(i, i) == b:sub(j, j) and 0 or 1
        cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
      end
      prev = cur
    end
    return prev[#b]
  end
  local best, best_d = nil, 3
  for _, k in ipairs(known) do
    local d = distance(name, k)
    if d < best_d then
      best, best_d = k, d
    end
  end
  return best
end
M.closest = closest

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do
    keys[#keys + 1] = k
  end
  table.sort(keys)
  return keys
end

-- Fills `{name}` from values; raises `where: what uses {x} ...` for a name
-- values lacks, naming the closest one it has.
function M.fill(text, values, where, what)
  return (text:gsub(PLACEHOLDER, function(name)
    local v = values[name]
    if v == nil then
      local hint = closest(name, sorted_keys(values))
      fail_at(where, ("%s uses {%s}, which is not defined here%s"):format(what, name,
        hint and (" (did you mean {" .. hint .. "}?)") or ""))
    end
    return tostring(v)
  end))
end

-- Message templates -------------------------------------------------------------

local MESSAGE = {}   -- marker of `message [[...]]`
local MESSAGES = {}  -- marker of a `messages { ... }` table

-- A message as written: lines dedented; a blank line ends a paragraph; in a
-- paragraph, lines join with one space, except that a line starting a list
-- item (`- `, `* `, `1. `) starts a new line, and a line ending in `\` keeps
-- its line break (as in Markdown).
local function list_item(line)
  return line:match("^%s*[-*+]%s") or line:match("^%s*%d+[.)]%s")
end

local function dedent(lines)
  local indent
  for _, l in ipairs(lines) do
    if l:match("%S") then
      local n = #l:match("^[ \t]*")
      indent = indent and math.min(indent, n) or n
    end
  end
  for i, l in ipairs(lines) do
    lines[i] = l:sub((indent or 0) + 1):gsub("%s+$", "")
  end
end

function M.layout(text)
  local lines = {}
  for line in (text .. "\n"):gmatch("(.-)\r?\n") do
    lines[#lines + 1] = line
  end
  dedent(lines)
  local out, para = {}, {}
  local function flush()
    if #para > 0 then
      out[#out + 1] = table.concat(para, "\n")
      para = {}
    end
  end
  local hard_break = true
  for _, line in ipairs(lines) do
    if line == "" then
      flush()
      hard_break = true
    else
      local broken = line:sub(-1) == "\\"
      if broken then
        line = line:sub(1, -2):gsub("%s+$", "")
      end
      if hard_break or list_item(line) then
        para[#para + 1] = line
      else
        para[#para] = para[#para] .. " " .. line:gsub("^%s+", "")
      end
      hard_break = broken
    end
  end
  flush()
  return table.concat(out, "\n\n")
end

-- `message [[...]]`: one template, remembering where it was written so a
-- misspelt placeholder is reported at its own line.
function M.message(text)
  local where = hbi.where(2)
  if type(text) ~= "string" then
    fail_at(where, "message needs its text: message [[Hello {customer}, ...]]")
  end
  local paragraphs = {}
  for para in (M.layout(text) .. "\n\n"):gmatch("(.-)\n\n") do
    paragraphs[#paragraphs + 1] = para
  end
  return setmetatable({ text = text, paragraphs = paragraphs, where = where }, MESSAGE)
end

-- The file:line of the first use of {name} in a template. A long string that
-- starts with indentation was written from the line after `message [[`.
local function line_of(m, name)
  local file, line = m.where:match("^(.*):(%d+)$")
  if not file then
    return m.where
  end
  local at = m.text:find("{" .. name .. "}", 1, true) or 1
  local _, newlines = m.text:sub(1, at):gsub("\n", "")
  local next_line = m.text:match("^[ \t]") and 1 or 0
  return ("%s:%d"):format(file, tonumber(line) + newlines + next_line)
end

local function value_text(v, name, what)
  if type(v) == "table" then
    local parts = {}
    for i, item in ipairs(v) do
      parts[i] = value_text(item, name, what)
    end
    return table.concat(parts, ", ")
  end
  if math.type(v) == "float" and math.tointeger(v) then
    return tostring(math.tointeger(v))
  end
  if type(v) ~= "string" and type(v) ~= "number" then
    error(("%s: {%s} must be text or a number, not a %s"):format(what, name, type(v)), 4)
  end
  return tostring(v)
end

local function renderer(name, m, spec)
  local used = M.placeholders(m.text)
  local what = "message " .. name
  return function(values)
    values = values or {}
    if type(values) ~= "table" then
      error(what .. " takes a table of placeholder values: " .. name .. " { customer = ... }", 2)
    end
    for k in pairs(values) do
      if spec.placeholders[k] == nil then
        local hint = type(k) == "string" and closest(k, sorted_keys(spec.placeholders))
        error(("%s: %s is not a placeholder of lib/messages.lua%s"):format(what, tostring(k),
          hint and (" (did you mean " .. hint .. "?)") or ""), 2)
      end
    end
    local text = {}
    for _, p in ipairs(used) do
      local v = values[p]
      if v == nil or v == json.null then
        v = spec.defaults[p]
      end
      if v == nil then
        error(("%s needs {%s} (%s)"):format(what, p, spec.placeholders[p]), 2)
      end
      text[p] = value_text(v, p, what)
    end
    -- Laid out first, filled after: a value keeps its own lines (a list of
    -- fields, an issue template) as given. A paragraph left empty (an
    -- optional value not given) goes away with its blank line.
    local out = {}
    for _, para in ipairs(m.paragraphs) do
      local filled = para:gsub(PLACEHOLDER, text)
      if filled:match("%S") then
        out[#out + 1] = filled
      end
    end
    return table.concat(out, "\n\n")
  end
end

-- `messages { placeholders = {...}, defaults = {...}, name = message [[...]], ... }`:
-- every placeholder a message uses must be declared (with what it stands
-- for), so a misspelt one is a load-time error at its line. The result maps
-- each name to a function(values) -> text.
function M.messages(spec)
  local where = hbi.where(2)
  if type(spec) ~= "table" or type(spec.placeholders) ~= "table" then
    fail_at(where, "messages needs placeholders = { name = \"what it stands for\", ... }")
  end
  local defaults = spec.defaults or {}
  local known = sorted_keys(spec.placeholders)
  for k in pairs(defaults) do
    if spec.placeholders[k] == nil then
      fail_at(where, ("the default for %s names no placeholder"):format(tostring(k)))
    end
  end
  local out = {}
  for _, name in ipairs(sorted_keys(spec)) do
    local m = spec[name]
    if name ~= "placeholders" and name ~= "defaults" then
      if getmetatable(m) ~= MESSAGE then
        fail_at(where, ("%s must be a message [[...]], not a %s"):format(name, type(m)))
      end
      for _, p in ipairs(M.placeholders(m.text)) do
        if spec.placeholders[p] == nil then
          local hint = closest(p, known)
          fail_at(line_of(m, p), ("message %s uses {%s}, which is not a placeholder%s"):format(name,
            p, hint and (" (did you mean {" .. hint .. "}?)") or " (declare it in placeholders)"))
        end
      end
      out[name] = renderer(name, m, { placeholders = spec.placeholders, defaults = defaults })
    end
  end
  return setmetatable(out, MESSAGES)
end

return M
