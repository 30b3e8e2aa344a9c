-- Tries to run a shell command: the sandbox has no os.execute.
return workflow "escape-os" {
  title = "Try os.execute",
  task "shell" {
    "Run a command.",
    run = function(ctx) os.execute("touch /tmp/hb-escaped") end,
  },
  succeed "done" { "Should not get here." },
}
