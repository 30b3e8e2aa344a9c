-- Handbook: How to Handle Product Offering Migration Tickets, "From here,
-- Support Ops will ..." (Setting Up an Organization for an Offering
-- Migration). Everything it needs is in the issue offering-migration opened.
local support = require "support"
local messages = require "messages"

local OPS = support.projects.support_ops
local FIELDS = support.migration_issue_fields

return workflow "offering-migration-setup" {
  title = "Set up an organization for a product offering migration (Support Ops)",
  handbook = "support/workflows/offering-migration#from-here-support-ops-will",
  uses = { "zendesk", "gitlab" },
  -- Support Ops sets up the organization; the engineer talks to the customer.
  forbid = { "zendesk.public_reply" },
  inputs = { issue = { type = "integer",
    description = "the issue's number (iid) in " .. OPS } },

  task "read_issue" {
    "Read the Support Ops issue: the organization, the ticket, the new support level and the "
      .. "migration target date.",
    run = function(ctx)
      local issue = assert(gitlab.issues.get(OPS, ctx.input.issue), "no such issue in " .. OPS)
      local f = support.parse_fields(issue.description)
      local missing = {}
      local org_id = math.tointeger(tonumber(tostring(f[FIELDS.organization] or ""):match("%((%d+)%)%s*$")))
      if not org_id then
        missing[#missing + 1] = FIELDS.organization .. " (\"Name (id)\")"
      end
      local level_tag = f[FIELDS.level]
      if not support.parse_level_tag(level_tag) then
        missing[#missing + 1] = FIELDS.level .. " (a support level tag such as saas_premium)"
      end
      local date = support.parse_time(f[FIELDS.target_date])
      if not date then
        missing[#missing + 1] = FIELDS.target_date .. " (YYYY-MM-DD)"
      end
      ctx.vars.missing = missing
      ctx.vars.org_id, ctx.vars.level_tag = org_id, level_tag
      ctx.vars.target_date = date and support.format_date(date)
      ctx.vars.issue_ref = issue.references and issue.references.full or (OPS .. "#" .. ctx.input.issue)
      ctx.vars.issue_open = issue.state ~= "closed"
    end,
  },
  choice "issue_complete" {
    "Does the issue specify the organization, the new support level and the target date?",
    { label = "Complete", when = function(ctx) return #ctx.vars.missing == 0 end, next = "add_level_tag" },
    { label = "Incomplete", next = "ask_for_details" },
  },
  task "ask_for_details" {
    "Ask the engineer on the issue for what is missing.",
    run = function(ctx)
      gitlab.notes.create(OPS, ctx.input.issue, messages.offering_migration_issue_incomplete(ctx.vars.missing))
    end,
    next = "incomplete",
  },
  task "add_level_tag" {
    "Add the support level tag to the org. There will then be two, so that the customer can get "
      .. "help on both their current and future offerings.",
    run = function(ctx)
      local org = assert(zendesk.organizations.get(ctx.vars.org_id), "no such organization")
      ctx.vars.org_name = org.name
      ctx.vars.org_notes = org.notes
      zendesk.organizations.add_tags(ctx.vars.org_id, { ctx.vars.level_tag })
    end,
  },
  task "add_org_note" {
    "Add text to the org notes explaining that the customer is migrating between offerings and "
      .. "that we have approved `offering` level support until `target date`.",
    run = function(ctx)
      local note = messages.offering_migration_org_note {
        level_tag = ctx.vars.level_tag, target_date = ctx.vars.target_date, issue = ctx.vars.issue_ref,
      }
      ctx.vars.org_note = note
      local notes = ctx.vars.org_notes
      if type(notes) == "string" and notes ~= "" then
        if notes:find(note, 1, true) then
          return -- already there (a re-run)
        end
        note = notes .. "\n" .. note
      end
      zendesk.organizations.update(ctx.vars.org_id, {
        notes = note,
        organization_fields = { [support.org_fields.migration_until] = ctx.vars.target_date },
      })
    end,
  },
  task "close_issue" {
    "Say on the issue what was done, and close it: the engineer's workflow is waiting for that.",
    run = function(ctx)
      gitlab.notes.create(OPS, ctx.input.issue, messages.offering_migration_done_note {
        level_tag = ctx.vars.level_tag, org_name = ctx.vars.org_name, org_note = ctx.vars.org_note,
      })
      if ctx.vars.issue_open then
        gitlab.issues.update(OPS, ctx.input.issue, { state = "closed" })
      end
    end,
  },
  succeed "done" {
    "The organization has both support levels and the org note; the issue is closed.",
  },
  fail "incomplete" {
    "The issue does not say enough to set up the organization; the engineer was asked on the issue.",
    message = "the Support Ops issue lacks the organization, the new support level or the target date",
  },
}
