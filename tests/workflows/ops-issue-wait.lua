-- Opens a GitLab issue and waits, polling, until another team closes it.
local PROJECT = "gitlab-com/support/support-ops/zendesk-organizations"

return workflow "ops-issue-wait" {
  title = "Wait for Support Ops to close an issue",
  handbook = "tests/ops-issue-wait",
  uses = { "gitlab" },
  task "open_issue" {
    "Open the issue.",
    run = function(ctx)
      ctx.vars.iid = gitlab.issues.create(PROJECT, { title = "hb worker test" }).iid
    end,
  },
  wait "closed" {
    "Support Ops closes the issue.",
    condition = function(ctx) return gitlab.issues.get(PROJECT, ctx.vars.iid).state == "closed" end,
    every = "1h", timeout = "14d", on_timeout = "gave_up",
    next = "done",
  },
  fail "gave_up" { "Nobody closed it." },
  succeed "done" { "Closed." },
}
