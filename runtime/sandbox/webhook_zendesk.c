/* Zendesk's event-subscribed ticket webhooks ("zen:event-type:ticket.*",
 * schema version 2022-11-06) for what a change did to the sandbox's
 * tickets: the ticket in "detail" with its ids as strings, what happened in
 * "event". A comment without an author (a patch that left it out) stands
 * for the requester: the customer replying, as tests and demos mean it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "webhooks_internal.h"

#define ACCOUNT_ID 1000001
/* Zendesk's actor for changes nobody made through the API (triggers,
 * the system): a patch stands for those. */
#define SYSTEM_ACTOR "-1"

static const cJSON *zendesk_list(const cJSON *data, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(data, "zendesk"),
                                            name);
}

static cJSON *id_string(const cJSON *v)
{
    if (cJSON_IsNumber(v)) {
        char buf[32];
        snprintf(buf, sizeof buf, "%lld", (long long)v->valuedouble);
        return cJSON_CreateString(buf);
    }
    if (cJSON_IsString(v))
        return cJSON_CreateString(v->valuestring);
    return cJSON_CreateNull();
}

static cJSON *text_or_null(const cJSON *obj, const char *key)
{
    const char *s = sb_get_str(obj, key);
    return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static const char *status_of(const cJSON *t)
{
    const char *s = sb_get_str(t, "status");
    return s ? s : "open"; /* as the ticket renders */
}

static cJSON *detail(const cJSON *t, const char *actor)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "actor_id", actor);
    cJSON_AddItemToObject(d, "assignee_id",
                          id_string(cJSON_GetObjectItemCaseSensitive(t, "assignee_id")));
    cJSON_AddItemToObject(d, "brand_id",
                          id_string(cJSON_GetObjectItemCaseSensitive(t, "brand_id")));
    cJSON_AddItemToObject(d, "created_at", text_or_null(t, "created_at"));
    cJSON_AddNullToObject(d, "custom_status");
    cJSON_AddItemToObject(d, "description", text_or_null(t, "description"));
    cJSON_AddItemToObject(d, "external_id",
                          id_string(cJSON_GetObjectItemCaseSensitive(t, "external_id")));
    cJSON_AddItemToObject(d, "form_id",
                          id_string(cJSON_GetObjectItemCaseSensitive(t, "ticket_form_id")));
    cJSON_AddItemToObject(d, "group_id",
                          id_string(cJSON_GetObjectItemCaseSensitive(t, "group_id")));
    cJSON_AddItemToObject(d, "id", id_string(cJSON_GetObjectItemCaseSensitive(t, "id")));
    cJSON_AddTrueToObject(d, "is_public");
    cJSON_AddItemToObject(d, "organization_id",
                          id_string(cJSON_GetObjectItemCaseSensitive(t, "organization_id")));
    cJSON_AddItemToObject(d, "priority", text_or_null(t, "priority"));
    cJSON_AddItemToObject(d, "requester_id",
                          id_string(cJSON_GetObjectItemCaseSensitive(t, "requester_id")));
    cJSON_AddStringToObject(d, "status", status_of(t));
    cJSON_AddItemToObject(d, "subject", text_or_null(t, "subject"));
    cJSON_AddItemToObject(d, "submitter_id",
                          id_string(cJSON_GetObjectItemCaseSensitive(t, "submitter_id")));
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(t, "tags");
    cJSON_AddItemToObject(d, "tags",
                          cJSON_IsArray(tags) ? cJSON_Duplicate(tags, true) : cJSON_CreateArray());
    cJSON_AddItemToObject(d, "type", text_or_null(t, "type"));
    cJSON_AddItemToObject(d, "updated_at", text_or_null(t, "updated_at"));
    const char *channel = sb_get_str(cJSON_GetObjectItemCaseSensitive(t, "via"), "channel");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(d, "via"), "channel",
                            channel ? channel : "web");
    return d;
}

static void add_event(sb_hook_events *out, const char *type, const cJSON *t, const char *actor,
                      cJSON *event)
{
    char kind[96], subject[64], uuid[37], now[32];
    snprintf(kind, sizeof kind, "zen:event-type:ticket.%s", type);
    int64_t id = 0;
    sb_get_int(t, "id", &id);
    snprintf(subject, sizeof subject, "zen:ticket:%lld", (long long)id);
    sb_hook_uuid(uuid);
    sb_now_seconds(now);
    cJSON *p = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "account_id", ACCOUNT_ID);
    cJSON_AddItemToObject(p, "detail", detail(t, actor));
    cJSON_AddItemToObject(p, "event", event);
    cJSON_AddStringToObject(p, "id", uuid);
    cJSON_AddStringToObject(p, "subject", subject);
    cJSON_AddStringToObject(p, "time", now);
    cJSON_AddStringToObject(p, "type", kind);
    cJSON_AddStringToObject(p, "zendesk_event_version", "2022-11-06");
    sb_hook_events_add(out, SB_ZENDESK, kind, p);
}

static void api_actor(const cJSON *data, char out[32])
{
    int64_t id = 0;
    sb_get_int(cJSON_GetObjectItemCaseSensitive(data, "sandbox"), "zendesk_api_user", &id);
    snprintf(out, 32, "%lld", (long long)id);
}

static void comment_added(const cJSON *data, const cJSON *t, const cJSON *c, sb_hook_events *out)
{
    int64_t author = 0;
    if (!sb_get_int(c, "author_id", &author))
        sb_get_int(t, "requester_id", &author);
    const cJSON *user = sb_find_int(zendesk_list(data, "users"), "id", author);
    const char *role = sb_get_str(user, "role");
    char actor[32];
    snprintf(actor, sizeof actor, "%lld", (long long)author);
    cJSON *event = cJSON_CreateObject();
    cJSON *cm = cJSON_AddObjectToObject(event, "comment");
    cJSON_AddArrayToObject(cm, "attachments");
    cJSON *a = cJSON_AddObjectToObject(cm, "author");
    cJSON_AddStringToObject(a, "id", actor);
    /* Agents and admins are staff; an end user, or someone the sandbox
     * does not know, is not. */
    cJSON_AddBoolToObject(a, "is_staff", role && strcmp(role, "end-user") != 0);
    cJSON_AddItemToObject(a, "name", text_or_null(user, "name"));
    const char *body = sb_get_str(c, "body");
    cJSON_AddStringToObject(cm, "body", body ? body : "");
    cJSON_AddItemToObject(cm, "id", id_string(cJSON_GetObjectItemCaseSensitive(c, "id")));
    cJSON_AddBoolToObject(cm, "is_public",
                          sb_truthy(cJSON_GetObjectItemCaseSensitive(c, "public"), true));
    add_event(out, "comment_added", t, actor, event);
}

static cJSON *tags_minus(const cJSON *a, const cJSON *b)
{
    cJSON *out = cJSON_CreateArray();
    const cJSON *it;
    cJSON_ArrayForEach(it, a)
    {
        if (cJSON_IsString(it) && !sb_array_has_str(b, it->valuestring))
            cJSON_AddItemToArray(out, cJSON_CreateString(it->valuestring));
    }
    return out;
}

static void ticket_events(const cJSON *data, const cJSON *t, const cJSON *old, const char *actor,
                          sb_hook_events *out)
{
    if (!old) {
        add_event(out, "created", t, actor, cJSON_CreateObject());
        return;
    }
    const cJSON *old_comments = cJSON_GetObjectItemCaseSensitive(old, "comments");
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(t, "comments"))
    {
        int64_t id;
        if (sb_get_int(c, "id", &id) && !sb_find_int(old_comments, "id", id))
            comment_added(data, t, c, out);
    }
    if (strcmp(status_of(t), status_of(old)) != 0) {
        cJSON *event = cJSON_CreateObject();
        cJSON_AddStringToObject(event, "current", status_of(t));
        cJSON_AddStringToObject(event, "previous", status_of(old));
        add_event(out, "status_changed", t, actor, event);
    }
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(t, "tags");
    const cJSON *old_tags = cJSON_GetObjectItemCaseSensitive(old, "tags");
    cJSON *added = tags_minus(tags, old_tags);
    cJSON *removed = tags_minus(old_tags, tags);
    if (cJSON_GetArraySize(added) || cJSON_GetArraySize(removed)) {
        cJSON *event = cJSON_CreateObject();
        cJSON_AddItemToObject(event, "tags_added", added);
        cJSON_AddItemToObject(event, "tags_removed", removed);
        add_event(out, "tags_changed", t, actor, event);
    } else {
        cJSON_Delete(added);
        cJSON_Delete(removed);
    }
}

void sb_zd_hook_events(const cJSON *data, const cJSON *before, const sb_hook_origin *o,
                       sb_hook_events *out)
{
    char actor[32] = SYSTEM_ACTOR;
    if (o->api)
        api_actor(data, actor);
    const cJSON *t;
    cJSON_ArrayForEach(t, zendesk_list(data, "tickets"))
    {
        int64_t id;
        if (sb_get_int(t, "id", &id))
            ticket_events(data, t, sb_find_int(before, "id", id), actor, out);
    }
}
