-- Handbook: Working with Customer Support Operations, "Ticket where customer
-- is asking for support portal changes".
local support = require "support"
local messages = require "messages"

return workflow "support-ops-portal-change" {
  title = "Move a mis-filed support portal change request to the Support Ops form",
  handbook = "support/workflows/working-with-customer-support-operations#ticket-where-customer-is-asking-for-support-portal-changes",
  uses = { "zendesk" },
  -- "Please do not send a public reply (as that removes our SLA clock from
  -- the ticket)": the binding refuses one before any request is made.
  forbid = { "zendesk.public_reply" },
  inputs = { ticket = { type = "integer", description = "the mis-filed Zendesk ticket" } },

  task "read_ticket" {
    [[Read the ticket's form, and find the `Support Ops` form by its name.]],
    retry = support.outage_retry,
    run = function(ctx)
      local t = assert(zendesk.tickets.get(ctx.input.ticket), "no such ticket")
      local form = assert(zendesk.ticket_forms.find(support.forms.support_ops),
        "Zendesk has no form named " .. support.forms.support_ops)
      local v = ctx.vars
      v.form_id, v.support_ops_form, v.support_ops_form_name = t.ticket_form_id, form.id, form.name
      v.on_support_ops = t.ticket_form_id == form.id
    end,
  },
  choice "already_on_support_ops" {
    [[Is the ticket already on the `Support Ops` form?]],
    { label = "Already there", next = "nothing_to_do", when = is("on_support_ops", true) },
    { label = "Another form", next = "confirm_portal_request" },
  },
  ask "confirm_portal_request" {
    [[Occasionally, a customer mis-files a ticket and sends a request for support portal
      changes using a Support form. Is this ticket a request for support portal changes?]],
    options = { { "yes", next = "change_form" }, { "no", next = "not_a_portal_request" } },
  },
  task "change_form" {
    [[Change the form to `Support Ops` in Zendesk, explained in an internal note. Do not send
      a public reply: that removes our SLA clock from the ticket.]],
    retry = support.outage_retry,
    run = function(ctx)
      zendesk.tickets.update(ctx.input.ticket, {
        ticket_form_id = ctx.vars.support_ops_form,
        comment = {
          public = false,
          body = messages.portal_change_note {
            old_form = "form " .. tostring(ctx.vars.form_id),
            new_form = ctx.vars.support_ops_form_name,
            by = ctx.run.actor,
          },
        },
      })
    end,
  },
  succeed "done" {
    [[Customer Support Operations will handle it from there.]],
  },
  succeed "not_a_portal_request" {
    [[Not a support portal change request: handle the ticket as usual.]],
  },
  succeed "nothing_to_do" {
    [[The ticket is already on the Support Ops form: Customer Support Operations has it.]],
  },
}
