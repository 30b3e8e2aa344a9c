/* PagerDuty REST API v2: find a service by name, create an incident on it
 * (as the user the From header names, required with an account API key),
 * read it by id or number, acknowledge or resolve it. Errors are
 * {"error":{"message","code","errors"}} with PagerDuty's codes; every
 * answer carries ratelimit-limit/-remaining/-reset. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hb/sha256.h"
#include "pagerduty_internal.h"

#define WEB                    "https://gitlab-sandbox.pagerduty.com" /* where html_url points */
#define SERVICES_LIMIT_DEFAULT 25
#define SERVICES_LIMIT_MAX     100

cJSON *sb_pd_coll(cJSON *data, const char *name)
{
    return sb_coll(data, "pagerduty", name);
}

const char *sb_pd_api_user_email(const cJSON *data)
{
    const char *id =
        sb_get_str(cJSON_GetObjectItemCaseSensitive(data, "sandbox"), "pagerduty_api_user");
    const cJSON *users = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(data, "pagerduty"), "users");
    return id ? sb_get_str(sb_find_str(users, "id", id), "email") : NULL;
}

/* ---- references and rendering ---- */

/* {id, type: "<kind>_reference", summary, self, html_url}. */
static cJSON *ref(sb_ctx *cx, const char *kind, const char *id, const char *summary,
                  const char *api_path, const char *web_path)
{
    cJSON *r = cJSON_CreateObject();
    char *type = hb_xasprintf("%s_reference", kind);
    char *self = hb_xasprintf("%s/pagerduty/%s/%s", sb_base_url(cx), api_path, id);
    char *html = hb_xasprintf(WEB "/%s/%s", web_path, id);
    cJSON_AddStringToObject(r, "id", id);
    cJSON_AddStringToObject(r, "type", type);
    cJSON_AddStringToObject(r, "summary", summary ? summary : "");
    cJSON_AddStringToObject(r, "self", self);
    cJSON_AddStringToObject(r, "html_url", html);
    free(type);
    free(self);
    free(html);
    return r;
}

static const cJSON *find(sb_ctx *cx, const char *collection, const char *id)
{
    return id ? sb_find_str(sb_pd_coll(cx->data, collection), "id", id) : NULL;
}

static cJSON *user_ref(sb_ctx *cx, const char *id)
{
    return ref(cx, "user", id, sb_get_str(find(cx, "users", id), "name"), "users", "users");
}

static cJSON *policy_ref(sb_ctx *cx, const char *id)
{
    return ref(cx, "escalation_policy", id, sb_get_str(find(cx, "escalation_policies", id), "name"),
               "escalation_policies", "escalation_policies");
}

static cJSON *service_ref(sb_ctx *cx, const char *id)
{
    return ref(cx, "service", id, sb_get_str(find(cx, "services", id), "name"), "services",
               "service-directory");
}

static const char *str_or_empty(const cJSON *obj, const char *key)
{
    const char *v = sb_get_str(obj, key);
    return v ? v : "";
}

static cJSON *render_service(sb_ctx *cx, const cJSON *s)
{
    const char *id = str_or_empty(s, "id"), *name = str_or_empty(s, "name");
    cJSON *out = ref(cx, "service", id, name, "services", "service-directory");
    sb_set(out, "type", cJSON_CreateString("service"));
    cJSON_AddStringToObject(out, "name", name);
    cJSON_AddStringToObject(out, "description", str_or_empty(s, "description"));
    cJSON_AddNumberToObject(out, "auto_resolve_timeout", 14400);
    cJSON_AddNumberToObject(out, "acknowledgement_timeout", 600);
    cJSON_AddStringToObject(out, "created_at", str_or_empty(s, "created_at"));
    cJSON_AddStringToObject(out, "status",
                            sb_get_str(s, "status") ? sb_get_str(s, "status") : "active");
    const char *last = NULL;
    const cJSON *inc;
    cJSON_ArrayForEach(inc, sb_pd_coll(cx->data, "incidents"))
    {
        const char *sid = sb_get_str(inc, "service_id");
        if (sid && !strcmp(sid, id))
            last = sb_get_str(inc, "created_at");
    }
    if (last)
        cJSON_AddStringToObject(out, "last_incident_timestamp", last);
    else
        cJSON_AddNullToObject(out, "last_incident_timestamp");
    cJSON_AddStringToObject(out, "alert_creation", "create_alerts_and_incidents");
    const char *policy = sb_get_str(s, "escalation_policy_id");
    if (policy)
        cJSON_AddItemToObject(out, "escalation_policy", policy_ref(cx, policy));
    cJSON_AddArrayToObject(out, "teams");
    cJSON *integrations = cJSON_AddArrayToObject(out, "integrations");
    const cJSON *in;
    cJSON_ArrayForEach(in, cJSON_GetObjectItemCaseSensitive(s, "integrations"))
    {
        /* a reference only: the integration key is a credential */
        char *path = hb_xasprintf("services/%s/integrations", id);
        cJSON *r = ref(cx, "integration", str_or_empty(in, "id"), sb_get_str(in, "name"), path,
                       "integrations");
        char *type = hb_xasprintf("%s_reference", sb_get_str(in, "type") ? sb_get_str(in, "type")
                                                                         : "generic_integration");
        sb_set(r, "type", cJSON_CreateString(type));
        free(type);
        free(path);
        cJSON_AddItemToArray(integrations, r);
    }
    cJSON *rule = cJSON_AddObjectToObject(out, "incident_urgency_rule");
    cJSON_AddStringToObject(rule, "type", "constant");
    cJSON_AddStringToObject(rule, "urgency", "high");
    cJSON_AddNullToObject(out, "support_hours");
    cJSON_AddArrayToObject(out, "scheduled_actions");
    return out;
}

static cJSON *render_incident(sb_ctx *cx, const cJSON *i)
{
    const char *id = str_or_empty(i, "id"), *title = str_or_empty(i, "title");
    const char *status = str_or_empty(i, "status");
    int64_t number = 0;
    sb_get_int(i, "incident_number", &number);
    char *summary = hb_xasprintf("[#%lld] %s", (long long)number, title);
    cJSON *out = ref(cx, "incident", id, summary, "incidents", "incidents");
    free(summary);
    sb_set(out, "type", cJSON_CreateString("incident"));
    cJSON_AddNumberToObject(out, "incident_number", (double)number);
    cJSON_AddStringToObject(out, "title", title);
    cJSON_AddStringToObject(out, "created_at", str_or_empty(i, "created_at"));
    cJSON_AddStringToObject(out, "updated_at", str_or_empty(i, "updated_at"));
    cJSON_AddStringToObject(out, "status", status);
    cJSON_AddStringToObject(out, "incident_key", str_or_empty(i, "incident_key"));
    cJSON_AddItemToObject(out, "service", service_ref(cx, str_or_empty(i, "service_id")));
    cJSON *assignments = cJSON_AddArrayToObject(out, "assignments");
    const cJSON *a;
    if (strcmp(status, "resolved") != 0) {
        cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(i, "assignments"))
        {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "at", str_or_empty(a, "at"));
            cJSON_AddItemToObject(o, "assignee", user_ref(cx, str_or_empty(a, "assignee_id")));
            cJSON_AddItemToArray(assignments, o);
        }
    }
    cJSON_AddStringToObject(out, "assigned_via", "escalation_policy");
    cJSON_AddStringToObject(out, "last_status_change_at", str_or_empty(i, "last_status_change_at"));
    const char *by = sb_get_str(i, "last_status_change_by");
    cJSON_AddItemToObject(out, "last_status_change_by",
                          by ? user_ref(cx, by) : service_ref(cx, str_or_empty(i, "service_id")));
    int all = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(i, "alerts"));
    bool resolved = !strcmp(status, "resolved");
    cJSON *counts = cJSON_AddObjectToObject(out, "alert_counts");
    cJSON_AddNumberToObject(counts, "all", all);
    cJSON_AddNumberToObject(counts, "triggered", resolved ? 0 : all);
    cJSON_AddNumberToObject(counts, "resolved", resolved ? all : 0);
    cJSON_AddTrueToObject(out, "is_mergeable");
    cJSON_AddItemToObject(out, "escalation_policy",
                          policy_ref(cx, str_or_empty(i, "escalation_policy_id")));
    cJSON_AddArrayToObject(out, "teams");
    cJSON_AddArrayToObject(out, "pending_actions");
    cJSON *acks = cJSON_AddArrayToObject(out, "acknowledgements");
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(i, "acknowledgements"))
    {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "at", str_or_empty(a, "at"));
        cJSON_AddItemToObject(o, "acknowledger", user_ref(cx, str_or_empty(a, "acknowledger_id")));
        cJSON_AddItemToArray(acks, o);
    }
    if (sb_get_str(i, "resolved_at"))
        cJSON_AddStringToObject(out, "resolved_at", sb_get_str(i, "resolved_at"));
    else
        cJSON_AddNullToObject(out, "resolved_at");
    cJSON_AddStringToObject(out, "urgency",
                            sb_get_str(i, "urgency") ? sb_get_str(i, "urgency") : "high");
    cJSON_AddNullToObject(out, "priority");
    return out;
}

/* ---- incidents in the state ---- */

cJSON *sb_pd_open_incident(cJSON *data, const char *service_id, const char *incident_key)
{
    cJSON *i;
    cJSON_ArrayForEach(i, sb_pd_coll(data, "incidents"))
    {
        const char *sid = sb_get_str(i, "service_id"), *key = sb_get_str(i, "incident_key");
        const char *status = sb_get_str(i, "status");
        if (sid && key && incident_key && !strcmp(sid, service_id) && !strcmp(key, incident_key) &&
            (!status || strcmp(status, "resolved") != 0))
            return i;
    }
    return NULL;
}

cJSON *sb_pd_new_incident(sb_ctx *cx, const cJSON *service, const char *title, const char *urgency,
                          const char *incident_key, const cJSON *requester)
{
    cJSON *incidents = sb_pd_coll(cx->data, "incidents");
    int64_t n = sb_next_id(cx, "pagerduty_incidents", sb_max_int(incidents, "incident_number"));
    char now[32], id[32], key[HB_SHA256_HEX_LEN + 1];
    sb_now_seconds(now);
    snprintf(id, sizeof id, "PI%05lld", (long long)n);
    if (!incident_key) {
        /* PagerDuty makes a 32-character key; the same one on every run. */
        char seed[64];
        snprintf(seed, sizeof seed, "sandbox incident %lld", (long long)n);
        hb_sha256_hex(seed, strlen(seed), key);
        key[32] = '\0';
        incident_key = key;
    }
    cJSON *i = cJSON_CreateObject();
    cJSON_AddStringToObject(i, "id", id);
    cJSON_AddNumberToObject(i, "incident_number", (double)n);
    cJSON_AddStringToObject(i, "title", title);
    cJSON_AddStringToObject(i, "status", "triggered");
    cJSON_AddStringToObject(i, "urgency", urgency ? urgency : "high");
    cJSON_AddStringToObject(i, "incident_key", incident_key);
    cJSON_AddStringToObject(i, "service_id", str_or_empty(service, "id"));
    const char *policy = sb_get_str(service, "escalation_policy_id");
    cJSON_AddStringToObject(i, "escalation_policy_id", policy ? policy : "");
    cJSON_AddStringToObject(i, "created_at", now);
    cJSON_AddStringToObject(i, "updated_at", now);
    cJSON_AddStringToObject(i, "last_status_change_at", now);
    if (requester)
        cJSON_AddStringToObject(i, "requester_id", str_or_empty(requester, "id"));
    /* Assigned to the targets of the policy's first level. */
    cJSON *assignments = cJSON_AddArrayToObject(i, "assignments");
    const cJSON *rules = cJSON_GetObjectItemCaseSensitive(find(cx, "escalation_policies", policy),
                                                          "escalation_rules");
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(rules, 0), "targets"))
    {
        cJSON *a = cJSON_CreateObject();
        cJSON_AddStringToObject(a, "at", now);
        cJSON_AddStringToObject(a, "assignee_id", str_or_empty(t, "id"));
        cJSON_AddItemToArray(assignments, a);
    }
    cJSON_AddArrayToObject(i, "acknowledgements");
    cJSON_AddArrayToObject(i, "alerts");
    cJSON_AddItemToArray(incidents, i);
    cx->changed = true;
    return i;
}

void sb_pd_set_status(sb_ctx *cx, cJSON *incident, const char *status, const cJSON *user)
{
    char now[32];
    sb_now_seconds(now);
    const char *uid = sb_get_str(user, "id");
    sb_set(incident, "status", cJSON_CreateString(status));
    sb_set(incident, "updated_at", cJSON_CreateString(now));
    sb_set(incident, "last_status_change_at", cJSON_CreateString(now));
    if (uid)
        sb_set(incident, "last_status_change_by", cJSON_CreateString(uid));
    if (!strcmp(status, "acknowledged") && uid) {
        cJSON *acks = sb_array_field(incident, "acknowledgements");
        cJSON *a = cJSON_CreateObject();
        cJSON_AddStringToObject(a, "at", now);
        cJSON_AddStringToObject(a, "acknowledger_id", uid);
        cJSON_AddItemToArray(acks, a);
    }
    if (!strcmp(status, "resolved"))
        sb_set(incident, "resolved_at", cJSON_CreateString(now));
    cx->changed = true;
}

/* ---- request checks ---- */

static void invalid(sb_ctx *cx, const char *detail)
{
    sb_pd_error(cx, 400, 2001, "Invalid Input Provided", detail);
}

/* The user the From header names; NULL having replied when missing. */
static const cJSON *requester(sb_ctx *cx)
{
    const char *from = sb_header(cx, "From");
    if (!from || !*from) {
        sb_pd_error(cx, 400, 2016,
                    "You must specify a user's email address in the \"From\" header to perform "
                    "this action",
                    NULL);
        return NULL;
    }
    const cJSON *u;
    cJSON_ArrayForEach(u, sb_pd_coll(cx->data, "users"))
    {
        const char *email = sb_get_str(u, "email");
        if (email && !strcasecmp(email, from))
            return u;
    }
    sb_pd_error(cx, 400, 1008, "Requester User Not Found", NULL);
    return NULL;
}

/* body.incident as an object; NULL having replied when it is not. */
static const cJSON *incident_input(sb_ctx *cx, const char *const *types)
{
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(sb_body_json(cx), "incident");
    if (!cJSON_IsObject(in)) {
        invalid(cx, "The request body must be an object with an \"incident\" object");
        return NULL;
    }
    const char *type = sb_get_str(in, "type");
    for (const char *const *t = types; type && *t; t++) {
        if (!strcmp(type, *t))
            return in;
    }
    char *detail = hb_xasprintf("Incident type must be '%s'", types[0]);
    invalid(cx, detail);
    free(detail);
    return NULL;
}

static bool urgency_ok(sb_ctx *cx, const char *urgency)
{
    if (!urgency || !strcmp(urgency, "high") || !strcmp(urgency, "low"))
        return true;
    invalid(cx, "Urgency must be one of high, low");
    return false;
}

static cJSON *find_incident(sb_ctx *cx)
{
    const char *key = sb_param(cx, "id");
    cJSON *incidents = sb_pd_coll(cx->data, "incidents");
    cJSON *i = sb_find_str(incidents, "id", key);
    int64_t n;
    /* "Accepts either an incident id, or an incident number." */
    if (!i && sb_parse_int(key, &n))
        i = sb_find_int(incidents, "incident_number", n);
    if (!i)
        sb_pd_error(cx, 404, 2100, "Not Found", NULL);
    return i;
}

/* ---- handlers ---- */

static int by_name(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    return strcasecmp(str_or_empty(x, "name"), str_or_empty(y, "name"));
}

static bool query_int(sb_ctx *cx, const char *name, int64_t dflt, int64_t *out)
{
    const char *v = sb_query(cx, name);
    *out = dflt;
    if (!v || !*v)
        return true;
    if (sb_parse_int(v, out) && *out >= 0)
        return true;
    char *detail = hb_xasprintf("%s must be a non-negative integer", name);
    invalid(cx, detail);
    free(detail);
    return false;
}

void sb_h_pd_services(sb_ctx *cx)
{
    int64_t limit, offset;
    if (!query_int(cx, "limit", SERVICES_LIMIT_DEFAULT, &limit) ||
        !query_int(cx, "offset", 0, &offset))
        return;
    if (limit == 0)
        limit = SERVICES_LIMIT_DEFAULT;
    if (limit > SERVICES_LIMIT_MAX)
        limit = SERVICES_LIMIT_MAX;
    /* query: the name contains it (any case); name: the name is it. */
    const char *query = sb_query(cx, "query"), *name = sb_query(cx, "name");
    cJSON *services = sb_pd_coll(cx->data, "services");
    size_t n = (size_t)cJSON_GetArraySize(services), count = 0;
    const cJSON **matches = hb_xcalloc(n + 1, sizeof *matches);
    const cJSON *s;
    cJSON_ArrayForEach(s, services)
    {
        const char *sname = str_or_empty(s, "name");
        if ((query && *query && !sb_contains_ci(sname, query)) ||
            (name && strcmp(sname, name) != 0))
            continue;
        matches[count++] = s;
    }
    qsort(matches, count, sizeof *matches, by_name);
    cJSON *list = cJSON_CreateArray();
    for (size_t i = (size_t)offset; i < count && (int64_t)(i - (size_t)offset) < limit; i++)
        cJSON_AddItemToArray(list, render_service(cx, matches[i]));
    free(matches);
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "services", list);
    cJSON_AddNumberToObject(body, "limit", (double)limit);
    cJSON_AddNumberToObject(body, "offset", (double)offset);
    const char *total = sb_query(cx, "total");
    if (total && !strcmp(total, "true"))
        cJSON_AddNumberToObject(body, "total", (double)count);
    else
        cJSON_AddNullToObject(body, "total"); /* PagerDuty counts only when asked */
    cJSON_AddBoolToObject(body, "more", (size_t)offset + (size_t)limit < count);
    sb_reply_json(cx, 200, body);
}

void sb_h_pd_incident_create(sb_ctx *cx)
{
    const cJSON *user = requester(cx);
    static const char *const types[] = {"incident", NULL};
    const cJSON *in = user ? incident_input(cx, types) : NULL;
    if (!in)
        return;
    const char *title = sb_get_str(in, "title"), *urgency = sb_get_str(in, "urgency");
    const char *key = sb_get_str(in, "incident_key");
    if (!title || !*title) {
        invalid(cx, "Title cannot be empty.");
        return;
    }
    if (!urgency_ok(cx, urgency))
        return;
    const cJSON *service =
        find(cx, "services", sb_get_str(cJSON_GetObjectItemCaseSensitive(in, "service"), "id"));
    if (!service) {
        invalid(cx, "Service not found");
        return;
    }
    if (!strcmp(str_or_empty(service, "status"), "disabled")) {
        invalid(cx, "Service is disabled");
        return;
    }
    if (key && sb_pd_open_incident(cx->data, str_or_empty(service, "id"), key)) {
        invalid(cx, "Open incident with matching dedup key already exists on this service");
        return;
    }
    const char *policy =
        sb_get_str(cJSON_GetObjectItemCaseSensitive(in, "escalation_policy"), "id");
    if (policy && !find(cx, "escalation_policies", policy)) {
        invalid(cx, "Escalation policy not found");
        return;
    }
    cJSON *incident = sb_pd_new_incident(cx, service, title, urgency, key, user);
    if (policy)
        sb_set(incident, "escalation_policy_id", cJSON_CreateString(policy));
    const cJSON *body = cJSON_GetObjectItemCaseSensitive(in, "body");
    if (cJSON_IsObject(body))
        sb_set(incident, "body", cJSON_Duplicate(body, true));
    cJSON *out = cJSON_CreateObject();
    cJSON_AddItemToObject(out, "incident", render_incident(cx, incident));
    sb_reply_json(cx, 201, out);
}

void sb_h_pd_incident_get(sb_ctx *cx)
{
    cJSON *incident = find_incident(cx);
    if (!incident)
        return;
    cJSON *out = cJSON_CreateObject();
    cJSON_AddItemToObject(out, "incident", render_incident(cx, incident));
    sb_reply_json(cx, 200, out);
}

void sb_h_pd_incident_update(sb_ctx *cx)
{
    const cJSON *user = requester(cx);
    cJSON *incident = user ? find_incident(cx) : NULL;
    static const char *const types[] = {"incident_reference", "incident", NULL};
    const cJSON *in = incident ? incident_input(cx, types) : NULL;
    if (!in)
        return;
    const char *status = sb_get_str(in, "status"), *title = sb_get_str(in, "title");
    const char *urgency = sb_get_str(in, "urgency");
    if (status && strcmp(status, "acknowledged") != 0 && strcmp(status, "resolved") != 0) {
        invalid(cx, "Status must be one of acknowledged, resolved");
        return;
    }
    if (!urgency_ok(cx, urgency))
        return;
    if (!strcmp(str_or_empty(incident, "status"), "resolved")) {
        invalid(cx, "Incident Already Resolved");
        return;
    }
    if (title && *title)
        sb_set(incident, "title", cJSON_CreateString(title));
    if (urgency)
        sb_set(incident, "urgency", cJSON_CreateString(urgency));
    const char *resolution = sb_get_str(in, "resolution");
    if (resolution)
        sb_set(incident, "resolution", cJSON_CreateString(resolution));
    if (status) {
        sb_pd_set_status(cx, incident, status, user);
    } else {
        char now[32];
        sb_now_seconds(now);
        sb_set(incident, "updated_at", cJSON_CreateString(now));
    }
    cx->changed = true;
    cJSON *out = cJSON_CreateObject();
    cJSON_AddItemToObject(out, "incident", render_incident(cx, incident));
    sb_reply_json(cx, 200, out);
}
