/* PagerDuty Events API v2: POST /v2/enqueue with a routing_key (the
 * integration key of one service's Events API v2 integration) and an
 * event_action. A trigger opens an incident on that service, or joins the
 * open one with the same dedup_key as PagerDuty deduplicates; acknowledge
 * and resolve move it on. The answer is 202 {status, message, dedup_key};
 * a bad event is 400 {status: "invalid event", message, errors}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagerduty_internal.h"

#define ROUTING_KEY_LEN 32

/* The service whose integration has this key. "@sandbox" in the seed
 * stands for the generated PAGERDUTY_ROUTING_KEY. */
static const cJSON *service_for_key(sb_ctx *cx, const char *key)
{
    const char *generated = sb_get_str(
        cJSON_GetObjectItemCaseSensitive(cx->sb->state, "credentials"), "pagerduty_routing_key");
    const cJSON *s;
    cJSON_ArrayForEach(s, sb_pd_coll(cx->data, "services"))
    {
        const cJSON *in;
        cJSON_ArrayForEach(in, cJSON_GetObjectItemCaseSensitive(s, "integrations"))
        {
            const char *k = sb_get_str(in, "integration_key");
            if (k && !strcmp(k, "@sandbox"))
                k = generated;
            if (k && !strcmp(k, key))
                return s;
        }
    }
    return NULL;
}

static void invalid_event(sb_ctx *cx, const char *detail)
{
    sb_pd_events_error(cx, 400, "invalid event", "Event object is invalid", detail);
}

static bool one_of(const char *v, const char *const *allowed)
{
    for (const char *const *a = allowed; v && *a; a++) {
        if (!strcmp(v, *a))
            return true;
    }
    return false;
}

/* The payload's required fields; false having replied when one is bad. */
static bool payload_ok(sb_ctx *cx, const cJSON *payload)
{
    static const char *const severities[] = {"critical", "error", "warning", "info", NULL};
    if (!cJSON_IsObject(payload)) {
        invalid_event(cx, "'payload' is missing or not an object");
        return false;
    }
    static const char *const required[] = {"summary", "source", "severity"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        const char *v = sb_get_str(payload, required[i]);
        if (!v || !*v) {
            char *detail = hb_xasprintf("'payload.%s' is missing or blank", required[i]);
            invalid_event(cx, detail);
            free(detail);
            return false;
        }
    }
    if (!one_of(sb_get_str(payload, "severity"), severities)) {
        invalid_event(cx, "'payload.severity' must be one of critical, error, warning or info");
        return false;
    }
    return true;
}

static void record_alert(cJSON *incident, const cJSON *event)
{
    cJSON *alerts = sb_array_field(incident, "alerts");
    char now[32];
    sb_now_seconds(now);
    cJSON *alert = cJSON_CreateObject();
    cJSON_AddStringToObject(alert, "created_at", now);
    static const char *const kept[] = {"payload", "client", "client_url", "links", "images"};
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(event, kept[i]);
        if (v)
            cJSON_AddItemToObject(alert, kept[i], cJSON_Duplicate(v, true));
    }
    cJSON_AddItemToArray(alerts, alert);
}

static void accepted(sb_ctx *cx, const char *dedup_key)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "status", "success");
    cJSON_AddStringToObject(body, "message", "Event processed");
    cJSON_AddStringToObject(body, "dedup_key", dedup_key);
    sb_reply_json(cx, 202, body);
}

void sb_h_pd_enqueue(sb_ctx *cx)
{
    static const char *const actions[] = {"trigger", "acknowledge", "resolve", NULL};
    const cJSON *event = sb_body_json(cx);
    if (!cJSON_IsObject(event)) {
        sb_pd_events_error(cx, 400, "Unrecognized object", "Event object format is unrecognized",
                           "JSON parse error");
        return;
    }
    const char *key = sb_get_str(event, "routing_key");
    const char *action = sb_get_str(event, "event_action");
    const char *dedup = sb_get_str(event, "dedup_key");
    if (!key || strlen(key) != ROUTING_KEY_LEN) {
        invalid_event(cx, "Length of 'routing_key' is incorrect (should be 32 characters)");
        return;
    }
    const cJSON *service = service_for_key(cx, key);
    if (!service) {
        invalid_event(cx, "Invalid routing key");
        return;
    }
    if (!one_of(action, actions)) {
        invalid_event(cx, "'event_action' is missing or invalid");
        return;
    }
    if (strcmp(action, "trigger") != 0 && (!dedup || !*dedup)) {
        invalid_event(cx, "'dedup_key' is missing or blank");
        return;
    }
    const char *sid = sb_get_str(service, "id");
    if (!strcmp(action, "trigger")) {
        const cJSON *payload = cJSON_GetObjectItemCaseSensitive(event, "payload");
        if (!payload_ok(cx, payload))
            return;
        cJSON *incident = dedup && *dedup ? sb_pd_open_incident(cx->data, sid, dedup) : NULL;
        if (!incident) {
            const char *severity = sb_get_str(payload, "severity");
            bool high = !strcmp(severity, "critical") || !strcmp(severity, "error");
            incident =
                sb_pd_new_incident(cx, service, sb_get_str(payload, "summary"),
                                   high ? "high" : "low", dedup && *dedup ? dedup : NULL, NULL);
        }
        record_alert(incident, event);
        cx->changed = true;
        accepted(cx, sb_get_str(incident, "incident_key"));
        return;
    }
    /* An acknowledge or resolve for no open alert is accepted and ignored. */
    cJSON *incident = sb_pd_open_incident(cx->data, sid, dedup);
    if (incident)
        sb_pd_set_status(cx, incident, !strcmp(action, "resolve") ? "resolved" : "acknowledged",
                         NULL);
    accepted(cx, dedup);
}
