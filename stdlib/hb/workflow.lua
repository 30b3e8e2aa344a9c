-- The workflow language: `workflow`, `task`, `choice`, `ask`, `wait`,
-- `succeed` and `fail`. Each constructor records where it was written
-- (file:line) so that the runtime's validation errors point at the author's
-- own line. The structure is checked in C (runtime/workflow.c), which graph,
-- lint and diff share; here we only shape the tables.

local M = {}

local STEP = {}   -- marker metatable for step tables
local KINDS = { "task", "choice", "ask", "wait", "succeed", "fail" }

local function fail_at(where, message)
  error(where .. ": " .. message, 0)
end

local function step_constructor(kind)
  return function(id)
    local where = hbi.where(2)
    if type(id) ~= "string" or id == "" then
      fail_at(where, kind .. " needs an id string: " .. kind .. ' "my_step" { ... }')
    end
    return function(spec)
      if type(spec) ~= "table" then
        fail_at(where, kind .. ' "' .. id .. '" needs a table: ' .. kind .. ' "' .. id .. '" { ... }')
      end
      if getmetatable(spec) == STEP then
        fail_at(where, kind .. ' "' .. id .. '" was given another step as its body')
      end
      local step = { kind = kind, id = id, where = where, spec = spec }
      return setmetatable(step, STEP)
    end
  end
end

for _, kind in ipairs(KINDS) do
  M[kind] = step_constructor(kind)
end

function M.workflow(name)
  local where = hbi.where(2)
  if type(name) ~= "string" or name == "" then
    fail_at(where, 'workflow needs a name: workflow "my-process" { ... }')
  end
  return function(spec)
    if type(spec) ~= "table" then
      fail_at(where, 'workflow "' .. name .. '" needs a table: workflow "' .. name .. '" { ... }')
    end
    local steps = {}
    for i, item in ipairs(spec) do
      if getmetatable(item) ~= STEP then
        fail_at(where, 'item ' .. i .. ' of workflow "' .. name ..
          '" is not a step (task, choice, ask, wait, succeed or fail)')
      end
      steps[#steps + 1] = item
    end
    return { kind = "workflow", name = name, where = where, spec = spec, steps = steps }
  end
end

return M
