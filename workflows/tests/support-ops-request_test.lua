local TRACKER = "gitlab-com/gl-security/corp/cust-support-ops/issue-tracker"
local META = "gitlab-com/support/support-team-meta"
local SIGN_OFF = { { event = "signed_off" }, { answer = { roll_out = "done" } } }

return scenarios "support-ops-request" {
  scenario "a bug goes to the issue tracker with the Bug template, then sign-off and roll-out" {
    inputs = { title = "The L&R macro sets the wrong priority", details = "Steps: apply the macro." },
    answers = { what_kind = "bug", expectations = "yes" },
    actions = SIGN_OFF,
    path = { "what_kind", "expectations", "which_issue", "bug_issue", "validate_and_sign_off",
      "record_sign_off", "roll_out", "done" },
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
      local signed = false
      for _, n in ipairs(i.notes or {}) do
        signed = signed or (n.body or ""):find("Signed off by hb-test", 1, true) ~= nil
          and (n.body or ""):find("this one on 2026-12-01", 1, true) ~= nil
      end
      sb:expect(signed, "the sign-off and the ship date (the 1st of the month) are on the issue")
    end,
  },

  scenario "a roadmap feature goes to the tracker with the Feature template" {
    inputs = { title = "Auto-assign L&R tickets" },
    answers = { what_kind = "roadmap feature", expectations = "yes" },
    actions = SIGN_OFF,
    path = { "what_kind", "expectations", "which_issue", "feature_issue", "validate_and_sign_off",
      "record_sign_off", "roll_out", "done" },
    status = "succeeded",
    check = function(sb)
      local i = sb:new_issues(TRACKER)[1] or {}
      sb:expect((i.description or ""):find("## Feature request", 1, true), "the Feature template")
      sb:expect((i.description or ""):find("On the Support Roadmap: yes.", 1, true), "on the roadmap")
      sb:contains(i.labels, "Feature request", "label")
    end,
  },

  scenario "a feature not on the roadmap still gets an issue, and waits for sign-off" {
    inputs = { title = "A new view for Support Ops" },
    answers = { what_kind = "other feature", expectations = "yes" },
    status = "waiting", step = "validate_and_sign_off",
    check = function(sb)
      local i = sb:new_issues(TRACKER)[1] or {}
      sb:expect((i.description or ""):find("On the Support Roadmap: no.", 1, true), "not on the roadmap")
      sb:equal(#(i.notes or {}), 0, "no sign-off before the requester signs off")
    end,
  },

  scenario "not sure yet: an RFC issue in support-team-meta" {
    inputs = { title = "RFC: rethink ticket routing" },
    answers = { what_kind = "not sure yet", rfc_or_change = "rfc", expectations = "yes" },
    path = { "what_kind", "rfc_or_change", "expectations", "which_issue", "rfc_issue", "rfc_done" },
    status = "succeeded",
    check = function(sb)
      local i = sb:new_issues(META)[1] or {}
      sb:expect((i.description or ""):find("## Request for comments", 1, true), "the RFC template")
      sb:expect((i.description or ""):find("Requester's commitments", 1, true),
        "the expectations hold for an RFC issue too")
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

  -- The page states expectations of a requester; it does not refuse bugs.
  scenario "a bug from a requester who cannot confirm every expectation is still created" {
    inputs = { title = "Views time out" },
    answers = { what_kind = "bug", expectations = "not all yet" },
    path = { "what_kind", "expectations", "which_issue", "bug_issue", "validate_and_sign_off" },
    status = "waiting", step = "validate_and_sign_off",
    check = function(sb)
      local i = sb:new_issues(TRACKER)[1] or {}
      sb:equal(i.title, "Views time out", "the bug report exists")
      sb:expect((i.description or ""):find("could not yet confirm all that Customer Support "
        .. "Operations expects", 1, true), "the issue says so")
    end,
  },

  scenario "a general question goes to the support_operations channel, no issue" {
    inputs = { title = "How do I get a new macro reviewed?" },
    answers = { what_kind = "question" },
    path = { "what_kind", "ask_in_channel" },
    status = "succeeded",
    check = function(sb) sb:no_writes("gitlab") end,
  },
}
