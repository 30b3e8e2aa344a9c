-- The issue offering-migration opens, as a patch (issue 3 of Support Ops'
-- project); issue 1 (Globex, written by hand) lacks the fields.
local OPS = "gitlab-com/support/support-ops/zendesk-organizations"

local function migration_issue(fields)
  return { gitlab = { projects = { [OPS] = { issues = { ["3"] = {
    title = "Product offering migration: Acme Corp (ticket #1001)",
    description = fields, state = "opened", labels = { "Offering migration" }, author_id = 3,
    assignee_ids = {}, notes = {},
  } } } } } }
end

local COMPLETE = "Request: support a product offering migration\n"
  .. "Zendesk organization: Acme Corp (2001)\nZendesk ticket: 1001\n"
  .. "New support level: saas_premium\nMigration target date: 2026-12-31\n"

return scenarios "offering-migration-setup" {
  scenario "Support Ops adds the second tag and the org note, then closes the issue" {
    sandbox = migration_issue(COMPLETE),
    inputs = { issue = 3 },
    path = { "read_issue", "issue_complete", "add_level_tag", "add_org_note", "close_issue", "done" },
    status = "succeeded",
    check = function(sb)
      local org = sb:org(2001)
      sb:equal(org.tags, { "self_managed_premium", "saas_premium" }, "two support level tags")
      sb:expect(org.notes:find("Migrating between offerings; approved GitLab.com Premium support until 2026-12-31", 1, true),
        "the org note: " .. tostring(org.notes))
      sb:equal(org.organization_fields.offering_migration_until, "2026-12-31", "the org field")
      local issue = sb:issue(OPS, 3)
      sb:equal(issue.state, "closed", "the issue is closed")
      sb:expect(#issue.notes >= 1 and (issue.notes[1].body or ""):find("Added `saas_premium`", 1, true),
        "the issue says what was done")
    end,
  },

  scenario "an issue without the fields is sent back to the engineer" {
    inputs = { issue = 1 },
    path = { "read_issue", "issue_complete", "ask_for_details", "incomplete" },
    status = "failed",
    check = function(sb)
      sb:no_writes("zendesk")
      local notes = sb:issue(OPS, 1).notes
      sb:expect((notes[#notes].body or ""):find("lacks Zendesk organization", 1, true),
        "the note names what is missing")
    end,
  },

  scenario "existing org notes are kept" {
    sandbox = migration_issue(COMPLETE:gsub("2001", "2002"):gsub("saas_premium", "saas_ultimate")),
    inputs = { issue = 3 },
    status = "succeeded",
    check = function(sb)
      local org = sb:org(2002)
      sb:expect(org.notes:find("^Offering migration: the customer is migrating"), "the old note stays")
      sb:expect(org.notes:find("approved GitLab.com Ultimate support until 2026-12-31", 1, true), "the new note")
      sb:equal(#org.tags, 2, "still two tags")
    end,
  },
}
