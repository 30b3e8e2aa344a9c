/* Zendesk tickets: show, update (with its audit) and tags, for tickets and
 * organizations alike. Stored tickets carry their comments and audits in
 * "comments" and "audits" lists, which the ticket itself never shows, as
 * on the real API. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sandbox_internal.h"
#include "zendesk_internal.h"

static const char *const ticket_statuses[] = {"new",    "open",   "pending", "hold",
                                              "solved", "closed", NULL};

cJSON *sb_zd_find(sb_ctx *cx, const char *collection)
{
    int64_t id;
    if (!sb_parse_int(sb_param(cx, "id"), &id))
        return NULL;
    return sb_find_int(sb_coll(cx->data, "zendesk", collection), "id", id);
}

int64_t sb_zd_api_user(sb_ctx *cx)
{
    const cJSON *settings = cJSON_GetObjectItemCaseSensitive(cx->data, "sandbox");
    int64_t id = 0;
    sb_get_int(settings, "zendesk_api_user", &id);
    return id;
}

cJSON *sb_zd_render_ticket(sb_ctx *cx, const cJSON *t)
{
    static const char *const hidden[] = {"comments", "audits", NULL};
    cJSON *out = sb_copy_without(t, hidden);
    int64_t id = 0;
    sb_get_int(t, "id", &id);
    char *url = hb_xasprintf("%s/api/v2/tickets/%lld.json", sb_base_url(cx), (long long)id);
    sb_set(out, "url", cJSON_CreateString(url));
    free(url);
    sb_ensure_array(out, "tags");
    sb_ensure_array(out, "custom_fields");
    sb_ensure_array(out, "collaborator_ids");
    sb_ensure_array(out, "email_cc_ids");
    sb_ensure_array(out, "follower_ids");
    if (!cJSON_GetObjectItemCaseSensitive(out, "status"))
        cJSON_AddStringToObject(out, "status", "open");
    return out;
}

/* Zendesk tags are single lower-case words: "Foo Bar" is two tags. */
void sb_zd_add_tags(cJSON *tags, const cJSON *input)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, input)
    {
        if (!cJSON_IsString(it))
            continue;
        char *copy = hb_xstrdup(it->valuestring);
        for (char *p = copy; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        for (char *word = strtok(copy, " \t,"); word; word = strtok(NULL, " \t,")) {
            if (!sb_array_has_str(tags, word))
                cJSON_AddItemToArray(tags, cJSON_CreateString(word));
        }
        free(copy);
    }
}

void sb_zd_remove_tags(cJSON *tags, const cJSON *input)
{
    cJSON *norm = cJSON_CreateArray();
    sb_zd_add_tags(norm, input);
    for (cJSON *t = tags->child, *next; t; t = next) {
        next = t->next;
        if (cJSON_IsString(t) && sb_array_has_str(norm, t->valuestring))
            cJSON_Delete(cJSON_DetachItemViaPointer(tags, t));
    }
    cJSON_Delete(norm);
}

static void touch(cJSON *obj)
{
    char now[32];
    sb_now_seconds(now);
    sb_set(obj, "updated_at", cJSON_CreateString(now));
}

static bool is_closed(const cJSON *t)
{
    const char *status = sb_get_str(t, "status");
    return status && !strcmp(status, "closed");
}

static void reply_closed(sb_ctx *cx)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "error", "RecordInvalid");
    cJSON_AddStringToObject(body, "description", "Record validation errors");
    cJSON *details = cJSON_AddObjectToObject(body, "details");
    cJSON *status = cJSON_AddArrayToObject(details, "status");
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "description", "Status: closed prevents ticket update");
    cJSON_AddStringToObject(d, "error", "ClosedTicketUpdate");
    cJSON_AddItemToArray(status, d);
    sb_reply_json(cx, 422, body);
}

void sb_zd_reply_invalid(sb_ctx *cx, const char *field, const char *description)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "error", "RecordInvalid");
    cJSON_AddStringToObject(body, "description", "Record validation errors");
    cJSON *details = cJSON_AddObjectToObject(body, "details");
    cJSON *list = cJSON_AddArrayToObject(details, field);
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "description", description);
    cJSON_AddItemToArray(list, d);
    sb_reply_json(cx, 422, body);
}

/* safe_update with a stale updated_stamp → 409, as the real API does. */
bool sb_zd_stale(sb_ctx *cx, const cJSON *obj, const cJSON *input)
{
    if (!sb_truthy(cJSON_GetObjectItemCaseSensitive(input, "safe_update"), false))
        return false;
    const char *stamp = sb_get_str(input, "updated_stamp");
    const char *current = sb_get_str(obj, "updated_at");
    if (stamp && current && !strcmp(stamp, current))
        return false;
    sb_zendesk_error(cx, 409, "UpdateConflict",
                     "Safe Update prevented the update due to outdated ticket data. Please "
                     "fetch the latest ticket data and try again.");
    return true;
}

void sb_h_zd_ticket_get(sb_ctx *cx)
{
    cJSON *t = sb_zd_find(cx, "tickets");
    if (!t) {
        sb_zendesk_not_found(cx);
        return;
    }
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "ticket", sb_zd_render_ticket(cx, t));
    sb_reply_json(cx, 200, body);
}

/* GET, POST (replace, 201), PUT (add) and DELETE (remove) of a ticket's
 * or an organization's tags. */
static void tags_endpoint(sb_ctx *cx, const char *collection, bool tickets)
{
    cJSON *obj = sb_zd_find(cx, collection);
    if (!obj) {
        sb_zendesk_not_found(cx);
        return;
    }
    cJSON *tags = sb_ensure_array(obj, "tags");
    const char *method = cx->req->method;
    if (strcmp(method, "GET") != 0) {
        cJSON *input = sb_body_json(cx);
        cJSON *given = cJSON_GetObjectItemCaseSensitive(input, "tags");
        cJSON *from_query = NULL;
        if (!given && sb_query(cx, "tags")) {
            from_query = cJSON_CreateArray();
            cJSON_AddItemToArray(from_query, cJSON_CreateString(sb_query(cx, "tags")));
            given = from_query;
        }
        if (!cJSON_IsArray(given)) {
            sb_zendesk_error(cx, 400, "InvalidValue", "tags must be given as a list");
            cJSON_Delete(from_query);
            return;
        }
        if (tickets && is_closed(obj)) {
            reply_closed(cx);
            cJSON_Delete(from_query);
            return;
        }
        if (sb_zd_stale(cx, obj, input)) {
            cJSON_Delete(from_query);
            return;
        }
        if (!strcmp(method, "POST")) {
            cJSON *fresh = cJSON_CreateArray();
            sb_zd_add_tags(fresh, given);
            sb_set(obj, "tags", fresh);
            tags = fresh;
        } else if (!strcmp(method, "PUT")) {
            sb_zd_add_tags(tags, given);
        } else {
            sb_zd_remove_tags(tags, given);
        }
        cJSON_Delete(from_query);
        touch(obj);
        cx->changed = true;
    }
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "tags", cJSON_Duplicate(tags, true));
    sb_reply_json(cx, !strcmp(method, "POST") ? 201 : 200, body);
}

void sb_h_zd_ticket_tags(sb_ctx *cx)
{
    tags_endpoint(cx, "tickets", true);
}

void sb_h_zd_org_tags(sb_ctx *cx)
{
    tags_endpoint(cx, "organizations", false);
}

static bool valid_status(const char *s)
{
    for (const char *const *p = ticket_statuses; *p; p++) {
        if (!strcmp(*p, s))
            return true;
    }
    return false;
}

static bool form_exists(sb_ctx *cx, const cJSON *v)
{
    if (cJSON_IsNull(v))
        return true;
    return cJSON_IsNumber(v) && sb_find_int(sb_coll(cx->data, "zendesk", "ticket_forms"), "id",
                                            (int64_t)v->valuedouble) != NULL;
}

/* Checks an update before anything changes; replies and returns false. */
static bool validate_update(sb_ctx *cx, const cJSON *t, const cJSON *in)
{
    if (is_closed(t)) {
        reply_closed(cx);
        return false;
    }
    if (sb_zd_stale(cx, t, in))
        return false;
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(in, "status");
    if (status && (!cJSON_IsString(status) || !valid_status(status->valuestring))) {
        sb_zd_reply_invalid(cx, "status", "Status: is not valid");
        return false;
    }
    const cJSON *form = cJSON_GetObjectItemCaseSensitive(in, "ticket_form_id");
    if (form && !form_exists(cx, form)) {
        sb_zd_reply_invalid(cx, "ticket_form_id", "Ticket form: is invalid");
        return false;
    }
    const cJSON *comment = cJSON_GetObjectItemCaseSensitive(in, "comment");
    if (comment && (!cJSON_IsObject(comment) ||
                    (!sb_get_str(comment, "body") && !sb_get_str(comment, "html_body")))) {
        sb_zd_reply_invalid(cx, "comment", "Comment: body can't be blank");
        return false;
    }
    return true;
}

/* Applies one plain field; records a Change event when it differs. */
static void change_field(cJSON *t, cJSON *events, const char *field, const cJSON *value)
{
    if (!value)
        return;
    cJSON *prev = cJSON_GetObjectItemCaseSensitive(t, field);
    if (prev && cJSON_Compare(prev, value, true))
        return;
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "id", 0);
    cJSON_AddStringToObject(ev, "type", "Change");
    cJSON_AddStringToObject(ev, "field_name", field);
    cJSON_AddItemToObject(ev, "value", cJSON_Duplicate(value, true));
    cJSON_AddItemToObject(ev, "previous_value",
                          prev ? cJSON_Duplicate(prev, true) : cJSON_CreateNull());
    cJSON_AddItemToArray(events, ev);
    sb_set(t, field, cJSON_Duplicate(value, true));
}

static void apply_tags(cJSON *t, cJSON *events, const cJSON *in)
{
    const cJSON *set = cJSON_GetObjectItemCaseSensitive(in, "tags");
    const cJSON *add = cJSON_GetObjectItemCaseSensitive(in, "additional_tags");
    const cJSON *remove = cJSON_GetObjectItemCaseSensitive(in, "remove_tags");
    if (!cJSON_IsArray(set) && !cJSON_IsArray(add) && !cJSON_IsArray(remove))
        return;
    cJSON *tags = cJSON_CreateArray();
    /* "tags" replaces every tag, as on the real API. */
    sb_zd_add_tags(tags, cJSON_IsArray(set) ? set : cJSON_GetObjectItemCaseSensitive(t, "tags"));
    if (cJSON_IsArray(add))
        sb_zd_add_tags(tags, add);
    if (cJSON_IsArray(remove))
        sb_zd_remove_tags(tags, remove);
    change_field(t, events, "tags", tags);
    cJSON_Delete(tags);
}

static void apply_custom_fields(cJSON *t, cJSON *events, const cJSON *in)
{
    const cJSON *given = cJSON_GetObjectItemCaseSensitive(in, "custom_fields");
    if (!cJSON_IsArray(given))
        return;
    cJSON *fields = sb_ensure_array(t, "custom_fields");
    const cJSON *f;
    cJSON_ArrayForEach(f, given)
    {
        int64_t id;
        if (!sb_get_int(f, "id", &id))
            continue;
        cJSON *cur = sb_find_int(fields, "id", id);
        if (!cur) {
            cur = cJSON_CreateObject();
            cJSON_AddNumberToObject(cur, "id", (double)id);
            cJSON_AddNullToObject(cur, "value");
            cJSON_AddItemToArray(fields, cur);
        }
        char name[32];
        snprintf(name, sizeof name, "%lld", (long long)id);
        cJSON *value = cJSON_GetObjectItemCaseSensitive(f, "value");
        cJSON *null = cJSON_CreateNull();
        cJSON *nested = cJSON_CreateArray();
        change_field(cur, nested, "value", value ? value : null);
        cJSON *ev = nested->child;
        if (ev) {
            cJSON_ReplaceItemInObjectCaseSensitive(ev, "field_name", cJSON_CreateString(name));
            cJSON_AddItemToArray(events, cJSON_DetachItemViaPointer(nested, ev));
        }
        cJSON_Delete(nested);
        cJSON_Delete(null);
    }
}

static int64_t user_for_email(sb_ctx *cx, const char *email)
{
    cJSON *users = sb_coll(cx->data, "zendesk", "users");
    const cJSON *u;
    cJSON_ArrayForEach(u, users)
    {
        const char *e = sb_get_str(u, "email");
        int64_t id;
        if (e && !strcasecmp(e, email) && sb_get_int(u, "id", &id))
            return id;
    }
    /* Zendesk creates an end user for an unknown address. */
    int64_t id = sb_next_id(cx, "zendesk.user", sb_max_int(users, "id"));
    cJSON *nu = cJSON_CreateObject();
    cJSON_AddNumberToObject(nu, "id", (double)id);
    cJSON_AddStringToObject(nu, "name", email);
    cJSON_AddStringToObject(nu, "email", email);
    cJSON_AddStringToObject(nu, "role", "end-user");
    cJSON_AddNullToObject(nu, "organization_id");
    cJSON_AddItemToArray(users, nu);
    return id;
}

static void apply_email_ccs(sb_ctx *cx, cJSON *t, cJSON *events, const cJSON *in)
{
    const cJSON *given = cJSON_GetObjectItemCaseSensitive(in, "email_ccs");
    if (!cJSON_IsArray(given))
        return;
    cJSON *ccs = sb_ensure_array(t, "email_cc_ids");
    cJSON *before = cJSON_Duplicate(ccs, true);
    const cJSON *cc;
    cJSON_ArrayForEach(cc, given)
    {
        int64_t uid;
        const char *email = sb_get_str(cc, "user_email");
        if (!sb_get_int(cc, "user_id", &uid)) {
            if (!email)
                continue;
            uid = user_for_email(cx, email);
        }
        const char *action = sb_get_str(cc, "action");
        bool remove = action && !strcmp(action, "delete");
        cJSON *found = NULL, *it;
        cJSON_ArrayForEach(it, ccs)
        {
            if (cJSON_IsNumber(it) && (int64_t)it->valuedouble == uid)
                found = it;
        }
        if (remove && found)
            cJSON_Delete(cJSON_DetachItemViaPointer(ccs, found));
        else if (!remove && !found)
            cJSON_AddItemToArray(ccs, cJSON_CreateNumber((double)uid));
    }
    if (!cJSON_Compare(before, ccs, true)) {
        cJSON *ev = cJSON_CreateObject();
        cJSON_AddNumberToObject(ev, "id", 0);
        cJSON_AddStringToObject(ev, "type", "EmailCcChange");
        cJSON_AddItemToObject(ev, "previous_email_ccs", before);
        cJSON_AddItemToObject(ev, "current_email_ccs", cJSON_Duplicate(ccs, true));
        cJSON_AddItemToArray(events, ev);
    } else {
        cJSON_Delete(before);
    }
}

void sb_h_zd_ticket_put(sb_ctx *cx)
{
    cJSON *t = sb_zd_find(cx, "tickets");
    if (!t) {
        sb_zendesk_not_found(cx);
        return;
    }
    cJSON *in = cJSON_GetObjectItemCaseSensitive(sb_body_json(cx), "ticket");
    if (!cJSON_IsObject(in)) {
        cJSON *body = cJSON_CreateObject();
        cJSON *err = cJSON_AddObjectToObject(body, "error");
        cJSON_AddStringToObject(err, "title", "Invalid attribute");
        cJSON_AddStringToObject(err, "message", "The body must be {\"ticket\": {...}}");
        sb_reply_json(cx, 400, body);
        return;
    }
    if (!validate_update(cx, t, in))
        return;
    static const char *const plain[] = {"subject",          "status",
                                        "priority",         "type",
                                        "assignee_id",      "group_id",
                                        "ticket_form_id",   "brand_id",
                                        "organization_id",  "requester_id",
                                        "due_at",           "external_id",
                                        "collaborator_ids", NULL};
    int64_t audit_id = sb_next_id(cx, "zendesk.audit", 0);
    cJSON *events = cJSON_CreateArray();
    for (const char *const *f = plain; *f; f++)
        change_field(t, events, *f, cJSON_GetObjectItemCaseSensitive(in, *f));
    apply_tags(t, events, in);
    apply_custom_fields(t, events, in);
    apply_email_ccs(cx, t, events, in);
    const cJSON *comment = cJSON_GetObjectItemCaseSensitive(in, "comment");
    if (comment)
        cJSON_AddItemToArray(events, sb_zd_add_comment(cx, t, comment, audit_id));
    int64_t n = 0;
    cJSON *ev;
    cJSON_ArrayForEach(ev, events)
    {
        sb_set(ev, "id", cJSON_CreateNumber((double)(audit_id * 100 + ++n)));
    }
    touch(t);
    cx->changed = true;

    char now[32];
    sb_now_seconds(now);
    int64_t ticket_id = 0;
    sb_get_int(t, "id", &ticket_id);
    cJSON *audit = cJSON_CreateObject();
    cJSON_AddNumberToObject(audit, "id", (double)audit_id);
    cJSON_AddNumberToObject(audit, "ticket_id", (double)ticket_id);
    cJSON_AddStringToObject(audit, "created_at", now);
    cJSON_AddNumberToObject(audit, "author_id", (double)sb_zd_api_user(cx));
    cJSON_AddItemToObject(audit, "metadata", sb_zd_audit_metadata(in));
    cJSON *via = cJSON_AddObjectToObject(audit, "via");
    cJSON_AddStringToObject(via, "channel", "api");
    cJSON_AddItemToObject(audit, "events", events);
    sb_zd_keep_audit(t, audit);
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "ticket", sb_zd_render_ticket(cx, t));
    cJSON_AddItemToObject(body, "audit", audit);
    sb_reply_json(cx, 200, body);
}
