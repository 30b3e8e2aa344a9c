-- Handbook: How to Handle Product Offering Migration Tickets, the NOTE: "If
-- you assign yourself to a new ticket and find an internal note indicating
-- that it involves a product offering migration, please take the final step
-- described above".
local support = require "support"
local level_tags = require "level_tags"

return workflow "offering-migration-followup" {
  title = [[On a newly assigned offering migration ticket, remove the misaligned support level
    tag]],
  handbook = "support/workflows/offering-migration#note",
  uses = { "zendesk" },
  -- Only the ticket's tags change: the organization is Support Ops', and the customer
  -- hears nothing of it.
  forbid = { "zendesk.public_reply", "zendesk.organizations.update",
    "zendesk.organizations.add_tags", "zendesk.organizations.remove_tags" },
  inputs = { ticket = { type = "integer", description = "the ticket you just assigned yourself" } },

  task "read_ticket" {
    [[Read the ticket's internal notes, its support level tags, its organization's tags and
      the offering its problem statement is about.]],
    retry = support.outage_retry,
    run = function(ctx)
      local t = assert(zendesk.tickets.get(ctx.input.ticket), "no such ticket")
      local comments = support.all(zendesk.tickets.comments(ctx.input.ticket))
      local note, how_sure = support.find_migration_note(comments)
      ctx.vars.note = how_sure
      if not note then
        return
      end
      local org = assert(zendesk.organizations.get(t.organization_id), "the ticket has no organization")
      local field = zendesk.ticket_fields.find(support.problem_offering_field)
      local plan, why = support.align_level_tags(t.tags, org.tags,
        support.problem_offering(t, field and field.id))
      ctx.vars.align = plan
      ctx.vars.ticket_level_tags = support.level_tags(t.tags)
      ctx.log(("internal note %d %s an offering migration: %s"):format(note.id,
        how_sure == "sure" and "indicates" or "may indicate", note.body))
      if not plan then
        ctx.log("not sure which support level tag to remove: " .. why)
      end
    end,
  },
  choice "migration_note" {
    [[Is there an internal note indicating that the ticket involves a product offering
      migration? People write it in their own words: when hb is not sure, you are asked.]],
    { label = "Offering migration", when = is("note", "sure"), next = "sure_which_tag" },
    { label = "Not sure", when = is("note", "unsure"), next = "confirm_note" },
    { label = "No such note", next = "not_a_migration" },
  },
  ask "confirm_note" {
    [[hb is not sure that this internal note (its text is in the trail: hb audit show RUN)
      indicates a product offering migration. Does it?]],
    options = { { "yes", next = "sure_which_tag" }, { "no", next = "not_a_migration" } },
  },
  level_tags.which_tag { done = "done" },
  succeed "done" {
    [[The ticket's support level tags align with its problem statement.]],
  },
  succeed "not_a_migration" {
    [[No internal note marks an offering migration: nothing to do here.]],
  },
}
