-- Handbook: How to Handle Product Offering Migration Tickets, the NOTE: "If
-- you assign yourself to a new ticket and find an internal note indicating
-- that it involves a product offering migration, please take the final step
-- described above".
local support = require "support"
local level_tags = require "level_tags"

return workflow "offering-migration-followup" {
  title = "On a newly assigned offering migration ticket, remove the misaligned support level tag",
  handbook = "support/workflows/offering-migration#note",
  uses = { "zendesk" },
  -- Only the ticket's tags change: the organization is Support Ops', and the customer
  -- hears nothing of it.
  forbid = { "zendesk.public_reply", "zendesk.organizations.update",
    "zendesk.organizations.add_tags", "zendesk.organizations.remove_tags" },
  inputs = { ticket = { type = "integer", description = "the ticket you just assigned yourself" } },

  task "read_ticket" {
    "Read the ticket's internal notes, its support level tags, its organization's tags and the "
      .. "offering its problem statement is about.",
    run = function(ctx)
      local t = assert(zendesk.tickets.get(ctx.input.ticket), "no such ticket")
      local comments = {}
      for c in zendesk.tickets.comments(ctx.input.ticket) do
        comments[#comments + 1] = c
      end
      local note, how_sure = support.find_migration_note(comments)
      ctx.vars.note = how_sure
      if not note then
        return
      end
      local org = assert(zendesk.organizations.get(t.organization_id), "the ticket has no organization")
      local offering = support.problem_offering(t)
      local plan, why = support.align_level_tags(t.tags, org.tags, offering)
      ctx.vars.offering = offering
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
    "Is there an internal note indicating that the ticket involves a product offering migration? "
      .. "People write it in their own words: when hb is not sure, you are asked.",
    { label = "Offering migration", when = function(ctx) return ctx.vars.note == "sure" end,
      next = "sure_which_tag" },
    { label = "Not sure", when = function(ctx) return ctx.vars.note == "unsure" end,
      next = "confirm_note" },
    { label = "No such note", next = "not_a_migration" },
  },
  ask "confirm_note" {
    "hb is not sure that this internal note (its text is in the trail: hb audit show RUN) "
      .. "indicates a product offering migration. Does it?",
    options = { { "yes", next = "sure_which_tag" }, { "no", next = "not_a_migration" } },
  },
  choice "sure_which_tag" {
    "Is it clear which support level tag does not align with the ticket's problem statement?",
    { label = "Clear", when = function(ctx) return ctx.vars.align ~= nil end, next = "align_tags" },
    { label = "Not sure", next = "ask_which_tag" },
  },
  task "align_tags" {
    "Remove the support level tag that doesn't align with the ticket's problem statement. If the "
      .. "ticket lacks the one that does, hb adds it: without a support level the ticket would not "
      .. "be 'visible to SEs with the right focus area' nor have 'the right SLA'.",
    run = function(ctx)
      level_tags.apply(ctx.input.ticket, ctx.vars.align, ctx.vars.offering)
    end,
    next = "done",
  },
  ask "ask_which_tag" {
    level_tags.ask_which_tag,
    value = "enum",
    choices = function(ctx) return level_tags.choices(ctx.vars.ticket_level_tags) end,
  },
  task "remove_chosen_tag" {
    "Remove the tag you chose from the ticket.",
    run = function(ctx)
      level_tags.remove_chosen(ctx.input.ticket, ctx.answers.ask_which_tag, ctx.run.actor)
    end,
  },
  succeed "done" {
    "The ticket's support level tags align with its problem statement.",
  },
  succeed "not_a_migration" {
    "No internal note marks an offering migration: nothing to do here.",
  },
}
