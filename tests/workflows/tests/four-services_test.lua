-- Scenarios for the four-services test workflow: exercised by test_hb_test.sh.
local function ticket(sb, id)
  for _, t in ipairs(sb.state.zendesk.tickets) do
    if t.id == id then return t end
  end
end

return scenarios "four-services" {
  scenario "tags the ticket, opens an issue and never replies in public" {
    inputs = { ticket = 1001 },
    path = { "read", "write", "public_reply", "done" },
    status = "succeeded",
    check = function(sb)
      sb:contains(ticket(sb, 1001).tags, "hb_touched", "the tag was added")
      sb:request_count({ method = "POST", path = "/api/v4/projects/[^/]+/issues$" }, 1, "one issue")
      sb:no_request({ method = "PUT", service = "zendesk", body = '"public":true' }, "no public reply")
    end,
  },
}
