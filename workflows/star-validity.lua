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
    return "Wrong product sold, after sales intervention (confirmed by " .. ctx.run.actor .. ")."
  elseif v.request == "force_reassociate" then
    return "Force reassociate: an edge case, the process was followed and the system did not "
      .. "produce the expected result (confirmed by " .. ctx.run.actor .. ")."
  elseif v.trial and not v.sales_assisted then
    return "A trial request, and not a sales assisted trial."
  elseif not v.trial and v.grace_end and support.in_grace(v.term_end, now) then
    return ("In the grace period, which ends %s: %s left."):format(v.grace_end,
      support.describe_duration(support.seconds_left(v.grace_end, now)))
  end
  local left = support.seconds_left(v.expires_at, now)
  return ("The %s %s %s (%s): %s."):format(v.trial and "trial" or "plan/license",
    left < 0 and "expired" or "expires", v.expires_at, v.expiry_source,
    left < 0 and "already expired" or support.describe_duration(left) .. " left")
end

return workflow "star-validity" {
  title = "Decide whether a starred L&R ticket is Ok to STAR",
  handbook = "support/license-and-renewals/workflows/plan-license-star"
    .. "#how-to-decide-the-validity-of-a-starred-lr-ticket",
  uses = { "zendesk", "zuora", "salesforce", "gitlab" },
  -- Deciding validity changes no entitlement and no sales record.
  forbid = { "zendesk.organizations.update", "zendesk.organizations.add_tags",
    "zendesk.organizations.remove_tags", "salesforce.sobjects.update" },
  inputs = { ticket = { type = "integer", description = "the starred L&R ticket" } },

  task "read_ticket" {
    "Read the starred ticket: what the customer asks for (its L&R tags) and their organization.",
    run = function(ctx)
      local t = assert(zendesk.tickets.get(ctx.input.ticket), "no such ticket")
      local org = t.organization_id and zendesk.organizations.get(t.organization_id)
      local fields = org and org.organization_fields or {}
      ctx.vars.request = support.lnr_request(t.tags)
      ctx.vars.trial = support.is_trial_request(t.tags)
      ctx.vars.zuora_account = fields[support.org_fields.zuora_account]
      ctx.vars.salesforce_account = fields[support.org_fields.salesforce_account]
      if ctx.vars.zuora_account == json.null then
        ctx.vars.zuora_account = nil
      end
      if ctx.vars.salesforce_account == json.null then
        ctx.vars.salesforce_account = nil
      end
      local requester = zendesk.users.get(t.requester_id)
      ctx.vars.customer = requester and requester.name
    end,
  },
  choice "starred_request" {
    "LR starred ticket: a plan/license request, a wrong product sold, or a force reassociate?",
    { label = "Wrong product sold", next = "sales_intervention",
      when = function(ctx) return ctx.vars.request == "wrong_product" end },
    { label = "Force Reassociate", next = "deflect_with_docs",
      when = function(ctx) return ctx.vars.request == "force_reassociate" end },
    { label = "Plan/License requests", next = "plan_license_request" },
  },
  task "plan_license_request" {
    "Plan/License requests: read the customer's subscription in Zuora, when its term ends and "
      .. "when the grace period (" .. support.grace_period_days .. " days after the term ends) ends.",
    run = function(ctx)
      if not ctx.vars.zuora_account then
        ctx.log("the organization has no Zuora account number")
        return
      end
      local subs = {}
      for s in zuora.subscriptions.by_account(ctx.vars.zuora_account) do
        subs[#subs + 1] = s
      end
      local sub = support.current_subscription(subs)
      if not sub then
        ctx.log("no subscription in Zuora for account " .. ctx.vars.zuora_account)
        return
      end
      local term_end = support.time(sub.termEndDate)
      ctx.vars.subscription = sub.subscriptionNumber
      ctx.vars.term_end = support.format_time(term_end)
      ctx.vars.grace_end = support.format_time(support.grace_end(term_end))
      if not ctx.vars.trial then -- a trial's expiry is not in Zuora
        ctx.vars.expires_at = ctx.vars.term_end
        ctx.vars.expiry_source = "Zuora " .. sub.subscriptionNumber .. " termEndDate " .. sub.termEndDate
      end
    end,
  },
  choice "is_trial" {
    "Is this request for a trial?",
    { label = "Yes", when = function(ctx) return ctx.vars.trial end, next = "read_trial_opportunity" },
    { label = "No", next = "in_grace" },
  },
  task "read_trial_opportunity" {
    "Is this a sales assisted trial? Look for the organization's opportunity marked as a sales "
      .. "assisted trial in Salesforce.",
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
    "Is this a sales assisted trial?",
    { label = "Yes", when = function(ctx) return ctx.vars.sales_assisted end,
      next = "expiring_more_than_24h" },
    { label = "No", next = "no_need" },
  },
  choice "in_grace" {
    "Is the customer in the grace period? When Zuora has no term end for the license, you are "
      .. "asked for it first: without it hb cannot tell.",
    { label = "Date not in Zuora", when = function(ctx) return ctx.vars.term_end == nil end,
      next = "ask_expiry" },
    { label = "Yes", next = "grace_more_than_24h",
      when = function(ctx) return support.in_grace(ctx.vars.term_end, ctx.now()) end },
    { label = "No", next = "expiring_more_than_24h" },
  },
  choice "grace_more_than_24h" {
    "Is the grace period expiring in more than 24h? (Exactly 24 hours is not more.)",
    { label = "Yes", next = "no_need",
      when = function(ctx) return support.more_than_24h_left(ctx.vars.grace_end, ctx.now()) end },
    { label = "No", next = "ok_to_star" },
  },
  -- For a license, the chart's two boxes are support.license_deadline, the
  -- measure star-plan-license uses for "24h+ remaining" too.
  choice "expiring_more_than_24h" {
    "Is the plan/lic expiring in more than 24h? (Exactly 24 hours is not more.) When Zuora has no "
      .. "date for it, you are asked for one first.",
    { label = "Date not in Zuora", when = function(ctx) return ctx.vars.expires_at == nil end,
      next = "ask_expiry" },
    { label = "Yes", next = "no_need",
      when = function(ctx) return support.more_than_24h_left(ctx.vars.expires_at, ctx.now()) end },
    { label = "No", next = "ok_to_star" },
  },
  ask "ask_expiry" {
    "Zuora has no date for this: look it up (the license app, or the namespace's plan) and give "
      .. "the date the license's term ends or ended; for a trial, the date the trial expires.",
    value = "date",
  },
  task "record_expiry" {
    "Record the date you gave (a date means the start of that day, UTC). For a license it is the "
      .. "term end, from which the grace period follows, as it would from Zuora.",
    run = function(ctx)
      local given = support.time(ctx.answers.ask_expiry)
      ctx.vars.expires_at = support.format_time(given)
      ctx.vars.expiry_source = "given by " .. ctx.run.actor
      if not ctx.vars.trial then
        ctx.vars.term_end = ctx.vars.expires_at
        ctx.vars.grace_end = support.format_time(support.grace_end(given))
      end
    end,
  },
  choice "back_to_chart" {
    "Back to the chart with the date: a trial's expiry, or a license's term end.",
    { label = "Trial", when = function(ctx) return ctx.vars.trial end, next = "expiring_more_than_24h" },
    { label = "Plan/license", next = "in_grace" },
  },
  ask "sales_intervention" {
    "Wrong product sold: it is Ok to STAR after sales intervention. Answer `after sales "
      .. "intervention` once sales has intervened, or `not yet`.",
    options = { { "after sales intervention", next = "ok_to_star" }, { "not yet", next = "engage_sales" } },
  },
  task "engage_sales" {
    "Ask the account's opportunity owner (from Salesforce) to correct the order, in an internal note.",
    run = function(ctx)
      local owner
      if ctx.vars.salesforce_account then
        local soql = ("SELECT Id, Owner.Name, CreatedDate FROM Opportunity WHERE AccountId = %s "
          .. "ORDER BY CreatedDate DESC LIMIT 1"):format(support.quote(ctx.vars.salesforce_account))
        for opp in salesforce.query(soql) do
          owner = opp.Owner and opp.Owner.Name
        end
      end
      zendesk.tickets.comment(ctx.input.ticket, { public = false, body = messages.ask_sales_to_correct { owner = owner } })
    end,
    next = "sales_intervention",
  },
  task "deflect_with_docs" {
    "Force reassociate: use the docs to deflect, in a reply to the customer.",
    run = function(ctx)
      zendesk.tickets.comment(ctx.input.ticket, { public = true, body = messages.reassociate_with_docs(ctx.vars.customer) })
    end,
  },
  ask "edge_case" {
    "Is this an edge case: the customer followed the process and the system did not produce the "
      .. "expected results (an error after following it, a page or system that is down, an owner "
      .. "who is not available)? Answer `edge case`, or `deflected` when the docs were enough.",
    options = { { "edge case", next = "ok_to_star" }, { "deflected", next = "deflected" } },
  },
  task "ok_to_star" {
    "Ok to STAR: record why in an internal note.",
    run = function(ctx)
      zendesk.tickets.comment(ctx.input.ticket, { public = false, body = messages.star_ok(reason(ctx)) })
    end,
    next = "done_ok",
  },
  task "no_need" {
    "No need for STAR: record why in an internal note.",
    run = function(ctx)
      zendesk.tickets.comment(ctx.input.ticket, { public = false, body = messages.star_no_need(reason(ctx)) })
    end,
  },
  ask "collect_feedback" {
    "Manager: collect data for feedback on this STAR (who starred it, why, what the ticket needed), "
      .. "then answer `collected`.",
    options = { { "collected", next = "find_star_issue" } },
  },
  task "find_star_issue" {
    "Find the STAR issue for this ticket (label `" .. STAR.label .. "` in " .. STAR.project .. ").",
    run = function(ctx)
      ctx.vars.star_iid = nil
      for issue in gitlab.issues.list(STAR.project, { labels = STAR.label, state = "opened",
          search = tostring(ctx.input.ticket) }) do
        if support.names_ticket(issue.title, ctx.input.ticket)
            or support.names_ticket(issue.description, ctx.input.ticket) then
          ctx.vars.star_iid = issue.iid
        end
      end
    end,
  },
  choice "star_issue_found" {
    "Is there a STAR issue for this ticket?",
    { label = "Found", when = function(ctx) return ctx.vars.star_iid ~= nil end, next = "label_star_issue" },
    { label = "Not found", next = "label_by_hand" },
  },
  task "label_star_issue" {
    "Label the STAR issue `" .. STAR.no_need_label .. "`.",
    run = function(ctx)
      gitlab.issues.update(STAR.project, ctx.vars.star_iid, { add_labels = { STAR.no_need_label } })
    end,
    next = "done_no_need",
  },
  ask "label_by_hand" {
    "hb found no open STAR issue naming this ticket: label the STAR issue `" .. STAR.no_need_label
      .. "` yourself, then answer `labelled`.",
    options = { { "labelled", next = "done_no_need" } },
  },
  succeed "done_ok" {
    "Ok to STAR.",
  },
  succeed "done_no_need" {
    "No need for STAR: the data for feedback is collected and the STAR issue labelled.",
  },
  succeed "deflected" {
    "Deflected with the docs: no STAR.",
  },
}
