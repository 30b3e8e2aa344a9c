-- A step that never ends, even when it catches errors: the limits stop it.
return workflow "spin" {
  title = "Loop forever",
  task "loop" {
    "Spin.",
    run = function(ctx)
      while true do pcall(function() while true do end end) end
    end,
  },
  succeed "done" { "Never." },
}
