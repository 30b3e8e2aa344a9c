-- Making a ticket's support level tags match its problem statement: the last
-- step of offering-migration and the whole of its follow-up (the NOTE).
-- support.align_level_tags decides; this applies the decision to Zendesk,
-- so it needs `zendesk` in the calling workflow's `uses`.
local messages = require "messages"

local support = require "support"

local M = {}

-- The question both workflows ask when the rules cannot tell which tag to
-- remove: the handbook's "if you're not sure, ping #support_operations".
M.ask_which_tag = "hb is not sure which support level tag to remove (the trail says why). If "
  .. "you're not sure either, ping in " .. support.slack.support_operations .. " for help; then "
  .. "choose the tag to remove from the ticket, or `none`."

-- Adds the tag that belongs and removes the ones that do not, with an
-- internal note saying so. plan: support.align_level_tags' answer.
function M.apply(ticket, plan, offering)
  if #plan.add > 0 then
    zendesk.tickets.add_tags(ticket, plan.add)
  end
  if #plan.remove > 0 then
    zendesk.tickets.remove_tags(ticket, plan.remove)
  end
  if #plan.add + #plan.remove > 0 then
    zendesk.tickets.comment(ticket, {
      public = false,
      body = messages.tags_aligned { add = plan.add, remove = plan.remove, offering = offering },
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

return M
