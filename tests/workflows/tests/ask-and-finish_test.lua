-- Scenarios for ask-and-finish, two of them wrong on purpose: test_hb_test.sh
-- checks that hb test reports them.
return scenarios "ask-and-finish" {
  scenario "answers in two goes" {
    inputs = { ticket = 1001 },
    answers = { in_scope = "yes" },
    actions = { { answer = { level = "premium", seats = "10" } } },
    path = { "prepare", "in_scope", "level", "seats", "record", "done" },
    status = "succeeded",
    check = function(sb) sb:request_count({ service = "zendesk" }, 0, "no service was called") end,
  },
  scenario "expects the wrong path" {
    inputs = { ticket = 1001 },
    answers = { in_scope = "no" },
    path = { "prepare", "in_scope", "level" },
    check = function(sb) sb:request_count({}, 0, "nothing was sent") end,
  },
  scenario "asserts nothing about the sandbox" {
    inputs = { ticket = 1001 },
    answers = { in_scope = "no" },
    status = "succeeded",
  },
}
