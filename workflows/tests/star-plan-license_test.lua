-- The clock is 2026-11-22T10:00:00Z. Ticket 1004 (Initech, grace period
-- with 11 days left, screenshot attached), 1005 (Stark, grace ends in 14 h,
-- only a log attached), 1006 (Wayne, renewal delay), 1014 (Acme, license
-- resend), 1015/1016 (Massive Dynamic, GitLab.com).
local function tags(ticket, list)
  return { zendesk = { tickets = { [tostring(ticket)] = { tags = list } } } }
end

local LICENSE_ERROR_1005 = tags(1005, { "self_managed_premium", "lnr_license_error", "star" })

local SCREENSHOT = { sandbox = { zendesk = { tickets = { ["1005"] = { comments = { ["+"] = {
  author_id = 607, public = true, body = "Screenshot attached.",
  attachments = { { id = 7100, file_name = "dashboard.png", content_type = "image/png", size = 1000,
    content_url = "https://sandbox.zendesk.example/attachments/token/dash/?name=dashboard.png",
    inline = false } },
} } } } } } }

local function only_trial_licenses(sb, ticket)
  for _, n in ipairs(sb:notes(ticket)) do
    if n.body:find("License request:", 1, true) then
      sb:expect(n.body:find("License request: TRIAL license", 1, true), "every license request is a trial")
    end
  end
end

return scenarios "star-plan-license" {
  scenario "a grace period extension needs a trial license generation" {
    inputs = { ticket = 1004 },
    answers = { trial_license_sent = "sent" },
    path = { "read_ticket", "offering", "sm_request", "prepare_trial_license", "trial_license_sent",
      "record_trial_sent", "activation_error", "done" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1004, "License request: TRIAL license", "a trial license request")
      sb:has_note(1004, "Send to: chen@initech.example", "to the license contact in Zuora")
      sb:has_note(1004, "Users in license: 25", "the seats from Zuora")
      sb:has_note(1004, "Plan: Premium", "the plan from Zuora")
      sb:has_note(1004, "Expires: 2026-12-06", "14 days")
      sb:has_note(1004, "sent to chen@initech.example (confirmed by hb-test)", "who confirmed")
      sb:no_reply(1004)
    end,
  },

  scenario "an upload error, L&R unavailable, 14h left, an emergency: screenshot first" {
    sandbox = LICENSE_ERROR_1005,
    inputs = { ticket = 1005 },
    answers = { lnr_first = "not available", is_emergency = "yes" },
    actions = {
      { advance = "24h" },
      SCREENSHOT,
      { event = "customer_reply" },
      { answer = { confirm_screenshot = "yes" } },
      { answer = { trial_license_sent = "sent" } },
    },
    path = { "read_ticket", "offering", "sm_request", "lnr_first", "expiry_known", "time_left",
      "is_emergency", "find_screenshot", "screenshot_attached", "request_screenshot",
      "screenshot_reply", "screenshot_overdue", "screenshot_reply", "find_screenshot",
      "screenshot_attached", "confirm_screenshot", "prepare_trial_license", "trial_license_sent",
      "record_trial_sent", "activation_error", "done" },
    status = "succeeded",
    check = function(sb)
      sb:has_reply(1005, "Admin -> Dashboard", "the screenshot is requested")
      sb:request_count({ service = "zendesk", method = "PUT", body = '"status":"pending"' }, 1,
        "with the ticket set to pending in the same update")
      sb:has_note(1005, "No Admin -> Dashboard screenshot yet", "overdue after 24h")
      local replies, license_note = sb:replies(1005), nil
      for _, n in ipairs(sb:notes(1005)) do
        if n.body:find("TRIAL license", 1, true) then license_note = n end
      end
      sb:expect(license_note ~= nil, "the trial license request")
      sb:expect(license_note and replies[1] and license_note.id > replies[1].id,
        "the screenshot was requested before the trial license")
      only_trial_licenses(sb, 1005)
    end,
  },

  scenario "the image on the ticket is not the dashboard: ask for it" {
    sandbox = LICENSE_ERROR_1005,
    inputs = { ticket = 1005 },
    answers = { lnr_first = "not available", is_emergency = "yes" },
    actions = { SCREENSHOT, { event = "customer_reply" }, { answer = { confirm_screenshot = "no" } } },
    path = { "read_ticket", "offering", "sm_request", "lnr_first", "expiry_known", "time_left",
      "is_emergency", "find_screenshot", "screenshot_attached", "request_screenshot",
      "screenshot_reply", "find_screenshot", "screenshot_attached", "confirm_screenshot",
      "request_screenshot", "screenshot_reply" },
    status = "waiting", step = "screenshot_reply",
    check = function(sb)
      sb:equal(#sb:replies(1005), 2, "the screenshot is asked for again")
      sb:request_count({ service = "zendesk", method = "PUT", body = "TRIAL license" }, 0,
        "no trial license without the screenshot")
    end,
  },

  scenario "the L&R team assists first" {
    sandbox = LICENSE_ERROR_1005,
    inputs = { ticket = 1005 },
    answers = { lnr_first = "assisting" },
    path = { "read_ticket", "offering", "sm_request", "lnr_first", "lnr_assisting", "done_with_lnr" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1005, "The L&R team is assisting (asked in #support_licensing-subscription; confirmed by hb-test)", "noted")
    end,
  },

  scenario "a renewal delay within the grace period: 24h+ remaining, no escalation" {
    sandbox = tags(1004, { "self_managed_premium", "lnr_renewal_delay", "star" }),
    inputs = { ticket = 1004 },
    answers = { lnr_first = "not available", judge_24h_plus = "no" },
    path = { "read_ticket", "offering", "sm_request", "lnr_first", "expiry_known", "time_left",
      "judge_24h_plus", "no_escalation", "done_no_escalation" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1004, "before the grace period ends (2026-12-03T00:00:00Z)", "grace = term end + 14 days")
      sb:no_reply(1004)
    end,
  },

  -- "Always use your judgement to mitigate or prevent emergencies" holds
  -- with 24h+ remaining too: the engineer may still judge it an emergency.
  scenario "24h+ remaining, but the engineer judges it an emergency: unblock the customer" {
    sandbox = tags(1004, { "self_managed_premium", "lnr_license_error", "star" }),
    inputs = { ticket = 1004 },
    answers = { lnr_first = "not available", judge_24h_plus = "yes", confirm_screenshot = "yes",
      trial_license_sent = "sent" },
    path = { "read_ticket", "offering", "sm_request", "lnr_first", "expiry_known", "time_left",
      "judge_24h_plus", "find_screenshot", "screenshot_attached", "confirm_screenshot",
      "prepare_trial_license", "trial_license_sent", "record_trial_sent", "activation_error", "done" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1004, "License request: TRIAL license", "the emergency path")
      sb:request_count({ service = "zendesk", body = "No need to escalate" }, 0, "not closed off by the 24h rule")
    end,
  },

  -- "Remaining" measures what star-validity measures for the same ticket
  -- (support.license_deadline): a license that has not expired yet is
  -- measured to its term end, not to the end of the grace period after it.
  -- star-validity says "Ok to STAR" for ticket 1006; here it is under 24h.
  scenario "a license ending in 14h has under 24h remaining, as star-validity measures it" {
    inputs = { ticket = 1006 },
    answers = { lnr_first = "not available", is_emergency = "no" },
    path = { "read_ticket", "offering", "sm_request", "lnr_first", "expiry_known", "time_left",
      "is_emergency", "not_an_emergency", "done_no_escalation" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1006, "14h 00m left before the license ends (2026-11-23T00:00:00Z)", "to the term end")
      sb:request_count({ service = "zendesk", body = "No need to escalate" }, 0, "no 'no need to escalate'")
    end,
  },

  scenario "less than 24h but not an emergency" {
    sandbox = LICENSE_ERROR_1005,
    inputs = { ticket = 1005 },
    answers = { lnr_first = "not available", is_emergency = "no" },
    path = { "read_ticket", "offering", "sm_request", "lnr_first", "expiry_known", "time_left",
      "is_emergency", "not_an_emergency", "done_no_escalation" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1005, "Not an emergency (judged by hb-test): 14h 00m left", "the judgement")
      sb:no_reply(1005)
    end,
  },

  scenario "no Zuora date: the engineer gives the trial's expiry" {
    sandbox = tags(1010, { "lnr_activation_error", "star" }),
    inputs = { ticket = 1010 },
    answers = { lnr_first = "not available", ask_expiry = "2026-12-01", judge_24h_plus = "no" },
    path = { "read_ticket", "offering", "sm_request", "lnr_first", "expiry_known", "ask_expiry",
      "record_expiry", "time_left", "judge_24h_plus", "no_escalation", "done_no_escalation" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1010, "(2026-12-01T00:00:00Z)", "the date given")
      sb:no_request({ service = "zuora" }, "no Zuora account: Zuora is not asked")
    end,
  },

  scenario "an activation error on a ticket the customer did not open" {
    sandbox = { zendesk = { tickets = { ["1005"] = {
      tags = { "self_managed_premium", "lnr_activation_error", "star" }, requester_id = 502,
      comments = { ["+"] = SCREENSHOT.sandbox.zendesk.tickets["1005"].comments["+"] } } } } },
    inputs = { ticket = 1005 },
    answers = { lnr_first = "not available", is_emergency = "yes", confirm_screenshot = "yes",
      trial_license_sent = "sent", ask_customer_ticket = "requested" },
    path = { "read_ticket", "offering", "sm_request", "lnr_first", "expiry_known", "time_left",
      "is_emergency", "find_screenshot", "screenshot_attached", "confirm_screenshot",
      "prepare_trial_license", "trial_license_sent", "record_trial_sent", "activation_error",
      "find_customer_ticket", "customer_submitted", "ask_customer_ticket", "done" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1005, "Send to: gus@stark.example", "to the license contact, not the agent who asked")
      sb:no_reply(1005)
    end,
  },

  -- "if they haven't done so already": the license contact's own open
  -- ticket (found by their email) means there is nothing to request.
  scenario "an activation error, and the customer has a ticket of their own already" {
    sandbox = { zendesk = { tickets = {
      ["1005"] = { tags = { "self_managed_premium", "lnr_activation_error", "star" }, requester_id = 502,
        comments = { ["+"] = SCREENSHOT.sandbox.zendesk.tickets["1005"].comments["+"] } },
      ["+"] = { id = 1020, subject = "Activation fails with an error", status = "open",
        requester_id = 607, organization_id = 2007, tags = { "self_managed_premium" } } } } },
    inputs = { ticket = 1005 },
    answers = { lnr_first = "not available", is_emergency = "yes", confirm_screenshot = "yes",
      trial_license_sent = "sent" },
    path = { "read_ticket", "offering", "sm_request", "lnr_first", "expiry_known", "time_left",
      "is_emergency", "find_screenshot", "screenshot_attached", "confirm_screenshot",
      "prepare_trial_license", "trial_license_sent", "record_trial_sent", "activation_error",
      "find_customer_ticket", "customer_submitted", "done" },
    status = "succeeded",
    check = function(sb)
      sb:request_count({ service = "zendesk", path = "/users/search" }, 1, "the contact looked up by email")
      sb:request_count({ service = "zendesk", path = "/users/607/tickets/requested" }, 1,
        "and their tickets")
    end,
  },

  scenario "license resend: the requester is the license contact" {
    inputs = { ticket = 1014 },
    answers = { lnr_resent = "resent" },
    path = { "read_ticket", "offering", "sm_request", "same_recipient", "resend_via_lnr", "lnr_resent", "done" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1014, "License contact on record: alice@acme.example", "resent to the contact only")
      sb:no_reply(1014)
    end,
  },

  scenario "a license to a different email is refused; a trial license may go there" {
    sandbox = { zuora = { accounts = { A00002001 = { soldToContact = { workEmail = "max@acme.example" } } } } },
    inputs = { ticket = 1014 },
    answers = { offer_trial = "yes", trial_license_sent = "sent" },
    path = { "read_ticket", "offering", "sm_request", "same_recipient", "refuse_other_email",
      "offer_trial", "prepare_trial_license", "trial_license_sent", "record_trial_sent",
      "activation_error", "done" },
    status = "succeeded",
    check = function(sb)
      sb:has_reply(1014, "We do not send licenses to a different email address", "refused")
      sb:has_reply(1014, "(max@acme.example)", "names the contact on record")
      sb:has_note(1014, "License request: TRIAL license", "the exception: a trial")
      sb:has_note(1014, "Send to: alice@acme.example", "the trial goes to the requester")
      only_trial_licenses(sb, 1014)
    end,
  },

  scenario "a license to a different email, no trial wanted: nothing is sent" {
    sandbox = { zuora = { accounts = { A00002001 = { soldToContact = { workEmail = "max@acme.example" } } } } },
    inputs = { ticket = 1014 },
    answers = { offer_trial = "no" },
    path = { "read_ticket", "offering", "sm_request", "same_recipient", "refuse_other_email", "offer_trial", "done" },
    status = "succeeded",
    check = function(sb)
      sb:no_request({ service = "zendesk", body = "License request" }, "no license request at all")
    end,
  },

  scenario "untagged self-managed request: the engineer says what it is" {
    sandbox = tags(1014, { "self_managed_premium" }),
    inputs = { ticket = 1014 },
    answers = { ask_sm_request = "contact", lnr_resent = "resent" },
    path = { "read_ticket", "offering", "sm_request", "ask_sm_request", "same_recipient",
      "resend_via_lnr", "lnr_resent", "done" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1014, "License contact on record", "routed by the answer")
    end,
  },

  scenario "untagged self-managed request: an extension, says the engineer" {
    sandbox = tags(1004, { "self_managed_premium", "star" }),
    inputs = { ticket = 1004 },
    answers = { ask_sm_request = "extension", trial_license_sent = "sent" },
    path = { "read_ticket", "offering", "sm_request", "ask_sm_request", "prepare_trial_license",
      "trial_license_sent", "record_trial_sent", "activation_error", "done" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1004, "Reason: starred ticket, extension request", "the engineer's answer")
    end,
  },

  scenario "untagged self-managed request: a license problem, says the engineer" {
    sandbox = tags(1006, { "self_managed_premium", "star" }),
    inputs = { ticket = 1006 },
    answers = { ask_sm_request = "problem", lnr_first = "assisting" },
    path = { "read_ticket", "offering", "sm_request", "ask_sm_request", "lnr_first", "lnr_assisting",
      "done_with_lnr" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1006, "The L&R team is assisting", "L&R first")
    end,
  },

  scenario "SaaS untagged: a trial extension, says the engineer" {
    sandbox = tags(1016, { "saas_premium" }),
    inputs = { ticket = 1016 },
    answers = { ask_saas_request = "extension", mechanizer_extend = "extended" },
    path = { "read_ticket", "offering", "saas_request", "ask_saas_request", "mechanizer_extend",
      "record_mechanizer", "done" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1016, "extended the namespace's trial", "recorded")
    end,
  },

  -- An empty offering field is asked, never taken for Self-Managed: this
  -- GitLab.com request must not become a Self-managed trial license.
  scenario "the offering field is empty: asked, and a SaaS request stays SaaS" {
    sandbox = { zendesk = { tickets = { ["1016"] = { custom_fields = { { id = 900001, value = json.null } } } } } },
    inputs = { ticket = 1016 },
    answers = { ask_offering = "saas", mechanizer_extend = "extended" },
    path = { "read_ticket", "offering", "ask_offering", "saas_request", "mechanizer_extend",
      "record_mechanizer", "done" },
    status = "succeeded",
    check = function(sb)
      sb:no_request({ service = "zendesk", body = "License request" }, "no Self-managed license request")
      sb:has_note(1016, "extended the namespace's trial", "the Mechanizer, as for SaaS")
    end,
  },

  -- Ticket fields are found by title: in this instance "Problem offering"
  -- has another id, and the SaaS ticket is still read as SaaS.
  scenario "the offering field has another id here: found by its title" {
    sandbox = { zendesk = {
      ticket_fields = { ["900001"] = { title = "Legacy offering" }, ["+"] = {
        id = 4242, type = "tagger", title = "Problem offering", active = true } },
      tickets = { ["1016"] = { custom_fields = { { id = 4242, value = "saas" } } } } } },
    inputs = { ticket = 1016 },
    answers = { mechanizer_extend = "extended" },
    path = { "read_ticket", "offering", "saas_request", "mechanizer_extend", "record_mechanizer", "done" },
    status = "succeeded",
    check = function(sb)
      sb:request_count({ service = "zendesk", path = "/ticket_fields" }, 1, "the field is looked up")
      sb:has_note(1016, "extended the namespace's trial", "read as SaaS")
    end,
  },

  scenario "the offering field is empty: the engineer says Self-Managed" {
    sandbox = { zendesk = { tickets = { ["1004"] = { custom_fields = { { id = 900001, value = json.null } } } } } },
    inputs = { ticket = 1004 },
    answers = { ask_offering = "self-managed", trial_license_sent = "sent" },
    path = { "read_ticket", "offering", "ask_offering", "sm_request", "prepare_trial_license",
      "trial_license_sent", "record_trial_sent", "activation_error", "done" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1004, "License request: TRIAL license", "the Self-Managed path")
    end,
  },

  -- The Mechanizer extends a trial but "cannot start a new trial": a new
  -- trial for a namespace that never had one is made from a subscription.
  scenario "SaaS: a new trial for a namespace that never had one is made from a subscription" {
    sandbox = tags(1016, { "saas_premium", "lnr_trial_license", "star" }),
    inputs = { ticket = 1016 },
    answers = { saas_new_trial = "never had a trial", mechanizer_extend = "extended",
      trial_from_subscription = "done" },
    path = { "read_ticket", "offering", "saas_request", "saas_new_trial", "trial_from_subscription",
      "record_mechanizer", "done" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1016, "created a trial from a subscription and extended it", "not an extension")
      sb:request_count({ service = "zendesk", body = "extended the namespace's trial" }, 0,
        "never the extend step for a new trial")
    end,
  },

  scenario "SaaS: a new trial for a namespace with an expired trial: the Mechanizer extends it" {
    sandbox = tags(1016, { "saas_premium", "lnr_trial_license", "star" }),
    inputs = { ticket = 1016 },
    answers = { saas_new_trial = "had a trial", mechanizer_extend = "extended" },
    path = { "read_ticket", "offering", "saas_request", "saas_new_trial", "mechanizer_extend",
      "record_mechanizer", "done" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1016, "extended the namespace's trial", "recorded")
    end,
  },

  scenario "SaaS untagged: a new trial, says the engineer" {
    sandbox = tags(1016, { "saas_premium" }),
    inputs = { ticket = 1016 },
    answers = { ask_saas_request = "new trial", saas_new_trial = "never had a trial",
      trial_from_subscription = "done" },
    status = "succeeded", step = "done",
    check = function(sb)
      sb:has_note(1016, "created a trial from a subscription", "recorded")
    end,
  },

  scenario "SaaS grace period extension through the Mechanizer" {
    inputs = { ticket = 1016 },
    answers = { mechanizer_extend = "extended" },
    path = { "read_ticket", "offering", "saas_request", "mechanizer_extend", "record_mechanizer", "done" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1016, "\"Manage GitLab Plan and Trials\": extended the namespace's trial. Done by hb-test", "recorded")
      sb:no_reply(1016)
    end,
  },

  scenario "SaaS: the namespace never had a trial; one is created from a subscription" {
    inputs = { ticket = 1016 },
    answers = { mechanizer_extend = "never had a trial", trial_from_subscription = "done" },
    path = { "read_ticket", "offering", "saas_request", "mechanizer_extend", "trial_from_subscription",
      "record_mechanizer", "done" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1016, "created a trial from a subscription and extended it", "recorded")
    end,
  },

  scenario "SaaS paid group on Free: L&R unavailable, association suggested, an emergency" {
    inputs = { ticket = 1015 },
    answers = { saas_lnr_first = "not available", can_associate = "yes" },
    actions = { { event = "customer_reply" },
      { answer = { association_fixed = "no", saas_is_emergency = "yes", mechanizer_set_plan = "set" } } },
    path = { "read_ticket", "offering", "saas_request", "saas_lnr_first", "can_associate",
      "suggest_association", "association_reply", "association_fixed", "saas_is_emergency",
      "mechanizer_set_plan", "record_mechanizer", "done" },
    status = "succeeded",
    check = function(sb)
      sb:has_reply(1015, "link it yourself", "the customer may associate the subscription")
      sb:has_note(1015, "temporarily set the namespace on a Premium trial", "the plan from Zuora")
    end,
  },

  scenario "SaaS paid group on Free: no word from the customer in a day, not an emergency" {
    inputs = { ticket = 1015 },
    answers = { saas_lnr_first = "not available", can_associate = "yes" },
    actions = { { advance = "23h59m" }, { advance = "1m" }, { answer = { saas_is_emergency = "no" } } },
    path = { "read_ticket", "offering", "saas_request", "saas_lnr_first", "can_associate",
      "suggest_association", "association_reply", "saas_is_emergency", "done" },
    status = "succeeded",
    check = function(sb)
      sb:equal(#sb:notes(1015), 0, "no Mechanizer note")
      sb:has_reply(1015, "Customers Portal", "the association is suggested")
    end,
  },

  scenario "SaaS paid group on Free: the emergency trial fails, one is made from a subscription" {
    inputs = { ticket = 1015 },
    answers = { saas_lnr_first = "not available", can_associate = "no", saas_is_emergency = "yes",
      mechanizer_set_plan = "never had a trial", trial_from_subscription = "done" },
    status = "succeeded", step = "done",
    check = function(sb)
      sb:has_note(1015, "created a trial from a subscription", "recorded")
    end,
  },

  -- The association reply goes out "in some cases", not every time L&R is
  -- unavailable, and then the customer gets the chance to try it.
  scenario "SaaS paid group on Free: not a case for association: no reply, the emergency question" {
    inputs = { ticket = 1015 },
    answers = { saas_lnr_first = "not available", can_associate = "no", saas_is_emergency = "no" },
    path = { "read_ticket", "offering", "saas_request", "saas_lnr_first", "can_associate",
      "saas_is_emergency", "done" },
    status = "succeeded",
    check = function(sb)
      sb:no_reply(1015, "no association reply")
    end,
  },

  scenario "SaaS paid group on Free: association suggested, the run waits for the customer" {
    inputs = { ticket = 1015 },
    answers = { saas_lnr_first = "not available", can_associate = "yes", saas_is_emergency = "no" },
    path = { "read_ticket", "offering", "saas_request", "saas_lnr_first", "can_associate",
      "suggest_association", "association_reply" },
    status = "waiting", step = "association_reply",
    check = function(sb)
      sb:has_reply(1015, "link it yourself", "the customer may associate the subscription")
    end,
  },

  scenario "SaaS paid group on Free: associating the subscription fixed it" {
    inputs = { ticket = 1015 },
    answers = { saas_lnr_first = "not available", can_associate = "yes" },
    actions = { { event = "customer_reply", payload = { body = "Linked it, all good now." } },
      { answer = { association_fixed = "yes" } } },
    path = { "read_ticket", "offering", "saas_request", "saas_lnr_first", "can_associate",
      "suggest_association", "association_reply", "association_fixed", "done" },
    status = "succeeded",
    check = function(sb)
      sb:equal(#sb:notes(1015), 0, "no Mechanizer note")
    end,
  },

  scenario "SaaS: the L&R team assists" {
    inputs = { ticket = 1015 },
    answers = { saas_lnr_first = "assisting" },
    path = { "read_ticket", "offering", "saas_request", "saas_lnr_first", "lnr_assisting", "done_with_lnr" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1015, "The L&R team is assisting", "noted")
      sb:no_reply(1015)
    end,
  },

  scenario "SaaS untagged: the engineer says it is a paid group on Free" {
    sandbox = tags(1015, { "saas_premium", "star" }),
    inputs = { ticket = 1015 },
    answers = { ask_saas_request = "free plan", saas_lnr_first = "assisting" },
    path = { "read_ticket", "offering", "saas_request", "ask_saas_request", "saas_lnr_first",
      "lnr_assisting", "done_with_lnr" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1015, "The L&R team is assisting", "noted")
    end,
  },
}
