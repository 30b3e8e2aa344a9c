-- Waits for the customer's reply (an event) with a timeout.
return workflow "event-wait" {
  title = "Wait for the customer",
  inputs = { ticket = "integer" },
  task "ask_customer" {
    "Ask the customer for the target date.",
    run = function(ctx) ctx.vars.asked_at = ctx.now() end,
  },
  wait "customer_reply" {
    "The customer replies with the date.",
    event = "customer_reply",
    timeout = "2d", on_timeout = "chase",
  },
  task "record" {
    "Record the date from the reply.",
    run = function(ctx) ctx.vars.date = ctx.events.customer_reply.date end,
    next = "done",
  },
  task "chase" {
    "Chase the customer.",
    run = function(ctx) ctx.vars.chased = true end,
  },
  succeed "done" { "Have the date." },
}
