return scenarios "prohibitions" {
  scenario "a non-trial license is refused before anything is sent" {
    inputs = { attempt = "license", ticket = 1004 },
    path = { "which", "non_trial_license" },
    status = "failed",
    check = function(sb)
      sb:no_writes("zendesk", "nothing reached Zendesk")
      sb:equal(#sb:notes(1004), 0, "no license request note")
    end,
  },

  scenario "a trial license may go to another email; no other license may" {
    inputs = { attempt = "trial", ticket = 1004 },
    path = { "which", "trial_to_other_email", "done" },
    status = "succeeded",
    check = function(sb)
      sb:has_note(1004, "Send to: someone.else@initech.example", "the trial exception")
      sb:has_note(1004, "License request: TRIAL license", "a trial")
    end,
  },

  scenario "a public reply is refused where the workflow forbids it" {
    inputs = { attempt = "reply", ticket = 1004 },
    path = { "which", "public_reply" },
    status = "failed",
    check = function(sb)
      sb:no_reply(1004, "no public comment")
      sb:no_writes("zendesk", "the refusal happens before any request")
    end,
  },
}
