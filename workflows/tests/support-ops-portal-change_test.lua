-- Ticket 1013 (Vandelay) asks for a support portal change on the SaaS form.
local SUPPORT_OPS_FORM = 360004

return scenarios "support-ops-portal-change" {
  scenario "a mis-filed portal request moves to the Support Ops form, without a public reply" {
    inputs = { ticket = 1013 },
    answers = { confirm_portal_request = "yes" },
    path = { "read_ticket", "already_on_support_ops", "confirm_portal_request", "change_form", "done" },
    status = "succeeded",
    check = function(sb)
      sb:equal(sb:ticket(1013).ticket_form_id, SUPPORT_OPS_FORM, "form")
      sb:has_note(1013, "moved to the Support Ops form", "the internal note explains the move")
      sb:no_reply(1013, "a public reply would remove the SLA clock")
      sb:no_request({ service = "zendesk", method = "PUT", body = '"public":true' },
        "no request asks for a public comment")
    end,
  },

  scenario "a ticket that is not a portal request is left alone" {
    inputs = { ticket = 1013 },
    answers = { confirm_portal_request = "no" },
    path = { "read_ticket", "already_on_support_ops", "confirm_portal_request", "not_a_portal_request" },
    status = "succeeded",
    check = function(sb)
      sb:equal(sb:ticket(1013).ticket_form_id, 360001, "form unchanged")
      sb:no_writes("zendesk")
    end,
  },

  scenario "a ticket already on the Support Ops form needs nothing" {
    sandbox = { zendesk = { tickets = { ["1013"] = { ticket_form_id = SUPPORT_OPS_FORM } } } },
    inputs = { ticket = 1013 },
    path = { "read_ticket", "already_on_support_ops", "nothing_to_do" },
    status = "succeeded",
    check = function(sb)
      sb:no_writes("zendesk")
      sb:request_count({ service = "zendesk", method = "GET", path = "/ticket_forms" }, 1,
        "the form is found by name")
    end,
  },

  scenario "the Support Ops form is found by its name, not its id" {
    sandbox = { zendesk = { ticket_forms = {
      ["360004"] = { name = "Support Ops (old)", active = false },
      ["360007"] = { name = "Support Ops", display_name = "Support Ops", active = true,
        end_user_visible = false, position = 7, default = false },
    } } },
    inputs = { ticket = 1013 },
    answers = { confirm_portal_request = "yes" },
    status = "succeeded",
    check = function(sb)
      sb:equal(sb:ticket(1013).ticket_form_id, 360007, "the form named Support Ops")
      sb:no_reply(1013)
    end,
  },
}
