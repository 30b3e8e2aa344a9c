-- Handbook: Workflow for handling Plan/License Ticket Attention Requests,
-- "How to decide the validity of a starred L&R ticket" (the flow chart).
-- Each choice below is one box of the chart, with the chart's own labels.
local support = require "support"
local messages = require "messages"

local STAR = support.star

-- Why the STAR is, or is not, needed: the facts the chart's path rests on.
local function reason(ctx)
  local v = ctx.vars
  local now = ctx.now()
  if v.request == "wrong_product" then
    return messages.reason_wrong_product { by = ctx.run.actor }
  elseif v.request == "force_reassociate" then
    return messages.reason_force_reassociate { by = ctx.run.actor }
  elseif v.trial and not v.sales_assisted then
    return messages.reason_trial_not_sales_assisted()
  elseif not v.trial and v.grace_end and support.in_grace(v.term_end, now) then
    return messages.reason_in_grace { grace_end = v.grace_end,
      time_left = support.describe_duration(support.seconds_left(v.grace_end, now)) }
  end
  local left = support.seconds_left(v.expires_at, now)
  local t = { plan = v.trial and "trial" or "plan/license", deadline = v.expires_at,
    source = v.expiry_source, time_left = support.describe_duration(left) }
  return left < 0 and messages.reason_expired(t) or messages.reason_expires(t)
end

local function note(ctx, body)
  zendesk.tickets.comment(ctx.input.ticket, { public = false, body = body })
end

return workflow "star-validity" {
  title = "Decide whether a starred L&R ticket is Ok to STAR",
  handbook = "support/license-and-renewals/workflows/plan-license-star#how-to-decide-the-validity-of-a-starred-lr-ticket",
  uses = { "zendesk", "zuora", "salesforce", "gitlab" },
  -- Deciding validity changes no entitlement and no sales record.
  forbid = { "zendesk.organizations.update", "zendesk.organizations.add_tags",
    "zendesk.organizations.remove_tags", "salesforce.sobjects.update" },
  inputs = { ticket = { type = "integer", description = "the starred L&R ticket" } },
  words = { grace_days = support.grace_period_days, star_label = STAR.label,
    star_project = STAR.project, no_need_label = STAR.no_need_label },

  task "read_ticket" {
    [[Read the starred ticket: what the customer asks for (its L&R tags) and their
      organization.]],
    retry = support.outage_retry,
    run = function(ctx)
      local t = assert(zendesk.tickets.get(ctx.input.ticket), "no such ticket")
      local org = t.organization_id and zendesk.organizations.get(t.organization_id)
      local fields = org and org.organization_fields or {}
      local v = ctx.vars
      v.request = support.lnr_request(t.tags)
      v.trial = support.is_trial_request(t.tags)
      v.zuora_account = fields[support.org_fields.zuora_account]
      v.salesforce_account = fields[support.org_fields.salesforce_account]
      if v.zuora_account == json.null then
        v.zuora_account = nil
      end
      if v.salesforce_account == json.null then
        v.salesforce_account = nil
      end
      local requester = zendesk.users.get(t.requester_id)
      v.customer = requester and requester.name
    end,
  },
  choice "starred_request" {
    [[LR starred ticket: a plan/license request, a wrong product sold, or a force
      reassociate?]],
    { label = "Wrong product sold", next = "sales_intervention", when = is("request", "wrong_product") },
    { label = "Force Reassociate", next = "deflect_with_docs", when = is("request", "force_reassociate") },
    { label = "Plan/License requests", next = "plan_license_request" },
  },
  task "plan_license_request" {
    [[Plan/License requests: read the customer's subscription in Zuora, when its term ends
      and when the grace period ({grace_days} days after the term ends) ends.]],
    retry = support.outage_retry,
    run = function(ctx)
      local v = ctx.vars
      if not v.zuora_account then
        ctx.log("the organization has no Zuora account number")
        return
      end
      local sub = support.current_subscription(support.all(zuora.subscriptions.by_account(v.zuora_account)))
      if not sub then
        ctx.log("no subscription in Zuora for account " .. v.zuora_account)
        return
      end
      local term_end = support.time(sub.termEndDate)
      v.subscription = sub.subscriptionNumber
      v.term_end = support.format_time(term_end)
      v.grace_end = support.format_time(support.grace_end(term_end))
      if not v.trial then -- a trial's expiry is not in Zuora
        v.expires_at = v.term_end
        v.expiry_source = "Zuora " .. sub.subscriptionNumber .. " termEndDate " .. sub.termEndDate
      end
    end,
  },
  choice "is_trial" {
    [[Is this request for a trial?]],
    { label = "Yes", when = is("trial", true), next = "read_trial_opportunity" },
    { label = "No", next = "in_grace" },
  },
  task "read_trial_opportunity" {
    [[Is this a sales assisted trial? Look for the organization's opportunity marked as a
      sales assisted trial in Salesforce.]],
    retry = support.outage_retry,
    run = function(ctx)
      ctx.vars.sales_assisted = false
      local account = ctx.vars.salesforce_account
      if not account then
        return
      end
      local soql = ("SELECT Id, Name, Owner.Name FROM Opportunity WHERE AccountId = %s AND %s = true")
        :format(support.quote(account), support.opportunity_fields.sales_assisted_trial)
      for opp in salesforce.query(soql) do
        ctx.vars.sales_assisted = true
        ctx.log(("sales assisted trial: opportunity %s (%s)"):format(opp.Id, opp.Name))
      end
    end,
  },
  choice "sales_assisted" {
    [[Is this a sales assisted trial?]],
    { label = "Yes", when = is("sales_assisted", true), next = "expiring_more_than_24h" },
    { label = "No", next = "no_need" },
  },
  choice "in_grace" {
    [[Is the customer in the grace period? When Zuora has no term end for the license, you
      are asked for it first: without it hb cannot tell.]],
    { label = "Date not in Zuora", when = is_unset("term_end"), next = "ask_expiry" },
    { label = "Yes", next = "grace_more_than_24h",
      when = function(ctx) return support.in_grace(ctx.vars.term_end, ctx.now()) end },
    { label = "No", next = "expiring_more_than_24h" },
  },
  choice "grace_more_than_24h" {
    [[Is the grace period expiring in more than 24h? (Exactly 24 hours is not more.)]],
    { label = "Yes", next = "no_need",
      when = function(ctx) return support.more_than_24h_left(ctx.vars.grace_end, ctx.now()) end },
    { label = "No", next = "ok_to_star" },
  },
  -- For a license, the chart's two boxes are support.license_deadline, the
  -- measure star-plan-license uses for "24h+ remaining" too.
  choice "expiring_more_than_24h" {
    [[Is the plan/lic expiring in more than 24h? (Exactly 24 hours is not more.) When Zuora
      has no date for it, you are asked for one first.]],
    { label = "Date not in Zuora", when = is_unset("expires_at"), next = "ask_expiry" },
    { label = "Yes", next = "no_need",
      when = function(ctx) return support.more_than_24h_left(ctx.vars.expires_at, ctx.now()) end },
    { label = "No", next = "ok_to_star" },
  },
  ask "ask_expiry" {
    [[Zuora has no date for this: look it up (the license app, or the namespace's plan) and
      give the date the license's term ends or ended; for a trial, the date the trial
      expires.]],
    value = "date",
  },
  task "record_expiry" {
    [[Record the date you gave (a date means the start of that day, UTC). For a license it
      is the term end, from which the grace period follows, as it would from Zuora.]],
    run = function(ctx)
      local v = ctx.vars
      local given = support.time(ctx.answers.ask_expiry)
      v.expires_at = support.format_time(given)
      v.expiry_source = "given by " .. ctx.run.actor
      if not v.trial then
        v.term_end = v.expires_at
        v.grace_end = support.format_time(support.grace_end(given))
      end
    end,
  },
  choice "back_to_chart" {
    [[Back to the chart with the date: a trial's expiry, or a license's term end.]],
    { label = "Trial", when = is("trial", true), next = "expiring_more_than_24h" },
    { label = "Plan/license", next = "in_grace" },
  },
  ask "sales_intervention" {
    [[Wrong product sold: it is Ok to STAR after sales intervention. Answer `after sales
      intervention` once sales has intervened, or `not yet`.]],
    options = { { "after sales intervention", next = "ok_to_star" }, { "not yet", next = "engage_sales" } },
  },
  task "engage_sales" {
    [[Ask the account's opportunity owner (from Salesforce) to correct the order, in an
      internal note.]],
    retry = support.outage_retry,
    run = function(ctx)
      local owner
      if ctx.vars.salesforce_account then
        local soql = ("SELECT Id, Owner.Name, CreatedDate FROM Opportunity WHERE AccountId = %s "
          .. "ORDER BY CreatedDate DESC LIMIT 1"):format(support.quote(ctx.vars.salesforce_account))
        for opp in salesforce.query(soql) do
          owner = opp.Owner and opp.Owner.Name
        end
      end
      note(ctx, messages.ask_sales_to_correct { owner = owner })
    end,
    next = "sales_intervention",
  },
  task "deflect_with_docs" {
    [[Force reassociate: use the docs to deflect, in a reply to the customer.]],
    retry = support.outage_retry,
    run = function(ctx)
      zendesk.tickets.comment(ctx.input.ticket, { public = true,
        body = messages.reassociate_with_docs { customer = ctx.vars.customer } })
    end,
  },
  ask "edge_case" {
    [[Is this an edge case: the customer followed the process and the system did not
      produce the expected results (an error after following it, a page or system that is
      down, an owner who is not available)? Answer `edge case`, or `deflected` when the
      docs were enough.]],
    options = { { "edge case", next = "ok_to_star" }, { "deflected", next = "deflected" } },
  },
  task "ok_to_star" {
    [[Ok to STAR: record why in an internal note.]],
    retry = support.outage_retry,
    run = function(ctx)
      note(ctx, messages.star_ok { reason = reason(ctx) })
    end,
    next = "done_ok",
  },
  task "no_need" {
    [[No need for STAR: record why in an internal note.]],
    retry = support.outage_retry,
    run = function(ctx)
      note(ctx, messages.star_no_need { reason = reason(ctx), label = STAR.no_need_label })
    end,
  },
  ask "collect_feedback" {
    [[Manager: collect data for feedback on this STAR (who starred it, why, what the ticket
      needed), then answer `collected`.]],
    options = { { "collected", next = "find_star_issue" } },
  },
  task "find_star_issue" {
    [[Find the STAR issue for this ticket (label `{star_label}` in {star_project}).]],
    retry = support.outage_retry,
    run = function(ctx)
      local ticket = ctx.input.ticket
      ctx.vars.star_iid = nil
      for issue in gitlab.issues.list(STAR.project, { labels = STAR.label, state = "opened",
          search = tostring(ticket) }) do
        if support.names_ticket(issue.title, ticket) or support.names_ticket(issue.description, ticket) then
          ctx.vars.star_iid = issue.iid
        end
      end
    end,
  },
  choice "star_issue_found" {
    [[Is there a STAR issue for this ticket?]],
    { label = "Found", when = is_set("star_iid"), next = "label_star_issue" },
    { label = "Not found", next = "label_by_hand" },
  },
  task "label_star_issue" {
    [[Label the STAR issue `{no_need_label}`.]],
    retry = support.outage_retry,
    run = function(ctx)
      gitlab.issues.add_labels(STAR.project, ctx.vars.star_iid, { STAR.no_need_label })
    end,
    next = "done_no_need",
  },
  ask "label_by_hand" {
    [[hb found no open STAR issue naming this ticket: label the STAR issue `{no_need_label}`
      yourself, then answer `labelled`.]],
    options = { { "labelled", next = "done_no_need" } },
  },
  succeed "done_ok" {
    [[Ok to STAR.]],
  },
  succeed "done_no_need" {
    [[No need for STAR: the data for feedback is collected and the STAR issue labelled.]],
  },
  succeed "deflected" {
    [[Deflected with the docs: no STAR.]],
  },
}
