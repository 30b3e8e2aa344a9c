-- Making a ticket's support level tags match its problem statement: the last
-- step of offering-migration and the whole of its follow-up (the NOTE).
-- support.align_level_tags decides; `which_tag` is the tail both workflows
-- include (`level_tags.which_tag { done = "done" }`): it applies a clear
-- decision, or asks a person "which tag?". It needs `zendesk` in the
-- workflow's `uses`, ctx.vars.align (the decision, or nil when unsure) and
-- ctx.vars.ticket_level_tags.
local messages = require "messages"

local support = require "support"

local M = {}

-- Adds the tag that belongs and removes the ones that do not, with an
-- internal note saying so. plan: support.align_level_tags' answer.
function M.apply(ticket, plan)
  if #plan.add > 0 then
    zendesk.tickets.add_tags(ticket, plan.add)
  end
  if #plan.remove > 0 then
    zendesk.tickets.remove_tags(ticket, plan.remove)
  end
  local changes = {}
  if #plan.add > 0 then
    changes[#changes + 1] = messages.tags_added { added = plan.add }
  end
  if #plan.remove > 0 then
    changes[#changes + 1] = messages.tags_removed { removed = plan.remove }
  end
  if #changes > 0 then
    zendesk.tickets.comment(ticket, {
      public = false,
      body = messages.tags_aligned { changes = table.concat(changes, "; "),
        offering = support.offerings[plan.offering] or plan.offering },
    })
  end
end

-- What a person may choose when hb is not sure: the ticket's level tags, or none.
function M.choices(level_tags)
  local list = {}
  for _, tag in ipairs(level_tags or {}) do
    list[#list + 1] = tag
  end
  list[#list + 1] = "none"
  return list
end

-- Removes the tag a person chose (nothing for "none"), saying who chose it.
function M.remove_chosen(ticket, tag, actor)
  if tag == "none" then
    return
  end
  zendesk.tickets.remove_tags(ticket, { tag })
  zendesk.tickets.comment(ticket, {
    public = false,
    body = messages.tag_removed_by_choice { tag = tag, by = actor },
  })
end

M.which_tag = fragment "which_tag" {
  words = { channel = support.slack.support_operations },

  choice "sure_which_tag" {
    [[Is it clear which support level tag does not align with the ticket's problem
      statement?]],
    { label = "Clear", when = is_set("align"), next = "align_tags" },
    { label = "Not sure", next = "ask_which_tag" },
  },
  task "align_tags" {
    [[Remove from the ticket the support level tag that does not belong. If the ticket
      lacks the one that does, hb adds it: without a support level the ticket would not be
      'visible to SEs with the right focus area' nor have 'the right SLA'.]],
    run = function(ctx) M.apply(ctx.input.ticket, ctx.vars.align) end,
    next = "{done}",
  },
  ask "ask_which_tag" {
    [[hb is not sure which support level tag to remove (the trail says why). If you're not
      sure either, ping in {channel} for help; then choose the tag to remove from the
      ticket, or `none`.]],
    value = "enum",
    choices = function(ctx) return M.choices(ctx.vars.ticket_level_tags) end,
  },
  task "remove_chosen_tag" {
    [[Remove the tag you chose from the ticket.]],
    run = function(ctx)
      M.remove_chosen(ctx.input.ticket, ctx.answers.ask_which_tag, ctx.run.actor)
    end,
    next = "{done}",
  },
}

return M
