-- Fixture: what the handbook forbids cannot happen, whatever a workflow
-- tries. Each branch attempts one forbidden thing against ticket 1004; the
-- scenarios in tests/prohibitions_test.lua prove the attempt fails before
-- anything reaches Zendesk.
local support = require "support"

local function note(ctx, body)
  zendesk.tickets.comment(ctx.input.ticket, { public = false, body = body })
end

return workflow "prohibitions" {
  title = "Fixture: forbidden license and reply attempts",
  handbook = "tests/prohibitions",
  uses = { "zendesk" },
  forbid = { "zendesk.public_reply" },
  inputs = { attempt = "string", ticket = "integer" },

  choice "which" {
    "Which forbidden thing to attempt.",
    { label = "non-trial license", when = function(ctx) return ctx.input.attempt == "license" end,
      next = "non_trial_license" },
    { label = "trial to another email", when = function(ctx) return ctx.input.attempt == "trial" end,
      next = "trial_to_other_email" },
    { label = "public reply", next = "public_reply" },
  },
  task "non_trial_license" {
    "Ask the helper for a (non-trial) license.",
    run = function(ctx)
      note(ctx, support.trial_license_request {
        kind = "license", ticket = ctx.input.ticket, email = "chen@initech.example",
        license_contact = "chen@initech.example", expires = "2027-01-01",
      })
    end,
    next = "done",
  },
  task "trial_to_other_email" {
    "A trial license may go to another address: the one exception.",
    run = function(ctx)
      note(ctx, support.trial_license_request {
        kind = "trial", ticket = ctx.input.ticket, email = "someone.else@initech.example",
        license_contact = "chen@initech.example", expires = "2027-01-01",
      })
      local ok, why = support.license_recipient_allowed("license", "someone.else@initech.example",
        "chen@initech.example")
      ctx.vars.license_to_other_email_allowed = ok
      ctx.vars.why = why
    end,
    next = "done",
  },
  task "public_reply" {
    "Try a public reply on a workflow that forbids them.",
    run = function(ctx)
      zendesk.tickets.comment(ctx.input.ticket, { public = true, body = "This must never be sent." })
    end,
    next = "done",
  },
  succeed "done" { "The attempt went through." },
}
