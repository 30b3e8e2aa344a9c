/* Helpers shared by pagerduty.c (REST API v2) and pagerduty_events.c
 * (Events API v2).
 *
 * State: data.pagerduty = {"users", "escalation_policies", "services",
 * "incidents"}. A service names its policy by escalation_policy_id and
 * lists its integrations; the Events API v2 integration whose
 * integration_key is "@sandbox" takes the generated PAGERDUTY_ROUTING_KEY.
 * Incidents name their service by service_id and keep the alerts of the
 * events that made them. */
#ifndef HB_SANDBOX_PAGERDUTY_INTERNAL_H
#define HB_SANDBOX_PAGERDUTY_INTERNAL_H

#include "sandbox_internal.h"

cJSON *sb_pd_coll(cJSON *data, const char *name);
/* A new incident on service, triggered now, assigned to the first level
 * of its escalation policy, appended to the state. requester (a user) may
 * be NULL for one made by an event. */
cJSON *sb_pd_new_incident(sb_ctx *cx, const cJSON *service, const char *title, const char *urgency,
                          const char *incident_key, const cJSON *requester);
/* The open (not resolved) incident of service with this key, or NULL. */
cJSON *sb_pd_open_incident(cJSON *data, const char *service_id, const char *incident_key);
/* Moves an incident to acknowledged or resolved, by user (or NULL). */
void sb_pd_set_status(sb_ctx *cx, cJSON *incident, const char *status, const cJSON *user);

#endif
