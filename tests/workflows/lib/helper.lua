-- A module in the workflow folder's lib/, loaded by require.
local M = {}

function M.explode(what)
  error("helper exploded: " .. what)
end

function M.greeting()
  return "hello from helper v1"
end

return M
