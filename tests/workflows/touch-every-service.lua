-- Reads from all four services and changes something in each service that
-- has writes (Zuora's bindings only read): the bindings' end-to-end test for
-- dry runs (tests/e2e/test_services.sh).
return workflow "touch-every-service" {
  title = "Read from every service, then write to every service that takes writes",
  uses = { "zendesk", "gitlab", "zuora", "salesforce" },
  inputs = { ticket = "integer" },

  task "read_everything" {
    "Read the ticket, a subscription and the open opportunities.",
    run = function(ctx)
      local t = zendesk.tickets.get(ctx.input.ticket)
      ctx.vars.org = t.organization_id
      ctx.vars.subscription = zuora.subscriptions.get("A-S00002011").status
      local n = 0
      for _ in salesforce.query("SELECT Id FROM Opportunity WHERE IsClosed = false") do
        n = n + 1
      end
      ctx.vars.open_opportunities = n
    end,
  },
  task "write_everything" {
    "Tag and note the ticket, open an issue, move an opportunity on.",
    run = function(ctx)
      zendesk.tickets.add_tags(ctx.input.ticket, { "hb_e2e" })
      zendesk.tickets.comment(ctx.input.ticket, "Internal note from the bindings test")
      gitlab.issues.create("gitlab-com/support/support-team-meta",
        { title = "Bindings test for ticket " .. ctx.input.ticket, labels = { "e2e" } })
      salesforce.sobjects.update("Opportunity", "0065e0000SOYLTRAAA", { StageName = "Negotiating" })
    end,
  },
  succeed "done" { "Every service was touched." },
}
