-- Facts and `when` helpers for the workflow language (installed by
-- hb/workflow.lua).
--
-- A fact is something a workflow knows about its run, wherever it came
-- from: an input, a var a task kept, a person's answer, an event's
-- payload. `fact(ctx, "level")` looks for `level` in ctx.input, ctx.vars,
-- ctx.answers and ctx.events, in that order; a dotted name walks into a
-- table ("customer_reply.date"); a name that starts with input., vars.,
-- answers. or events. looks only there. Give several names to take the
-- first that is known: `fact(ctx, "level", "ask_level")`. JSON null counts
-- as unknown. Returns the value and where it was found ("answers.ask_level").
--
-- `when` helpers make a choice branch of one comparison, `when =
-- is("request", "merge")`, readable where the graph, the docs and `hb diff`
-- show it: each is a table { test = function(ctx), text = 'request ==
-- "merge"', fact = "request", values = { "merge" } } that the loader
-- (runtime/workflow/) reads, and `hb test --coverage` uses fact and values
-- to count the answers a choice branches on.

local M = {}

local SOURCES = { "input", "vars", "answers", "events" }
local SOURCE = { input = true, vars = true, answers = true, events = true }

local function walk(t, path)
  for key in path:gmatch("[^.]+") do
    if type(t) ~= "table" then
      return nil
    end
    t = t[key]
  end
  if t == json.null then
    return nil
  end
  return t
end

local function lookup(ctx, name)
  local head, rest = name:match("^([%a_]+)%.(.+)$")
  if head and SOURCE[head] then
    return walk(ctx[head], rest), name
  end
  for _, source in ipairs(SOURCES) do
    local v = walk(ctx[source], name)
    if v ~= nil then
      return v, source .. "." .. name
    end
  end
  return nil
end

function M.fact(ctx, ...)
  if type(ctx) ~= "table" then
    error("fact(ctx, name): the first argument is the step's ctx", 2)
  end
  for i = 1, select("#", ...) do
    local name = select(i, ...)
    if type(name) ~= "string" or name == "" then
      error("fact(ctx, name): a fact is named by a string such as \"ticket\" or \"answers.level\"", 2)
    end
    local v, found = lookup(ctx, name)
    if v ~= nil then
      return v, found
    end
  end
  return nil
end

-- `when` helpers ---------------------------------------------------------------

local WHEN = {}
M.WHEN = WHEN

local function literal(v)
  if type(v) == "string" then
    return ("%q"):format(v)
  end
  return tostring(v)
end

local function check_name(name, helper)
  if type(name) ~= "string" or name == "" then
    error(helper .. " needs the fact's name first: " .. helper .. "(\"request\", ...)", 3)
  end
end

local function check_value(v, helper)
  local t = type(v)
  if t ~= "string" and t ~= "number" and t ~= "boolean" then
    error(helper .. " compares with text, a number or true/false, not a " .. t, 3)
  end
end

local function helper(test, name, text, values)
  return setmetatable({ test = test, fact = name, text = text, values = values or {} }, WHEN)
end

-- The fact equals value.
function M.is(name, value)
  check_name(name, "is")
  check_value(value, "is")
  return helper(function(ctx) return M.fact(ctx, name) == value end, name,
    name .. " == " .. literal(value), { value })
end

-- The fact is anything but value (unknown included).
function M.is_not(name, value)
  check_name(name, "is_not")
  check_value(value, "is_not")
  return helper(function(ctx) return M.fact(ctx, name) ~= value end, name,
    name .. " ~= " .. literal(value), { value })
end

-- The fact equals one of the values.
function M.one_of(name, values)
  check_name(name, "one_of")
  if type(values) ~= "table" or #values == 0 then
    error("one_of needs a list of values: one_of(\"criticality\", { \"a\", \"b\" })", 2)
  end
  local set, shown = {}, {}
  for i, v in ipairs(values) do
    check_value(v, "one_of")
    set[v] = true
    shown[i] = literal(v)
  end
  return helper(function(ctx) return set[M.fact(ctx, name)] == true end, name,
    name .. " in { " .. table.concat(shown, ", ") .. " }", values)
end

-- The fact is known (not nil, not JSON null).
function M.is_set(name)
  check_name(name, "is_set")
  return helper(function(ctx) return M.fact(ctx, name) ~= nil end, name, name .. " is set")
end

-- The fact is unknown.
function M.is_unset(name)
  check_name(name, "is_unset")
  return helper(function(ctx) return M.fact(ctx, name) == nil end, name, name .. " is not set")
end

-- No item, by pairs: a stdlib table is a read-only view that `next` sees
-- as empty whatever it shows.
local function empty(t)
  for _ in pairs(t) do
    return false
  end
  return true
end

-- The fact is an empty list (or unknown).
function M.is_empty(name)
  check_name(name, "is_empty")
  return helper(function(ctx)
    local v = M.fact(ctx, name)
    return v == nil or (type(v) == "table" and empty(v))
  end, name, name .. " is empty")
end

return M
