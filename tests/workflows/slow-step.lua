-- A step that takes a few seconds, so a test can kill the process inside it.
return workflow "slow-step" {
  title = "A slow step",
  handbook = "tests/slow-step",
  task "first" { "First.", run = function(ctx) ctx.vars.first = true end },
  task "slow" {
    "Busy for a while.",
    run = function(ctx)
      local t = os.clock()
      while os.clock() - t < 3 do end
      ctx.vars.slow = (ctx.vars.slow or 0) + 1
    end,
  },
  task "last" { "Last.", run = function(ctx) ctx.vars.last = true end },
  succeed "done" { "Done." },
}
