-- Handbook: Working with Customer Support Operations, "Basic Issue Flows",
-- "Bugs" and "Feature Requests". The flow sums up as "Create an issue!".
local support = require "support"
local messages = require "messages"

local TRACKER = support.projects.cso_tracker
local META = support.projects.team_meta

-- Opens an issue from a project's template, with the requester's details
-- and commitments above the template's content.
local function open_issue(ctx, project, template_name, labels, extra)
  local template = gitlab.templates.issue(project, template_name)
  local details = ctx.input.details or ""
  if extra then
    details = details == "" and extra or (details .. "\n\n" .. extra)
  end
  local issue = gitlab.issues.create(project, {
    title = ctx.input.title,
    description = messages.cso_issue({ details = details, by = ctx.run.actor }, template and template.content),
    labels = labels,
  })
  ctx.vars.issue_url = issue.web_url
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

  ask "what_kind" {
    "What do you want to get done? Reporting a bug (`bug`); something on the Support Roadmap "
      .. "(`roadmap feature`); something not on the roadmap, easy or maybe hard, but you "
      .. "definitely know what you want (`other feature`); or you don't totally know yet "
      .. "(`not sure yet`).",
    options = { { "bug", next = "decision_maker" }, { "roadmap feature", next = "decision_maker" },
      { "other feature", next = "decision_maker" }, { "not sure yet", next = "rfc_or_change" } },
  },
  ask "decision_maker" {
    "If you're creating an issue, Customer Support Operations expects that you're empowered to "
      .. "make decisions: you're a DRI at the appropriate level to steward your change, or an "
      .. "appropriate DRI delegated it to you. Are you?",
    options = { { "yes", next = "responsive" }, { "no", next = "not_ready" } },
  },
  ask "responsive" {
    "You're responsive: you're prioritizing working on the thing you want so that it can be "
      .. "shipped on time, and to spec. Are you?",
    options = { { "yes", next = "ready_to_validate" }, { "no", next = "not_ready" } },
  },
  ask "ready_to_validate" {
    "You'll be ready to validate and sign off: when Support Operations deploys something to "
      .. "staging, you test (or delegate and organize testing) and sign off before it can go live "
      .. "in production. Will you?",
    options = { { "yes", next = "bug_or_feature" }, { "no", next = "not_ready" } },
  },
  choice "bug_or_feature" {
    "A bug report or a feature request?",
    { label = "Bug", when = function(ctx) return ctx.answers.what_kind == "bug" end, next = "bug_issue" },
    { label = "Feature request", next = "feature_issue" },
  },
  task "bug_issue" {
    "Bugs get created directly in the Customer Support Operations Issue Tracker using the Bug "
      .. "Report Template.",
    run = function(ctx)
      open_issue(ctx, TRACKER, support.templates.bug, { "Bug" })
    end,
    next = "done",
  },
  task "feature_issue" {
    "Feature requests get created directly in the Customer Support Operations Issue Tracker using "
      .. "the Feature Requests Template; the focus is on aligning them with the Support Roadmap.",
    run = function(ctx)
      local on_roadmap = ctx.answers.what_kind == "roadmap feature"
      open_issue(ctx, TRACKER, support.templates.feature, { "Feature request" },
        on_roadmap and "On the Support Roadmap: yes."
          or "On the Support Roadmap: no. A larger request may need the leadership team to re-plan "
            .. "conflicts and protect strategic items.")
    end,
    next = "done",
  },
  ask "rfc_or_change" {
    "You don't totally know yet: create an RFC issue in support-team-meta (`rfc`), or work "
      .. "otherwise within the Change Management in GitLab Support framework (`change management`)?",
    options = { { "rfc", next = "rfc_issue" }, { "change management", next = "change_management" } },
  },
  task "rfc_issue" {
    "Create an RFC issue in support-team-meta.",
    run = function(ctx)
      open_issue(ctx, META, support.templates.rfc, { "RFC" })
    end,
    next = "done",
  },
  succeed "done" {
    "The issue is created: Customer Support Operations works from it.",
  },
  succeed "change_management" {
    "Work within the Change Management in GitLab Support framework "
      .. "(handbook/support/managers/change-management).",
  },
  fail "not_ready" {
    "Customer Support Operations expects the requester to be empowered to decide, responsive, and "
      .. "ready to validate: find the DRI, or come back when you can commit.",
    message = "the requester cannot commit to what Customer Support Operations expects",
  },
}
