-- Tries to open a file: the sandbox has no io library.
return workflow "escape-io" {
  title = "Try io.open",
  task "read_file" {
    "Read a file.",
    run = function(ctx) local f = io.open("/etc/passwd") end,
  },
  succeed "done" { "Should not get here." },
}
