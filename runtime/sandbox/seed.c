/* The seed file: where the shipped one lives, reading and checking it, and
 * resolving the dates in it that are relative to the clock ("@now+12h",
 * "@today-3d"), so that "ends in under 24 hours" stays true on any day. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/settings.h"
#include "sandbox_internal.h"

char *hb_sandbox_default_seed(void)
{
    char *set = hb_setting_text("HB_SANDBOX_SEED");
    if (set)
        return set;
    const char *candidates[] = {HB_INSTALL_DATADIR "/workflows/sandbox/seed.json",
                                HB_SOURCE_DIR "/workflows/sandbox/seed.json"};
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        if (hb_file_exists(candidates[i]))
            return hb_xstrdup(candidates[i]);
    }
    return NULL;
}

/* "@now", "@now+12h", "@today-3d": false when text is no such marker. A
 * marker with a bad duration is an error, not a plain string, so a typo in
 * the seed cannot pass as data. */
static hb_status resolve_one(const char *text, hb_time_us now, char out[32], bool *is_marker,
                             hb_err *e)
{
    bool date_only;
    const char *rest;
    if (hb_str_starts_with(text, "@now")) {
        date_only = false;
        rest = text + 4;
    } else if (hb_str_starts_with(text, "@today")) {
        date_only = true;
        rest = text + 6;
    } else {
        *is_marker = false;
        return HB_OK;
    }
    *is_marker = true;
    hb_time_us base = now;
    if (date_only)
        base -= ((base % 86400000000LL) + 86400000000LL) % 86400000000LL;
    int64_t offset = 0;
    if (*rest) {
        if ((*rest != '+' && *rest != '-') || hb_duration_parse(rest + 1, &offset, NULL) != HB_OK)
            return hb_err_set(e, HB_EUSAGE,
                              "'%s' is not a relative date (expected @now or @today, optionally "
                              "followed by + or - a duration such as 12h, 3d or 13d12h)",
                              text);
        if (*rest == '-')
            offset = -offset;
    }
    char full[32];
    hb_time_format_seconds(base + offset, full);
    if (date_only)
        full[10] = '\0';
    memcpy(out, full, 32);
    return HB_OK;
}

hb_status sb_resolve_dates(cJSON *node, hb_time_us now, hb_err *e)
{
    if (cJSON_IsString(node)) {
        char out[32];
        bool marker;
        if (resolve_one(node->valuestring, now, out, &marker, e) != HB_OK)
            return HB_EUSAGE;
        if (marker)
            cJSON_SetValuestring(node, out);
        return HB_OK;
    }
    for (cJSON *it = node ? node->child : NULL; it; it = it->next) {
        if (sb_resolve_dates(it, now, e) != HB_OK)
            return HB_EUSAGE;
    }
    return HB_OK;
}

typedef struct coll_rule {
    const char *service;
    const char *name;
    const char *key;
    bool key_is_int;
    const char *nested;       /* a collection inside each object, or NULL */
    const char *nested_key;   /* its key (always an integer) */
    const char *nested_inner; /* a collection inside the nested objects */
} coll_rule;

static const coll_rule rules[] = {
    {"zendesk", "tickets", "id", true, "comments", "id", NULL},
    {"zendesk", "organizations", "id", true, NULL, NULL, NULL},
    {"zendesk", "users", "id", true, NULL, NULL, NULL},
    {"zendesk", "ticket_forms", "id", true, NULL, NULL, NULL},
    {"zendesk", "ticket_fields", "id", true, NULL, NULL, NULL},
    {"gitlab", "users", "id", true, NULL, NULL, NULL},
    {"gitlab", "projects", "id", true, "issues", "iid", "notes"},
    {"gitlab", "groups", "id", true, "members", "user_id", NULL},
    {"zuora", "accounts", "accountNumber", false, NULL, NULL, NULL},
    {"zuora", "subscriptions", "subscriptionNumber", false, NULL, NULL, NULL},
    {"salesforce", "User", "Id", false, NULL, NULL, NULL},
    {"salesforce", "Account", "Id", false, NULL, NULL, NULL},
    {"salesforce", "Opportunity", "Id", false, NULL, NULL, NULL},
    /* Slack messages (by ts) and the settings are checked by sb_chat_check_seed */
    {"slack", "users", "id", false, NULL, NULL, NULL},
    {"slack", "channels", "id", false, NULL, NULL, NULL},
    {"pagerduty", "users", "id", false, NULL, NULL, NULL},
    {"pagerduty", "escalation_policies", "id", false, NULL, NULL, NULL},
    {"pagerduty", "services", "id", false, NULL, NULL, NULL},
    {"pagerduty", "incidents", "id", false, NULL, NULL, NULL},
};

static bool has_key(const cJSON *obj, const char *key, bool is_int)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return is_int ? cJSON_IsNumber(v) && v->valuedouble == (double)(int64_t)v->valuedouble
                  : cJSON_IsString(v) && *v->valuestring;
}

static hb_status check_array(const char *path, const char *where, const cJSON *arr, const char *key,
                             bool is_int, hb_err *e)
{
    if (!arr)
        return HB_OK;
    if (!cJSON_IsArray(arr))
        return hb_err_set(e, HB_EUSAGE, "%s: %s must be an array", path, where);
    int i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        if (!cJSON_IsObject(it) || !has_key(it, key, is_int))
            return hb_err_set(e, HB_EUSAGE, "%s: %s[%d] needs %s \"%s\"", path, where, i,
                              is_int ? "an integer" : "a string", key);
        i++;
    }
    return HB_OK;
}

static hb_status check_seed(const char *path, const cJSON *seed, hb_err *e)
{
    if (!cJSON_IsObject(seed))
        return hb_err_set(e, HB_EUSAGE, "%s: the seed must be a JSON object", path);
    for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++) {
        const coll_rule *rule = &rules[r];
        const cJSON *svc = cJSON_GetObjectItemCaseSensitive(seed, rule->service);
        if (svc && !cJSON_IsObject(svc))
            return hb_err_set(e, HB_EUSAGE, "%s: \"%s\" must be an object", path, rule->service);
        const cJSON *arr = cJSON_GetObjectItemCaseSensitive(svc, rule->name);
        char where[128];
        snprintf(where, sizeof where, "%s.%s", rule->service, rule->name);
        if (check_array(path, where, arr, rule->key, rule->key_is_int, e) != HB_OK)
            return HB_EUSAGE;
        if (!rule->nested)
            continue;
        const cJSON *obj;
        cJSON_ArrayForEach(obj, arr)
        {
            const cJSON *inner = cJSON_GetObjectItemCaseSensitive(obj, rule->nested);
            snprintf(where, sizeof where, "%s.%s[%s=%g].%s", rule->service, rule->name, rule->key,
                     cJSON_GetObjectItemCaseSensitive(obj, rule->key)->valuedouble, rule->nested);
            if (check_array(path, where, inner, rule->nested_key, true, e) != HB_OK)
                return HB_EUSAGE;
            const cJSON *n;
            cJSON_ArrayForEach(n, inner)
            {
                const cJSON *deep = cJSON_GetObjectItemCaseSensitive(n, rule->nested_inner);
                if (rule->nested_inner &&
                    check_array(path, rule->nested_inner, deep, "id", true, e) != HB_OK)
                    return HB_EUSAGE;
            }
        }
    }
    return sb_chat_check_seed(path, seed, e);
}

cJSON *sb_seed_load(const char *path, hb_err *e)
{
    size_t len;
    char *text = hb_read_file(path, &len, e);
    if (!text) {
        hb_err_wrap(e, "reading the sandbox seed");
        return NULL;
    }
    const char *err_at = NULL;
    cJSON *seed = cJSON_ParseWithOpts(text, &err_at, true);
    if (!seed) {
        size_t line = 1;
        for (const char *p = text; err_at && p < err_at; p++)
            line += *p == '\n';
        hb_err_set(e, HB_EUSAGE, "%s:%zu: the sandbox seed is not valid JSON", path, line);
        free(text);
        return NULL;
    }
    free(text);
    if (check_seed(path, seed, e) != HB_OK || sb_resolve_dates(seed, sb_now(), e) != HB_OK) {
        if (e && !strstr(e->msg, path))
            hb_err_wrap(e, "%s", path);
        cJSON_Delete(seed);
        return NULL;
    }
    return seed;
}
