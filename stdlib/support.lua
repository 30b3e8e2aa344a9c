-- The support domain in one place: the names the handbook processes rely on
-- (support-level tags, organization fields, projects, labels, channels), the
-- rules they share (the 24 h rule, the grace period, tag alignment, seats)
-- and the one license action hb has: a trial-license request that refuses
-- any other kind. Workflows `require "support"`; nothing here calls a
-- service, so every call a workflow makes stays visible in its own file.
--
-- Time is handled in whole seconds since 1970-01-01 UTC (support/time.lua).

local M = {}

-- Configuration ---------------------------------------------------------------

-- Support-level tags are "<offering>_<level>" on organizations and tickets.
M.offerings = { self_managed = "Self-managed", saas = "GitLab.com (SaaS)" }
M.offering_order = { "self_managed", "saas" }
M.levels = { premium = "Premium", ultimate = "Ultimate" }
M.level_order = { "premium", "ultimate" }

-- The ticket field that says which offering the problem is about, by its
-- title: ids differ between Zendesk instances, so a workflow finds the field
-- (zendesk.ticket_fields.find) and gives its id to problem_offering.
M.problem_offering_field = "Problem offering"

-- Organization fields that link an organization to billing and to sales,
-- and the one Support Ops sets while an offering migration is approved.
M.org_fields = {
  zuora_account = "zuora_account_number",
  salesforce_account = "salesforce_account_id",
  migration_until = "offering_migration_until",
}

-- GitLab projects, by what the handbook calls them.
M.projects = {
  support_ops = "gitlab-com/support/support-ops/zendesk-organizations",
  cso_tracker = "gitlab-com/gl-security/corp/cust-support-ops/issue-tracker",
  team_meta = "gitlab-com/support/support-team-meta",
}

-- Issue templates, by name in their project.
M.templates = { offering_migration = "Offering migration", bug = "Bug", feature = "Feature", rfc = "RFC" }

-- GitLab roles as a member's access_level numbers them. Only a group's
-- Owner may link a subscription to it.
M.gitlab_roles = { guest = 10, planner = 15, reporter = 20, developer = 30, maintainer = 40,
  owner = 50 }

-- Starred tickets (Support Ticket Attention Requests): the issue that tracks
-- a STAR carries `label` and names the ticket as "#<id>"; a manager marks a
-- STAR that was not needed with `no_need_label`.
M.star = { project = M.projects.team_meta, label = "STAR", no_need_label = "STAR::no need" }

-- Slack channels, spelt as the handbook spells them.
M.slack = {
  support_operations = "#support_operations",        -- questions, pings about Ops issues
  support_operations_incidents = "#support-operations", -- incidents (004)
  sales_escalation = "#support_sales_escalation",
  licensing = "#support_licensing-subscription",     -- the L&R team
}

-- The status of a ticket that waits on the customer: a reply that asks them
-- for something (a support level, a screenshot) sets it, as support teams
-- do so that the ticket's clock stops until they answer.
M.waiting_on_customer = "pending"

-- A ticket is still open until it is solved (then closed).
function M.is_open(status)
  return status ~= "solved" and status ~= "closed"
end

-- Zendesk form names (forms are found by name: ids differ per instance).
M.forms = { support_ops = "Support Ops" }

-- The NOTE: "find an internal note indicating that it involves a product
-- offering migration". People write that note in their own words, so hb
-- does not look for its own text only. Case aside, a note that names an
-- offering migration (`sure`) indicates one, unless its sentence negates it;
-- a note that speaks of migrating together with an offering (`migrating`
-- and `offerings`) may, and a person decides. (Checked case-insensitively;
-- `negations` are whole words of the sentence before the phrase.)
M.migration_note_words = {
  sure = { "offering migration", "migrating between offerings", "migration between offerings",
    "migrating between products", "migrating offerings" },
  migrating = { "migrat", "moving to", "moving from", "switching to" },
  offerings = { "self-managed", "self managed", "gitlab.com", "saas", "dedicated" },
  negations = { "not", "no", "never", "isn't", "wasn't", "isnt", "no longer" },
}
M.migration_issue_label = "Offering migration"

-- The lines of the Support Ops issue for an offering migration. The engineer
-- side writes them and offering-migration-setup reads them back.
M.migration_issue_fields = {
  request = "Request",
  organization = "Zendesk organization",
  ticket = "Zendesk ticket",
  level = "New support level",
  target_date = "Migration target date",
}

-- The "Label: value" lines of that issue (its description starts with
-- them): t.org_name, t.org_id, t.ticket (and t.ticket_url, its agent page,
-- for Support Ops to open it), t.level_tag, t.target_date.
function M.migration_issue_lines(t)
  local f = M.migration_issue_fields
  return M.format_fields({
    { f.request, "support a product offering migration" },
    { f.organization, ("%s (%d)"):format(t.org_name, t.org_id) },
    { f.ticket, t.ticket_url and ("%s (%s)"):format(t.ticket, t.ticket_url) or t.ticket },
    { f.level, t.level_tag },
    { f.target_date, t.target_date },
  })
end

-- What a customer's answer gives (the customer_reply event's payload): the
-- support level they intend to buy ("Premium" or "premium") and the target
-- date (`date` or `target_date`, as YYYY-MM-DD), each nil when missing or
-- not understood.
function M.migration_reply(reply)
  if type(reply) ~= "table" then
    return nil, nil
  end
  local level = type(reply.level) == "string" and reply.level:lower() or nil
  local date = M.parse_time(reply.date or reply.target_date)
  return M.levels[level] and level or nil, date and M.format_date(date) or nil
end

-- Those lines read back from the issue's description: { org_id, level_tag,
-- target_date } and the list of what is missing or unreadable (empty when
-- all is there).
function M.read_migration_issue(description)
  local f, fields = M.parse_fields(description), M.migration_issue_fields
  local got, missing = {}, {}
  got.org_id = math.tointeger(tonumber(tostring(f[fields.organization] or ""):match("%((%d+)%)%s*$")))
  if not got.org_id then
    missing[#missing + 1] = fields.organization .. " (\"Name (id)\")"
  end
  got.level_tag = f[fields.level]
  if not M.parse_level_tag(got.level_tag) then
    missing[#missing + 1] = fields.level .. " (a support level tag such as saas_premium)"
  end
  local date = M.parse_time(f[fields.target_date])
  got.target_date = date and M.format_date(date)
  if not date then
    missing[#missing + 1] = fields.target_date .. " (YYYY-MM-DD)"
  end
  return got, missing
end

-- Grace period: a self-managed license keeps working this many days after
-- its term ends.
M.grace_period_days = 14

-- A trial license requested by hb lasts this long unless the request says
-- otherwise.
M.trial_license_days = 14

-- Zuora: the rate plan charges that count as seats ("Users in license").
M.seat_charge = { name = "Users in license", uom = "Seats" }

-- Salesforce opportunity fields.
M.opportunity_fields = {
  subscription = "Zuora_Subscription_Number__c",
  sales_assisted_trial = "Sales_Assisted_Trial__c",
}
M.new_business = "New Business"

-- How long to wait for #support-operations before creating an incident,
-- by the system's criticality (Customer Support Operations System
-- Criticality Sheet). The page says to post "during Global Support Hours"
-- and is silent on an incident outside them. A clock of 30 or 10 minutes
-- ("30 minutes for issues with Business Critical Systems", "10 minutes for
-- issues with Mission Critical Systems") is meant to reach the on-call
-- quickly, so for those the clock starts at once (`now`); the others wait
-- for Global Support Hours before the post and their clock.
M.criticality = {
  administrative = { label = "Administrative", wait = "24h" },
  business_operational = { label = "Business Operational", wait = "8h" },
  business_critical = { label = "Business Critical", wait = "30m", now = true },
  mission_critical = { label = "Mission Critical", wait = "10m", now = true },
}
M.criticality_order = { "administrative", "business_operational", "business_critical",
  "mission_critical" }
-- The criticalities whose clock starts at once (now = true above), in order.
M.clock_starts_at_once = {}
for _, key in ipairs(M.criticality_order) do
  if M.criticality[key].now then
    M.clock_starts_at_once[#M.clock_starts_at_once + 1] = key
  end
end

-- Global Support Hours (the support page's "24x5"): the HB_SUPPORT_HOURS
-- setting (hb config shows it; default "Mon-Fri 00:00-24:00 UTC"): the
-- days, the hours of each day and the offset from UTC they are counted in,
-- as "DAYS HH:MM-HH:MM UTC[±HH:MM]" (DAYS a range such as Mon-Fri, or a
-- list such as Mon,Wed). hb checks it when it starts; parse_support_hours
-- reads it here.
M.global_support_hours = hbi.setting("HB_SUPPORT_HOURS")

-- What a handbook task that calls a service does when the call fails: a
-- Zendesk, GitLab, Zuora or Salesforce outage (a 5xx, a lost connection)
-- mostly passes within seconds, so the task is tried again, after a wait
-- that doubles each time, before the run fails (and can be `hb retry`d).
-- Each attempt makes its exactly-once writes with the same markers, so a
-- reply the service made although it answered 500 is found, not repeated.
-- Only an outage is tried again (`on = "outage"`, decided by hb from the
-- call's result): a refusal such as "no such ticket" fails the run at once.
-- Tasks take it as `retry = support.outage_retry`; the HB_OUTAGE_RETRY_*
-- settings tune it (hb config).
M.outage_retry = {
  attempts = math.tointeger(tonumber(hbi.setting("HB_OUTAGE_RETRY_ATTEMPTS"))),
  backoff = hbi.setting("HB_OUTAGE_RETRY_BACKOFF"),
  on = "outage",
}

-- L&R request tags ("lnr_<request>") and what kind of request each is.
M.lnr_requests = {
  lnr_license_extension = "extension",
  lnr_grace_period_extension = "extension",
  lnr_temporary_license = "extension",
  lnr_temporary_key = "extension",
  lnr_trial_license = "extension",
  lnr_trial_extension = "extension",
  lnr_license_error = "license_problem",
  lnr_activation_error = "license_problem",
  lnr_renewal_delay = "license_problem",
  lnr_payment_delay = "license_problem",
  lnr_license_resend = "license_contact",
  lnr_license_contact_change = "license_contact",
  lnr_license_not_received = "license_contact",
  lnr_saas_plan = "saas_free_plan",
  lnr_wrong_product = "wrong_product",
  lnr_force_reassociate = "force_reassociate",
  lnr_merge_subscriptions = "merge",
  lnr_split_subscription = "split",
}
-- When a ticket carries several, the first kind in this order wins: a
-- problem to fix outranks a request for more time.
M.lnr_request_order = { "license_problem", "license_contact", "saas_free_plan", "extension",
  "wrong_product", "force_reassociate", "merge", "split" }
M.trial_tags = { lnr_trial_extension = true, lnr_trial_license = true }
-- A request for a trial license is a new trial unless the ticket also asks
-- to extend one. On GitLab.com that matters: the Mechanizer's "Manage
-- GitLab Plan and Trials" "extends an active or expired trial in the
-- namespace. But it cannot start a new trial."
M.new_trial_tags = { lnr_trial_license = true }
M.trial_extension_tags = { lnr_trial_extension = true, lnr_grace_period_extension = true }
M.activation_error_tag = "lnr_activation_error"
M.star_tag = "star"

-- A paid group unexpectedly on a Free plan: "In some cases, the customer can
-- first try to associate their (new) subscription with their namespace."
-- The page does not say how long to give them; a day, the page's own unit
-- of urgency, after which the engineer judges whether it is an emergency.
M.association_wait = "24h"

-- Small helpers ---------------------------------------------------------------

local function contains(list, value)
  for _, v in ipairs(list or {}) do
    if v == value then
      return true
    end
  end
  return false
end
M.contains = contains

-- Every item of a listing's iterator (zendesk.tickets.comments,
-- zuora.subscriptions.by_account ...) as a list.
function M.all(items)
  local list = {}
  for item in items do
    list[#list + 1] = item
  end
  return list
end

-- A ticket's custom field value by id, or nil.
function M.custom_field(ticket, id)
  for _, f in ipairs(ticket.custom_fields or {}) do
    if f.id == id and f.value ~= json.null then
      return f.value
    end
  end
  return nil
end

function M.same_email(a, b)
  return type(a) == "string" and type(b) == "string" and a ~= "" and a:lower() == b:lower()
end

function M.is_email(s)
  return type(s) == "string" and s:match("^[^%s@]+@[^%s@]+%.[^%s@]+$") ~= nil
end

-- A string literal for SOQL or ZOQL: quoted, with quotes and backslashes
-- escaped, so data read from a service cannot change a query.
function M.quote(value)
  return "'" .. tostring(value):gsub("[\\']", "\\%0") .. "'"
end

-- "Label: value" lines, as a table label -> value (first occurrence wins).
function M.parse_fields(text)
  local out = {}
  for line in tostring(text or ""):gmatch("[^\n]+") do
    local label, value = line:match("^%s*[-*]?%s*([^:]+):%s*(.-)%s*$")
    if label and out[label] == nil and value ~= "" then
      out[label] = value
    end
  end
  return out
end

-- Lines "Label: value" from a list of { label, value } pairs.
function M.format_fields(pairs_list)
  local lines = {}
  for _, p in ipairs(pairs_list) do
    lines[#lines + 1] = ("%s: %s"):format(p[1], tostring(p[2]))
  end
  return table.concat(lines, "\n")
end

-- Time ------------------------------------------------------------------------------

local T = require "support.time"
M.HOUR, M.DAY = T.HOUR, T.DAY
-- parse_time(text) -> seconds or nil, message. A date alone ("2026-11-23")
-- means the start of that day, UTC: Zuora's termEndDate is the first day
-- the term no longer covers, so a license with that term end stops at
-- 2026-11-23T00:00:00Z. time(text) raises instead of returning nil.
M.parse_time, M.time = T.parse_time, T.time
M.format_time, M.format_date = T.format_time, T.format_date
M.describe_duration = T.describe_duration

-- The engine's clock (ctx.now()) in seconds.
function M.now(ctx)
  return T.time(ctx.now())
end

-- The 24 h rule. The STAR validity chart asks "more than 24h": exactly 24
-- hours left is not more. The plan/license page says "if there is 24h+
-- remaining, there is no need to escalate": exactly 24 hours is enough.
-- `deadline` and `now` are seconds, or ISO text.
local function seconds_of(v)
  if type(v) == "string" then
    return M.time(v)
  end
  return v
end

function M.seconds_left(deadline, now)
  return seconds_of(deadline) - seconds_of(now)
end

function M.more_than_24h_left(deadline, now)
  return M.seconds_left(deadline, now) > 24 * M.HOUR
end

function M.at_least_24h_left(deadline, now)
  return M.seconds_left(deadline, now) >= 24 * M.HOUR
end

-- Grace period: from the moment the term ends until grace_period_days later.
function M.grace_end(term_end)
  return seconds_of(term_end) + M.grace_period_days * M.DAY
end

function M.in_grace(term_end, now)
  local t, n = seconds_of(term_end), seconds_of(now)
  return n >= t and n < M.grace_end(t)
end

-- What "remaining" measures for a license that is not a trial, the same in
-- both L&R pages so that they never disagree about one ticket. Before the
-- term ends it is the time to the term end (the chart: "Is the plan/lic
-- expiring in more than 24h?"); once it has ended, the time to the end of
-- the grace period (the chart: "Is the grace period expiring in more than
-- 24h?"; moving a STAR forward: "check if the non-trial license is within the
-- grace period"). After the grace period, the term end, long past. Returns
-- the deadline in seconds and what ends then: "license" or "grace period".
function M.license_deadline(term_end, now)
  local t = seconds_of(term_end)
  if M.in_grace(t, now) then
    return M.grace_end(t), "grace period"
  end
  return t, "license"
end

-- Global Support Hours.
local DAY_NAMES = { Mon = 1, Tue = 2, Wed = 3, Thu = 4, Fri = 5, Sat = 6, Sun = 7 }

local function minutes_of(hh, mm)
  hh, mm = tonumber(hh), tonumber(mm)
  if hh > 24 or mm > 59 or (hh == 24 and mm > 0) then
    return nil
  end
  return hh * 60 + mm
end

-- The days (set of 1 = Monday ... 7 = Sunday), the daily window in minutes
-- and the UTC offset in seconds of an hours text, or nil and what is wrong.
function M.parse_support_hours(text)
  local days_text, h1, m1, h2, m2, zone = tostring(text):match(
    "^%s*([%a,%-]+)%s+(%d%d?):(%d%d)%s*%-%s*(%d%d?):(%d%d)%s+UTC(%S*)%s*$")
  if not days_text then
    return nil, ("support hours must read like \"Mon-Fri 00:00-24:00 UTC\", not %q"):format(
      tostring(text))
  end
  local hours = { days = {}, from = minutes_of(h1, m1), to = minutes_of(h2, m2), offset = 0 }
  if not hours.from or not hours.to or hours.from >= hours.to then
    return nil, ("support hours %q: the day's window must run forward within 00:00-24:00"):format(text)
  end
  for part in days_text:gmatch("[^,]+") do
    local a, b = part:match("^(%a%a%a)%-(%a%a%a)$")
    local first, last = DAY_NAMES[a or part], DAY_NAMES[b or part]
    if not first or not last then
      return nil, ("support hours %q: unknown day %q (Mon ... Sun)"):format(text, part)
    end
    local d = first
    while true do
      hours.days[d] = true
      if d == last then
        break
      end
      d = d % 7 + 1
    end
  end
  if zone ~= "" then
    local sign, zh, zm = zone:match("^([+-])(%d%d):(%d%d)$")
    if not sign then
      return nil, ("support hours %q: the offset must be UTC+HH:MM or UTC-HH:MM"):format(text)
    end
    hours.offset = (sign == "+" and 1 or -1) * (tonumber(zh) * 3600 + tonumber(zm) * 60)
  end
  return hours
end

local function support_hours(spec)
  local hours, err = M.parse_support_hours(spec or M.global_support_hours)
  if not hours then
    error(err, 3)
  end
  return hours
end

-- Is moment t within Global Support Hours (or the hours `spec` names)?
function M.in_global_support_hours(t, spec)
  local h = support_hours(spec)
  local local_t = seconds_of(t) + h.offset
  local minute = local_t % M.DAY // 60
  return h.days[T.weekday(local_t)] == true and minute >= h.from and minute < h.to
end

-- The next moment Global Support Hours begin (t itself when they are on).
function M.next_global_support_hours(t, spec)
  local h = support_hours(spec)
  t = seconds_of(t)
  if M.in_global_support_hours(t, spec) then
    return t
  end
  local local_day = (t + h.offset) // M.DAY
  for d = local_day, local_day + 7 do
    local opens = d * M.DAY + h.from * 60 - h.offset
    if opens > t and h.days[T.weekday(d * M.DAY)] then
      return opens
    end
  end
  error("support hours name no day", 2)
end

-- Support-level tags --------------------------------------------------------------

function M.level_tag(offering, level)
  if not M.offerings[offering] or not M.levels[level] then
    error(("no support level tag for offering %s and level %s"):format(tostring(offering),
      tostring(level)), 2)
  end
  return offering .. "_" .. level
end

-- offering, level of a support-level tag, or nil.
function M.parse_level_tag(tag)
  for _, offering in ipairs(M.offering_order) do
    local level = type(tag) == "string" and tag:match("^" .. offering .. "_(%a+)$")
    if level and M.levels[level] then
      return offering, level
    end
  end
  return nil
end

function M.level_tags(tags)
  local out = {}
  for _, t in ipairs(tags or {}) do
    if M.parse_level_tag(t) then
      out[#out + 1] = t
    end
  end
  return out
end

-- "Self-managed Premium" for self_managed_premium.
function M.describe_level_tag(tag)
  local offering, level = M.parse_level_tag(tag)
  if not offering then
    return tostring(tag)
  end
  return M.offerings[offering]:gsub(" %(SaaS%)", "") .. " " .. M.levels[level]
end

-- The offerings an organization pays for, from its level tags.
function M.paid_offerings(org_tags)
  local out = {}
  for _, t in ipairs(M.level_tags(org_tags)) do
    local offering = M.parse_level_tag(t)
    if not contains(out, offering) then
      out[#out + 1] = offering
    end
  end
  return out
end

-- The offerings of a migration: the one the organization pays for (the
-- first of its level tags) and the one the ticket's problem is about, or,
-- when that is unknown or already paid for, the one it does not pay for.
function M.migration_offerings(org_tags, problem)
  local paid = M.paid_offerings(org_tags)
  local new = problem
  if not problem or contains(paid, problem) then
    for _, o in ipairs(M.offering_order) do
      if not contains(paid, o) then
        new = o
      end
    end
  end
  return paid[1], new
end

-- The offering the ticket's problem is about: the ticket field (field_id,
-- as zendesk.ticket_fields.find gave it), else the bare offering tag Zendesk
-- adds from the form ("saas", "self_managed").
function M.problem_offering(ticket, field_id)
  local v = field_id and M.custom_field(ticket, field_id)
  if M.offerings[v] then
    return v
  end
  for _, t in ipairs(ticket.tags or {}) do
    if M.offerings[t] then
      return t
    end
  end
  return nil
end

-- What to change so that the ticket carries exactly the support level that
-- matches its problem statement: { add = {...}, remove = {...} }, or nil and
-- the reason a person must decide. The page says to "remove from the ticket
-- the support level tag that does not belong"; it does not say to add the
-- one that does. hb adds it when the ticket lacks it, because without it the
-- ticket has no support level at all, and the page's own questions need one:
-- "How do we configure the ticket so that it will be visible to SEs with the
-- right focus area?" and "How do we configure the ticket to have the right
-- SLA?".
function M.align_level_tags(ticket_tags, org_tags, problem_offering)
  if not M.offerings[problem_offering or ""] then
    return nil, "the ticket does not say which offering its problem is about"
  end
  local wanted = {}
  for _, t in ipairs(M.level_tags(org_tags)) do
    if M.parse_level_tag(t) == problem_offering then
      wanted[#wanted + 1] = t
    end
  end
  if #wanted == 0 then
    return nil, ("the organization has no %s support level tag"):format(problem_offering)
  end
  if #wanted > 1 then
    return nil, "the organization has several " .. problem_offering .. " support levels: "
      .. table.concat(wanted, ", ")
  end
  local plan = { add = {}, remove = {}, keep = wanted[1], offering = problem_offering }
  if not contains(ticket_tags, wanted[1]) then
    plan.add[1] = wanted[1]
  end
  for _, t in ipairs(M.level_tags(ticket_tags)) do
    if t ~= wanted[1] then
      plan.remove[#plan.remove + 1] = t
    end
  end
  return plan
end

-- L&R requests ----------------------------------------------------------------------

-- The kind of L&R request the ticket's tags name, or nil.
function M.lnr_request(tags)
  local kinds = {}
  for _, t in ipairs(tags or {}) do
    if M.lnr_requests[t] then
      kinds[M.lnr_requests[t]] = true
    end
  end
  for _, kind in ipairs(M.lnr_request_order) do
    if kinds[kind] then
      return kind
    end
  end
  return nil
end

function M.is_trial_request(tags)
  for _, t in ipairs(tags or {}) do
    if M.trial_tags[t] then
      return true
    end
  end
  return false
end

function M.is_new_trial_request(tags)
  local new, extend = false, false
  for _, t in ipairs(tags or {}) do
    new = new or M.new_trial_tags[t] == true
    extend = extend or M.trial_extension_tags[t] == true
  end
  return new and not extend
end

-- Zuora ---------------------------------------------------------------------------------

-- Seats of a subscription: the quantities of its "Users in license" charges.
function M.seats(subscription)
  local n = 0
  for _, plan in ipairs(subscription.ratePlans or {}) do
    for _, charge in ipairs(plan.ratePlanCharges or {}) do
      if charge.name == M.seat_charge.name and (charge.uom == nil or charge.uom == M.seat_charge.uom)
          and math.type(charge.quantity) then
        n = n + charge.quantity
      end
    end
  end
  return math.tointeger(n) or n
end

-- "Premium" from a product name such as "GitLab Premium (Self-Managed)".
function M.plan_name(subscription)
  for _, plan in ipairs(subscription.ratePlans or {}) do
    for _, level in ipairs(M.level_order) do
      if tostring(plan.productName or ""):lower():find(level, 1, true) then
        return M.levels[level]
      end
    end
  end
  return nil
end

function M.invoice_owner(subscription)
  return subscription.invoiceOwnerAccountNumber or subscription.accountNumber
end

-- The subscription whose term ends last (cancelled ones left out), or nil.
function M.current_subscription(subscriptions)
  local best, best_end
  for _, s in ipairs(subscriptions or {}) do
    local t = s.status ~= "Cancelled" and M.parse_time(s.termEndDate)
    if t and (not best_end or t > best_end) then
      best, best_end = s, t
    end
  end
  return best
end

-- Zendesk comments --------------------------------------------------------------------

-- The first image attached to a comment, as { file_name, comment_id,
-- content_url }, or nil. The engineer still confirms it shows Admin ->
-- Dashboard: a file name proves nothing.
function M.find_screenshot(comments)
  for _, c in ipairs(comments or {}) do
    for _, a in ipairs(c.attachments or {}) do
      if tostring(a.content_type or ""):match("^image/") then
        return { file_name = a.file_name, comment_id = c.id, content_url = a.content_url }
      end
    end
  end
  return nil
end

local function find_any(text, words)
  for _, w in ipairs(words) do
    local i = text:find(w, 1, true)
    if i then
      return i
    end
  end
  return nil
end

-- Does the sentence that ends at position `at` of `text` negate what follows?
local function negated_before(text, at)
  local start = 1
  for i = at - 1, 1, -1 do
    if text:sub(i, i):match("[%.!?\n]") then
      start = i + 1
      break
    end
  end
  local sentence = " " .. text:sub(start, at - 1):gsub("[^%w'%-]", " ") .. " "
  for _, n in ipairs(M.migration_note_words.negations) do
    if sentence:find(" " .. n .. " ", 1, true) then
      return true
    end
  end
  return false
end

-- How sure an internal note is to indicate an offering migration: "sure",
-- "unsure" (a person decides) or nil.
function M.migration_note_kind(body)
  local text = tostring(body or ""):lower()
  local words = M.migration_note_words
  local at = find_any(text, words.sure)
  if at then
    return negated_before(text, at) and "unsure" or "sure"
  end
  if find_any(text, words.migrating) and find_any(text, words.offerings) then
    return "unsure"
  end
  return nil
end

-- The internal note that indicates an offering migration and how sure that
-- is: the first sure one, else the first that may. nil when none does.
function M.find_migration_note(comments)
  local maybe
  for _, c in ipairs(comments or {}) do
    local kind = c.public == false and M.migration_note_kind(c.body)
    if kind == "sure" then
      return c, kind
    end
    maybe = maybe or (kind and c)
  end
  return maybe, maybe and "unsure" or nil
end

-- True when the text names the ticket as "#<id>" (not "#<id>0").
function M.names_ticket(text, id)
  local s = tostring(text or "")
  local pattern = "#" .. tostring(id)
  local from = 1
  while true do
    local i, j = s:find(pattern, from, true)
    if not i then
      return false
    end
    if not s:sub(j + 1, j + 1):match("%d") then
      return true
    end
    from = j + 1
  end
end

-- Licenses -------------------------------------------------------------------------------

-- Any non-trial license is the L&R team's: hb can only ask for a trial.
-- A trial may go to a different address than the license contact; no other
-- license may (see license_recipient_allowed).
local TRIAL = "trial"

function M.license_recipient_allowed(kind, email, license_contact)
  if kind == TRIAL then
    return true
  end
  if M.same_email(email, license_contact) then
    return true
  end
  return false, ("a %s license goes only to the license contact (%s), never to %s"):format(
    tostring(kind), tostring(license_contact), tostring(email))
end

-- The text of a trial-license request, for an internal note and for the
-- engineer who creates it in the license app. Refuses every other kind of
-- license and any request without a recipient. spec: kind ("trial"),
-- ticket, email, license_contact, plan, seats, expires (date), reason.
function M.trial_license_request(spec)
  if type(spec) ~= "table" then
    error("trial_license_request needs a table", 2)
  end
  if spec.kind ~= TRIAL then
    error(("refused: hb requests trial licenses only (this asked for kind %q); any non-trial "
      .. "license must be handled by the L&R team"):format(tostring(spec.kind)), 2)
  end
  if not M.is_email(spec.email) then
    error("refused: a trial license needs the email address to send it to, not "
      .. tostring(spec.email), 2)
  end
  local expires = spec.expires
  if not expires or not M.parse_time(expires) then
    error("refused: a trial license needs an expiry date (YYYY-MM-DD), not " .. tostring(expires), 2)
  end
  local lines = {
    { "License request", "TRIAL license (the only kind hb requests)" },
    { "Zendesk ticket", spec.ticket or "-" },
    { "Send to", spec.email },
    { "License contact", spec.license_contact or "not in Zuora" },
    { "Plan", spec.plan or "as the customer's current license or trial" },
    { "Users in license", spec.seats or "as the customer's current license or trial" },
    { "Expires", expires },
    { "Reason", spec.reason or "-" },
  }
  return M.format_fields(lines)
end

-- The expiry date of a trial license requested at `now` (seconds).
function M.trial_license_expiry(now)
  return M.format_date(seconds_of(now) + M.trial_license_days * M.DAY)
end

-- Deployments ----------------------------------------------------------------------

-- "Unless otherwise communicated, changes ship on the 1st of the month." A
-- change signed off on a 1st ships on the next month's: that day's
-- deployment is already under way.
function M.next_ship_date(now)
  local y, m = M.format_date(seconds_of(now)):match("^(%d+)-(%d+)")
  y, m = tonumber(y), tonumber(m) + 1
  if m > 12 then
    y, m = y + 1, 1
  end
  return ("%04d-%02d-01"):format(y, m)
end

-- Incidents --------------------------------------------------------------------------------

-- "24h for Administrative systems, 8h for ...": the page's list, as text.
function M.criticality_waits()
  local parts = {}
  for _, key in ipairs(M.criticality_order) do
    local c = M.criticality[key]
    parts[#parts + 1] = ("%s for %s systems"):format(c.wait, c.label)
  end
  return table.concat(parts, ", ")
end

function M.response_wait(criticality)
  local c = M.criticality[criticality]
  if not c then
    error("unknown system criticality: " .. tostring(criticality), 2)
  end
  return c.wait
end

return M
