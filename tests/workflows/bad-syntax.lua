return workflow "bad-syntax" {
  title = "Missing a brace",
  task "one" { "One.", run = function(ctx) end,
  succeed "done" { "Done." },
}
