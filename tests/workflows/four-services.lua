-- Reads from all four services and writes to those with write operations:
-- drives the sandbox end to end and the dry run's plan.
return workflow "four-services" {
  title = "Touch every service",
  uses = { "zendesk", "gitlab", "zuora", "salesforce" },
  forbid = { "zendesk.public_reply" },
  inputs = { ticket = "integer" },

  task "read" {
    "Read the ticket, its organization's subscription and opportunity.",
    run = function(ctx)
      local t = zendesk.tickets.get(ctx.input.ticket)
      local org = zendesk.organizations.get(t.organization_id)
      ctx.vars.account = org.organization_fields.zuora_account_number
      local subs = {}
      for s in zuora.subscriptions.by_account(ctx.vars.account) do
        subs[#subs + 1] = s.subscriptionNumber
      end
      ctx.vars.subscriptions = subs
      local owners = {}
      for o in salesforce.query("SELECT Id, Owner.Name FROM Opportunity WHERE AccountId = '"
          .. org.organization_fields.salesforce_account_id .. "'") do
        owners[#owners + 1] = o.Owner.Name
        ctx.vars.opportunity = o.Id
      end
      ctx.vars.owners = owners
    end,
  },
  task "write" {
    "Tag the ticket, note it, open an issue and touch the opportunity.",
    run = function(ctx)
      zendesk.tickets.add_tags(ctx.input.ticket, { "hb_touched" })
      zendesk.tickets.comment(ctx.input.ticket, { body = "hb was here (internal)" })
      local issue = gitlab.issues.create("gitlab-com/support/support-ops/zendesk-organizations",
        { title = "hb test issue for ticket " .. ctx.input.ticket })
      ctx.vars.issue = issue.iid
      salesforce.sobjects.update("Opportunity", ctx.vars.opportunity, { StageName = "Closed Won" })
    end,
  },
  task "public_reply" {
    "Try a public reply, which this workflow forbids.",
    run = function(ctx)
      local ok, err = pcall(zendesk.tickets.comment, ctx.input.ticket, { body = "hi", public = true })
      ctx.vars.public_reply_refused = not ok
      ctx.vars.refusal = tostring(err)
    end,
  },
  succeed "done" { "Done." },
}
