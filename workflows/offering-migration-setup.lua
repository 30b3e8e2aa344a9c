-- Handbook: How to Handle Product Offering Migration Tickets, "From here,
-- Support Ops will ..." (Setting Up an Organization for an Offering
-- Migration). Everything it needs is in the issue offering-migration opened.
local support = require "support"
local messages = require "messages"

local OPS = support.projects.support_ops

return workflow "offering-migration-setup" {
  title = "Set up an organization for a product offering migration (Support Ops)",
  handbook = "support/workflows/offering-migration#from-here-support-ops-will",
  uses = { "zendesk", "gitlab" },
  -- Support Ops sets up the organization; the engineer talks to the customer.
  forbid = { "zendesk.public_reply" },
  inputs = { issue = { type = "integer", description = "the issue's number (iid) in {ops}" } },
  words = { ops = OPS },

  task "read_issue" {
    [[Read the Support Ops issue: the organization, the ticket, the new support level and
      the migration target date.]],
    retry = support.outage_retry,
    run = function(ctx)
      local issue = assert(gitlab.issues.get(OPS, ctx.input.issue), "no such issue in " .. OPS)
      local v, got = ctx.vars, nil
      got, v.missing = support.read_migration_issue(issue.description)
      v.org_id, v.level_tag, v.target_date = got.org_id, got.level_tag, got.target_date
      v.issue_ref = issue.references and issue.references.full or (OPS .. "#" .. ctx.input.issue)
      v.issue_open = issue.state ~= "closed"
    end,
  },
  choice "issue_complete" {
    [[Does the issue specify the organization, the new support level and the target date?]],
    { label = "Complete", when = is_empty("missing"), next = "add_level_tag" },
    { label = "Incomplete", next = "ask_for_details" },
  },
  task "ask_for_details" {
    [[Ask the engineer on the issue for what is missing.]],
    retry = support.outage_retry,
    run = function(ctx)
      gitlab.notes.create(OPS, ctx.input.issue,
        messages.offering_migration_issue_incomplete { missing = ctx.vars.missing })
    end,
    next = "incomplete",
  },
  task "add_level_tag" {
    [[Add the support level tag to the org. There will then be two, so that the customer can
      get help on both their current and future offerings.]],
    retry = support.outage_retry,
    run = function(ctx)
      local org = assert(zendesk.organizations.get(ctx.vars.org_id), "no such organization")
      ctx.vars.org_name = org.name
      ctx.vars.org_notes = org.notes
      zendesk.organizations.add_tags(ctx.vars.org_id, { ctx.vars.level_tag })
    end,
  },
  task "add_org_note" {
    [[Add text to the org notes explaining that the customer is migrating between offerings
      and that we have approved `offering` level support until `target date`.]],
    retry = support.outage_retry,
    run = function(ctx)
      local v = ctx.vars
      local note = messages.offering_migration_org_note {
        level_name = support.describe_level_tag(v.level_tag), target_date = v.target_date,
        issue = v.issue_ref,
      }
      v.org_note = note
      if type(v.org_notes) == "string" and v.org_notes ~= "" then
        if v.org_notes:find(note, 1, true) then
          return -- already there (a re-run)
        end
        note = v.org_notes .. "\n" .. note
      end
      zendesk.organizations.update(v.org_id, {
        notes = note,
        organization_fields = { [support.org_fields.migration_until] = v.target_date },
      })
    end,
  },
  task "close_issue" {
    [[Say on the issue what was done, and close it: the engineer's workflow is waiting for
      that.]],
    retry = support.outage_retry,
    run = function(ctx)
      local v = ctx.vars
      gitlab.notes.create(OPS, ctx.input.issue, messages.offering_migration_done_note {
        level_tag = v.level_tag, org_name = v.org_name, org_note = v.org_note,
      })
      if v.issue_open then
        gitlab.issues.update(OPS, ctx.input.issue, { state = "closed" })
      end
    end,
  },
  succeed "done" {
    [[The organization has both support levels and the org note; the issue is closed.]],
  },
  fail "incomplete" {
    [[The issue does not say enough to set up the organization; the engineer was asked on
      the issue.]],
    message = "the Support Ops issue lacks the organization, the new support level or the target date",
  },
}
