-- Handbook: How to Handle Product Offering Migration Tickets.
-- The engineer's side; Support Ops' side is offering-migration-setup, and
-- the NOTE for whoever picks the ticket up later is
-- offering-migration-followup.
local support = require "support"
local messages = require "messages"
local level_tags = require "level_tags"

local OPS = support.projects.support_ops

return workflow "offering-migration" {
  title = "Handle a product offering migration ticket",
  handbook = "support/workflows/offering-migration",
  uses = { "zendesk", "gitlab" },
  -- Support Ops changes the organization (offering-migration-setup), not the engineer.
  forbid = { "zendesk.organizations.update", "zendesk.organizations.add_tags",
    "zendesk.organizations.remove_tags" },
  inputs = { ticket = { type = "integer", description = "the customer's Zendesk ticket" } },
  words = { ops_channel = support.slack.support_operations },

  task "read_ticket" {
    [[Read the ticket and its organization: which offering the customer has a paid license
      for (its support level tags), and which offering the problem statement is about.]],
    retry = support.outage_retry,
    run = function(ctx)
      local t = assert(zendesk.tickets.get(ctx.input.ticket), "no such ticket")
      local org = assert(zendesk.organizations.get(t.organization_id),
        "the ticket has no organization")
      local field = zendesk.ticket_fields.find(support.problem_offering_field)
      local problem = support.problem_offering(t, field and field.id)
      local v = ctx.vars
      v.current, v.new = support.migration_offerings(org.tags, problem)
      assert(v.current, ("organization %s has no support level tag: it has no paid support"):format(org.name))
      local requester = zendesk.users.get(t.requester_id)
      v.org_id, v.org_name, v.customer = org.id, org.name, requester and requester.name
      v.ticket_url = zendesk.tickets.agent_url(t)
      ctx.log(("%s pays for %s; the ticket's problem is about %s"):format(org.name,
        table.concat(support.level_tags(org.tags), " and "), problem or "an unknown offering"))
    end,
  },
  ask "involves_unpaid_offering" {
    [[Does the problem statement of the ticket involve the offering the customer has not paid
      for (for example a GitLab.com problem from a customer with only a Self-managed
      license)?]],
    options = { { "yes", next = "contact_customer" }, { "no", next = "out_of_scope" } },
  },
  task "contact_customer" {
    [[Contact the customer: explain that although they are only entitled to support on their
      current offering, we intend to support them anyway; ask them to confirm what support
      level they intend to purchase on the new offering, and the target date for completing
      the migration. The reply sets the ticket to pending: it waits on the customer.]],
    retry = support.outage_retry,
    run = function(ctx)
      zendesk.tickets.set_status(ctx.input.ticket, support.waiting_on_customer, {
        public = true,
        body = messages.offering_migration_intro {
          customer = ctx.vars.customer, current_offering = support.offerings[ctx.vars.current],
          new_offering = support.offerings[ctx.vars.new],
        },
      })
    end,
  },
  wait "customer_reply" {
    [[Wait for the customer's answer, then pass it on: hb resume RUN --event
      customer_reply='{"level":"premium","date":"2026-12-31"}' (either may be left out).
      After 3 days without one, hb asks you for both.]],
    event = "customer_reply", timeout = "3d", on_timeout = "level_given",
    next = "record_reply",
  },
  task "record_reply" {
    [[Record the support level and the target date the customer gave.]],
    run = function(ctx)
      ctx.vars.level, ctx.vars.target_date = support.migration_reply(ctx.events.customer_reply)
    end,
  },
  choice "level_given" {
    [[Did the customer say which support level they intend to purchase?]],
    { label = "Given", when = is_set("vars.level"), next = "date_given" },
    { label = "Not given", next = "ask_level" },
  },
  ask "ask_level" {
    [[Which support level does the customer intend to purchase on the new offering?]],
    value = "enum", choices = support.level_order,
    next = "date_given",
  },
  choice "date_given" {
    [[Did the customer give the target date for completing the migration?]],
    { label = "Given", when = is_set("vars.target_date"), next = "open_ops_issue" },
    { label = "Not given", next = "ask_target_date" },
  },
  ask "ask_target_date" {
    [[What is the customer's target date for completing the migration?]],
    value = "date",
  },
  task "open_ops_issue" {
    [[Open a Support Ops issue in the zendesk-organizations project: specify that the request
      is to support a product offering migration, the new support level to be applied to the
      organization, and the migration target date.]],
    retry = support.outage_retry,
    run = function(ctx)
      local v = ctx.vars
      local template = gitlab.templates.issue(OPS, support.templates.offering_migration)
      -- The level and the date: from the customer's reply (record_reply) or the asks.
      local level_tag = support.level_tag(v.new, fact(ctx, "level", "ask_level"))
      local about = { org_name = v.org_name, org_id = v.org_id, ticket = ctx.input.ticket,
        ticket_url = v.ticket_url, level_tag = level_tag,
        target_date = fact(ctx, "target_date", "ask_target_date") }
      local title = messages.offering_migration_issue_title(about)
      local issue = gitlab.issues.create(OPS, {
        title = title,
        description = messages.offering_migration_issue {
          fields = support.migration_issue_lines(about), level_tag = level_tag,
          current_offering = support.offerings[v.current], new_offering = support.offerings[v.new],
          level_name = support.describe_level_tag(level_tag), target_date = about.target_date,
          template = template and template.content,
        },
        labels = { support.migration_issue_label },
      })
      if issue.planned then -- a dry run: nothing was created
        v.issue_ref = "(planned: " .. title .. ")"
        return
      end
      v.issue_iid = issue.iid
      v.issue_ref = issue.references and issue.references.full or (OPS .. "#" .. issue.iid)
      v.issue_url = issue.web_url
    end,
  },
  task "note_migration" {
    [[Add an internal note marking the ticket as a product offering migration, so that SEs
      know a decision has been made to support the customer (the NOTE: whoever picks the
      ticket up finds it).]],
    retry = support.outage_retry,
    run = function(ctx)
      local v = ctx.vars
      zendesk.tickets.comment(ctx.input.ticket, {
        public = false,
        body = messages.offering_migration_note {
          org_name = v.org_name, current_offering = support.offerings[v.current],
          new_offering = support.offerings[v.new],
          level_name = support.levels[fact(ctx, "level", "ask_level")],
          target_date = fact(ctx, "target_date", "ask_target_date"), ticket = ctx.input.ticket,
          issue = v.issue_url or v.issue_ref,
        },
      })
    end,
  },
  wait "support_ops_done" {
    [[Support Ops adds the support level tag to the org (there will then be two, so the
      customer gets help on both offerings) and the org note, then closes the issue. hb
      checks the issue every hour.]],
    condition = function(ctx)
      local issue = gitlab.issues.get(OPS, ctx.vars.issue_iid)
      return issue ~= nil and issue.state == "closed"
    end,
    every = "1h", timeout = "5d", on_timeout = "ping_support_ops",
    next = "plan_tag_alignment",
  },
  ask "ping_support_ops" {
    [[Support Ops has not closed the issue after 5 days: ping in {ops_channel} with the issue
      link (in the ticket's internal note), then answer `pinged` and hb keeps waiting.]],
    options = { { "pinged", next = "support_ops_done" } },
  },
  task "plan_tag_alignment" {
    [[Once Support Ops has completed their work, find the support level tag on the ticket
      that does not belong to its problem statement.]],
    retry = support.outage_retry,
    run = function(ctx)
      local t = zendesk.tickets.get(ctx.input.ticket)
      local org = zendesk.organizations.get(ctx.vars.org_id)
      local plan, why = support.align_level_tags(t.tags, org.tags, ctx.vars.new)
      ctx.vars.align = plan
      ctx.vars.ticket_level_tags = support.level_tags(t.tags)
      if not plan then
        ctx.log("not sure which support level tag to remove: " .. why)
      end
    end,
  },
  level_tags.which_tag { done = "done" },
  succeed "done" {
    [[The ticket carries the support level that matches its problem statement.]],
  },
  succeed "out_of_scope" {
    [[The problem statement involves the offering they pay for: this is not an offering
      migration. Handle the ticket as usual.]],
  },
}
