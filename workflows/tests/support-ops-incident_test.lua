-- Slack and PagerDuty have no binding: these runs touch no service at all,
-- which each scenario asserts. 2026-11-23 is a Monday, 2026-11-22 a Sunday.
local MONDAY = "2026-11-23T10:00:00Z"

local function touches_nothing(sb)
  sb:request_count({}, 0, "no service is called")
end

return scenarios "support-ops-incident" {
  scenario "Mission Critical, no response in 10 minutes: create the incident" {
    now = MONDAY,
    inputs = { system = "Zendesk", problem = "Agents cannot log in." },
    answers = { criticality = "mission_critical", post_in_channel = "posted" },
    actions = {
      { advance = "10m" },
      { answer = { create_incident = "PD-4242" } },
      { answer = { plan_with_on_call = "planned" } },
    },
    path = { "criticality", "support_hours", "compose_post", "post_in_channel", "response",
      "create_incident", "record_incident", "plan_with_on_call", "done" },
    status = "succeeded",
    check = touches_nothing,
  },

  scenario "Business Critical: still waiting after 29 minutes" {
    now = MONDAY,
    inputs = { system = "L&R macro", problem = "The macro fails." },
    answers = { criticality = "business_critical", post_in_channel = "posted" },
    actions = { { advance = "29m" } },
    status = "waiting", step = "response",
    check = touches_nothing,
  },

  scenario "Business Operational: incident after 8 hours" {
    now = MONDAY,
    inputs = { system = "Reports", problem = "A dashboard is empty." },
    answers = { criticality = "business_operational", post_in_channel = "posted" },
    actions = { { advance = "7h59m" }, { advance = "1m" } },
    status = "waiting", step = "create_incident",
    check = touches_nothing,
  },

  scenario "Administrative: 23 hours is not yet 24" {
    now = MONDAY,
    inputs = { system = "Team page", problem = "A typo." },
    answers = { criticality = "administrative", post_in_channel = "posted" },
    actions = { { advance = "23h" } },
    status = "waiting", step = "response",
    check = touches_nothing,
  },

  scenario "a response ends the wait early" {
    now = MONDAY,
    inputs = { system = "Zendesk", problem = "Views are slow." },
    answers = { criticality = "administrative", post_in_channel = "posted" },
    actions = { { advance = "2h" }, { event = "support_ops_response", payload = { by = "sofia.ops" } } },
    path = { "criticality", "support_hours", "compose_post", "post_in_channel", "response",
      "work_with_support_ops" },
    status = "succeeded",
    check = touches_nothing,
  },

  scenario "an Administrative system on a Sunday: nothing is posted before Monday" {
    now = "2026-11-22T10:00:00Z",
    inputs = { system = "Team page", problem = "A typo." },
    answers = { criticality = "administrative" },
    actions = { { advance = "13h59m" } },
    status = "waiting", step = "wait_for_support_hours",
    check = touches_nothing,
  },

  scenario "a Business Operational system on a Sunday: post when Global Support Hours begin" {
    now = "2026-11-22T10:00:00Z",
    inputs = { system = "Reports", problem = "A dashboard is empty." },
    answers = { criticality = "business_operational" },
    actions = { { advance = "13h" }, { advance = "1h" }, { answer = { post_in_channel = "posted" } } },
    path = { "criticality", "support_hours", "wait_for_support_hours", "compose_post",
      "post_in_channel", "response" },
    status = "waiting", step = "response",
    check = touches_nothing,
  },

  -- The escalation clock of a critical system does not wait for office
  -- hours: a Mission Critical outage on a Saturday morning reaches PagerDuty
  -- after the page's 10 minutes, not after the weekend.
  scenario "a Mission Critical outage on Saturday 09:00 UTC: posted at once, the incident 10 minutes later" {
    now = "2026-11-21T09:00:00Z",
    inputs = { system = "Zendesk", problem = "Agents cannot log in." },
    answers = { criticality = "mission_critical", post_in_channel = "posted" },
    actions = { { advance = "10m" } },
    path = { "criticality", "support_hours", "compose_post", "post_in_channel", "response",
      "create_incident" },
    status = "waiting", step = "create_incident",
    check = touches_nothing,
  },

  scenario "a Business Critical system on a Sunday: still waiting for a response after 29 minutes" {
    now = "2026-11-22T10:00:00Z",
    inputs = { system = "L&R macro", problem = "The macro fails." },
    answers = { criticality = "business_critical", post_in_channel = "posted" },
    actions = { { advance = "29m" } },
    path = { "criticality", "support_hours", "compose_post", "post_in_channel", "response" },
    status = "waiting", step = "response",
    check = touches_nothing,
  },
}
