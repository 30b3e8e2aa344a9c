-- The workflow language: `workflow`, `task`, `choice`, `ask`, `wait`,
-- `succeed` and `fail`; `fragment` (steps several workflows include);
-- `when` helpers and `fact` (hb/when.lua); `messages` and `message` (the
-- templates of lib/messages.lua, hb/text.lua). Each constructor records
-- where it was written (file:line) so that the runtime's validation errors
-- point at the author's own line. The structure is checked in C
-- (runtime/workflow/), which graph, lint and diff share; here we only shape
-- the tables.
--
-- Texts an ops author writes: a description (a step's first item, a title,
-- an input's description, a fail message) may be a long string over
-- several lines; its whitespace folds to single spaces. `{name}` in it is
-- replaced by the workflow's `words = { name = "..." }` (or a fragment's),
-- and `{name}` in a fragment's targets by what the workflow gives when it
-- includes the fragment. An unknown name is a load-time error.

local text = require "hb.text"
local when = require "hb.when"

local M = {}

local STEP = {}     -- marker metatable for step tables
local FRAGMENT = {} -- marker of a fragment, and of its instances
local KINDS = { "task", "choice", "ask", "wait", "succeed", "fail" }

local function fail_at(where, message)
  error(where .. ": " .. message, 0)
end

-- `kind "name" { ... }`: checks the name, then the table, and calls
-- build(name, spec, where) with the file:line the author wrote it at.
local function constructor(kind, example, build)
  return function(name)
    local where = hbi.where(2)
    if type(name) ~= "string" or name == "" then
      fail_at(where, ('%s needs a name: %s "%s" { ... }'):format(kind, kind, example))
    end
    return function(spec)
      if type(spec) ~= "table" then
        fail_at(where, ('%s "%s" needs a table: %s "%s" { ... }'):format(kind, name, kind, name))
      end
      return build(name, spec, where)
    end
  end
end

for _, kind in ipairs(KINDS) do
  M[kind] = constructor(kind, "my_step", function(id, spec, where)
    if getmetatable(spec) == STEP then
      fail_at(where, kind .. ' "' .. id .. '" was given another step as its body')
    end
    return setmetatable({ kind = kind, id = id, where = where, spec = spec }, STEP)
  end)
end

-- Copies a step's spec, filling `{name}` in its description, message and
-- targets. Functions and helper tables are shared, never copied.
local TARGET_FIELDS = { "next", "on_timeout", "on_error" }

local function fill_text(s, words, step, what)
  if type(s) ~= "string" then
    return s
  end
  return text.fill(text.fold(s), words, step.where, what)
end

local function fill_target(s, params, step)
  if type(s) ~= "string" or not s:find("{", 1, true) then
    return s
  end
  return text.fill(s, params, step.where, step.kind .. " '" .. step.id .. "' target")
end

local function filled_step(step, words, params)
  local spec, src = {}, step.spec
  for k, v in pairs(src) do
    spec[k] = v
  end
  local what = step.kind .. " '" .. step.id .. "'"
  spec[1] = fill_text(src[1], words, step, what .. " description")
  spec.message = fill_text(src.message, words, step, what .. " message")
  for _, f in ipairs(TARGET_FIELDS) do
    spec[f] = fill_target(src[f], params, step)
  end
  local function filled_edges(list)
    local out = {}
    for i, e in ipairs(list) do
      if type(e) == "table" and getmetatable(e) == nil then
        local copy = {}
        for k, v in pairs(e) do
          copy[k] = v
        end
        copy.next = fill_target(e.next, params, step)
        out[i] = copy
      else
        out[i] = e
      end
    end
    return out
  end
  if step.kind == "choice" then
    local branches = filled_edges({ table.unpack(src, 2) })
    for i, b in ipairs(branches) do
      spec[i + 1] = b
    end
  elseif type(src.options) == "table" then
    spec.options = filled_edges(src.options)
  end
  local copy = { kind = step.kind, id = step.id, where = step.where, spec = spec,
    fragment = step.fragment }
  return setmetatable(copy, STEP)
end

-- A named list of steps that workflows include: `fragment "name" { words =
-- {...}, step, step, ... }` in a lib module; a workflow lists
-- `lib.fragment { done = "done" }` (its `{done}` targets filled) or the
-- fragment itself among its steps. The steps keep their ids, so graph, doc
-- and diff show them as the workflow's own.
M.fragment = constructor("fragment", "which_tag", function(name, spec, where)
  local steps = {}
  for i, item in ipairs(spec) do
    if getmetatable(item) ~= STEP then
      fail_at(where, ('item %d of fragment "%s" is not a step'):format(i, name))
    end
    steps[i] = item
  end
  if #steps == 0 then
    fail_at(where, 'fragment "' .. name .. '" has no steps')
  end
  local frag = { name = name, where = where, steps = steps, words = spec.words or {},
    params = {} }
  -- Calling a fragment gives an instance with its targets' placeholders set.
  return setmetatable(frag, {
    __index = FRAGMENT,
    __call = function(self, params)
      if type(params) ~= "table" then
        fail_at(hbi.where(2), 'fragment "' .. name .. '" takes a table: { done = "step" }')
      end
      return setmetatable({ name = name, where = self.where, steps = self.steps,
        words = self.words, params = params }, getmetatable(self))
    end,
  })
end)

local function is_fragment(item)
  local mt = getmetatable(item)
  return type(mt) == "table" and mt.__index == FRAGMENT
end

local function merged(a, b)
  local out = {}
  for k, v in pairs(a or {}) do
    out[k] = v
  end
  for k, v in pairs(b or {}) do
    out[k] = v
  end
  return out
end

local function filled_inputs(inputs, words, where)
  if type(inputs) ~= "table" then
    return inputs
  end
  local out = {}
  for name, spec in pairs(inputs) do
    if type(spec) == "table" and type(spec.description) == "string" then
      local copy = merged(spec)
      copy.description = text.fill(text.fold(spec.description), words, where,
        "input '" .. tostring(name) .. "' description")
      out[name] = copy
    else
      out[name] = spec
    end
  end
  return out
end

M.workflow = constructor("workflow", "my-process", function(name, spec, where)
  local words = spec.words or {}
  if type(words) ~= "table" then
    fail_at(where, 'workflow "' .. name .. '": words must be a table { name = "text" }')
  end
  local steps = {}
  for i, item in ipairs(spec) do
    if getmetatable(item) == STEP then
      steps[#steps + 1] = filled_step(item, words, {})
    elseif is_fragment(item) then
      local fwords = merged(words, item.words)
      for _, s in ipairs(item.steps) do
        local copy = setmetatable(merged(s), STEP)
        copy.fragment = item.name
        steps[#steps + 1] = filled_step(copy, fwords, item.params)
      end
    else
      fail_at(where, 'item ' .. i .. ' of workflow "' .. name ..
        '" is not a step (task, choice, ask, wait, succeed or fail) or a fragment')
    end
  end
  -- What the loader reads: the spec without the texts already filled in.
  local loaded = {}
  for k, v in pairs(spec) do
    if type(k) ~= "number" and k ~= "words" then
      loaded[k] = v
    end
  end
  if type(spec.title) == "string" then
    loaded.title = text.fill(text.fold(spec.title), words, where, "the title")
  end
  loaded.inputs = filled_inputs(spec.inputs, words, where)
  return { kind = "workflow", name = name, where = where, spec = loaded, steps = steps }
end)

M.fragment_marker = FRAGMENT

-- Facts and `when` helpers, and the message templates.
M.fact = when.fact
M.is, M.is_not, M.one_of = when.is, when.is_not, when.one_of
M.is_set, M.is_unset, M.is_empty = when.is_set, when.is_unset, when.is_empty
M.messages, M.message = text.messages, text.message

-- Which of these a workflow file (and its lib modules) sees as globals is
-- hb_dsl_globals (runtime/workflow/workflow.c): the loader installs them
-- into the sandbox's workflow environment, and lint reads that environment.

return M
