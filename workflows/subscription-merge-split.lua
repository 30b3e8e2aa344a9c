-- Handbook: Merging or splitting license/subscription requests. "Short
-- answer: No, support do not merge or split subscription(s)." hb reads Zuora
-- and Salesforce and changes neither: Zuora's binding has no writes, and
-- updating a Salesforce record is forbidden here.
local support = require "support"
local messages = require "messages"

local OPP = support.opportunity_fields
local SALES = support.slack.sales_escalation

-- "Users in license" of every subscription read.
local function total_seats(subs)
  local n = 0
  for _, s in ipairs(subs) do
    n = n + s.seats
  end
  return n
end

-- The newest opportunity booked for a subscription, or nil.
local function newest_opportunity(number)
  local soql = ("SELECT Id, Name, Type, CreatedDate, CloseDate, Owner.Name, Owner.Email FROM "
    .. "Opportunity WHERE %s = %s ORDER BY CloseDate DESC LIMIT 1"):format(OPP.subscription,
    support.quote(number))
  for opp in salesforce.query(soql) do
    return opp
  end
  return nil
end

-- A reply the owner is copied on.
local function reply_with_owner(ctx, message)
  zendesk.tickets.add_cc(ctx.input.ticket, { ctx.vars.owner_email })
  zendesk.tickets.comment(ctx.input.ticket, { public = true,
    body = message { customer = ctx.vars.customer, owner = ctx.vars.owner_name } })
end

return workflow "subscription-merge-split" {
  title = "Handle a request to merge or split subscriptions (support does not merge or split)",
  handbook = "support/license-and-renewals/workflows/merging-splitting-subscriptions",
  uses = { "zendesk", "zuora", "salesforce" },
  forbid = { "salesforce.sobjects.update" },
  inputs = {
    ticket = { type = "integer", description = "the customer's Zendesk ticket" },
    request = { type = "string", description = "merge or split" },
    subscription = { type = "string", description = "a subscription number (A-S...)" },
    other_subscription = { type = "string?", description = "the second subscription, to merge" },
  },
  words = { sales_channel = SALES },

  task "read_ticket" {
    [[Read who asks, to address the reply, and what they ask for (merge or split, in any
      case).]],
    retry = support.outage_retry,
    run = function(ctx)
      local t = assert(zendesk.tickets.get(ctx.input.ticket), "no such ticket")
      local requester = zendesk.users.get(t.requester_id)
      ctx.vars.customer = requester and requester.name
      ctx.vars.wanted = ctx.input.request:lower()
    end,
  },
  choice "merge_or_split" {
    [[Does the customer want to merge subscriptions, or to split one?]],
    { label = "Merge", when = is("wanted", "merge"), next = "read_subscriptions" },
    { label = "Split", when = is("wanted", "split"), next = "read_subscriptions" },
    { label = "Neither", next = "unknown_request" },
  },
  task "read_subscriptions" {
    [[Search for the subscriptions in Zuora: their accounts, Invoice Owner (a reseller is
      listed there) and Users in license. They may sit on different customer accounts.]],
    retry = support.outage_retry,
    run = function(ctx)
      local numbers = { ctx.input.subscription, ctx.input.other_subscription }
      ctx.vars.merge = ctx.vars.wanted == "merge"
      if ctx.vars.merge and not numbers[2] then
        error("merging needs two subscriptions: give other_subscription=A-S...")
      end
      local subs = {}
      for _, number in ipairs(numbers) do
        local s = zuora.subscriptions.get(number)
        if not s then
          error("Zuora has no subscription " .. number)
        end
        subs[#subs + 1] = {
          number = s.subscriptionNumber, account = s.accountNumber,
          invoice_owner = support.invoice_owner(s),
          invoice_owner_name = s.invoiceOwnerAccountName or support.invoice_owner(s),
          seats = support.seats(s), starts = s.subscriptionStartDate or s.termStartDate,
        }
      end
      table.sort(subs, function(a, b) return tostring(a.starts) < tostring(b.starts) end)
      ctx.vars.subs = subs -- oldest first: the last one is the new subscription
    end,
  },
  choice "which_request" {
    [[Merging or splitting?]],
    { label = "Merge", when = is("merge", true), next = "same_invoice_owner" },
    { label = "Split", next = "find_opportunity_owner" },
  },
  choice "same_invoice_owner" {
    [[Was the new subscription purchased through a different reseller: is the Invoice Owner
      different for both subscriptions?]],
    { label = "Different", next = "state_license_sum",
      when = function(ctx) return ctx.vars.subs[1].invoice_owner ~= ctx.vars.subs[2].invoice_owner end },
    { label = "Same", next = "find_opportunity_owner" },
  },
  task "state_license_sum" {
    [[The Invoice Owner is different: we can generate a new license that includes Users in
      license from both subscriptions. State the sum in an internal note.]],
    retry = support.outage_retry,
    run = function(ctx)
      local a, b = ctx.vars.subs[1], ctx.vars.subs[2]
      ctx.vars.seats = total_seats(ctx.vars.subs)
      zendesk.tickets.comment(ctx.input.ticket, { public = false, body = messages.license_for_sum {
        sub_a = a.number, owner_a = a.invoice_owner_name, sub_b = b.number,
        owner_b = b.invoice_owner_name, seats_a = a.seats, seats_b = b.seats, seats = ctx.vars.seats,
      } })
    end,
  },
  ask "license_generated" {
    [[Have the L&R team generate the new license that includes Users in license from both
      subscriptions (the seat count is in the internal note); hb does not create non-trial
      licenses. Answer `generated` once it is sent.]],
    options = { { "generated", next = "reply_license_sum" } },
  },
  task "reply_license_sum" {
    [[Let the customer know a single license covers both subscriptions.]],
    retry = support.outage_retry,
    run = function(ctx)
      local subs = ctx.vars.subs
      zendesk.tickets.comment(ctx.input.ticket, { public = true, body = messages.license_for_sum_reply {
        customer = ctx.vars.customer, sub_a = subs[1].number, sub_b = subs[2].number,
        seats = ctx.vars.seats,
      } })
    end,
    next = "done",
  },
  task "find_opportunity_owner" {
    [[Search for the relevant Opportunity Owner in SFDC, or the Sales rep in Zuora.]],
    retry = support.outage_retry,
    run = function(ctx)
      local v = ctx.vars
      v.opportunities, v.owner_source = {}, nil
      for _, s in ipairs(v.subs) do
        local opp = newest_opportunity(s.number)
        if opp then
          v.opportunities[#v.opportunities + 1] = { id = opp.Id, type = opp.Type, subscription = s.number }
          if opp.Owner and opp.Owner.Email then
            v.owner_name, v.owner_email, v.owner_source = opp.Owner.Name, opp.Owner.Email, "salesforce"
          end
        end
      end
      if v.owner_source then
        return
      end
      local summary = zuora.accounts.summary(v.subs[#v.subs].account)
      local rep = summary and summary.basicInfo and summary.basicInfo.salesRep
      if type(rep) ~= "string" or rep == "" then
        return
      end
      local soql = ("SELECT Id, Name, Email FROM User WHERE Name = %s"):format(support.quote(rep))
      for user in salesforce.query(soql) do
        v.owner_name, v.owner_email, v.owner_source = user.Name, user.Email, "zuora"
      end
    end,
  },
  choice "owner_found" {
    [[Who owns the account?]],
    { label = "Opportunity Owner in SFDC", next = "which_reply", when = is("owner_source", "salesforce") },
    { label = "Sales rep in Zuora", next = "which_reply", when = is("owner_source", "zuora") },
    { label = "Not found", next = "ask_owner_email" },
  },
  ask "ask_owner_email" {
    [[hb found no Opportunity Owner in SFDC and no Sales rep in Zuora. Ask the Sales Support
      team who owns the account, and give their email address.]],
    value = "string",
  },
  task "record_owner" {
    [[Record the account owner you gave, by name when Zendesk knows them.]],
    retry = support.outage_retry,
    run = function(ctx)
      local email = ctx.answers.ask_owner_email
      if not support.is_email(email) then
        error("not an email address: " .. email)
      end
      local user = zendesk.users.find_by_email(email)
      ctx.vars.owner_name, ctx.vars.owner_email, ctx.vars.owner_source = user and user.name or email,
        email, "answer"
    end,
  },
  choice "which_reply" {
    [[It's not possible to merge the subscriptions if the opportunities in SFDC were both
      submitted as New Business: are they?]],
    { label = "Merge, both New Business", next = "reply_cannot_merge",
      when = function(ctx)
        local opps = ctx.vars.opportunities or {}
        if not ctx.vars.merge or #opps < 2 then
          return false
        end
        for _, o in ipairs(opps) do
          if o.type ~= support.new_business then
            return false
          end
        end
        return true
      end },
    { label = "Merge", when = is("merge", true), next = "reply_merge" },
    { label = "Split", next = "reply_split" },
  },
  task "reply_cannot_merge" {
    [[Let the customer know that we are handling the issue internally while copying the
      account owner (Opportunity Owner) on the ticket, and that the subscriptions cannot be
      merged as they stand: the newer one will be credited and resubmitted as an add-on.]],
    retry = support.outage_retry,
    run = function(ctx)
      reply_with_owner(ctx, messages.merge_cannot_merge)
    end,
    next = "note_owner_ping",
  },
  task "reply_merge" {
    [[Let the customer know that we are handling the issue internally while copying the
      account owner (Opportunity Owner) on the ticket.]],
    retry = support.outage_retry,
    run = function(ctx)
      reply_with_owner(ctx, messages.merge_handled_internally)
    end,
    next = "note_owner_ping",
  },
  task "reply_split" {
    [[Explain that seats used on separate GitLab instances or GitLab.com groups need separate
      subscriptions, that support cannot split one, and that the account owner (copied on
      the ticket) will follow up.]],
    retry = support.outage_retry,
    run = function(ctx)
      reply_with_owner(ctx, messages.split_handled_internally)
    end,
  },
  task "note_owner_ping" {
    [[Write in an internal note exactly what to tell the Opportunity Owner in
      {sales_channel}.]],
    retry = support.outage_retry,
    run = function(ctx)
      local v = ctx.vars
      local opps = v.opportunities or {}
      local numbers = {}
      for _, s in ipairs(v.subs) do
        numbers[#numbers + 1] = s.number
      end
      local ping = v.merge and messages.ping_owner_merge or messages.ping_owner_split
      zendesk.tickets.comment(ctx.input.ticket, { public = false, body = ping {
        owner = v.owner_name, channel = SALES, ticket = ctx.input.ticket,
        subscriptions = table.concat(numbers, " and "),
        existing_opportunity = opps[1] and opps[1].id, new_opportunity = opps[2] and opps[2].id,
      } })
    end,
  },
  ask "ping_owner" {
    [[Ping the Opportunity Owner in {sales_channel} with the text of the internal note (the
      new subscription's opportunity is credited and a new one submitted as an add-on to the
      existing one, as in ZD ticket #162478). Answer `pinged`.]],
    options = { { "pinged", next = "done" } },
  },
  succeed "done" {
    [[Handled without merging or splitting anything: support does not merge or split
      subscriptions.]],
  },
  fail "unknown_request" {
    [[The request must be `merge` or `split`.]],
    message = "request must be merge or split",
  },
}
