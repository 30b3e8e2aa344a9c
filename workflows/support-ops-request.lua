-- Handbook: Working with Customer Support Operations, "Asking general
-- questions", "Basic Issue Flows", "Bugs", "Feature Requests" and
-- "Deployments and Delivery". The flow sums up as "Create an issue!"; the
-- requester then validates on staging, signs off and rolls the change out.
local support = require "support"
local messages = require "messages"

local TRACKER = support.projects.cso_tracker
local META = support.projects.team_meta

-- Opens an issue from a project's template, with the requester's details
-- (and whether it is on the roadmap) and commitments above the template's
-- content.
local function open_issue(ctx, project, template_name, labels, roadmap)
  local template = gitlab.templates.issue(project, template_name)
  local commitments = ctx.answers.expectations == "yes" and messages.cso_commitments_confirmed
    or messages.cso_commitments_open
  local issue = gitlab.issues.create(project, {
    title = ctx.input.title,
    description = messages.cso_issue { details = ctx.input.details, roadmap = roadmap,
      commitments = commitments { by = ctx.run.actor }, template = template and template.content },
    labels = labels,
  })
  ctx.vars.issue_url = issue.web_url
  ctx.vars.issue_project, ctx.vars.issue_iid = project, issue.iid
  ctx.log("created " .. tostring(issue.web_url))
end

return workflow "support-ops-request" {
  title = "Ask Customer Support Operations for a change: create the right issue",
  handbook = "support/workflows/working-with-customer-support-operations#basic-issue-flows",
  uses = { "gitlab" },
  -- Requesters create issues; they never edit Customer Support Operations' own.
  forbid = { "gitlab.issues.update" },
  inputs = {
    title = { type = "string", description = "what you want, in one line (the issue title)" },
    details = { type = "string?", description = "more detail for the issue" },
  },
  words = { questions = support.slack.support_operations },

  ask "what_kind" {
    [[What do you want to get done? Reporting a bug (`bug`); something on the Support Roadmap
      (`roadmap feature`); something not on the roadmap, easy or maybe hard, but you
      definitely know what you want (`other feature`); you don't totally know yet (`not sure
      yet`); or a general question, or assistance (`question`).]],
    options = { { "bug", next = "expectations" }, { "roadmap feature", next = "expectations" },
      { "other feature", next = "expectations" }, { "not sure yet", next = "rfc_or_change" },
      { "question", next = "ask_in_channel" } },
  },
  ask "rfc_or_change" {
    [[You don't totally know yet: create an RFC issue in support-team-meta (`rfc`), or work
      otherwise within the Change Management in GitLab Support framework (`change
      management`)?]],
    options = { { "rfc", next = "expectations" }, { "change management", next = "change_management" } },
  },
  ask "expectations" {
    [[If you're creating an issue, the Customer Support Operations team expects that: you're
      empowered to make decisions (a DRI at the appropriate level to steward your change, or
      delegated by one); you're responsive (prioritizing the thing you want so that it can
      be shipped on time, and to spec); and you'll be ready to validate and sign off (test
      on staging, or delegate and organize testing, and sign off before it can go live).
      These are expectations, not a gate: the issue is created either way, and says whether
      you could confirm them. Can you (`yes`), or not all of them yet (`not all yet`)?]],
    options = { { "yes", next = "which_issue" }, { "not all yet", next = "which_issue" } },
  },
  choice "which_issue" {
    [[A bug report, a feature request or an RFC?]],
    { label = "Bug", when = is("what_kind", "bug"), next = "bug_issue" },
    { label = "RFC", when = is("rfc_or_change", "rfc"), next = "rfc_issue" },
    { label = "Feature request", next = "feature_issue" },
  },
  task "bug_issue" {
    [[Bugs get created directly in the Customer Support Operations Issue Tracker using the
      Bug Report Template.]],
    retry = support.outage_retry,
    run = function(ctx)
      open_issue(ctx, TRACKER, support.templates.bug, { "Bug" })
    end,
    next = "validate_and_sign_off",
  },
  task "feature_issue" {
    [[Feature requests get created directly in the Customer Support Operations Issue Tracker
      using the Feature Requests Template; the focus is on aligning them with the Support
      Roadmap.]],
    retry = support.outage_retry,
    run = function(ctx)
      local on_roadmap = ctx.answers.what_kind == "roadmap feature"
      open_issue(ctx, TRACKER, support.templates.feature, { "Feature request" },
        on_roadmap and messages.cso_on_roadmap() or messages.cso_not_on_roadmap())
    end,
  },
  wait "validate_and_sign_off" {
    [[You'll be ready to validate and sign off: when Support Operations deploys the change to
      staging, test it (or delegate / organize testing) and sign off on acceptability before
      it can go live in production. Then: hb resume RUN --event signed_off.]],
    event = "signed_off",
  },
  task "record_sign_off" {
    [[Say on the issue who signed off, and when the change ships: unless otherwise
      communicated, changes ship on the 1st of the month.]],
    retry = support.outage_retry,
    run = function(ctx)
      local v = ctx.vars
      v.ships_on = support.next_ship_date(ctx.now())
      if v.issue_iid then
        gitlab.notes.create(v.issue_project, v.issue_iid,
          messages.cso_signed_off { by = ctx.run.actor, ships_on = v.ships_on })
      end
    end,
  },
  ask "roll_out" {
    [[Once you've signed off on work, follow the steps in Change Management in Support -
      Rolling out a Change (handbook/support/managers/change-management/#rolling-out-a-change)
      to make sure everyone on the team is aware (the ship date is on the issue). Answer
      `done`.]],
    options = { { "done", next = "done" } },
  },
  task "rfc_issue" {
    [[Create an RFC issue in support-team-meta.]],
    retry = support.outage_retry,
    run = function(ctx)
      open_issue(ctx, META, support.templates.rfc, { "RFC" })
    end,
    next = "rfc_done",
  },
  succeed "done" {
    [[Signed off and rolled out: the change ships on the 1st of the month unless otherwise
      communicated.]],
  },
  succeed "rfc_done" {
    [[The RFC issue is created in support-team-meta.]],
  },
  succeed "change_management" {
    [[Work within the Change Management in GitLab Support framework
      (handbook/support/managers/change-management).]],
  },
  succeed "ask_in_channel" {
    [[For general questions and assistance, reach out via the {questions} Slack channel: a
      member of the Customer Support Operations team will respond and work with you to help
      address the question.]],
  },
}
