/* GitLab rendering and pagination, shared by the handlers in gitlab.c:
 * the API shapes of users, issues and notes, offset pagination with
 * x-page/x-next-page/x-total… and a Link header, and list sorting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gitlab_internal.h"

int64_t sb_gl_api_user(sb_ctx *cx)
{
    int64_t id = 1;
    sb_get_int(cJSON_GetObjectItemCaseSensitive(cx->data, "sandbox"), "gitlab_api_user", &id);
    return id;
}

cJSON *sb_gl_render_user(sb_ctx *cx, int64_t id)
{
    const cJSON *u = sb_find_int(sb_coll(cx->data, "gitlab", "users"), "id", id);
    const char *username = sb_get_str(u, "username");
    cJSON *out = cJSON_CreateObject();
    cJSON_AddNumberToObject(out, "id", (double)id);
    cJSON_AddStringToObject(out, "username", username ? username : "unknown");
    cJSON_AddStringToObject(out, "name", sb_get_str(u, "name") ? sb_get_str(u, "name") : "");
    cJSON_AddStringToObject(out, "state", "active");
    cJSON_AddNullToObject(out, "avatar_url");
    char *url = hb_xasprintf("%s/%s", sb_web_url(cx), username ? username : "unknown");
    cJSON_AddStringToObject(out, "web_url", url);
    free(url);
    return out;
}

static void add_str_or_null(cJSON *obj, const char *key, const char *value)
{
    if (value)
        cJSON_AddStringToObject(obj, key, value);
    else
        cJSON_AddNullToObject(obj, key);
}

cJSON *sb_gl_render_issue(sb_ctx *cx, const cJSON *project, const cJSON *issue)
{
    int64_t pid = 0, iid = 0, id = 0, author = 0, closer = 0;
    sb_get_int(project, "id", &pid);
    sb_get_int(issue, "iid", &iid);
    sb_get_int(issue, "id", &id);
    if (!sb_get_int(issue, "author_id", &author))
        author = sb_gl_api_user(cx);
    const char *path = sb_get_str(project, "path_with_namespace");
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)id);
    cJSON_AddNumberToObject(o, "iid", (double)iid);
    cJSON_AddNumberToObject(o, "project_id", (double)pid);
    add_str_or_null(o, "title", sb_get_str(issue, "title"));
    add_str_or_null(o, "description", sb_get_str(issue, "description"));
    const char *state = sb_get_str(issue, "state");
    cJSON_AddStringToObject(o, "state", state ? state : "opened");
    add_str_or_null(o, "created_at", sb_get_str(issue, "created_at"));
    add_str_or_null(o, "updated_at", sb_get_str(issue, "updated_at"));
    add_str_or_null(o, "closed_at", sb_get_str(issue, "closed_at"));
    if (sb_get_int(issue, "closed_by_id", &closer))
        cJSON_AddItemToObject(o, "closed_by", sb_gl_render_user(cx, closer));
    else
        cJSON_AddNullToObject(o, "closed_by");
    const cJSON *labels = cJSON_GetObjectItemCaseSensitive(issue, "labels");
    cJSON_AddItemToObject(
        o, "labels", cJSON_IsArray(labels) ? cJSON_Duplicate(labels, true) : cJSON_CreateArray());
    cJSON_AddNullToObject(o, "milestone");
    const cJSON *assignees = cJSON_GetObjectItemCaseSensitive(issue, "assignee_ids");
    cJSON *rendered = cJSON_AddArrayToObject(o, "assignees");
    const cJSON *a;
    cJSON_ArrayForEach(a, assignees)
    {
        if (cJSON_IsNumber(a))
            cJSON_AddItemToArray(rendered, sb_gl_render_user(cx, (int64_t)a->valuedouble));
    }
    cJSON_AddItemToObject(o, "assignee",
                          rendered->child ? cJSON_Duplicate(rendered->child, true)
                                          : cJSON_CreateNull());
    cJSON_AddItemToObject(o, "author", sb_gl_render_user(cx, author));
    cJSON_AddStringToObject(o, "type", "ISSUE");
    int user_notes = 0;
    const cJSON *n;
    cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(issue, "notes"))
    {
        user_notes += !sb_truthy(cJSON_GetObjectItemCaseSensitive(n, "system"), false);
    }
    cJSON_AddNumberToObject(o, "user_notes_count", user_notes);
    add_str_or_null(o, "due_date", sb_get_str(issue, "due_date"));
    cJSON_AddBoolToObject(
        o, "confidential",
        sb_truthy(cJSON_GetObjectItemCaseSensitive(issue, "confidential"), false));
    cJSON_AddStringToObject(o, "issue_type", "issue");
    char *web =
        hb_xasprintf("%s/%s/-/issues/%lld", sb_web_url(cx), path ? path : "", (long long)iid);
    cJSON_AddStringToObject(o, "web_url", web);
    free(web);
    cJSON *refs = cJSON_AddObjectToObject(o, "references");
    char ref[512];
    snprintf(ref, sizeof ref, "#%lld", (long long)iid);
    cJSON_AddStringToObject(refs, "short", ref);
    cJSON_AddStringToObject(refs, "relative", ref);
    snprintf(ref, sizeof ref, "%s#%lld", path ? path : "", (long long)iid);
    cJSON_AddStringToObject(refs, "full", ref);
    return o;
}

cJSON *sb_gl_render_note(sb_ctx *cx, const cJSON *project, const cJSON *issue, const cJSON *n,
                         const char *noteable_type)
{
    int64_t author = 0, pid = 0, issue_id = 0, iid = 0;
    if (!sb_get_int(n, "author_id", &author))
        author = sb_gl_api_user(cx);
    sb_get_int(project, "id", &pid);
    sb_get_int(issue, "id", &issue_id);
    sb_get_int(issue, "iid", &iid);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "id",
                          cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(n, "id"), true));
    cJSON_AddNullToObject(o, "type");
    add_str_or_null(o, "body", sb_get_str(n, "body"));
    cJSON_AddNullToObject(o, "attachment");
    cJSON_AddItemToObject(o, "author", sb_gl_render_user(cx, author));
    add_str_or_null(o, "created_at", sb_get_str(n, "created_at"));
    add_str_or_null(o, "updated_at",
                    sb_get_str(n, sb_get_str(n, "updated_at") ? "updated_at" : "created_at"));
    cJSON_AddBoolToObject(o, "system",
                          sb_truthy(cJSON_GetObjectItemCaseSensitive(n, "system"), false));
    cJSON_AddNumberToObject(o, "noteable_id", (double)issue_id);
    cJSON_AddStringToObject(o, "noteable_type", noteable_type);
    cJSON_AddNumberToObject(o, "project_id", (double)pid);
    cJSON_AddBoolToObject(o, "resolvable", false);
    bool internal = sb_truthy(cJSON_GetObjectItemCaseSensitive(n, "internal"), false);
    cJSON_AddBoolToObject(o, "confidential", internal);
    cJSON_AddBoolToObject(o, "internal", internal);
    cJSON_AddNumberToObject(o, "noteable_iid", (double)iid);
    return o;
}

static char *page_link(sb_ctx *cx, int64_t page, int64_t per_page)
{
    hb_buf b;
    hb_buf_init(&b);
    hb_buf_printf(&b, "%s%s?", sb_base_url(cx), cx->req->path);
    for (size_t i = 0; i < cx->req->nquery; i++) {
        const char *name = cx->req->query[i].name;
        if (!strcmp(name, "page") || !strcmp(name, "per_page"))
            continue;
        sb_url_encode(&b, name);
        hb_buf_putc(&b, '=');
        sb_url_encode(&b, cx->req->query[i].value);
        hb_buf_putc(&b, '&');
    }
    hb_buf_printf(&b, "page=%lld&per_page=%lld", (long long)page, (long long)per_page);
    return hb_buf_take(&b);
}

static void link_part(hb_buf *link, sb_ctx *cx, int64_t page, int64_t per_page, const char *rel)
{
    char *url = page_link(cx, page, per_page);
    hb_buf_printf(link, "%s<%s>; rel=\"%s\"", link->len ? ", " : "", url, rel);
    free(url);
}

/* Replies 200 with one page of items (taken) and GitLab's headers. */
void sb_gl_reply_page(sb_ctx *cx, cJSON *items)
{
    int64_t page = 1, per_page = 20, total = cJSON_GetArraySize(items);
    const char *p = sb_query(cx, "page"), *pp = sb_query(cx, "per_page");
    if ((p && (!sb_parse_int(p, &page) || page < 1)))
        page = 1;
    if ((pp && (!sb_parse_int(pp, &per_page) || per_page < 1)))
        per_page = 20;
    if (per_page > 100)
        per_page = 100;
    int64_t pages = total == 0 ? 1 : (total + per_page - 1) / per_page;
    cJSON *slice = cJSON_CreateArray();
    for (int64_t i = (page - 1) * per_page; i < page * per_page && i < total; i++)
        cJSON_AddItemToArray(slice, cJSON_Duplicate(cJSON_GetArrayItem(items, (int)i), true));
    cJSON_Delete(items);
    sb_add_headerf(cx, "x-page", "%lld", (long long)page);
    sb_add_headerf(cx, "x-per-page", "%lld", (long long)per_page);
    sb_add_headerf(cx, "x-total", "%lld", (long long)total);
    sb_add_headerf(cx, "x-total-pages", "%lld", (long long)pages);
    if (page < pages)
        sb_add_headerf(cx, "x-next-page", "%lld", (long long)page + 1);
    else
        sb_add_header(cx, "x-next-page", "");
    if (page > 1)
        sb_add_headerf(cx, "x-prev-page", "%lld", (long long)page - 1);
    else
        sb_add_header(cx, "x-prev-page", "");
    hb_buf link;
    hb_buf_init(&link);
    if (page > 1)
        link_part(&link, cx, page - 1, per_page, "prev");
    if (page < pages)
        link_part(&link, cx, page + 1, per_page, "next");
    link_part(&link, cx, 1, per_page, "first");
    link_part(&link, cx, pages, per_page, "last");
    sb_add_header(cx, "Link", link.data);
    hb_buf_free(&link);
    sb_reply_json(cx, 200, slice);
}

/* Stable insertion sort of rendered objects by a string field, then id. */
static void sort_by(cJSON *arr, const char *field, bool desc)
{
    int n = cJSON_GetArraySize(arr);
    cJSON **items = hb_xcalloc((size_t)n + 1, sizeof *items);
    for (int i = 0; i < n; i++)
        items[i] = cJSON_DetachItemFromArray(arr, 0);
    for (int i = 1; i < n; i++) {
        cJSON *cur = items[i];
        int j = i - 1;
        for (; j >= 0; j--) {
            const char *a = sb_get_str(items[j], field), *b = sb_get_str(cur, field);
            int c = strcmp(a ? a : "", b ? b : "");
            if (c == 0) {
                int64_t x = 0, y = 0;
                sb_get_int(items[j], "id", &x);
                sb_get_int(cur, "id", &y);
                c = (x > y) - (x < y);
            }
            if (desc ? c >= 0 : c <= 0)
                break;
            items[j + 1] = items[j];
        }
        items[j + 1] = cur;
    }
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(arr, items[i]);
    free(items);
}

void sb_gl_sort_from_query(sb_ctx *cx, cJSON *arr, bool default_desc)
{
    const char *order_by = sb_query(cx, "order_by");
    const char *sort = sb_query(cx, "sort");
    bool desc = sort ? strcmp(sort, "asc") != 0 : default_desc;
    sort_by(arr, order_by && !strcmp(order_by, "updated_at") ? "updated_at" : "created_at", desc);
}
