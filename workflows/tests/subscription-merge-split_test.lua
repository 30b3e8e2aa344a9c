-- Ticket 1011 (Umbrella): A-S00002041 (100 seats) and A-S00002042 (40), same
-- invoice owner, both opportunities New Business, owner Olivia Owner.
-- Ticket 1012 (Hooli): A-S00002051 (150, direct) and A-S00002052 (30,
-- invoiced to reseller R00009001). Ticket 1018 (Tyrell): a split of
-- A-S00002101, which has no opportunity in Salesforce.
local OLIVIA = 503

-- Support does not merge or split: nothing is ever written to Zuora or
-- Salesforce.
local function nothing_merged_or_split(sb)
  sb:no_writes("zuora", "Zuora is never changed")
  sb:no_writes("salesforce", "Salesforce is never changed")
end

return scenarios "subscription-merge-split" {
  scenario "same invoice owner, both New Business: cannot merge as they stand; owner copied and pinged" {
    inputs = { ticket = 1011, request = "merge", subscription = "A-S00002041", other_subscription = "A-S00002042" },
    answers = { ping_owner = "pinged" },
    path = { "read_ticket", "merge_or_split", "read_subscriptions", "which_request", "same_invoice_owner",
      "find_opportunity_owner", "owner_found", "which_reply", "reply_cannot_merge", "note_owner_ping",
      "ping_owner", "done" },
    status = "succeeded",
    check = function(sb)
      sb:contains(sb:ticket(1011).email_cc_ids, OLIVIA, "the Opportunity Owner is copied")
      sb:has_reply(1011, "handling this internally with your account owner, Olivia Owner", "handled internally")
      sb:has_reply(1011, "cannot be merged", "both New Business")
      sb:has_note(1011, "Ping Olivia Owner in #support_sales_escalation", "the ping")
      sb:has_note(1011, "(0065e0000UMBRN2AAA) should be credited", "the new opportunity is credited")
      sb:has_note(1011, "add-on to the existing one (0065e0000UMBRN1AAA)", "and resubmitted as an add-on")
      nothing_merged_or_split(sb)
    end,
  },

  scenario "different invoice owners: one license for the sum of Users in license" {
    inputs = { ticket = 1012, request = "merge", subscription = "A-S00002051", other_subscription = "A-S00002052" },
    answers = { license_generated = "generated" },
    path = { "read_ticket", "merge_or_split", "read_subscriptions", "which_request", "same_invoice_owner",
      "state_license_sum", "license_generated", "reply_license_sum", "done" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1012, "150 + 30 = 180 seats", "the sum")
      sb:has_note(1012, "Channel Partner Inc", "the reseller is the other invoice owner")
      sb:has_reply(1012, "(180 seats)", "the customer hears of one license")
      sb:equal(#sb:ticket(1012).email_cc_ids, 0, "nobody copied")
      nothing_merged_or_split(sb)
    end,
  },

  scenario "same invoice owner, booked as new business and add-on: handled internally" {
    sandbox = { salesforce = { Opportunity = { ["0065e0000UMBRN2AAA"] = { Type = "Add-On Business" } } } },
    inputs = { ticket = 1011, request = "merge", subscription = "A-S00002042", other_subscription = "A-S00002041" },
    answers = { ping_owner = "pinged" },
    path = { "read_ticket", "merge_or_split", "read_subscriptions", "which_request", "same_invoice_owner",
      "find_opportunity_owner", "owner_found", "which_reply", "reply_merge", "note_owner_ping",
      "ping_owner", "done" },
    status = "succeeded",
    check = function(sb)
      local r = sb:replies(1011)[1]
      sb:expect(r and not r.body:find("cannot be merged", 1, true), "no 'cannot be merged'")
      sb:contains(sb:ticket(1011).email_cc_ids, OLIVIA, "copied")
      nothing_merged_or_split(sb)
    end,
  },

  scenario "a split: separate instances need separate subscriptions; the sales rep from Zuora" {
    inputs = { ticket = 1018, request = "split", subscription = "A-S00002101" },
    answers = { ping_owner = "pinged" },
    path = { "read_ticket", "merge_or_split", "read_subscriptions", "which_request",
      "find_opportunity_owner", "owner_found", "which_reply", "reply_split", "note_owner_ping",
      "ping_owner", "done" },
    status = "succeeded",
    check = function(sb)
      sb:has_reply(1018, "need separate subscriptions", "explained")
      sb:has_reply(1018, "Support cannot split", "support does not split")
      sb:contains(sb:ticket(1018).email_cc_ids, OLIVIA, "the Zuora sales rep, found in Salesforce")
      sb:has_note(1018, "Ping Olivia Owner", "the ping")
      nothing_merged_or_split(sb)
    end,
  },

  scenario "no owner anywhere: the engineer asks Sales Support" {
    sandbox = { zuora = { accounts = { A00002010 = { salesRep = json.null } } } },
    inputs = { ticket = 1018, request = "split", subscription = "A-S00002101" },
    answers = { ask_owner_email = "omar.seller@gitlab.example", ping_owner = "pinged" },
    path = { "read_ticket", "merge_or_split", "read_subscriptions", "which_request",
      "find_opportunity_owner", "owner_found", "ask_owner_email", "record_owner", "which_reply",
      "reply_split", "note_owner_ping", "ping_owner", "done" },
    status = "succeeded",
    check = function(sb)
      sb:contains(sb:ticket(1018).email_cc_ids, 504, "the owner the engineer named")
      sb:has_reply(1018, "your account owner, Omar Seller,", "named as Zendesk knows them")
      nothing_merged_or_split(sb)
    end,
  },

  scenario "neither merge nor split is refused" {
    inputs = { ticket = 1011, request = "combine", subscription = "A-S00002041" },
    path = { "read_ticket", "merge_or_split", "unknown_request" },
    status = "failed",
    check = function(sb)
      sb:no_writes(nil, "nothing changed anywhere")
    end,
  },
}
