-- Handbook: Working with Customer Support Operations, "Incidents". Slack and
-- PagerDuty have no binding: hb tells the engineer what to post and create,
-- times the wait by the system's criticality, and records who did what.
local support = require "support"
local messages = require "messages"

local CHANNEL = support.slack.support_operations_incidents

return workflow "support-ops-incident" {
  title = "Report an incident to Customer Support Operations and escalate when nobody responds",
  handbook = "support/workflows/working-with-customer-support-operations#incidents",
  uses = {},
  forbid = {},
  inputs = {
    system = { type = "string", description = "the system that is broken (Zendesk, a macro, an app...)" },
    problem = { type = "string", description = "what is broken, in a sentence" },
  },
  words = { channel = CHANNEL, hours = support.global_support_hours,
    waits = support.criticality_waits() },

  ask "criticality" {
    [[Review the Customer Support Operations System Criticality Sheet: how critical is the
      affected system?]],
    value = "enum", choices = support.criticality_order,
  },
  choice "support_hours" {
    [[Start by posting in {channel} (during Global Support Hours: {hours}). The escalation
      clock of a Business or Mission Critical system does not wait for them: post now, and
      the clock starts now.]],
    { label = "Critical: the clock starts now", next = "compose_post",
      when = one_of("criticality", support.clock_starts_at_once) },
    { label = "During Global Support Hours", next = "compose_post",
      when = function(ctx) return support.in_global_support_hours(ctx.now()) end },
    { label = "Outside Global Support Hours", next = "wait_for_support_hours" },
  },
  wait "wait_for_support_hours" {
    [[Outside Global Support Hours ({hours}), and the system is not Business or Mission
      Critical: wait for them to begin, then post.]],
    at = function(ctx) return support.format_time(support.next_global_support_hours(ctx.now())) end,
  },
  task "compose_post" {
    [[Write the post for {channel} (it is in the trail: hb audit show RUN).]],
    run = function(ctx)
      ctx.log(messages.incident_post {
        channel = CHANNEL, system = ctx.input.system, problem = ctx.input.problem,
        criticality = support.criticality[ctx.answers.criticality].label,
      })
    end,
  },
  ask "post_in_channel" {
    [[Start by posting in {channel} (the text is in the trail). Answer `posted`.]],
    options = { { "posted", next = "response" } },
  },
  wait "response" {
    [[Wait for a response. Continue down this list if you get no response for {waits}. When
      Customer Support Operations responds: hb resume RUN --event support_ops_response.]],
    event = "support_ops_response",
    timeout = function(ctx) return support.response_wait(ctx.answers.criticality) end,
    on_timeout = "create_incident",
    next = "work_with_support_ops",
  },
  succeed "work_with_support_ops" {
    [[Customer Support Operations responded: work with them on it.]],
  },
  ask "create_incident" {
    [[No response in time: create a new incident
      (https://gitlab.pagerduty.com/incidents/create) with "Customer Support Operations" as
      the Impacted Service, and give its number.]],
    value = "string",
  },
  task "record_incident" {
    [[Record the incident that was created, and by whom.]],
    run = function(ctx)
      ctx.log(("PagerDuty incident %s created by %s (Impacted Service: Customer Support Operations)")
        :format(ctx.answers.create_incident, ctx.run.actor))
    end,
  },
  ask "plan_with_on_call" {
    [[Be available to work with the on-call to develop a plan to resolve the problem. Answer
      `planned` once there is a plan.]],
    options = { { "planned", next = "done" } },
  },
  succeed "done" {
    [[The on-call has the incident and a plan.]],
  },
}
