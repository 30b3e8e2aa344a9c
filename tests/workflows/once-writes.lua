-- Non-idempotent writes (a GitLab issue and note, a Zendesk internal note)
-- and an idempotent one (a tag), for the exactly-once kill tests: each must
-- happen once however often the run is killed and resumed.
local PROJECT = "gitlab-com/support/support-ops/zendesk-organizations"

return workflow "once-writes" {
  title = "Exactly-once writes",
  uses = { "zendesk", "gitlab" },
  inputs = { ticket = "integer", tag = "string" },

  task "open_issue" {
    "Open the GitLab issue.",
    run = function(ctx)
      local issue = gitlab.issues.create(PROJECT, {
        title = "once issue " .. ctx.input.tag,
        description = "Opened by the exactly-once test.",
      })
      ctx.vars.iid = issue.iid
    end,
  },
  task "annotate" {
    "Tag and note the ticket, note the issue.",
    run = function(ctx)
      zendesk.tickets.add_tags(ctx.input.ticket, { ctx.input.tag })
      zendesk.tickets.comment(ctx.input.ticket, { body = "once note " .. ctx.input.tag })
      local note = gitlab.notes.create(PROJECT, ctx.vars.iid, "once gitlab note " .. ctx.input.tag)
      ctx.vars.note = note.id
    end,
  },
  succeed "done" { "Everything happened once." },
}
