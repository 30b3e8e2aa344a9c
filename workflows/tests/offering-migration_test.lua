-- Ticket 1001: Acme (self_managed_premium only) with a GitLab.com problem.
-- Ticket 1003: Acme with a self-managed problem. Support Ops' work is played
-- by sandbox patches: the org gets its second tag, the issue is closed.
local OPS = "gitlab-com/support/support-ops/zendesk-organizations"

local function ops_done(level_tag)
  return { sandbox = {
    zendesk = { organizations = { ["2001"] = { tags = { "self_managed_premium", level_tag } } } },
    gitlab = { projects = { [OPS] = { issues = { ["3"] = { state = "closed", closed_at = "@now" } } } } },
  } }
end

local function ops_closed_without_tag()
  return { sandbox = { gitlab = { projects = { [OPS] = { issues = {
    ["3"] = { state = "closed", closed_at = "@now" } } } } } } }
end

return scenarios "offering-migration" {
  scenario "the customer answers; Support Ops sets up the org; the misaligned tag goes" {
    inputs = { ticket = 1001 },
    answers = { involves_unpaid_offering = "yes" },
    actions = {
      { event = "customer_reply", payload = { level = "Premium", date = "2026-12-31" } },
      ops_done("saas_premium"),
      { advance = "1h" },
    },
    path = { "read_ticket", "involves_unpaid_offering", "contact_customer", "customer_reply",
      "record_reply", "level_given", "date_given", "open_ops_issue", "note_migration",
      "support_ops_done", "plan_tag_alignment", "sure_which_tag", "align_tags", "done" },
    status = "succeeded",
    check = function(sb)
      sb:has_reply(1001, "we intend to support you anyway", "first, explain we support them anyway")
      sb:has_reply(1001, "target date", "ask for the target date")
      local issues = sb:new_issues(OPS)
      sb:equal(#issues, 1, "one Support Ops issue")
      local d = issues[1] and issues[1].description or ""
      sb:expect(d:find("Request: support a product offering migration", 1, true), "names the request")
      sb:expect(d:find("Zendesk organization: Acme Corp (2001)", 1, true), "names the organization")
      sb:expect(d:find("Zendesk ticket: 1001", 1, true), "names the ticket")
      sb:expect(d:find("Zendesk ticket: 1001 (http", 1, true) and d:find("/agent/tickets/1001)", 1, true),
        "with its agent page, for Support Ops to open it")
      sb:equal(sb:ticket(1001).status, "pending", "the question to the customer set the ticket to pending")
      sb:expect(d:find("New support level: saas_premium", 1, true), "names the new level")
      sb:expect(d:find("Migration target date: 2026-12-31", 1, true), "names the target date")
      sb:contains(issues[1] and issues[1].labels, "Offering migration", "label")
      sb:has_note(1001, "Product offering migration:", "the note the follow-up looks for")
      sb:contains(sb:tags(1001), "saas_premium", "the tag that matches the problem")
      sb:lacks(sb:tags(1001), "self_managed_premium", "the tag that does not belong is removed")
    end,
  },

  scenario "the problem involves the paid offering: out of scope" {
    inputs = { ticket = 1003 },
    answers = { involves_unpaid_offering = "no" },
    path = { "read_ticket", "involves_unpaid_offering", "out_of_scope" },
    status = "succeeded",
    check = function(sb)
      sb:no_writes()
      sb:equal(sb:tags(1003), { "self_managed_premium" }, "tags untouched")
    end,
  },

  scenario "the reply gives only the date; the engineer supplies the level" {
    inputs = { ticket = 1001 },
    answers = { involves_unpaid_offering = "yes" },
    actions = {
      { event = "customer_reply", payload = { date = "2027-01-15" } },
      { answer = { ask_level = "ultimate" } },
    },
    path = { "read_ticket", "involves_unpaid_offering", "contact_customer", "customer_reply",
      "record_reply", "level_given", "ask_level", "date_given", "open_ops_issue",
      "note_migration", "support_ops_done" },
    status = "waiting", step = "support_ops_done",
    check = function(sb)
      local d = sb:new_issues(OPS)[1].description
      sb:expect(d:find("New support level: saas_ultimate", 1, true), "the engineer's level")
      sb:expect(d:find("Migration target date: 2027-01-15", 1, true), "the customer's date")
    end,
  },

  scenario "no reply in 3 days: the engineer collects both answers" {
    inputs = { ticket = 1001 },
    answers = { involves_unpaid_offering = "yes" },
    actions = {
      { advance = "3d" },
      { answer = { ask_level = "premium", ask_target_date = "2027-02-01" } },
    },
    path = { "read_ticket", "involves_unpaid_offering", "contact_customer", "customer_reply",
      "level_given", "ask_level", "date_given", "ask_target_date", "open_ops_issue",
      "note_migration", "support_ops_done" },
    status = "waiting", step = "support_ops_done",
    check = function(sb)
      local d = sb:new_issues(OPS)[1].description
      sb:expect(d:find("Migration target date: 2027-02-01", 1, true), "the engineer's date")
      sb:has_note(1001, "until the migration target date, 2027-02-01", "note names the date")
    end,
  },

  scenario "Support Ops is slow: ping #support_operations, keep waiting" {
    inputs = { ticket = 1001 },
    answers = { involves_unpaid_offering = "yes" },
    actions = {
      { event = "customer_reply", payload = { level = "premium", date = "2026-12-31" } },
      { advance = "5d" },
      { answer = { ping_support_ops = "pinged" } },
      ops_done("saas_premium"),
      { advance = "1h" },
    },
    path = { "read_ticket", "involves_unpaid_offering", "contact_customer", "customer_reply",
      "record_reply", "level_given", "date_given", "open_ops_issue", "note_migration",
      "support_ops_done", "ping_support_ops", "support_ops_done", "plan_tag_alignment",
      "sure_which_tag", "align_tags", "done" },
    status = "succeeded",
    check = function(sb)
      sb:lacks(sb:tags(1001), "self_managed_premium", "aligned after the ping")
      sb:expect(#sb:requests_matching { service = "gitlab", method = "GET", path = "/issues/3$" } >= 2,
        "the issue was polled")
    end,
  },

  scenario "the org has no tag for the new offering: the engineer chooses" {
    inputs = { ticket = 1001 },
    answers = { involves_unpaid_offering = "yes" },
    actions = {
      { event = "customer_reply", payload = { level = "premium", date = "2026-12-31" } },
      ops_closed_without_tag(),
      { advance = "1h" },
      { answer = { ask_which_tag = "none" } },
    },
    path = { "read_ticket", "involves_unpaid_offering", "contact_customer", "customer_reply",
      "record_reply", "level_given", "date_given", "open_ops_issue", "note_migration",
      "support_ops_done", "plan_tag_alignment", "sure_which_tag", "ask_which_tag",
      "remove_chosen_tag", "done" },
    status = "succeeded",
    check = function(sb)
      sb:contains(sb:tags(1001), "self_managed_premium", "nothing removed on `none`")
      sb:no_request({ service = "zendesk", method = "DELETE" }, "no tag removed")
    end,
  },

  scenario "the engineer removes the tag they chose" {
    inputs = { ticket = 1001 },
    answers = { involves_unpaid_offering = "yes" },
    actions = {
      { event = "customer_reply", payload = { level = "premium", date = "2026-12-31" } },
      ops_closed_without_tag(),
      { advance = "1h" },
      { answer = { ask_which_tag = "self_managed_premium" } },
    },
    status = "succeeded", step = "done",
    check = function(sb)
      sb:lacks(sb:tags(1001), "self_managed_premium", "the chosen tag is removed")
      sb:has_note(1001, "chosen by hb-test", "who chose is recorded")
    end,
  },
}
