-- A workflow with a judgement ask and a value ask: pauses, resumes, finishes.
return workflow "ask-and-finish" {
  title = "Ask two questions and finish",
  handbook = "tests/ask-and-finish",
  inputs = { ticket = "integer", note = "string?" },

  task "prepare" {
    "Remember the ticket.",
    run = function(ctx)
      ctx.vars.ticket = ctx.input.ticket
      ctx.vars.tags = json.array {}
      ctx.vars.big = 9007199254740991
      ctx.log("preparing ticket", ctx.input.ticket)
    end,
  },
  ask "in_scope" {
    "Is the request in scope?",
    options = { { "yes", next = "level" }, { "no", next = "out_of_scope" } },
  },
  ask "level" {
    "Which support level?",
    value = "enum",
    choices = function(ctx) return { "premium", "ultimate" } end,
  },
  ask "seats" {
    "How many seats?",
    value = "integer",
  },
  task "record" {
    "Record the answers.",
    run = function(ctx)
      ctx.vars.summary = ctx.answers.level .. ":" .. ctx.answers.seats
      ctx.vars.double = ctx.answers.seats * 2
    end,
  },
  succeed "done" { "Recorded." },
  succeed "out_of_scope" { "Nothing to do." },
}
