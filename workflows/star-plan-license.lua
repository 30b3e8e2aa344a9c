-- Handbook: Workflow for handling Plan/License Ticket Attention Requests,
-- "How to move urgent L&R starred tickets forward" (Self-Managed and SaaS).
-- "Under no circumstances are Support Managers allowed to create brand-new
-- licenses": the only license action here is support.trial_license_request,
-- which refuses every kind but a trial.
local support = require "support"
local messages = require "messages"

local LNR = support.slack.licensing

local function note(ctx, body)
  zendesk.tickets.comment(ctx.input.ticket, { public = false, body = body })
end

local function reply(ctx, body)
  zendesk.tickets.comment(ctx.input.ticket, { public = true, body = body })
end

-- When the time left runs out, and what ends then: a trial's expiry, or for
-- a license the rule star-validity follows too (support.license_deadline).
-- Measured when asked, so a run that waited is measured at its own now.
local function deadline(ctx)
  if ctx.vars.trial then
    return support.time(ctx.vars.trial_expires), "trial"
  end
  return support.license_deadline(ctx.vars.term_end, ctx.now())
end

local function time_left(ctx)
  local at, what = deadline(ctx)
  return { time_left = support.describe_duration(support.seconds_left(at, ctx.now())), what = what,
    deadline = support.format_time(at), by = ctx.run.actor }
end

return workflow "star-plan-license" {
  title = "Move an urgent plan/license starred ticket forward",
  handbook = "support/license-and-renewals/workflows/plan-license-star#how-to-move-urgent-lr-starred-tickets-forward",
  uses = { "zendesk", "zuora" },
  -- Moving a STAR forward never changes what the organization is entitled to.
  forbid = { "zendesk.organizations.update", "zendesk.organizations.add_tags",
    "zendesk.organizations.remove_tags" },
  inputs = { ticket = { type = "integer", description = "the starred plan/license ticket" } },
  words = { lnr = LNR, association_wait = support.association_wait },

  task "read_ticket" {
    [[Read the ticket (what is asked, for which offering, by whom) and the customer's
      subscription and license contact in Zuora.]],
    retry = support.outage_retry,
    run = function(ctx)
      local t = assert(zendesk.tickets.get(ctx.input.ticket), "no such ticket")
      local v = ctx.vars
      local field = zendesk.ticket_fields.find(support.problem_offering_field)
      v.offering = support.problem_offering(t, field and field.id)
      v.request = support.lnr_request(t.tags)
      v.trial = support.is_trial_request(t.tags)
      v.new_trial = support.is_new_trial_request(t.tags)
      v.activation_error = support.contains(t.tags, support.activation_error_tag)
      local requester = zendesk.users.get(t.requester_id)
      v.customer = requester and requester.name
      v.requester_email = requester and requester.email
      v.requester_is_customer = requester ~= nil and requester.role == "end-user"
      local org = t.organization_id and zendesk.organizations.get(t.organization_id)
      local account = org and (org.organization_fields or {})[support.org_fields.zuora_account]
      if type(account) ~= "string" then
        ctx.log("no Zuora account on the organization")
        return
      end
      local summary = zuora.accounts.summary(account)
      local contact = summary and summary.soldToContact
      v.license_contact = contact and contact.workEmail
      local sub = support.current_subscription(support.all(zuora.subscriptions.by_account(account)))
      if sub then
        local term_end = support.time(sub.termEndDate)
        v.subscription, v.plan, v.seats = sub.subscriptionNumber, support.plan_name(sub), support.seats(sub)
        if not v.trial then -- a trial's expiry is not in Zuora
          v.term_end = support.format_time(term_end)
        end
        ctx.log(("Zuora %s: %s, %d seats, term ends %s"):format(sub.subscriptionNumber,
          tostring(v.plan), v.seats, sub.termEndDate))
      end
    end,
  },
  choice "offering" {
    [[Self-Managed or SaaS? The ticket's offering field says; when it is empty, you are asked:
      the two pages differ, so the offering is never guessed.]],
    { label = "SaaS", when = is("offering", "saas"), next = "saas_request" },
    { label = "Self-Managed", when = is("offering", "self_managed"), next = "sm_request" },
    { label = "Not known", next = "ask_offering" },
  },
  ask "ask_offering" {
    [[The ticket does not say which offering the request is about. Is it a Self-Managed
      instance (`self-managed`) or a GitLab.com group (`saas`)?]],
    options = { { "self-managed", next = "sm_request" }, { "saas", next = "saas_request" } },
  },

  -- Self-Managed -------------------------------------------------------------
  choice "sm_request" {
    [[Self-Managed: what does the ticket ask for?]],
    { label = "Extension, grace period, temporary or trial license", next = "prepare_trial_license",
      when = is("request", "extension") },
    { label = "License or activation error, renewal or payment delay", next = "lnr_first",
      when = is("request", "license_problem") },
    { label = "License not received, contact change or another email", next = "same_recipient",
      when = is("request", "license_contact") },
    { label = "Not tagged", next = "ask_sm_request" },
  },
  ask "ask_sm_request" {
    [[The ticket's tags do not say what the customer asks for. Is it a license extension,
      grace period extension, temporary license or key, or trial license (`extension`); a
      license or activation code not working, an upload error, or a renewal or payment
      delay (`problem`); or a license not received or to be sent to another contact
      (`contact`)?]],
    options = { { "extension", next = "prepare_trial_license" }, { "problem", next = "lnr_first" },
      { "contact", next = "same_recipient" } },
  },
  ask "lnr_first" {
    [[Always try to get the L&R team to assist first: ask in {lnr}. Is the L&R team
      assisting?]],
    options = { { "assisting", next = "lnr_assisting" }, { "not available", next = "expiry_known" } },
  },
  task "lnr_assisting" {
    [[The L&R team takes it: say so in an internal note.]],
    retry = support.outage_retry,
    run = function(ctx)
      note(ctx, messages.lnr_assisting { channel = LNR, by = ctx.run.actor })
    end,
    next = "done_with_lnr",
  },
  choice "expiry_known" {
    [[If the team is not available, check if the non-trial license is within the grace
      period, or if the trial license is close to the expiry date. Does Zuora give the
      date?]],
    { label = "In Zuora", when = is_set("term_end"), next = "time_left" },
    { label = "Not in Zuora", next = "ask_expiry" },
  },
  ask "ask_expiry" {
    [[Zuora does not say when this stops working: give the date the trial expires (the
      license app), or the date the license's term ends or ended (its grace period follows
      from it).]],
    value = "date",
  },
  task "record_expiry" {
    [[Record the date you gave (a date means the start of that day, UTC).]],
    run = function(ctx)
      local given = support.format_time(support.time(ctx.answers.ask_expiry))
      if ctx.vars.trial then
        ctx.vars.trial_expires = given
      else
        ctx.vars.term_end = given
      end
    end,
  },
  choice "time_left" {
    [[If there is 24h+ remaining, there is no need to escalate the ticket: to the trial's
      expiry, to a license's term end, or within the grace period to its end.]],
    { label = "24h or more remaining", next = "judge_24h_plus",
      when = function(ctx) return support.at_least_24h_left(deadline(ctx), ctx.now()) end },
    { label = "Less than 24h remaining", next = "is_emergency" },
  },
  ask "judge_24h_plus" {
    [[24h+ remaining: there is no need to escalate the ticket. Always use your judgement to
      mitigate or prevent emergencies: is this an emergency all the same?]],
    options = { { "no", next = "no_escalation" }, { "yes", next = "find_screenshot" } },
  },
  task "no_escalation" {
    [[No need to escalate: say so, with the time left, in an internal note.]],
    retry = support.outage_retry,
    run = function(ctx)
      note(ctx, messages.no_escalation(time_left(ctx)))
    end,
    next = "done_no_escalation",
  },
  ask "is_emergency" {
    [[Less than 24 hours remain. Always use your judgement to mitigate or prevent
      emergencies: is this an emergency?]],
    options = { { "yes", next = "find_screenshot" }, { "no", next = "not_an_emergency" } },
  },
  task "not_an_emergency" {
    [[Not an emergency: record your judgement in an internal note.]],
    retry = support.outage_retry,
    run = function(ctx)
      note(ctx, messages.not_an_emergency(time_left(ctx)))
    end,
    next = "done_no_escalation",
  },
  task "find_screenshot" {
    [[To investigate the problem, the L&R team needs a screenshot of Admin -> Dashboard:
      check the ticket to see if it has already been provided.]],
    retry = support.outage_retry,
    run = function(ctx)
      local shot = support.find_screenshot(support.all(zendesk.tickets.comments(ctx.input.ticket)))
      ctx.vars.screenshot = shot
      if shot then
        ctx.log(("image %s in comment %d: %s"):format(shot.file_name, shot.comment_id,
          tostring(shot.content_url)))
      end
    end,
  },
  choice "screenshot_attached" {
    [[Is an image attached to the ticket?]],
    { label = "Attached", when = is_set("screenshot"), next = "confirm_screenshot" },
    { label = "Not attached", next = "request_screenshot" },
  },
  ask "confirm_screenshot" {
    [[Open the image hb found on the ticket (its name and comment are in the trail): is it
      the Admin -> Dashboard page of the customer's instance?]],
    options = { { "yes", next = "prepare_trial_license" }, { "no", next = "request_screenshot" } },
  },
  task "request_screenshot" {
    [[Request the customer to provide the Admin -> Dashboard screenshot. This must be done
      before creating a trial license. The reply sets the ticket to pending: it waits on the
      customer.]],
    retry = support.outage_retry,
    run = function(ctx)
      zendesk.tickets.set_status(ctx.input.ticket, support.waiting_on_customer, { public = true,
        body = messages.request_admin_dashboard { customer = ctx.vars.customer } })
    end,
  },
  wait "screenshot_reply" {
    [[Wait for the customer to attach the screenshot, then: hb resume RUN --event
      customer_reply. After 24 hours hb notes that it is overdue and keeps waiting.]],
    event = "customer_reply", timeout = "24h", on_timeout = "screenshot_overdue",
    next = "find_screenshot",
  },
  task "screenshot_overdue" {
    [[No screenshot after 24 hours: note it, so the ticket gets a follow-up.]],
    retry = support.outage_retry,
    run = function(ctx)
      note(ctx, messages.screenshot_overdue { by = ctx.run.actor })
    end,
    next = "screenshot_reply",
  },
  task "prepare_trial_license" {
    [[This needs a trial license generation: write the trial license request in an internal
      note. hb requests trial licenses only; any non-trial license must be handled by the
      L&R team.]],
    retry = support.outage_retry,
    run = function(ctx)
      local v = ctx.vars
      local email = v.license_email or v.license_contact or v.requester_email
      local request = support.trial_license_request {
        kind = "trial", ticket = ctx.input.ticket, email = email, license_contact = v.license_contact,
        plan = v.plan, seats = v.seats, expires = support.trial_license_expiry(ctx.now()),
        reason = ("starred ticket, %s request"):format(fact(ctx, "request", "ask_sm_request") or "L&R"),
      }
      v.license_email = email
      note(ctx, messages.trial_license_note { request = request })
    end,
  },
  ask "trial_license_sent" {
    [[Create the trial license in the license app exactly as the internal note says, and
      send it. Answer `sent` when done (hb records who confirmed).]],
    options = { { "sent", next = "record_trial_sent" } },
  },
  task "record_trial_sent" {
    [[Record on the ticket that the trial license was sent, and by whom.]],
    retry = support.outage_retry,
    run = function(ctx)
      note(ctx, messages.trial_license_sent { email = ctx.vars.license_email, by = ctx.run.actor })
    end,
  },
  choice "activation_error" {
    [[Is the customer getting errors when activating a license, on a ticket they did not
      open?]],
    { label = "Activation error, on a ticket they did not open", next = "find_customer_ticket",
      when = function(ctx) return ctx.vars.activation_error and not ctx.vars.requester_is_customer end },
    { label = "No", next = "done" },
  },
  task "find_customer_ticket" {
    [[Has the customer submitted a ticket already? Look for the license contact in Zendesk and
      for an open ticket of theirs other than this one.]],
    retry = support.outage_retry,
    run = function(ctx)
      local v = ctx.vars
      local customer = v.license_contact and zendesk.users.find_by_email(v.license_contact)
      v.customer_ticket = nil
      for t in customer and zendesk.users.requested_tickets(customer.id) or function() end do
        if t.id ~= ctx.input.ticket and support.is_open(t.status) then
          v.customer_ticket = t.id
          ctx.log(("the customer's own ticket: #%d (%s)"):format(t.id, tostring(t.subject)))
        end
      end
    end,
  },
  choice "customer_submitted" {
    [[Request that the customer submit a ticket if they haven't done so already: have
      they?]],
    { label = "They have a ticket", when = is_set("customer_ticket"), next = "done" },
    { label = "Not yet", next = "ask_customer_ticket" },
  },
  ask "ask_customer_ticket" {
    [[The customer is getting errors when activating a license: request that the customer
      submit a ticket if they haven't done so already (this one was not opened by them).
      Answer `requested`.]],
    options = { { "requested", next = "done" } },
  },
  choice "same_recipient" {
    [[We do not send licenses to different emails, with the exception of trial licenses. Is
      the requester the license contact in Zuora?]],
    { label = "The license contact", next = "resend_via_lnr",
      when = function(ctx)
        return support.license_recipient_allowed("license", ctx.vars.requester_email, ctx.vars.license_contact)
      end },
    { label = "A different email", next = "refuse_other_email" },
  },
  task "resend_via_lnr" {
    [[The license goes to the license contact only: note it, and ask the L&R team to resend
      it there.]],
    retry = support.outage_retry,
    run = function(ctx)
      note(ctx, messages.license_resend_via_lnr {
        contact = ctx.vars.license_contact, channel = LNR, by = ctx.run.actor,
      })
    end,
  },
  ask "lnr_resent" {
    [[Ask the L&R team in {lnr} to resend the license to the license contact (see Sending
      licenses to a different email address). Answer `resent` when they have.]],
    options = { { "resent", next = "done" } },
  },
  task "refuse_other_email" {
    [[WARNING: we do not send licenses to different emails, with the exception of trial
      licenses. Tell the customer.]],
    retry = support.outage_retry,
    run = function(ctx)
      reply(ctx, messages.no_license_to_other_email {
        customer = ctx.vars.customer, contact = ctx.vars.license_contact,
      })
      ctx.vars.license_email = ctx.vars.requester_email -- only a trial may go there
    end,
  },
  ask "offer_trial" {
    [[A trial license is the one exception: does the customer need a trial license at their
      own address meanwhile?]],
    options = { { "yes", next = "prepare_trial_license" }, { "no", next = "done" } },
  },

  -- SaaS ------------------------------------------------------------------------
  choice "saas_request" {
    [[SaaS: what does the ticket ask for?]],
    { label = "A new trial", next = "saas_new_trial",
      when = function(ctx) return ctx.vars.request == "extension" and ctx.vars.new_trial end },
    { label = "Trial or grace period extension", next = "mechanizer_extend",
      when = is("request", "extension") },
    { label = "Paid group unexpectedly on a Free plan", next = "saas_lnr_first",
      when = is("request", "saas_free_plan") },
    { label = "Not tagged", next = "ask_saas_request" },
  },
  ask "ask_saas_request" {
    [[The ticket's tags do not say what the customer asks for: a trial or grace period
      extension (`extension`), a new trial (`new trial`), or a paid group unexpectedly on a
      Free plan (`free plan`)?]],
    options = { { "extension", next = "mechanizer_extend" }, { "new trial", next = "saas_new_trial" },
      { "free plan", next = "saas_lnr_first" } },
  },
  ask "saas_new_trial" {
    [[A new trial: `Manage GitLab Plan and Trials` in the Zendesk Mechanizer App extends an
      active or expired trial in the namespace, but it cannot start a new trial. Has the
      namespace had a trial before, active or expired (`had a trial`), or never (`never had
      a trial`)?]],
    options = { { "had a trial", next = "mechanizer_extend" },
      { "never had a trial", next = "trial_from_subscription" } },
  },
  ask "mechanizer_extend" {
    [[Use the `Manage GitLab Plan and Trials` option in the Zendesk Mechanizer App to extend
      the trial in the namespace (it extends an active or expired trial, but cannot start a
      new one). Answer `extended`, or `never had a trial` if the Mechanizer failed.]],
    options = { { "extended", next = "record_mechanizer" },
      { "never had a trial", next = "trial_from_subscription" } },
  },
  ask "trial_from_subscription" {
    [[The Mechanizer fails if the namespace has never had a trial: use a subscription to
      create a trial, then extend it as needed with the Mechanizer. Answer `done`.]],
    options = { { "done", next = "record_mechanizer" } },
  },
  ask "saas_lnr_first" {
    [[Always try to get the L&R team to assist first: ask in {lnr}. Is the L&R team
      assisting?]],
    options = { { "assisting", next = "lnr_assisting" }, { "not available", next = "can_associate" } },
  },
  ask "can_associate" {
    [[NOTE: In some cases, the customer can first try to associate their (new) subscription
      with their namespace. Is this one of them, for example a new subscription not linked
      to the group yet? (An emergency that cannot wait for the customer is not: answer
      `no`.)]],
    options = { { "yes", next = "suggest_association" }, { "no", next = "saas_is_emergency" } },
  },
  task "suggest_association" {
    [[Tell the customer how to associate their (new) subscription with their namespace.]],
    retry = support.outage_retry,
    run = function(ctx)
      reply(ctx, messages.associate_subscription { customer = ctx.vars.customer })
    end,
  },
  wait "association_reply" {
    [[Give the customer the chance to try: wait for their reply (hb resume RUN --event
      customer_reply). After {association_wait} without one, judge whether it is an
      emergency.]],
    event = "customer_reply", timeout = support.association_wait, on_timeout = "saas_is_emergency",
  },
  ask "association_fixed" {
    [[The customer replied: did associating the subscription with the namespace fix the
      plan?]],
    options = { { "yes", next = "done" }, { "no", next = "saas_is_emergency" } },
  },
  ask "saas_is_emergency" {
    [[Always use your judgement: is it an emergency?]],
    options = { { "yes", next = "mechanizer_set_plan" }, { "no", next = "done" } },
  },
  ask "mechanizer_set_plan" {
    [[Emergency: use `Manage GitLab Plan and Trials` in the Zendesk Mechanizer App to
      temporarily set the namespace on another trial at the desired plan level (the plan
      from Zuora is in the trail). Answer `set`, or `never had a trial` if the Mechanizer
      failed.]],
    options = { { "set", next = "record_mechanizer" }, { "never had a trial", next = "trial_from_subscription" } },
  },
  task "record_mechanizer" {
    [[Record in an internal note what was done in the Mechanizer, and by whom.]],
    retry = support.outage_retry,
    run = function(ctx)
      local by = ctx.run.actor
      if ctx.answers.trial_from_subscription then
        note(ctx, messages.mechanizer_trial_from_subscription { by = by })
      elseif ctx.answers.mechanizer_set_plan then
        note(ctx, messages.mechanizer_set_plan { plan = ctx.vars.plan or "paid plan", by = by })
      else
        note(ctx, messages.mechanizer_extended { by = by })
      end
    end,
    next = "done",
  },

  succeed "done" {
    [[The starred ticket has moved forward.]],
  },
  succeed "done_with_lnr" {
    [[The L&R team is assisting.]],
  },
  succeed "done_no_escalation" {
    [[No escalation needed.]],
  },
}
