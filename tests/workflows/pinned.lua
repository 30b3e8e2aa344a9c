-- Records which version ran after a pause; tests edit this file's copy.
local helper = require "helper"

return workflow "pinned" {
  title = "Pinned versions",
  ask "go" { "Go on?", options = { { "yes" } } },
  task "record" {
    "Record the version that ran.",
    run = function(ctx) ctx.vars.version = "v1"; ctx.vars.greeting = helper.greeting() end,
  },
  succeed "done" { "Done." },
}
