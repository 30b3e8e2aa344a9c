-- Ticket 1002: Globex (both self_managed_ultimate and saas_ultimate), a
-- GitLab.com problem, and Support Ops' internal note marking the migration.
return scenarios "offering-migration-followup" {
  scenario "the note is found and the tag that does not align is removed" {
    inputs = { ticket = 1002 },
    path = { "read_ticket", "migration_note", "sure_which_tag", "align_tags", "done" },
    status = "succeeded",
    check = function(sb)
      sb:lacks(sb:tags(1002), "self_managed_ultimate", "the self-managed tag goes")
      sb:contains(sb:tags(1002), "saas_ultimate", "the GitLab.com tag stays")
      sb:has_note(1002, "removed self_managed_ultimate", "the change is noted")
      sb:equal(#sb:org(2002).tags, 2, "the organization keeps both")
    end,
  },

  -- "find an internal note indicating that it involves a product offering
  -- migration": a person's note in their own words counts, not only hb's.
  scenario "a note a person wrote in their own words is recognised" {
    sandbox = { zendesk = { tickets = { ["1002"] = { comments = { ["30003"] = {
      body = "Heads up: Globex is in a product offering migration, SaaS Ultimate approved until March." } } } } } },
    inputs = { ticket = 1002 },
    path = { "read_ticket", "migration_note", "sure_which_tag", "align_tags", "done" },
    status = "succeeded",
    check = function(sb)
      sb:lacks(sb:tags(1002), "self_managed_ultimate", "the misaligned tag goes")
      sb:contains(sb:tags(1002), "saas_ultimate", "the GitLab.com tag stays")
    end,
  },

  scenario "a note that may mean a migration: the engineer confirms it" {
    sandbox = { zendesk = { tickets = { ["1002"] = { comments = { ["30003"] = {
      body = "Customer is migrating their projects to GitLab.com this quarter." } } } } } },
    inputs = { ticket = 1002 },
    answers = { confirm_note = "yes" },
    path = { "read_ticket", "migration_note", "confirm_note", "sure_which_tag", "align_tags", "done" },
    status = "succeeded",
    check = function(sb)
      sb:lacks(sb:tags(1002), "self_managed_ultimate", "removed once confirmed")
    end,
  },

  scenario "a note that says it is not an offering migration: asked, and left alone" {
    sandbox = { zendesk = { tickets = { ["1002"] = { comments = { ["30003"] = {
      body = "Checked with Support Ops: this is NOT an offering migration." } } } } } },
    inputs = { ticket = 1002 },
    answers = { confirm_note = "no" },
    path = { "read_ticket", "migration_note", "confirm_note", "not_a_migration" },
    status = "succeeded",
    check = function(sb)
      sb:no_writes("zendesk")
    end,
  },

  scenario "a ticket without the note is left alone" {
    inputs = { ticket = 1001 },
    path = { "read_ticket", "migration_note", "not_a_migration" },
    status = "succeeded",
    check = function(sb)
      sb:no_writes("zendesk")
    end,
  },

  scenario "the problem's offering is unknown: the engineer chooses" {
    sandbox = { zendesk = { tickets = { ["1002"] = {
      custom_fields = { { id = 900001, value = json.null } },
      tags = { "self_managed_ultimate", "saas_ultimate" } } } } },
    inputs = { ticket = 1002 },
    answers = { ask_which_tag = "self_managed_ultimate" },
    path = { "read_ticket", "migration_note", "sure_which_tag", "ask_which_tag", "remove_chosen_tag", "done" },
    status = "succeeded",
    check = function(sb)
      sb:equal(sb:tags(1002), { "saas_ultimate" }, "the chosen tag is removed")
      sb:has_note(1002, "chosen by hb-test", "who chose it")
    end,
  },
}
