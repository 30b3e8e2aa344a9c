/* Lookups in the sandbox state: collections, objects by key, typed fields,
 * new ids and the clock's timestamps in each service's format. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sandbox_internal.h"

cJSON *sb_coll(cJSON *data, const char *service, const char *name)
{
    cJSON *svc = cJSON_GetObjectItemCaseSensitive(data, service);
    if (!cJSON_IsObject(svc)) {
        svc = cJSON_CreateObject();
        sb_set(data, service, svc);
    }
    cJSON *arr = sb_ensure_array(svc, name);
    return arr;
}

bool sb_get_int(const cJSON *obj, const char *key, int64_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (cJSON_IsNumber(v)) {
        *out = (int64_t)v->valuedouble;
        return true;
    }
    if (cJSON_IsString(v))
        return sb_parse_int(v->valuestring, out);
    return false;
}

const char *sb_get_str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

bool sb_truthy(const cJSON *v, bool dflt)
{
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v);
    if (cJSON_IsNumber(v))
        return v->valuedouble != 0;
    if (cJSON_IsString(v))
        return !strcasecmp(v->valuestring, "true") || !strcmp(v->valuestring, "1");
    return dflt;
}

bool sb_parse_int(const char *s, int64_t *out)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

cJSON *sb_find_int(const cJSON *array, const char *key, int64_t value)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, array)
    {
        int64_t v;
        if (sb_get_int(it, key, &v) && v == value)
            return (cJSON *)it;
    }
    return NULL;
}

cJSON *sb_find_str(const cJSON *array, const char *key, const char *value)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, array)
    {
        const char *v = sb_get_str(it, key);
        if (v && !strcmp(v, value))
            return (cJSON *)it;
    }
    return NULL;
}

bool sb_contains_ci(const char *hay, const char *needle)
{
    if (!hay)
        return false;
    size_t n = strlen(needle);
    for (const char *h = hay; *h; h++)
        if (!strncasecmp(h, needle, n))
            return true;
    return !*needle;
}

cJSON *sb_field_ci(const cJSON *obj, const char *name)
{
    for (cJSON *it = obj ? obj->child : NULL; it; it = it->next) {
        if (it->string && !strcasecmp(it->string, name))
            return it;
    }
    return NULL;
}

int64_t sb_max_int(const cJSON *array, const char *key)
{
    int64_t max = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, array)
    {
        int64_t v;
        if (sb_get_int(it, key, &v) && v > max)
            max = v;
    }
    return max;
}

cJSON *sb_ensure_array(cJSON *obj, const char *key)
{
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsArray(arr)) {
        arr = cJSON_CreateArray();
        sb_set(obj, key, arr);
    }
    return arr;
}

int64_t sb_max_nested_int(const cJSON *parents, const char *child, const char *key)
{
    int64_t max = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, parents)
    {
        int64_t m = sb_max_int(cJSON_GetObjectItemCaseSensitive(p, child), key);
        if (m > max)
            max = m;
    }
    return max;
}

int64_t sb_next_id(sb_ctx *cx, const char *counter, int64_t floor)
{
    cJSON *counters = cJSON_GetObjectItemCaseSensitive(cx->sb->state, "counters");
    if (!cJSON_IsObject(counters)) {
        counters = cJSON_CreateObject();
        sb_set(cx->sb->state, "counters", counters);
    }
    int64_t last = 0;
    sb_get_int(counters, counter, &last);
    int64_t next = (last > floor ? last : floor) + 1;
    sb_set(counters, counter, cJSON_CreateNumber((double)next));
    cx->changed = true;
    return next;
}

cJSON *sb_copy_without(const cJSON *obj, const char *const *hidden)
{
    cJSON *copy = cJSON_CreateObject();
    for (const cJSON *it = obj ? obj->child : NULL; it; it = it->next) {
        bool skip = false;
        for (const char *const *h = hidden; h && *h; h++)
            skip = skip || !strcmp(it->string, *h);
        if (!skip)
            cJSON_AddItemToObject(copy, it->string, cJSON_Duplicate(it, true));
    }
    return copy;
}

void sb_set(cJSON *obj, const char *key, cJSON *value)
{
    if (cJSON_GetObjectItemCaseSensitive(obj, key))
        cJSON_ReplaceItemInObjectCaseSensitive(obj, key, value);
    else
        cJSON_AddItemToObject(obj, key, value);
}

cJSON *sb_array_field(cJSON *obj, const char *key)
{
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsArray(arr)) {
        arr = cJSON_CreateArray();
        sb_set(obj, key, arr);
    }
    return arr;
}

cJSON *sb_string_list(const char *text)
{
    cJSON *arr = cJSON_CreateArray();
    cJSON_AddItemToArray(arr, cJSON_CreateString(text));
    return arr;
}

bool sb_array_has_str(const cJSON *array, const char *s)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, array)
    {
        if (cJSON_IsString(it) && !strcmp(it->valuestring, s))
            return true;
    }
    return false;
}

void sb_now_seconds(char out[32])
{
    hb_time_format_seconds(sb_now(), out);
}

void sb_now_millis(char out[32])
{
    char full[32];
    hb_time_format(sb_now(), full); /* 2026-11-22T10:00:00.000000Z */
    memcpy(out, full, 23);
    out[23] = 'Z';
    out[24] = '\0';
}
