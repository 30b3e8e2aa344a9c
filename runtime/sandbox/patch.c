/* Sandbox patches: how scenario tests change data in the middle of a run
 * ("Support Ops closed the issue", "the customer replied"). A JSON merge
 * patch (RFC 7386) with one addition: a list of objects is addressed by
 * key instead of being replaced whole.
 *
 *   {"gitlab":{"projects":{"gitlab-com/support/support-ops/zendesk-organizations":
 *       {"issues":{"3":{"state":"closed"}}}}},
 *    "zendesk":{"tickets":{"1001":{"comments":{"+":{"body":"Thanks!","public":true}}}}}}
 *
 * In a list of objects, "KEY": {…} merges into the object with that key
 * (creating it when absent), "@last" into the list's last object, "KEY":
 * null removes it, and "+" appends one object or an array of them (an
 * integer key is assigned when missing, a Slack message gets its ts).
 * Anything else merges as RFC 7386 says. Relative dates are resolved. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox_internal.h"

typedef struct key_spec {
    const char *collection;
    const char *fields[3]; /* the first is the one new objects get */
    bool is_int;
} key_spec;

static const key_spec key_specs[] = {
    {"issues", {"iid", NULL, NULL}, true},
    {"merge_requests", {"iid", NULL, NULL}, true},
    {"projects", {"id", "path_with_namespace", NULL}, true},
    {"groups", {"id", "full_path", NULL}, true},
    {"members", {"user_id", NULL, NULL}, true},
    {"subscriptions", {"subscriptionNumber", "id", NULL}, false},
    {"accounts", {"accountNumber", "id", NULL}, false},
    {"User", {"Id", NULL, NULL}, false},
    {"Account", {"Id", NULL, NULL}, false},
    {"Opportunity", {"Id", NULL, NULL}, false},
    /* Slack channels by id or name, messages by ts; PagerDuty services by
     * id or name, incidents by id or incident number */
    {"channels", {"id", "name", NULL}, false},
    {"messages", {"ts", NULL, NULL}, false},
    {"services", {"id", "name", NULL}, false},
    {"incidents", {"id", "incident_number", NULL}, false},
};

static const key_spec default_spec = {NULL, {"id", NULL, NULL}, true};

/* Collections whose new objects get their key after the merge: a Slack
 * message's ts (sb_slack_after_patch). */
static bool key_given_later(const char *collection)
{
    return !strcmp(collection, "messages");
}

static const key_spec *spec_for(const char *collection)
{
    for (size_t i = 0; i < sizeof key_specs / sizeof key_specs[0]; i++) {
        if (!strcmp(key_specs[i].collection, collection))
            return &key_specs[i];
    }
    return &default_spec;
}

static bool key_matches(const cJSON *obj, const key_spec *spec, const char *key)
{
    for (int i = 0; i < 3 && spec->fields[i]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, spec->fields[i]);
        int64_t n;
        if (cJSON_IsNumber(v) && sb_parse_int(key, &n) && (int64_t)v->valuedouble == n)
            return true;
        if (cJSON_IsString(v) && !strcmp(v->valuestring, key))
            return true;
    }
    return false;
}

static bool all_objects(const cJSON *arr)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        if (!cJSON_IsObject(it))
            return false;
    }
    return true;
}

static hb_status merge(sb_ctx *cx, cJSON *target, const cJSON *patch, const char *where, hb_err *e);

static void stamp_new(cJSON *obj)
{
    if (!cJSON_GetObjectItemCaseSensitive(obj, "created_at")) {
        char now[32];
        sb_now_seconds(now);
        cJSON_AddStringToObject(obj, "created_at", now);
    }
}

static hb_status append(sb_ctx *cx, cJSON *arr, const char *name, const key_spec *spec,
                        const cJSON *item, const char *where, hb_err *e)
{
    if (!cJSON_IsObject(item))
        return hb_err_set(e, HB_EUSAGE, "patch %s.+: only objects can be appended", where);
    const char *key = spec->fields[0];
    cJSON *copy = cJSON_Duplicate(item, true);
    if (!cJSON_GetObjectItemCaseSensitive(copy, key) && !key_given_later(name)) {
        if (!spec->is_int) {
            cJSON_Delete(copy);
            return hb_err_set(e, HB_EUSAGE, "patch %s.+: the new object needs its \"%s\"", where,
                              key);
        }
        int64_t id = sb_next_id(cx, name, sb_max_int(arr, key));
        cJSON_AddNumberToObject(copy, key, (double)id);
    }
    stamp_new(copy);
    cJSON_AddItemToArray(arr, copy);
    return HB_OK;
}

static hb_status merge_collection(sb_ctx *cx, cJSON *arr, const char *name, const cJSON *patch,
                                  const char *where, hb_err *e)
{
    const key_spec *spec = spec_for(name);
    for (const cJSON *p = patch->child; p; p = p->next) {
        char sub[512];
        if (snprintf(sub, sizeof sub, "%s.%s", where, p->string) >= (int)sizeof sub)
            sub[sizeof sub - 2] = '~'; /* a path this long is only ever shown, cut */
        if (!strcmp(p->string, "+")) {
            const cJSON *items = cJSON_IsArray(p) ? p : NULL;
            const cJSON *it;
            if (!items) {
                if (append(cx, arr, name, spec, p, where, e) != HB_OK)
                    return HB_EUSAGE;
                continue;
            }
            cJSON_ArrayForEach(it, items)
            {
                if (append(cx, arr, name, spec, it, where, e) != HB_OK)
                    return HB_EUSAGE;
            }
            continue;
        }
        cJSON *found = NULL;
        cJSON *it;
        cJSON_ArrayForEach(it, arr)
        {
            if (key_matches(it, spec, p->string)) {
                found = it;
                break;
            }
        }
        /* "@last": the newest object, such as the message or incident a
         * workflow just made, whose key a scenario cannot know. */
        bool last = !strcmp(p->string, "@last");
        if (last) {
            found = cJSON_GetArrayItem(arr, cJSON_GetArraySize(arr) - 1);
            if (!found && !cJSON_IsNull(p))
                return hb_err_set(e, HB_EUSAGE, "patch %s: the list is empty", sub);
        }
        if (cJSON_IsNull(p)) {
            if (found)
                cJSON_Delete(cJSON_DetachItemViaPointer(arr, found));
            continue;
        }
        if (!cJSON_IsObject(p))
            return hb_err_set(e, HB_EUSAGE,
                              "patch %s: an object in a list is patched with an object or null",
                              sub);
        if (!found && !last) {
            int64_t n;
            found = cJSON_CreateObject();
            if (spec->is_int && sb_parse_int(p->string, &n))
                cJSON_AddNumberToObject(found, spec->fields[0], (double)n);
            else
                cJSON_AddStringToObject(found, spec->fields[0], p->string);
            stamp_new(found);
            cJSON_AddItemToArray(arr, found);
        }
        if (merge(cx, found, p, sub, e) != HB_OK)
            return HB_EUSAGE;
    }
    return HB_OK;
}

static hb_status merge(sb_ctx *cx, cJSON *target, const cJSON *patch, const char *where, hb_err *e)
{
    for (const cJSON *p = patch->child; p; p = p->next) {
        char sub[512];
        snprintf(sub, sizeof sub, "%s%s%s", where, *where ? "." : "", p->string);
        cJSON *cur = cJSON_GetObjectItemCaseSensitive(target, p->string);
        if (cJSON_IsNull(p)) {
            cJSON_DeleteItemFromObjectCaseSensitive(target, p->string);
        } else if (cJSON_IsArray(cur) && cJSON_IsObject(p)) {
            if (!all_objects(cur))
                return hb_err_set(e, HB_EUSAGE,
                                  "patch %s: this is a list of values; give the whole new list",
                                  sub);
            if (merge_collection(cx, cur, p->string, p, sub, e) != HB_OK)
                return HB_EUSAGE;
        } else if (cJSON_IsObject(cur) && cJSON_IsObject(p)) {
            if (merge(cx, cur, p, sub, e) != HB_OK)
                return HB_EUSAGE;
        } else {
            sb_set(target, p->string, cJSON_Duplicate(p, true));
        }
    }
    return HB_OK;
}

hb_status sb_patch_apply(sb_ctx *cx, cJSON *data, const cJSON *patch, hb_err *e)
{
    static const char *const known[] = {"zendesk", "gitlab",    "zuora",  "salesforce",
                                        "slack",   "pagerduty", "sandbox"};
    for (const cJSON *p = patch->child; p; p = p->next) {
        bool ok = false;
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            ok = ok || !strcmp(p->string, known[i]);
        if (!ok)
            return hb_err_set(e, HB_EUSAGE,
                              "patch: unknown top-level key '%s' (expected zendesk, gitlab, "
                              "zuora, salesforce, slack, pagerduty or sandbox)",
                              p->string);
    }
    cJSON *resolved = cJSON_Duplicate(patch, true);
    hb_status st = sb_resolve_dates(resolved, sb_now(), e);
    /* Work on a copy so a patch that fails halfway changes nothing. */
    cJSON *work = cJSON_Duplicate(data, true);
    if (st == HB_OK)
        st = merge(cx, work, resolved, "", e);
    if (st == HB_OK)
        st = sb_slack_after_patch(cx, work, e);
    cJSON_Delete(resolved);
    if (st != HB_OK) {
        cJSON_Delete(work);
        return st;
    }
    /* Swap contents so pointers to data stay valid. */
    cJSON tmp = *data;
    data->child = work->child;
    work->child = tmp.child;
    cJSON_Delete(work);
    return HB_OK;
}
