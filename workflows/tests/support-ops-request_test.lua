local TRACKER = "gitlab-com/gl-security/corp/cust-support-ops/issue-tracker"
local META = "gitlab-com/support/support-team-meta"
local COMMITTED = { decision_maker = "yes", responsive = "yes", ready_to_validate = "yes" }

local function with(answers)
  local out = {}
  for k, v in pairs(COMMITTED) do out[k] = v end
  for k, v in pairs(answers) do out[k] = v end
  return out
end

return scenarios "support-ops-request" {
  scenario "a bug goes to the issue tracker with the Bug template" {
    inputs = { title = "The L&R macro sets the wrong priority", details = "Steps: apply the macro." },
    answers = with { what_kind = "bug" },
    path = { "what_kind", "decision_maker", "responsive", "ready_to_validate", "bug_or_feature", "bug_issue", "done" },
    status = "succeeded",
    check = function(sb)
      local issues = sb:new_issues(TRACKER)
      sb:equal(#issues, 1, "one issue")
      local i = issues[1] or {}
      sb:equal(i.title, "The L&R macro sets the wrong priority", "title")
      sb:expect((i.description or ""):find("## Bug report", 1, true), "the Bug template's content")
      sb:expect((i.description or ""):find("Steps: apply the macro.", 1, true), "the details")
      sb:expect((i.description or ""):find("confirmed by hb-test", 1, true), "who committed")
      sb:contains(i.labels, "Bug", "label")
    end,
  },

  scenario "a roadmap feature goes to the tracker with the Feature template" {
    inputs = { title = "Auto-assign L&R tickets" },
    answers = with { what_kind = "roadmap feature" },
    path = { "what_kind", "decision_maker", "responsive", "ready_to_validate", "bug_or_feature", "feature_issue", "done" },
    status = "succeeded",
    check = function(sb)
      local i = sb:new_issues(TRACKER)[1] or {}
      sb:expect((i.description or ""):find("## Feature request", 1, true), "the Feature template")
      sb:expect((i.description or ""):find("On the Support Roadmap: yes.", 1, true), "on the roadmap")
      sb:contains(i.labels, "Feature request", "label")
    end,
  },

  scenario "a feature not on the roadmap still gets an issue" {
    inputs = { title = "A new view for Support Ops" },
    answers = with { what_kind = "other feature" },
    status = "succeeded", step = "done",
    check = function(sb)
      local i = sb:new_issues(TRACKER)[1] or {}
      sb:expect((i.description or ""):find("On the Support Roadmap: no.", 1, true), "not on the roadmap")
    end,
  },

  scenario "not sure yet: an RFC issue in support-team-meta" {
    inputs = { title = "RFC: rethink ticket routing" },
    answers = { what_kind = "not sure yet", rfc_or_change = "rfc" },
    path = { "what_kind", "rfc_or_change", "rfc_issue", "done" },
    status = "succeeded",
    check = function(sb)
      local i = sb:new_issues(META)[1] or {}
      sb:expect((i.description or ""):find("## Request for comments", 1, true), "the RFC template")
      sb:equal(#sb:new_issues(TRACKER), 0, "nothing in the tracker")
    end,
  },

  scenario "not sure yet: the change management route creates nothing" {
    inputs = { title = "Maybe a new macro" },
    answers = { what_kind = "not sure yet", rfc_or_change = "change management" },
    path = { "what_kind", "rfc_or_change", "change_management" },
    status = "succeeded",
    check = function(sb) sb:no_writes("gitlab") end,
  },

  scenario "not the decision maker: no issue" {
    inputs = { title = "A change" },
    answers = { what_kind = "bug", decision_maker = "no" },
    path = { "what_kind", "decision_maker", "not_ready" },
    status = "failed",
    check = function(sb) sb:no_writes("gitlab") end,
  },

  scenario "not responsive: no issue" {
    inputs = { title = "A change" },
    answers = { what_kind = "bug", decision_maker = "yes", responsive = "no" },
    path = { "what_kind", "decision_maker", "responsive", "not_ready" },
    status = "failed",
    check = function(sb) sb:no_writes("gitlab") end,
  },

  scenario "not ready to validate: no issue" {
    inputs = { title = "A change" },
    answers = with { what_kind = "bug", ready_to_validate = "no" },
    path = { "what_kind", "decision_maker", "responsive", "ready_to_validate", "not_ready" },
    status = "failed",
    check = function(sb) sb:no_writes("gitlab") end,
  },
}
