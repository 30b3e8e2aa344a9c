/* Zendesk organizations, ticket forms, users, and the two paging styles
 * (offset: next_page/previous_page/count; cursor: meta/links). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox_internal.h"
#include "zendesk_internal.h"

/* The request's URL with its paging parameters replaced. */
static char *page_url(sb_ctx *cx, const char *path, const char *extra)
{
    hb_buf b;
    hb_buf_init(&b);
    hb_buf_printf(&b, "%s%s?", sb_base_url(cx), path);
    for (size_t i = 0; i < cx->req->nquery; i++) {
        const char *name = cx->req->query[i].name;
        if (!strcmp(name, "page") || !strcmp(name, "per_page") || hb_str_starts_with(name, "page["))
            continue;
        sb_url_encode(&b, name);
        hb_buf_putc(&b, '=');
        sb_url_encode(&b, cx->req->query[i].value);
        hb_buf_putc(&b, '&');
    }
    hb_buf_puts(&b, extra);
    return hb_buf_take(&b);
}

static bool read_positive(const char *text, int64_t dflt, int64_t *out)
{
    *out = dflt;
    return !text || (sb_parse_int(text, out) && *out >= 1);
}

static void reply_cursor_page(sb_ctx *cx, cJSON *items, const char *key, const char *path)
{
    int64_t size, total = cJSON_GetArraySize(items), start = 0, end;
    if (!read_positive(sb_query(cx, "page[size]"), 100, &size)) {
        cJSON_Delete(items);
        sb_zendesk_error(cx, 400, "InvalidPaginationParameter", "page[size] must be positive");
        return;
    }
    if (size > 100)
        size = 100;
    const char *after = sb_query(cx, "page[after]"), *before = sb_query(cx, "page[before]");
    int64_t at;
    if (after && after[0] == 'c' && sb_parse_int(after + 1, &at)) {
        start = at + 1;
        end = start + size;
    } else if (before && before[0] == 'c' && sb_parse_int(before + 1, &at)) {
        end = at;
        start = end - size > 0 ? end - size : 0;
    } else if (after || before) {
        cJSON_Delete(items);
        sb_zendesk_error(cx, 400, "InvalidPaginationParameter", "the cursor is not valid");
        return;
    } else {
        end = size;
    }
    if (end > total)
        end = total;
    if (start > end)
        start = end;
    cJSON *page = cJSON_CreateArray();
    for (int64_t i = start; i < end; i++)
        cJSON_AddItemToArray(page, cJSON_Duplicate(cJSON_GetArrayItem(items, (int)i), true));
    cJSON_Delete(items);
    bool has_more = end < total;
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, key, page);
    cJSON *meta = cJSON_AddObjectToObject(body, "meta");
    cJSON_AddBoolToObject(meta, "has_more", has_more);
    cJSON *links = cJSON_AddObjectToObject(body, "links");
    char cur[32], extra[96];
    if (end > start) {
        snprintf(cur, sizeof cur, "c%lld", (long long)(end - 1));
        cJSON_AddStringToObject(meta, "after_cursor", cur);
        snprintf(extra, sizeof extra, "page%%5Bsize%%5D=%lld&page%%5Bafter%%5D=%s", (long long)size,
                 cur);
        char *next = page_url(cx, path, extra);
        cJSON_AddItemToObject(links, "next",
                              has_more ? cJSON_CreateString(next) : cJSON_CreateNull());
        free(next);
        snprintf(cur, sizeof cur, "c%lld", (long long)start);
        cJSON_AddStringToObject(meta, "before_cursor", cur);
        snprintf(extra, sizeof extra, "page%%5Bsize%%5D=%lld&page%%5Bbefore%%5D=%s",
                 (long long)size, cur);
        char *prev = page_url(cx, path, extra);
        cJSON_AddItemToObject(links, "prev",
                              start > 0 ? cJSON_CreateString(prev) : cJSON_CreateNull());
        free(prev);
    } else {
        cJSON_AddNullToObject(meta, "after_cursor");
        cJSON_AddNullToObject(meta, "before_cursor");
        cJSON_AddNullToObject(links, "next");
        cJSON_AddNullToObject(links, "prev");
    }
    sb_reply_json(cx, 200, body);
}

/* Offset paging's next_page / previous_page: the page's URL, or null when
 * there is no such page. */
static void add_page_link(sb_ctx *cx, cJSON *body, const char *key, const char *path, bool exists,
                          int64_t page, int64_t per_page)
{
    if (!exists) {
        cJSON_AddNullToObject(body, key);
        return;
    }
    char extra[64];
    snprintf(extra, sizeof extra, "page=%lld&per_page=%lld", (long long)page, (long long)per_page);
    char *url = page_url(cx, path, extra);
    cJSON_AddStringToObject(body, key, url);
    free(url);
}

cJSON *sb_zd_sort_order(sb_ctx *cx, cJSON *items)
{
    const char *order = sb_query(cx, "sort_order");
    if (!order || strcmp(order, "desc") != 0)
        return items;
    cJSON *rev = cJSON_CreateArray();
    while (items->child)
        cJSON_AddItemToArray(rev, cJSON_DetachItemFromArray(items, cJSON_GetArraySize(items) - 1));
    cJSON_Delete(items);
    return rev;
}

void sb_zd_reply_page(sb_ctx *cx, cJSON *items, const char *key, const char *path)
{
    if (sb_query(cx, "page[size]") || sb_query(cx, "page[after]") || sb_query(cx, "page[before]")) {
        reply_cursor_page(cx, items, key, path);
        return;
    }
    int64_t page, per_page, total = cJSON_GetArraySize(items);
    if (!read_positive(sb_query(cx, "page"), 1, &page) ||
        !read_positive(sb_query(cx, "per_page"), 100, &per_page)) {
        cJSON_Delete(items);
        sb_zendesk_error(cx, 400, "InvalidPaginationParameter",
                         "page and per_page must be positive integers");
        return;
    }
    if (per_page > 100)
        per_page = 100;
    int64_t start = (page - 1) * per_page, end = start + per_page;
    cJSON *slice = cJSON_CreateArray();
    for (int64_t i = start; i < end && i < total; i++)
        cJSON_AddItemToArray(slice, cJSON_Duplicate(cJSON_GetArrayItem(items, (int)i), true));
    cJSON_Delete(items);
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, key, slice);
    add_page_link(cx, body, "next_page", path, end < total, page + 1, per_page);
    add_page_link(cx, body, "previous_page", path, page > 1, page - 1, per_page);
    cJSON_AddNumberToObject(body, "count", (double)total);
    sb_reply_json(cx, 200, body);
}

cJSON *sb_zd_render_with_url(sb_ctx *cx, const cJSON *obj, const char *collection)
{
    cJSON *out = cJSON_Duplicate(obj, true);
    int64_t id = 0;
    sb_get_int(obj, "id", &id);
    char *url = hb_xasprintf("%s/api/v2/%s/%lld.json", sb_base_url(cx), collection, (long long)id);
    sb_set(out, "url", cJSON_CreateString(url));
    free(url);
    return out;
}

static void reply_one(sb_ctx *cx, const char *collection, const char *key)
{
    cJSON *obj = sb_zd_find(cx, collection);
    if (!obj) {
        sb_zendesk_not_found(cx);
        return;
    }
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, key, sb_zd_render_with_url(cx, obj, collection));
    sb_reply_json(cx, 200, body);
}

void sb_h_zd_org_get(sb_ctx *cx)
{
    reply_one(cx, "organizations", "organization");
}

void sb_h_zd_user_get(sb_ctx *cx)
{
    reply_one(cx, "users", "user");
}

void sb_h_zd_org_put(sb_ctx *cx)
{
    cJSON *org = sb_zd_find(cx, "organizations");
    if (!org) {
        sb_zendesk_not_found(cx);
        return;
    }
    cJSON *in = cJSON_GetObjectItemCaseSensitive(sb_body_json(cx), "organization");
    if (!cJSON_IsObject(in)) {
        cJSON *body = cJSON_CreateObject();
        cJSON *err = cJSON_AddObjectToObject(body, "error");
        cJSON_AddStringToObject(err, "title", "Invalid attribute");
        cJSON_AddStringToObject(err, "message", "The body must be {\"organization\": {...}}");
        sb_reply_json(cx, 400, body);
        return;
    }
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(in, "name");
    if (name && (!cJSON_IsString(name) || !*name->valuestring)) {
        sb_zd_reply_invalid(cx, "name", "Name: cannot be blank");
        return;
    }
    static const char *const plain[] = {"name",           "details",         "notes",
                                        "group_id",       "external_id",     "domain_names",
                                        "shared_tickets", "shared_comments", NULL};
    for (const char *const *f = plain; *f; f++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, *f);
        if (v)
            sb_set(org, *f, cJSON_Duplicate(v, true));
    }
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(in, "tags");
    if (cJSON_IsArray(tags)) {
        cJSON *fresh = cJSON_CreateArray();
        sb_zd_add_tags(fresh, tags);
        sb_set(org, "tags", fresh);
    }
    /* organization_fields merge key by key, as on the real API. */
    const cJSON *fields = cJSON_GetObjectItemCaseSensitive(in, "organization_fields");
    if (cJSON_IsObject(fields)) {
        cJSON *cur = cJSON_GetObjectItemCaseSensitive(org, "organization_fields");
        if (!cJSON_IsObject(cur)) {
            cur = cJSON_CreateObject();
            sb_set(org, "organization_fields", cur);
        }
        for (const cJSON *f = fields->child; f; f = f->next)
            sb_set(cur, f->string, cJSON_Duplicate(f, true));
    }
    char now[32];
    sb_now_seconds(now);
    sb_set(org, "updated_at", cJSON_CreateString(now));
    cx->changed = true;
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "organization", sb_zd_render_with_url(cx, org, "organizations"));
    sb_reply_json(cx, 200, body);
}

void sb_h_zd_ticket_forms(sb_ctx *cx)
{
    const char *active = sb_query(cx, "active");
    bool want_active = active && (!strcmp(active, "true") || !strcmp(active, "1"));
    cJSON *forms = cJSON_CreateArray();
    const cJSON *f;
    cJSON_ArrayForEach(f, sb_coll(cx->data, "zendesk", "ticket_forms"))
    {
        bool is_active = sb_truthy(cJSON_GetObjectItemCaseSensitive(f, "active"), true);
        if (active && is_active != want_active)
            continue;
        cJSON_AddItemToArray(forms, sb_zd_render_with_url(cx, f, "ticket_forms"));
    }
    cJSON *body = cJSON_CreateObject();
    int count = cJSON_GetArraySize(forms);
    cJSON_AddItemToObject(body, "ticket_forms", forms);
    cJSON_AddNullToObject(body, "next_page");
    cJSON_AddNullToObject(body, "previous_page");
    cJSON_AddNumberToObject(body, "count", count);
    sb_reply_json(cx, 200, body);
}
