/* Zendesk search: GET /api/v2/search?query=… over tickets, organizations
 * and users. The basics of the query language: "type:ticket",
 * property:value (":" or, for status and dates, "<", ">", "<=", ">="),
 * "-" to negate, quoted phrases, and bare words matched in the text. The
 * same property given twice matches either value (status:open
 * status:pending); different properties must all match. Offset paging
 * only, at most 100 a page and 1000 results, as on the real API. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sandbox_internal.h"
#include "zendesk_internal.h"

typedef enum op { OP_EQ, OP_LT, OP_GT, OP_LE, OP_GE } op;

typedef struct term {
    char *key; /* NULL for a bare word */
    op op;
    char *value;
    bool negated;
} term;

typedef struct terms {
    term *items;
    size_t count;
} terms;

static void terms_free(terms *ts)
{
    for (size_t i = 0; i < ts->count; i++) {
        free(ts->items[i].key);
        free(ts->items[i].value);
    }
    free(ts->items);
}

static char *unquote(const char *s, size_t n)
{
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"')
        return hb_xstrndup(s + 1, n - 2);
    return hb_xstrndup(s, n);
}

static void parse_terms(const char *q, terms *ts)
{
    const char *p = q;
    while (*p) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        const char *start = p;
        bool quoted = false;
        while (*p && (quoted || !isspace((unsigned char)*p))) {
            if (*p == '"')
                quoted = !quoted;
            p++;
        }
        term t = {0};
        if (*start == '-' && p - start > 1) {
            t.negated = true;
            start++;
        }
        const char *sep = start;
        while (sep < p && *sep != ':' && *sep != '<' && *sep != '>' && *sep != '"')
            sep++;
        if (sep < p && *sep != '"' && sep > start) {
            t.key = hb_xstrndup(start, (size_t)(sep - start));
            for (char *k = t.key; *k; k++)
                *k = (char)tolower((unsigned char)*k);
            const char *v = sep + 1;
            if (*sep == '<')
                t.op = *v == '=' ? OP_LE : OP_LT;
            else if (*sep == '>')
                t.op = *v == '=' ? OP_GE : OP_GT;
            if ((t.op == OP_LE || t.op == OP_GE))
                v++;
            t.value = unquote(v, (size_t)(p - v));
        } else {
            t.value = unquote(start, (size_t)(p - start));
        }
        ts->items = hb_xrealloc(ts->items, (ts->count + 1) * sizeof *ts->items);
        ts->items[ts->count++] = t;
    }
}

static int status_rank(const char *s)
{
    static const char *const order[] = {"new", "open", "pending", "hold", "solved", "closed"};
    for (int i = 0; i < 6; i++) {
        if (s && !strcasecmp(s, order[i]))
            return i;
    }
    return -1;
}

static bool compare(int cmp, op o)
{
    switch (o) {
    case OP_LT:
        return cmp < 0;
    case OP_GT:
        return cmp > 0;
    case OP_LE:
        return cmp <= 0;
    case OP_GE:
        return cmp >= 0;
    default:
        return cmp == 0;
    }
}

/* Matches a number field by id, or "none" for an empty one. */
static bool id_matches(const cJSON *obj, const char *field, const char *value)
{
    int64_t have, want;
    bool present = sb_get_int(obj, field, &have);
    if (!strcasecmp(value, "none"))
        return !present;
    return present && sb_parse_int(value, &want) && have == want;
}

static bool user_matches(sb_ctx *cx, const cJSON *obj, const char *field, const char *value)
{
    if (id_matches(obj, field, value))
        return true;
    int64_t uid;
    if (!sb_get_int(obj, field, &uid))
        return false;
    const cJSON *u = sb_find_int(sb_coll(cx->data, "zendesk", "users"), "id", uid);
    const char *email = sb_get_str(u, "email"), *name = sb_get_str(u, "name");
    return (email && !strcasecmp(email, value)) || (name && !strcasecmp(name, value));
}

static bool org_matches(sb_ctx *cx, const cJSON *obj, const char *value)
{
    if (id_matches(obj, "organization_id", value))
        return true;
    int64_t oid;
    if (!sb_get_int(obj, "organization_id", &oid))
        return false;
    const cJSON *o = sb_find_int(sb_coll(cx->data, "zendesk", "organizations"), "id", oid);
    return sb_contains_ci(sb_get_str(o, "name"), value);
}

static bool form_matches(sb_ctx *cx, const cJSON *t, const char *value)
{
    if (id_matches(t, "ticket_form_id", value))
        return true;
    int64_t fid;
    if (!sb_get_int(t, "ticket_form_id", &fid))
        return false;
    const cJSON *f = sb_find_int(sb_coll(cx->data, "zendesk", "ticket_forms"), "id", fid);
    const char *name = sb_get_str(f, "name");
    return name && !strcasecmp(name, value);
}

static bool text_matches(const cJSON *obj, const char *kind, const char *word)
{
    static const char *const fields[] = {"subject", "description", "name",
                                         "notes",   "details",     "email"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (sb_contains_ci(sb_get_str(obj, fields[i]), word))
            return true;
    }
    if (!strcmp(kind, "ticket")) {
        const cJSON *c;
        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(obj, "comments"))
        {
            if (sb_contains_ci(sb_get_str(c, "body"), word))
                return true;
        }
    }
    return false;
}

/* One property term against one object; *known = false for a property
 * the sandbox does not implement. */
static bool term_matches(sb_ctx *cx, const cJSON *obj, const char *kind, const term *t, bool *known)
{
    *known = true;
    const char *k = t->key, *v = t->value;
    bool ticket = !strcmp(kind, "ticket");
    if (!strcmp(k, "type"))
        return !strcasecmp(v, kind);
    if (!strcmp(k, "tags") || !strcmp(k, "tag"))
        return sb_array_has_str(cJSON_GetObjectItemCaseSensitive(obj, "tags"), v);
    if (!strcmp(k, "organization") || !strcmp(k, "organization_id"))
        return ticket || !strcmp(kind, "user") ? org_matches(cx, obj, v) : id_matches(obj, "id", v);
    if (!strcmp(k, "status")) {
        int have = status_rank(sb_get_str(obj, "status")), want = status_rank(v);
        return ticket && have >= 0 && want >= 0 && compare(have - want, t->op);
    }
    if (!strcmp(k, "created") || !strcmp(k, "updated")) {
        const char *field = k[0] == 'c' ? "created_at" : "updated_at";
        const char *have = sb_get_str(obj, field);
        return have && compare(strncmp(have, v, strlen(v)), t->op);
    }
    if (!strcmp(k, "priority") || !strcmp(k, "ticket_type") || !strcmp(k, "role")) {
        const char *field = !strcmp(k, "ticket_type") ? "type" : k;
        const char *have = sb_get_str(obj, field);
        return have && !strcasecmp(have, v);
    }
    if (!strcmp(k, "requester") || !strcmp(k, "assignee"))
        return ticket && user_matches(cx, obj, k[0] == 'r' ? "requester_id" : "assignee_id", v);
    if (!strcmp(k, "form") || !strcmp(k, "ticket_form_id"))
        return ticket && form_matches(cx, obj, v);
    if (!strcmp(k, "subject") || !strcmp(k, "description") || !strcmp(k, "name") ||
        !strcmp(k, "email") || !strcmp(k, "notes") || !strcmp(k, "details"))
        return sb_contains_ci(sb_get_str(obj, k), v);
    *known = false;
    return false;
}

/* Every property's terms: at least one positive term per property holds,
 * no negated term holds, every bare word appears. */
static bool object_matches(sb_ctx *cx, const cJSON *obj, const char *kind, const terms *ts,
                           const char **unknown)
{
    for (size_t i = 0; i < ts->count; i++) {
        const term *t = &ts->items[i];
        if (!t->key) {
            if (text_matches(obj, kind, t->value) == t->negated)
                return false;
            continue;
        }
        bool known;
        bool hit = term_matches(cx, obj, kind, t, &known);
        if (!known) {
            *unknown = t->key;
            return false;
        }
        if (t->negated) {
            if (hit)
                return false;
            continue;
        }
        bool any = hit;
        for (size_t j = 0; j < ts->count && !any; j++) {
            const term *o = &ts->items[j];
            if (j != i && o->key && !o->negated && !strcmp(o->key, t->key))
                any = term_matches(cx, obj, kind, o, &known);
        }
        if (!any)
            return false;
    }
    return true;
}

static cJSON *render_result(sb_ctx *cx, const cJSON *obj, const char *kind, const char *coll)
{
    cJSON *out;
    if (!strcmp(kind, "ticket")) {
        out = sb_zd_render_ticket(cx, obj);
    } else {
        out = cJSON_Duplicate(obj, true);
        int64_t id = 0;
        sb_get_int(obj, "id", &id);
        char *url = hb_xasprintf("%s/api/v2/%s/%lld.json", sb_base_url(cx), coll, (long long)id);
        sb_set(out, "url", cJSON_CreateString(url));
        free(url);
    }
    sb_set(out, "result_type", cJSON_CreateString(kind));
    return out;
}

static int cmp_field(const cJSON *a, const cJSON *b, const char *field)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(a, field);
    const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, field);
    if (cJSON_IsNumber(x) && cJSON_IsNumber(y))
        return (x->valuedouble > y->valuedouble) - (x->valuedouble < y->valuedouble);
    const char *s = cJSON_IsString(x) ? x->valuestring : "";
    const char *t = cJSON_IsString(y) ? y->valuestring : "";
    return strcmp(s, t);
}

/* A stable insertion sort: result sets are small. */
static void sort_results(cJSON *results, const char *field, bool desc)
{
    int n = cJSON_GetArraySize(results);
    cJSON **items = hb_xcalloc((size_t)n + 1, sizeof *items);
    for (int i = 0; i < n; i++)
        items[i] = cJSON_DetachItemFromArray(results, 0);
    for (int i = 1; i < n; i++) {
        cJSON *cur = items[i];
        int j = i - 1;
        while (j >= 0 &&
               (desc ? cmp_field(items[j], cur, field) < 0 : cmp_field(items[j], cur, field) > 0)) {
            items[j + 1] = items[j];
            j--;
        }
        items[j + 1] = cur;
    }
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(results, items[i]);
    free(items);
}

void sb_h_zd_search(sb_ctx *cx)
{
    const char *query = sb_query(cx, "query");
    if (!query || !*query) {
        sb_zendesk_error(cx, 400, "InvalidQuery", "query is required");
        return;
    }
    if (sb_query(cx, "page[size]") || sb_query(cx, "page[after]")) {
        sb_zendesk_error(cx, 400, "InvalidPaginationParameter",
                         "search supports offset paging only (page, per_page)");
        return;
    }
    int64_t page = 1, per_page = 100;
    if ((sb_query(cx, "page") && !sb_parse_int(sb_query(cx, "page"), &page)) ||
        (sb_query(cx, "per_page") && !sb_parse_int(sb_query(cx, "per_page"), &per_page)) ||
        page < 1 || per_page < 1) {
        sb_zendesk_error(cx, 400, "InvalidPaginationParameter",
                         "page and per_page must be positive integers");
        return;
    }
    if (per_page > 100)
        per_page = 100;
    if (page * per_page > 1000) {
        sb_zendesk_error(cx, 422, "invalid",
                         "Requested response size was greater than Search Response Limits");
        return;
    }
    terms ts = {0};
    parse_terms(query, &ts);
    static const char *const kinds[][2] = {
        {"ticket", "tickets"}, {"organization", "organizations"}, {"user", "users"}};
    cJSON *results = cJSON_CreateArray();
    const char *unknown = NULL;
    for (size_t k = 0; k < 3 && !unknown; k++) {
        const cJSON *obj;
        cJSON_ArrayForEach(obj, sb_coll(cx->data, "zendesk", kinds[k][1]))
        {
            if (object_matches(cx, obj, kinds[k][0], &ts, &unknown))
                cJSON_AddItemToArray(results, render_result(cx, obj, kinds[k][0], kinds[k][1]));
            if (unknown)
                break;
        }
    }
    if (unknown) {
        char *msg = hb_xasprintf("the sandbox's search does not know the property '%s' "
                                 "(see workflows/sandbox/README.md)",
                                 unknown);
        terms_free(&ts);
        cJSON_Delete(results);
        sb_zendesk_error(cx, 400, "InvalidQuery", msg);
        free(msg);
        return;
    }
    terms_free(&ts);
    const char *sort_by = sb_query(cx, "sort_by");
    if (sort_by) {
        const char *order = sb_query(cx, "sort_order");
        char *field =
            hb_xasprintf("%s%s", sort_by,
                         !strcmp(sort_by, "created") || !strcmp(sort_by, "updated") ? "_at" : "");
        sort_results(results, field, !order || strcmp(order, "asc") != 0);
        free(field);
    }
    sb_zd_reply_page(cx, results, "results", "/api/v2/search.json");
}
