-- What the workflows write: customer replies, internal notes, issue
-- descriptions and Slack texts. Ops edit the wording here; the workflows
-- decide when each is sent. Every function returns text (title and
-- description for issues). Public replies are marked "reply", internal notes
-- "note".

local support = require "support"

local M = {}

local function lines(...)
  return table.concat({ ... }, "\n")
end

local function level_name(tag)
  return support.describe_level_tag(tag)
end

-- Offering migration (support/workflows/offering-migration) -------------------------

-- reply: first contact, asking for the support level and the target date.
function M.offering_migration_intro(t)
  return lines(
    ("Hello %s,"):format(t.customer or "there"),
    "",
    ("Thank you for reaching out. Your organization's current subscription covers %s, and "
      .. "the problem you describe is on %s. Although you are only entitled to support on your "
      .. "current offering, we intend to support you anyway while you migrate.")
      :format(support.offerings[t.current] or t.current, support.offerings[t.new] or t.new),
    "",
    "So that we can set this up, please let us know:",
    ("1. Which support level you intend to purchase on %s (Premium or Ultimate)."):format(
      support.offerings[t.new] or t.new),
    "2. The target date for completing the migration.",
    "",
    "Thank you!")
end

-- note: marks the ticket as an offering migration (what the follow-up finds).
function M.offering_migration_note(t)
  return lines(
    ("%s: %s is migrating from %s to %s."):format(support.migration_note_marker, t.org_name,
      support.offerings[t.current] or t.current, support.offerings[t.new] or t.new),
    ("We support them on %s at %s level until the migration target date, %s."):format(
      support.offerings[t.new] or t.new, support.levels[t.level] or t.level, t.target_date),
    ("Support Ops issue: %s"):format(t.issue or "being opened"),
    "Whoever picks up this ticket: remove the support level tag that does not match the "
      .. "problem statement (hb run offering-migration-followup ticket=" .. t.ticket .. ").")
end

-- issue in Support Ops' zendesk-organizations project.
function M.offering_migration_issue(t, template)
  local f = support.migration_issue_fields
  local title = ("Product offering migration: %s (ticket #%d)"):format(t.org_name, t.ticket)
  local description = lines(
    support.format_fields({
      { f.request, "support a product offering migration" },
      { f.organization, ("%s (%d)"):format(t.org_name, t.org_id) },
      { f.ticket, t.ticket },
      { f.level, t.level_tag },
      { f.target_date, t.target_date },
    }),
    "",
    ("The customer pays for %s and is migrating to %s. Please add the `%s` support level tag "
      .. "to the organization (it will then have two) and note in the org notes that we have "
      .. "approved %s support until %s. Close this issue when done.")
      :format(support.offerings[t.current] or t.current, support.offerings[t.new] or t.new,
        t.level_tag, level_name(t.level_tag), t.target_date),
    "",
    template or "")
  return title, description
end

-- org note Support Ops adds.
function M.offering_migration_org_note(t)
  return ("Migrating between offerings; approved %s support until %s (Support Ops issue %s)."):format(
    level_name(t.level_tag), t.target_date, t.issue)
end

function M.offering_migration_done_note(t)
  return ("Added `%s` to organization %s and the org note: \"%s\". Closing."):format(t.level_tag,
    t.org_name, t.org_note)
end

function M.offering_migration_issue_incomplete(missing)
  return ("hb could not set up the offering migration: the issue description lacks %s. Please add "
    .. "them as \"Label: value\" lines and run offering-migration-setup again."):format(
    table.concat(missing, ", "))
end

-- note: what the tag alignment changed.
function M.tags_aligned(t)
  local parts = {}
  if #t.add > 0 then
    parts[#parts + 1] = "added " .. table.concat(t.add, ", ")
  end
  if #t.remove > 0 then
    parts[#parts + 1] = "removed " .. table.concat(t.remove, ", ")
  end
  return ("Support level tags aligned with the problem statement (%s): %s."):format(
    support.offerings[t.offering] or t.offering, table.concat(parts, "; "))
end

function M.tag_removed_by_choice(t)
  return ("Removed the support level tag %s (chosen by %s)."):format(t.tag, t.by)
end

-- L&R starred tickets (support/license-and-renewals/workflows/...) ------------------------

-- note: the facts hb read, so the manager sees what the decision rests on.
function M.star_facts(f)
  return support.format_fields({
    { "STAR check", f.title },
    { "Request", f.request or "-" },
    { "Subscription", f.subscription or "none in Zuora" },
    { "Term ends", f.term_end or "-" },
    { "Grace period ends", f.grace_end or "-" },
    { "Time left", f.time_left or "-" },
  })
end

function M.star_ok(reason)
  return "STAR validity: Ok to STAR. " .. reason
end

function M.star_no_need(reason)
  return lines("STAR validity: No need for STAR. " .. reason,
    "Manager: collect the data for feedback and label the STAR issue `" .. support.star.no_need_label
      .. "`.")
end

-- reply: force reassociation, deflected with the docs.
function M.reassociate_with_docs(customer)
  return lines(
    ("Hello %s,"):format(customer or "there"),
    "",
    "You can link your subscription to the right account or namespace yourself by following "
      .. "the steps in our documentation: https://docs.gitlab.com/subscriptions/customers_portal/",
    "",
    "If you follow these steps and the system shows an error, or a page you need is down, reply "
      .. "here with what you see and we will take it from there.")
end

function M.ask_sales_to_correct(t)
  return ("Wrong product sold: ask %s (opportunity owner) to correct the order. The STAR is ok "
    .. "once sales has intervened."):format(t.owner or "the account's sales rep")
end

-- note: handed to the L&R team.
function M.lnr_assisting(channel, by)
  return ("The L&R team is assisting (asked in %s; confirmed by %s)."):format(channel, by)
end

function M.no_escalation(t)
  return ("No need to escalate: %s left before the %s ends (%s). 24 hours or more remain.")
    :format(t.time_left, t.what, t.deadline)
end

function M.not_an_emergency(t)
  return ("Not an emergency (judged by %s): %s left before the %s ends (%s)."):format(t.by,
    t.time_left, t.what, t.deadline)
end

-- reply: asks for the Admin -> Dashboard screenshot.
function M.request_admin_dashboard(customer)
  return lines(
    ("Hello %s,"):format(customer or "there"),
    "",
    "To investigate the license problem, our Licensing and Renewals team needs a screenshot of "
      .. "the Admin Area dashboard of your instance (Admin -> Dashboard). Please attach it to "
      .. "this ticket; we will create a temporary license as soon as we have it.")
end

function M.screenshot_overdue(by)
  return ("No Admin -> Dashboard screenshot yet. Follow up with the customer (%s)."):format(by)
end

-- reply: activation errors without a ticket of their own.
function M.submit_ticket_for_activation(customer)
  return ("Hello %s, please submit a support ticket about the activation error from the "
    .. "account that is activating the license, so that we can investigate it."):format(
    customer or "there")
end

-- reply: we do not send licenses to a different email.
function M.no_license_to_other_email(t)
  return lines(
    ("Hello %s,"):format(t.customer or "there"),
    "",
    ("We do not send licenses to a different email address than the license contact on record "
      .. "(%s). The license contact can forward the license, or update the contact details in "
      .. "the Customers Portal, after which the license is sent to the new contact."):format(
      t.contact or "not on record"),
    "",
    "If you need a trial license to keep working in the meantime, let us know.")
end

function M.license_resend_via_lnr(t)
  return ("License contact on record: %s, the requester. Ask the L&R team in %s to resend the "
    .. "license to that address (never to another one). Confirmed by %s."):format(t.contact,
    t.channel, t.by)
end

-- reply: the customer may associate the subscription with the namespace.
function M.associate_subscription(customer)
  return lines(
    ("Hello %s,"):format(customer or "there"),
    "",
    "Your group may still be on the Free plan because the new subscription is not linked to it "
      .. "yet. You can link it yourself in the Customers Portal: "
      .. "https://docs.gitlab.com/subscriptions/gitlab_com/#link-subscription-to-a-group",
    "",
    "Let us know if that does not fix it.")
end

function M.mechanizer_note(t)
  return ("Zendesk Mechanizer, \"Manage GitLab Plan and Trials\": %s. Done by %s."):format(t.what,
    t.by)
end

-- note: what the trial license request asks for.
function M.trial_license_note(request)
  return lines("Trial license requested (create it in the license app exactly as below):", "",
    request)
end

function M.trial_license_sent(t)
  return ("Trial license created and sent to %s (confirmed by %s)."):format(t.email, t.by)
end

-- Merging or splitting subscriptions (support/license-and-renewals/workflows/...) ---------

function M.license_for_sum(t)
  return lines(
    ("The invoice owners differ (%s: %s; %s: %s), so support cannot merge these subscriptions, "
      .. "but a single license may cover both."):format(t.a, t.owner_a, t.b, t.owner_b),
    ("Generate a new license that includes Users in license from both subscriptions: %d + %d = %d "
      .. "seats. Any non-trial license goes through the L&R team."):format(t.seats_a, t.seats_b,
      t.seats))
end

function M.license_for_sum_reply(t)
  return lines(
    ("Hello %s,"):format(t.customer or "there"),
    "",
    ("Your subscriptions %s and %s are billed through different invoice owners, so they stay "
      .. "separate. We have generated a single license that includes the users of both (%d "
      .. "seats); it is sent to your license contact."):format(t.a, t.b, t.seats))
end

function M.merge_handled_internally(t)
  local extra = ""
  if t.both_new_business then
    extra = "\n\nAs they stand, the two subscriptions cannot be merged: both were booked as new "
      .. "business. Your account team will credit the newer one and resubmit it as an add-on to "
      .. "the existing subscription, so that a single license covers all your seats."
  end
  return ("Hello %s,\n\nThank you for your request. Support cannot merge subscriptions, but we are "
    .. "handling this internally with your account owner, %s, whom I have copied on this ticket."
    .. "%s"):format(t.customer or "there", t.owner, extra)
end

function M.split_handled_internally(t)
  return lines(
    ("Hello %s,"):format(t.customer or "there"),
    "",
    "Support cannot split subscriptions. Each GitLab instance or GitLab.com group needs its own "
      .. "subscription: seats used on separate instances or groups need separate subscriptions.",
    ("We are handling this internally with your account owner, %s, whom I have copied on this "
      .. "ticket."):format(t.owner))
end

function M.ping_owner(t)
  local what
  if t.split then
    what = ("the customer wants to use the seats of %s on separate instances or groups, which "
      .. "needs separate subscriptions: please follow up with them."):format(t.subscriptions)
  else
    what = ("the new subscription's opportunity (%s) should be credited via a credit opportunity "
      .. "and a new opportunity submitted as an add-on to the existing one (%s), as in ZD ticket "
      .. "#162478."):format(t.new_opportunity or "the newer one", t.existing_opportunity
      or "the older one")
  end
  return ("Ping %s in %s about ticket #%d: %s"):format(t.owner, support.slack.sales_escalation,
    t.ticket, what)
end

-- Working with Customer Support Operations (support/workflows/working-with-cso) -----------

function M.portal_change_note(t)
  return ("Support portal change request filed on a Support form (%s): moved to the %s form so that "
    .. "Customer Support Operations handles it. No public reply (it would stop the SLA clock). "
    .. "Confirmed by %s."):format(t.old_form, t.new_form, t.by)
end

function M.cso_issue(t, template)
  local expectations
  if t.committed then
    expectations = ("Requester's commitments (confirmed by %s): empowered to make decisions "
      .. "(DRI), responsive, ready to validate and sign off on staging."):format(t.by)
  else
    expectations = ("The requester (%s) could not yet confirm all that Customer Support Operations "
      .. "expects: empowered to make decisions (DRI), responsive, ready to validate and sign off "
      .. "on staging."):format(t.by)
  end
  return lines(t.details or "", "", expectations, "", template or "")
end

function M.cso_signed_off(t)
  return ("Signed off by %s after validating on staging. Unless otherwise communicated, changes "
    .. "ship on the 1st of the month: this one on %s."):format(t.by, t.ships_on)
end

function M.incident_post(t)
  return ("%s incident: %s is affected (%s system). %s Please respond here."):format(
    support.slack.support_operations_incidents, t.system, t.criticality, t.problem)
end

return M
