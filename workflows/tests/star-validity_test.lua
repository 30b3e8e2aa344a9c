-- The clock is 2026-11-22T10:00:00Z (a Sunday); Zuora dates in the seed are
-- relative to it. A date-only term end means the start of that day (UTC).
local META = "gitlab-com/support/support-team-meta"

local function star_issue(ticket)
  return { gitlab = { projects = { [META] = { issues = { ["1"] = {
    title = "STAR: ticket #" .. ticket .. " needs attention", description = "Starred by sales.",
    state = "opened", labels = { "STAR" }, author_id = 3, assignee_ids = {}, notes = {},
  } } } } } }
end

return scenarios "star-validity" {
  scenario "in the grace period with more than 24h of it left: no need for STAR" {
    sandbox = star_issue(1004),
    inputs = { ticket = 1004 },
    answers = { collect_feedback = "collected" },
    path = { "read_ticket", "starred_request", "plan_license_request", "is_trial", "in_grace",
      "grace_more_than_24h", "no_need", "collect_feedback", "find_star_issue", "star_issue_found",
      "label_star_issue", "done_no_need" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1004, "No need for STAR. In the grace period, which ends 2026-12-03T00:00:00Z", "why")
      sb:contains(sb:issue(META, 1).labels, "STAR::no need", "the STAR issue is labelled")
      sb:contains(sb:issue(META, 1).labels, "STAR", "and keeps its other labels")
      sb:no_reply(1004)
    end,
  },

  scenario "in the grace period with under 24h left: Ok to STAR" {
    inputs = { ticket = 1005 },
    path = { "read_ticket", "starred_request", "plan_license_request", "is_trial", "in_grace",
      "grace_more_than_24h", "ok_to_star", "done_ok" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1005, "Ok to STAR. In the grace period, which ends 2026-11-23T00:00:00Z: 14h 00m left", "why")
      sb:no_writes("gitlab")
    end,
  },

  scenario "not in grace, the license ends in under 24h: Ok to STAR" {
    inputs = { ticket = 1006 },
    path = { "read_ticket", "starred_request", "plan_license_request", "is_trial", "in_grace",
      "expiring_more_than_24h", "ok_to_star", "done_ok" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1006, "expires 2026-11-23T00:00:00Z (Zuora A-S00002081 termEndDate 2026-11-23): 14h 00m left", "why")
    end,
  },

  scenario "exactly 24h left is not more than 24h: Ok to STAR" {
    inputs = { ticket = 1007 },
    path = { "read_ticket", "starred_request", "plan_license_request", "is_trial", "in_grace",
      "expiring_more_than_24h", "ok_to_star", "done_ok" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1007, "Ok to STAR. The plan/license expires 2026-11-23T10:00:00Z", "the boundary")
      sb:has_note(1007, "24h 00m left", "exactly a day")
    end,
  },

  scenario "the license ends in a month: no need; no STAR issue found, labelled by hand" {
    inputs = { ticket = 1008 },
    answers = { collect_feedback = "collected", label_by_hand = "labelled" },
    path = { "read_ticket", "starred_request", "plan_license_request", "is_trial", "in_grace",
      "expiring_more_than_24h", "no_need", "collect_feedback", "find_star_issue",
      "star_issue_found", "label_by_hand", "done_no_need" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1008, "No need for STAR", "the decision")
      sb:no_writes("gitlab")
    end,
  },

  scenario "a sales assisted trial expiring tomorrow (from the engineer): Ok to STAR" {
    inputs = { ticket = 1009 },
    answers = { ask_expiry = "2026-11-23" },
    path = { "read_ticket", "starred_request", "plan_license_request", "is_trial",
      "read_trial_opportunity", "sales_assisted", "expiring_more_than_24h", "ask_expiry",
      "record_expiry", "back_to_chart", "expiring_more_than_24h", "ok_to_star", "done_ok" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1009, "The trial expires 2026-11-23T00:00:00Z (given by hb-test)", "the answer is the source")
      sb:request_count({ service = "salesforce", path = "/query" }, 1, "Salesforce was asked")
      sb:no_request({ service = "zuora" }, "Soylent has no Zuora account")
    end,
  },

  scenario "a sales assisted trial with two weeks left: no need" {
    sandbox = star_issue(1009),
    inputs = { ticket = 1009 },
    answers = { ask_expiry = "2026-12-06", collect_feedback = "collected" },
    status = "succeeded", step = "done_no_need",
    check = function(sb)
      sb:has_note(1009, "No need for STAR. The trial expires 2026-12-06", "why")
      sb:contains(sb:issue(META, 1).labels, "STAR::no need", "labelled")
    end,
  },

  scenario "a trial that is not sales assisted: no need for STAR" {
    inputs = { ticket = 1010 },
    answers = { collect_feedback = "collected", label_by_hand = "labelled" },
    path = { "read_ticket", "starred_request", "plan_license_request", "is_trial",
      "read_trial_opportunity", "sales_assisted", "no_need", "collect_feedback", "find_star_issue", "star_issue_found", "label_by_hand", "done_no_need" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1010, "A trial request, and not a sales assisted trial", "why")
    end,
  },

  scenario "wrong product sold: Ok to STAR once sales has intervened" {
    inputs = { ticket = 1019 },
    answers = { sales_intervention = "not yet" },
    actions = { { answer = { sales_intervention = "after sales intervention" } } },
    path = { "read_ticket", "starred_request", "sales_intervention", "engage_sales",
      "sales_intervention", "ok_to_star", "done_ok" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1019, "ask Omar Seller (opportunity owner) to correct the order", "sales is engaged")
      sb:has_note(1019, "Wrong product sold, after sales intervention (confirmed by hb-test)", "why")
    end,
  },

  scenario "force reassociate: deflected with the docs" {
    sandbox = { zendesk = { tickets = { ["1015"] = { tags = { "saas_premium", "lnr_force_reassociate", "star" } } } } },
    inputs = { ticket = 1015 },
    answers = { edge_case = "deflected" },
    path = { "read_ticket", "starred_request", "deflect_with_docs", "edge_case", "deflected" },
    status = "succeeded",
    check = function(sb)
      sb:has_reply(1015, "docs.gitlab.com", "the docs")
      sb:equal(#sb:notes(1015), 0, "no STAR decision note")
    end,
  },

  scenario "force reassociate, an edge case: Ok to STAR" {
    sandbox = { zendesk = { tickets = { ["1015"] = { tags = { "saas_premium", "lnr_force_reassociate", "star" } } } } },
    inputs = { ticket = 1015 },
    answers = { edge_case = "edge case" },
    path = { "read_ticket", "starred_request", "deflect_with_docs", "edge_case", "ok_to_star", "done_ok" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1015, "Ok to STAR. Force reassociate: an edge case", "why")
    end,
  },

  scenario "no Zuora account: the engineer gives the license's expiry" {
    sandbox = { zendesk = { tickets = { ["1010"] = { tags = { "lnr_renewal_delay", "star" } } } } },
    inputs = { ticket = 1010 },
    answers = { ask_expiry = "2027-01-10", collect_feedback = "collected", label_by_hand = "labelled" },
    path = { "read_ticket", "starred_request", "plan_license_request", "is_trial", "in_grace",
      "ask_expiry", "record_expiry", "back_to_chart", "in_grace", "expiring_more_than_24h",
      "no_need", "collect_feedback", "find_star_issue", "star_issue_found", "label_by_hand",
      "done_no_need" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1010, "The plan/license expires 2027-01-10T00:00:00Z (given by hb-test)", "from the answer")
      sb:no_request({ service = "zuora" }, "no Zuora account to read")
    end,
  },

  -- Without a Zuora term end, "Is the customer in the grace period?" cannot
  -- be answered from data: the date is asked, and the grace period follows
  -- from it. A license that ended three days ago has 11 days of grace left.
  scenario "no Zuora date, the license ended 3 days ago: in the grace period, no need for STAR" {
    sandbox = { zendesk = { tickets = { ["1010"] = { tags = { "lnr_renewal_delay", "star" } } } } },
    inputs = { ticket = 1010 },
    answers = { ask_expiry = "2026-11-19", collect_feedback = "collected", label_by_hand = "labelled" },
    path = { "read_ticket", "starred_request", "plan_license_request", "is_trial", "in_grace",
      "ask_expiry", "record_expiry", "back_to_chart", "in_grace", "grace_more_than_24h", "no_need",
      "collect_feedback", "find_star_issue", "star_issue_found", "label_by_hand", "done_no_need" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1010, "No need for STAR. In the grace period, which ends 2026-12-03T00:00:00Z: 254h 00m left",
        "the chart's answer for a license in its grace period")
      sb:request_count({ service = "zendesk", body = "Ok to STAR" }, 0, "never Ok to STAR")
    end,
  },

  scenario "long after the grace period ended: Ok to STAR" {
    now = "2026-12-20T10:00:00Z",
    sandbox = { zuora = { subscriptions = { ["A-S00002031"] = { termEndDate = "2026-11-19" } } } },
    inputs = { ticket = 1004 },
    status = "succeeded", step = "done_ok",
    check = function(sb)
      sb:has_note(1004, "Ok to STAR. The plan/license expired 2026-11-19T00:00:00Z", "an expired license")
    end,
  },
}
