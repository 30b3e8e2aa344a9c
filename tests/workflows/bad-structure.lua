return workflow "bad-structure" {
  title = "Several mistakes",
  uses = { "zendesk", "jira" },
  task "one" { "One.", run = function(ctx) end, next = "nowhere" },
  task "one" { "Again.", run = function(ctx) end },
  choice "pick" {
    "Pick.",
    { label = "A", when = function(ctx) return true end, next = "done" },
  },
  succeed "done" { "Done." },
}
