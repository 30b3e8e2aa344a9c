-- A task that raises: the run fails with the error and a traceback audited.
local helper = require "helper"

return workflow "raises" {
  title = "A task that raises",
  task "explode" {
    "Call a helper that raises.",
    run = function(ctx) helper.explode("kaboom") end,
  },
  succeed "done" { "Unreachable in practice." },
}
