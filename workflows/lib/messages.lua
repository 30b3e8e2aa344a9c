-- What the workflows write: customer replies, internal notes, issue texts,
-- Slack posts. Ops edit the wording here; the workflows decide when each is
-- sent and give the values of its {placeholders}.
--
-- How a message is laid out: lines of one paragraph join with a space; a
-- blank line starts a new paragraph; a line starting a list item ("1. ",
-- "- ") starts a new line; a line ending in \ keeps its line break. A
-- placeholder must be listed under `placeholders` (a misspelt one is an
-- error when a workflow loads, at its line here); `defaults` is what a
-- message says when hb has no value for one.
return messages {
  placeholders = {
    customer = "the requester's name",
    ticket = "the Zendesk ticket's number",
    ticket_url = "the ticket's page in the agent interface",
    by = "who did or confirmed it (the run's actor)",
    org_name = "the organization's name",
    org_id = "the organization's id",
    current_offering = "the offering the customer pays for",
    new_offering = "the offering the customer is migrating to",
    level_name = "a support level as people say it (Self-managed Premium)",
    level_tag = "a support level tag (saas_premium)",
    target_date = "the migration target date",
    issue = "a GitLab issue's link or reference",
    fields = "\"Label: value\" lines",
    template = "an issue template's content",
    org_note = "the text added to the organization's notes",
    missing = "what an issue description lacks",
    offering = "an offering's name",
    added = "tags added",
    removed = "tags removed",
    changes = "what changed",
    tag = "a tag",
    reason = "why, in a sentence",
    label = "a GitLab label",
    grace_end = "when the grace period ends",
    time_left = "how long is left (37h 30m)",
    what = "what ends: the license, the grace period, the trial",
    plan = "a plan or license, as a STAR names it (plan/license, trial)",
    deadline = "a moment, ISO 8601",
    source = "where a date came from",
    owner = "the account's opportunity owner",
    channel = "a Slack channel",
    contact = "the license contact on record",
    email = "an email address",
    request = "the trial license request's lines",
    sub_a = "a subscription's number", sub_b = "another subscription's number",
    owner_a = "the invoice owner of sub_a", owner_b = "the invoice owner of sub_b",
    seats_a = "seats of sub_a", seats_b = "seats of sub_b", seats = "seats in all",
    subscriptions = "subscription numbers",
    existing_opportunity = "the older opportunity", new_opportunity = "the newer opportunity",
    old_form = "a ticket form before", new_form = "a ticket form after",
    details = "what the requester wrote",
    roadmap = "whether a feature request is on the Support Roadmap",
    commitments = "what the requester could confirm",
    ships_on = "the date a change ships",
    system = "the affected system", criticality = "its criticality", problem = "what is broken",
  },
  defaults = {
    customer = "there",
    issue = "being opened",
    owner = "the account's sales rep",
    contact = "not on record",
    template = "",
    details = "",
    roadmap = "",
    existing_opportunity = "the older one",
    new_opportunity = "the newer one",
  },

  -- Offering migration (support/workflows/offering-migration) -----------------

  -- reply: first contact, asking for the support level and the target date.
  offering_migration_intro = message [[
    Hello {customer},

    Thank you for reaching out. Your organization's current subscription covers
    {current_offering}, and the problem you describe is on {new_offering}. Although you
    are only entitled to support on your current offering, we intend to support you
    anyway while you migrate.

    So that we can set this up, please let us know:
    1. Which support level you intend to purchase on {new_offering} (Premium or Ultimate).
    2. The target date for completing the migration.

    Thank you!
  ]],

  -- note: marks the ticket as an offering migration (what the follow-up finds).
  offering_migration_note = message [[
    Product offering migration: {org_name} is migrating from {current_offering} to
    {new_offering}.\
    We support them on {new_offering} at {level_name} level until the migration target
    date, {target_date}.\
    Support Ops issue: {issue}\
    Whoever picks up this ticket: remove the support level tag that does not match the
    problem statement (hb run offering-migration-followup ticket={ticket}).
  ]],

  -- issue in Support Ops' zendesk-organizations project: its title, then its description.
  offering_migration_issue_title = message [[
    Product offering migration: {org_name} (ticket #{ticket})
  ]],
  offering_migration_issue = message [[
    {fields}

    The customer pays for {current_offering} and is migrating to {new_offering}. Please
    add the `{level_tag}` support level tag to the organization (it will then have two)
    and note in the org notes that we have approved {level_name} support until
    {target_date}. Close this issue when done.

    {template}
  ]],

  -- org note Support Ops adds.
  offering_migration_org_note = message [[
    Migrating between offerings; approved {level_name} support until {target_date}
    (Support Ops issue {issue}).
  ]],

  offering_migration_done_note = message [[
    Added `{level_tag}` to organization {org_name} and the org note: "{org_note}". Closing.
  ]],

  offering_migration_issue_incomplete = message [[
    hb could not set up the offering migration: the issue description lacks {missing}.
    Please add them as "Label: value" lines and run offering-migration-setup again.
  ]],

  -- note: what the tag alignment changed ({changes}: tags_added, tags_removed, or both
  -- joined by "; ").
  tags_aligned = message [[
    Support level tags aligned with the problem statement ({offering}): {changes}.
  ]],
  tags_added = message [[added {added}]],
  tags_removed = message [[removed {removed}]],

  tag_removed_by_choice = message [[
    Removed the support level tag {tag} (chosen by {by}).
  ]],

  -- L&R starred tickets (support/license-and-renewals/workflows/...) ---------------

  star_ok = message [[
    STAR validity: Ok to STAR. {reason}
  ]],

  star_no_need = message [[
    STAR validity: No need for STAR. {reason}\
    Manager: collect the data for feedback and label the STAR issue `{label}`.
  ]],

  -- The reasons a STAR decision rests on.
  reason_wrong_product = message [[
    Wrong product sold, after sales intervention (confirmed by {by}).
  ]],
  reason_force_reassociate = message [[
    Force reassociate: an edge case, the process was followed and the system did not
    produce the expected result (confirmed by {by}).
  ]],
  reason_trial_not_sales_assisted = message [[
    A trial request, and not a sales assisted trial.
  ]],
  reason_in_grace = message [[
    In the grace period, which ends {grace_end}: {time_left} left.
  ]],
  reason_expires = message [[
    The {plan} expires {deadline} ({source}): {time_left} left.
  ]],
  reason_expired = message [[
    The {plan} expired {deadline} ({source}): already expired.
  ]],

  -- reply: force reassociation, deflected with the docs.
  reassociate_with_docs = message [[
    Hello {customer},

    You can link your subscription to the right account or namespace yourself by
    following the steps in our documentation:
    https://docs.gitlab.com/subscriptions/customers_portal/

    If you follow these steps and the system shows an error, or a page you need is down,
    reply here with what you see and we will take it from there.
  ]],

  ask_sales_to_correct = message [[
    Wrong product sold: ask {owner} (opportunity owner) to correct the order. The STAR is
    ok once sales has intervened.
  ]],

  -- note: handed to the L&R team.
  lnr_assisting = message [[
    The L&R team is assisting (asked in {channel}; confirmed by {by}).
  ]],

  no_escalation = message [[
    No need to escalate: {time_left} left before the {what} ends ({deadline}). 24 hours or
    more remain.
  ]],

  not_an_emergency = message [[
    Not an emergency (judged by {by}): {time_left} left before the {what} ends ({deadline}).
  ]],

  -- reply: asks for the Admin -> Dashboard screenshot.
  request_admin_dashboard = message [[
    Hello {customer},

    To investigate the license problem, our Licensing and Renewals team needs a screenshot
    of the Admin Area dashboard of your instance (Admin -> Dashboard). Please attach it to
    this ticket; we will create a temporary license as soon as we have it.
  ]],

  screenshot_overdue = message [[
    No Admin -> Dashboard screenshot yet. Follow up with the customer ({by}).
  ]],

  -- reply: we do not send licenses to a different email.
  no_license_to_other_email = message [[
    Hello {customer},

    We do not send licenses to a different email address than the license contact on
    record ({contact}). The license contact can forward the license, or update the
    contact details in the Customers Portal, after which the license is sent to the new
    contact.

    If you need a trial license to keep working in the meantime, let us know.
  ]],

  license_resend_via_lnr = message [[
    License contact on record: {contact}, the requester. Ask the L&R team in {channel} to
    resend the license to that address (never to another one). Confirmed by {by}.
  ]],

  -- reply: the customer may associate the subscription with the namespace.
  associate_subscription = message [[
    Hello {customer},

    Your group may still be on the Free plan because the new subscription is not linked
    to it yet. You can link it yourself in the Customers Portal:
    https://docs.gitlab.com/subscriptions/gitlab_com/#link-subscription-to-a-group

    Let us know if that does not fix it.
  ]],

  mechanizer_extended = message [[
    Zendesk Mechanizer, "Manage GitLab Plan and Trials": extended the namespace's trial.
    Done by {by}.
  ]],
  mechanizer_trial_from_subscription = message [[
    Zendesk Mechanizer, "Manage GitLab Plan and Trials": created a trial from a
    subscription and extended it. Done by {by}.
  ]],
  mechanizer_set_plan = message [[
    Zendesk Mechanizer, "Manage GitLab Plan and Trials": temporarily set the namespace on a
    {plan} trial. Done by {by}.
  ]],

  -- note: what the trial license request asks for.
  trial_license_note = message [[
    Trial license requested (create it in the license app exactly as below):

    {request}
  ]],

  trial_license_sent = message [[
    Trial license created and sent to {email} (confirmed by {by}).
  ]],

  -- Merging or splitting subscriptions (support/license-and-renewals/workflows/...) ---

  license_for_sum = message [[
    The invoice owners differ ({sub_a}: {owner_a}; {sub_b}: {owner_b}), so support cannot
    merge these subscriptions, but a single license may cover both.\
    Generate a new license that includes Users in license from both subscriptions:
    {seats_a} + {seats_b} = {seats} seats. Any non-trial license goes through the L&R team.
  ]],

  license_for_sum_reply = message [[
    Hello {customer},

    Your subscriptions {sub_a} and {sub_b} are billed through different invoice owners, so
    they stay separate. We have generated a single license that includes the users of
    both ({seats} seats); it is sent to your license contact.
  ]],

  merge_handled_internally = message [[
    Hello {customer},

    Thank you for your request. Support cannot merge subscriptions, but we are handling
    this internally with your account owner, {owner}, whom I have copied on this ticket.
  ]],

  merge_cannot_merge = message [[
    Hello {customer},

    Thank you for your request. Support cannot merge subscriptions, but we are handling
    this internally with your account owner, {owner}, whom I have copied on this ticket.

    As they stand, the two subscriptions cannot be merged: both were booked as new
    business. Your account team will credit the newer one and resubmit it as an add-on to
    the existing subscription, so that a single license covers all your seats.
  ]],

  split_handled_internally = message [[
    Hello {customer},

    Support cannot split subscriptions. Each GitLab instance or GitLab.com group needs its
    own subscription: seats used on separate instances or groups need separate
    subscriptions.\
    We are handling this internally with your account owner, {owner}, whom I have copied
    on this ticket.
  ]],

  ping_owner_merge = message [[
    Ping {owner} in {channel} about ticket #{ticket}: the new subscription's opportunity
    ({new_opportunity}) should be credited via a credit opportunity and a new opportunity
    submitted as an add-on to the existing one ({existing_opportunity}), as in ZD ticket
    #162478.
  ]],

  ping_owner_split = message [[
    Ping {owner} in {channel} about ticket #{ticket}: the customer wants to use the seats of
    {subscriptions} on separate instances or groups, which needs separate subscriptions:
    please follow up with them.
  ]],

  -- Working with Customer Support Operations (support/workflows/working-with-cso) -------

  portal_change_note = message [[
    Support portal change request filed on a Support form ({old_form}): moved to the
    {new_form} form so that Customer Support Operations handles it. No public reply (it
    would stop the SLA clock). Confirmed by {by}.
  ]],

  cso_issue = message [[
    {details}

    {roadmap}

    {commitments}

    {template}
  ]],

  cso_on_roadmap = message [[
    On the Support Roadmap: yes.
  ]],

  cso_not_on_roadmap = message [[
    On the Support Roadmap: no. A larger request may need the leadership team to re-plan
    conflicts and protect strategic items.
  ]],

  cso_commitments_confirmed = message [[
    Requester's commitments (confirmed by {by}): empowered to make decisions (DRI),
    responsive, ready to validate and sign off on staging.
  ]],

  cso_commitments_open = message [[
    The requester ({by}) could not yet confirm all that Customer Support Operations
    expects: empowered to make decisions (DRI), responsive, ready to validate and sign off
    on staging.
  ]],

  cso_signed_off = message [[
    Signed off by {by} after validating on staging. Unless otherwise communicated, changes
    ship on the 1st of the month: this one on {ships_on}.
  ]],

  incident_post = message [[
    {channel} incident: {system} is affected ({criticality} system). {problem} Please
    respond here.
  ]],
}
