/* Salesforce REST API: SOQL queries (with Owner.* and Account.*
 * relationship fields and nextRecordsUrl paging) and sObject reads and
 * PATCH updates (204, no body). Records are stored flat under
 * salesforce.<Type>; relationships follow OwnerId and AccountId. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sandbox_internal.h"

static const char *const sobject_types[] = {"Opportunity", "Account", "User", NULL};

/* The stored type name for a name in any case, or NULL. */
static const char *canonical_type(const char *name)
{
    for (const char *const *t = sobject_types; *t; t++) {
        if (!strcasecmp(*t, name))
            return *t;
    }
    return NULL;
}

static const char *version_of(sb_ctx *cx)
{
    const char *v = sb_param(cx, "version");
    return v ? v : "v60.0";
}

/* Salesforce accepts an 18-character id or its 15-character prefix. */
static cJSON *find_record(sb_ctx *cx, const char *type, const char *id)
{
    const cJSON *r;
    cJSON_ArrayForEach(r, sb_coll(cx->data, "salesforce", type))
    {
        const char *have = sb_get_str(r, "Id");
        if (have && (!strcmp(have, id) || (strlen(id) == 15 && !strncmp(have, id, 15))))
            return (cJSON *)r;
    }
    return NULL;
}

static cJSON *attributes(sb_ctx *cx, const char *type, const char *id)
{
    cJSON *a = cJSON_CreateObject();
    cJSON_AddStringToObject(a, "type", type);
    char *url =
        hb_xasprintf("/services/data/%s/sobjects/%s/%s", version_of(cx), type, id ? id : "");
    cJSON_AddStringToObject(a, "url", url);
    free(url);
    return a;
}

/* "Owner" → (User, OwnerId); "Account" → (Account, AccountId). */
static bool relationship(const char *name, const char **type, const char **key)
{
    if (!strcasecmp(name, "Owner") || !strcasecmp(name, "CreatedBy") ||
        !strcasecmp(name, "LastModifiedBy")) {
        *type = "User";
        *key = !strcasecmp(name, "Owner") ? "OwnerId" : NULL;
        return *key != NULL;
    }
    if (!strcasecmp(name, "Account")) {
        *type = "Account";
        *key = "AccountId";
        return true;
    }
    return false;
}

typedef struct soql_ctx {
    sb_ctx *cx;
} soql_ctx;

static cJSON *soql_lookup(const cJSON *record, const char *field, void *ud)
{
    soql_ctx *sc = ud;
    const char *dot = strchr(field, '.');
    if (!dot)
        return sb_field_ci(record, field);
    char *rel = hb_xstrndup(field, (size_t)(dot - field));
    const char *type, *key;
    cJSON *out = NULL;
    if (relationship(rel, &type, &key)) {
        const char *id = sb_get_str(record, key);
        cJSON *target = id ? find_record(sc->cx, type, id) : NULL;
        out = target ? soql_lookup(target, dot + 1, ud) : NULL;
    }
    free(rel);
    return out;
}

/* True when some record of the type has the field (or it is a known
 * relationship), so a typo fails like INVALID_FIELD instead of giving null. */
static bool field_known(sb_ctx *cx, const char *type, const char *field)
{
    const char *dot = strchr(field, '.');
    if (dot) {
        char *rel = hb_xstrndup(field, (size_t)(dot - field));
        const char *rtype, *key;
        bool ok = relationship(rel, &rtype, &key) && field_known(cx, rtype, dot + 1);
        free(rel);
        return ok;
    }
    const cJSON *r;
    cJSON_ArrayForEach(r, sb_coll(cx->data, "salesforce", type))
    {
        if (sb_field_ci(r, field))
            return true;
    }
    return !strcasecmp(field, "Id");
}

/* Adds field (maybe "Owner.Name") of rec to row, nesting relationships. */
static void add_field(soql_ctx *sc, cJSON *row, const cJSON *rec, const char *field)
{
    const char *dot = strchr(field, '.');
    if (!dot) {
        cJSON *v = sb_field_ci(rec, field);
        const char *name = v ? v->string : field;
        if (!cJSON_GetObjectItemCaseSensitive(row, name))
            cJSON_AddItemToObject(row, name, v ? cJSON_Duplicate(v, true) : cJSON_CreateNull());
        return;
    }
    char *rel = hb_xstrndup(field, (size_t)(dot - field));
    const char *type, *key;
    relationship(rel, &type, &key);
    const char *id = sb_get_str(rec, key);
    const cJSON *target = id ? find_record(sc->cx, type, id) : NULL;
    cJSON *nested = cJSON_GetObjectItemCaseSensitive(row, rel);
    if (!target) {
        if (!nested)
            cJSON_AddNullToObject(row, rel);
    } else {
        if (!cJSON_IsObject(nested)) {
            nested = cJSON_CreateObject();
            cJSON_AddItemToObject(nested, "attributes",
                                  attributes(sc->cx, type, sb_get_str(target, "Id")));
            sb_set(row, rel, nested);
        }
        add_field(sc, nested, target, dot + 1);
    }
    free(rel);
}

static int compare_records(soql_ctx *sc, const cJSON *a, const cJSON *b, const char *field)
{
    const cJSON *x = soql_lookup(a, field, sc), *y = soql_lookup(b, field, sc);
    if (cJSON_IsNumber(x) && cJSON_IsNumber(y))
        return (x->valuedouble > y->valuedouble) - (x->valuedouble < y->valuedouble);
    const char *s = cJSON_IsString(x) ? x->valuestring : "";
    const char *t = cJSON_IsString(y) ? y->valuestring : "";
    return strcmp(s, t);
}

static void reply_soql_error(sb_ctx *cx, const char *code, const char *msg)
{
    sb_salesforce_error(cx, 400, code, msg);
}

static void run_soql(sb_ctx *cx, const char *text, int64_t offset)
{
    sb_sql q;
    hb_err e = {0};
    if (sb_sql_parse(text, &q, &e) != HB_OK) {
        sb_sql_free(&q);
        reply_soql_error(cx, "MALFORMED_QUERY", e.msg);
        return;
    }
    const char *type = canonical_type(q.object);
    if (!type) {
        char *msg = hb_xasprintf("sObject type '%s' is not supported.", q.object);
        reply_soql_error(cx, "INVALID_TYPE", msg);
        free(msg);
        sb_sql_free(&q);
        return;
    }
    for (size_t i = 0; i < q.nfields + q.nconds + (q.order_by ? 1 : 0); i++) {
        const char *f = i < q.nfields              ? q.fields[i]
                        : i < q.nfields + q.nconds ? q.conds[i - q.nfields].field
                                                   : q.order_by;
        if (!field_known(cx, type, f)) {
            char *msg = hb_xasprintf("No such column '%s' on entity '%s'.", f, type);
            reply_soql_error(cx, "INVALID_FIELD", msg);
            free(msg);
            sb_sql_free(&q);
            return;
        }
    }
    soql_ctx sc = {cx};
    const cJSON *all = sb_coll(cx->data, "salesforce", type);
    int n = cJSON_GetArraySize(all), count = 0;
    const cJSON **matched = hb_xcalloc((size_t)n + 1, sizeof *matched);
    const cJSON *r;
    cJSON_ArrayForEach(r, all)
    {
        if (sb_sql_matches(&q, r, soql_lookup, &sc))
            matched[count++] = r;
    }
    for (int i = 1; q.order_by && i < count; i++) {
        const cJSON *cur = matched[i];
        int j = i - 1;
        while (j >= 0 && (q.order_desc ? compare_records(&sc, matched[j], cur, q.order_by) < 0
                                       : compare_records(&sc, matched[j], cur, q.order_by) > 0)) {
            matched[j + 1] = matched[j];
            j--;
        }
        matched[j + 1] = cur;
    }
    if (q.limit >= 0 && q.limit < count)
        count = (int)q.limit;
    int64_t batch = cx->sb->query_batch;
    cJSON *body = cJSON_CreateObject();
    cJSON_AddNumberToObject(body, "totalSize", count);
    bool done = offset + batch >= count;
    cJSON_AddBoolToObject(body, "done", done);
    if (!done) {
        char *locator = sb_locator_make(text, offset + batch);
        char *url = hb_xasprintf("/services/data/%s/query/%s", version_of(cx), locator);
        cJSON_AddStringToObject(body, "nextRecordsUrl", url);
        free(url);
        free(locator);
    }
    cJSON *records = cJSON_AddArrayToObject(body, "records");
    for (int64_t i = offset; i < offset + batch && i < count; i++) {
        cJSON *row = cJSON_CreateObject();
        cJSON_AddItemToObject(row, "attributes",
                              attributes(cx, type, sb_get_str(matched[i], "Id")));
        for (size_t f = 0; f < q.nfields; f++)
            add_field(&sc, row, matched[i], q.fields[f]);
        cJSON_AddItemToArray(records, row);
    }
    free(matched);
    sb_sql_free(&q);
    sb_reply_json(cx, 200, body);
}

void sb_h_sf_query(sb_ctx *cx)
{
    const char *q = sb_query(cx, "q");
    if (!q || !*q) {
        reply_soql_error(cx, "MALFORMED_QUERY", "the q parameter is required");
        return;
    }
    run_soql(cx, q, 0);
}

void sb_h_sf_query_more(sb_ctx *cx)
{
    char *text;
    int64_t offset;
    if (!sb_locator_parse(sb_param(cx, "locator"), &text, &offset)) {
        sb_salesforce_error(cx, 400, "INVALID_QUERY_LOCATOR", "invalid query locator");
        return;
    }
    run_soql(cx, text, offset);
    free(text);
}

static bool find_sobject(sb_ctx *cx, const char **type, cJSON **rec)
{
    *type = canonical_type(sb_param(cx, "type"));
    *rec = *type ? find_record(cx, *type, sb_param(cx, "id")) : NULL;
    if (*rec)
        return true;
    sb_salesforce_error(cx, 404, "NOT_FOUND", "The requested resource does not exist");
    return false;
}

void sb_h_sf_sobject_get(sb_ctx *cx)
{
    const char *type;
    cJSON *rec;
    if (!find_sobject(cx, &type, &rec))
        return;
    cJSON *out = cJSON_CreateObject();
    cJSON_AddItemToObject(out, "attributes", attributes(cx, type, sb_get_str(rec, "Id")));
    const char *fields = sb_query(cx, "fields");
    if (fields) {
        char *copy = hb_xstrdup(fields);
        soql_ctx sc = {cx};
        for (char *f = strtok(copy, ","); f; f = strtok(NULL, ",")) {
            if (!field_known(cx, type, f)) {
                char *msg = hb_xasprintf("No such column '%s' on sobject of type %s", f, type);
                free(copy);
                cJSON_Delete(out);
                sb_salesforce_error(cx, 400, "INVALID_FIELD", msg);
                free(msg);
                return;
            }
            add_field(&sc, out, rec, f);
        }
        free(copy);
        add_field(&sc, out, rec, "Id");
    } else {
        for (const cJSON *f = rec->child; f; f = f->next)
            cJSON_AddItemToObject(out, f->string, cJSON_Duplicate(f, true));
    }
    sb_reply_json(cx, 200, out);
}

void sb_h_sf_sobject_patch(sb_ctx *cx)
{
    const char *type;
    cJSON *rec;
    if (!find_sobject(cx, &type, &rec))
        return;
    cJSON *in = sb_body_json(cx);
    if (!cJSON_IsObject(in)) {
        sb_salesforce_error(cx, 400, "JSON_PARSER_ERROR", "the body must be a JSON object");
        return;
    }
    for (const cJSON *f = in->child; f; f = f->next) {
        const char *code = NULL;
        char *msg = NULL;
        if (!strcasecmp(f->string, "Id") || !strcasecmp(f->string, "CreatedDate") ||
            !strcasecmp(f->string, "LastModifiedDate")) {
            code = "INVALID_FIELD_FOR_INSERT_UPDATE";
            msg = hb_xasprintf("Unable to create/update fields: %s. Please check the security "
                               "settings of this field and verify that it is read/write for "
                               "your profile or permission set.",
                               f->string);
        } else if (strchr(f->string, '.') || !field_known(cx, type, f->string)) {
            code = "INVALID_FIELD";
            msg = hb_xasprintf("No such column '%s' on sobject of type %s", f->string, type);
        }
        if (code) {
            sb_salesforce_error(cx, 400, code, msg);
            free(msg);
            return;
        }
    }
    for (const cJSON *f = in->child; f; f = f->next) {
        cJSON *cur = sb_field_ci(rec, f->string);
        sb_set(rec, cur ? cur->string : f->string, cJSON_Duplicate(f, true));
    }
    char now[32];
    sb_now_millis(now);
    sb_set(rec, "LastModifiedDate", cJSON_CreateString(now));
    cx->changed = true;
    sb_reply_empty(cx, 204);
}
