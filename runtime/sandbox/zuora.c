/* Zuora REST API v1: subscriptions, an account's subscriptions, account
 * summaries and ZOQL queries with queryMore. An unknown key is answered
 * with HTTP 200 and success:false, as the real service does. Stored
 * subscriptions name their owner and invoice owner by account number;
 * account ids and names are filled in when rendering. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sandbox_internal.h"

#define CODE_NOT_FOUND     50000040
#define CODE_INVALID_VALUE 50000020
#define CODE_QUERY_ERROR   53100020

static cJSON *find_by_key(cJSON *arr, const char *number_field, const char *key)
{
    cJSON *found = sb_find_str(arr, number_field, key);
    return found ? found : sb_find_str(arr, "id", key);
}

static void reply_not_found(sb_ctx *cx, const char *key)
{
    char *msg = hb_xasprintf("Cannot find entity by key: '%s'.", key);
    sb_zuora_error(cx, 200, CODE_NOT_FOUND, msg);
    free(msg);
}

static void fill_account(sb_ctx *cx, cJSON *out, const char *number, const char *prefix)
{
    const cJSON *acct =
        sb_find_str(sb_coll(cx->data, "zuora", "accounts"), "accountNumber", number ? number : "");
    char key[64];
    const char *fields[][2] = {
        {"AccountId", "id"}, {"AccountNumber", "accountNumber"}, {"AccountName", "name"}};
    for (int i = 0; i < 3; i++) {
        snprintf(key, sizeof key, "%s%s", prefix, fields[i][0]);
        if (!*prefix)
            key[0] = 'a';
        const char *v = acct ? sb_get_str(acct, fields[i][1]) : (i == 1 ? number : NULL);
        sb_set(out, key, v ? cJSON_CreateString(v) : cJSON_CreateNull());
    }
}

static cJSON *render_subscription(sb_ctx *cx, const cJSON *sub)
{
    cJSON *out = cJSON_Duplicate(sub, true);
    const char *owner = sb_get_str(sub, "accountNumber");
    const char *invoice_owner = sb_get_str(sub, "invoiceOwnerAccountNumber");
    fill_account(cx, out, owner, "");
    fill_account(cx, out, invoice_owner ? invoice_owner : owner, "invoiceOwner");
    if (!cJSON_GetObjectItemCaseSensitive(out, "ratePlans"))
        cJSON_AddArrayToObject(out, "ratePlans");
    return out;
}

void sb_h_zu_subscription_get(sb_ctx *cx)
{
    const char *key = sb_param(cx, "key");
    cJSON *sub =
        find_by_key(sb_coll(cx->data, "zuora", "subscriptions"), "subscriptionNumber", key);
    if (!sub) {
        reply_not_found(cx, key);
        return;
    }
    cJSON *out = render_subscription(cx, sub);
    sb_set(out, "success", cJSON_CreateTrue());
    sb_reply_json(cx, 200, out);
}

/* The account's subscriptions, oldest first, as rendered objects. */
static cJSON *account_subscriptions(sb_ctx *cx, const cJSON *account)
{
    const char *number = sb_get_str(account, "accountNumber");
    cJSON *out = cJSON_CreateArray();
    const cJSON *sub;
    cJSON_ArrayForEach(sub, sb_coll(cx->data, "zuora", "subscriptions"))
    {
        const char *owner = sb_get_str(sub, "accountNumber");
        if (owner && number && !strcmp(owner, number))
            cJSON_AddItemToArray(out, render_subscription(cx, sub));
    }
    return out;
}

void sb_h_zu_account_subscriptions(sb_ctx *cx)
{
    const char *key = sb_param(cx, "key");
    cJSON *account = find_by_key(sb_coll(cx->data, "zuora", "accounts"), "accountNumber", key);
    if (!account) {
        reply_not_found(cx, key);
        return;
    }
    int64_t page = 1, size = 20;
    const char *p = sb_query(cx, "page"), *ps = sb_query(cx, "pageSize");
    if ((p && (!sb_parse_int(p, &page) || page < 1)) ||
        (ps && (!sb_parse_int(ps, &size) || size < 1 || size > 40))) {
        sb_zuora_error(cx, 200, CODE_INVALID_VALUE,
                       "page must be at least 1 and pageSize from 1 to 40");
        return;
    }
    cJSON *all = account_subscriptions(cx, account);
    int64_t total = cJSON_GetArraySize(all);
    cJSON *body = cJSON_CreateObject();
    cJSON *subs = cJSON_AddArrayToObject(body, "subscriptions");
    for (int64_t i = (page - 1) * size; i < page * size && i < total; i++)
        cJSON_AddItemToArray(subs, cJSON_Duplicate(cJSON_GetArrayItem(all, (int)i), true));
    cJSON_Delete(all);
    if (page * size < total) {
        hb_buf url;
        hb_buf_init(&url);
        hb_buf_printf(&url, "%s/v1/subscriptions/accounts/", sb_base_url(cx));
        sb_url_encode(&url, key);
        hb_buf_printf(&url, "?page=%lld&pageSize=%lld", (long long)page + 1, (long long)size);
        cJSON_AddStringToObject(body, "nextPage", url.data);
        hb_buf_free(&url);
    }
    cJSON_AddTrueToObject(body, "success");
    sb_reply_json(cx, 200, body);
}

static cJSON *summary_subscription(const cJSON *sub)
{
    static const char *const keep[] = {
        "id",     "subscriptionNumber", "termType",    "termStartDate", "termEndDate",
        "status", "autoRenew",          "initialTerm", "renewalTerm",   "cpqBundleJsonId__QT",
        NULL};
    cJSON *out = cJSON_CreateObject();
    for (const char *const *k = keep; *k; k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(sub, *k);
        if (v)
            cJSON_AddItemToObject(out, *k, cJSON_Duplicate(v, true));
    }
    cJSON *plans = cJSON_AddArrayToObject(out, "ratePlans");
    const cJSON *rp;
    cJSON_ArrayForEach(rp, cJSON_GetObjectItemCaseSensitive(sub, "ratePlans"))
    {
        cJSON *p = cJSON_CreateObject();
        const char *product = sb_get_str(rp, "productName"), *plan = sb_get_str(rp, "ratePlanName");
        cJSON_AddStringToObject(p, "productName", product ? product : "");
        cJSON_AddStringToObject(p, "ratePlanName", plan ? plan : "");
        cJSON_AddItemToArray(plans, p);
    }
    return out;
}

void sb_h_zu_account_summary(sb_ctx *cx)
{
    const char *key = sb_param(cx, "key");
    cJSON *account = find_by_key(sb_coll(cx->data, "zuora", "accounts"), "accountNumber", key);
    if (!account) {
        reply_not_found(cx, key);
        return;
    }
    static const char *const contacts[] = {"billToContact", "soldToContact", NULL};
    cJSON *body = cJSON_CreateObject();
    cJSON *basic = sb_copy_without(account, contacts);
    cJSON_AddItemToObject(body, "basicInfo", basic);
    for (const char *const *c = contacts; *c; c++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(account, *c);
        cJSON_AddItemToObject(body, *c, v ? cJSON_Duplicate(v, true) : cJSON_CreateObject());
    }
    /* The six most recent, newest first. */
    cJSON *all = account_subscriptions(cx, account);
    cJSON *recent = cJSON_AddArrayToObject(body, "subscriptions");
    for (int i = cJSON_GetArraySize(all) - 1, n = 0; i >= 0 && n < 6; i--, n++)
        cJSON_AddItemToArray(recent, summary_subscription(cJSON_GetArrayItem(all, i)));
    cJSON_Delete(all);
    cJSON_AddArrayToObject(body, "invoices");
    cJSON_AddArrayToObject(body, "payments");
    cJSON_AddArrayToObject(body, "usage");
    cJSON_AddTrueToObject(body, "success");
    sb_reply_json(cx, 200, body);
}

/* ---- ZOQL ---- */

/* ZOQL names that differ from the REST field names beyond case. */
static const char *const aliases[][3] = {
    {"Subscription", "Name", "subscriptionNumber"},
    {"Subscription", "InvoiceOwnerId", "invoiceOwnerAccountId"},
    {"Subscription", "InvoiceOwnerNumber", "invoiceOwnerAccountNumber"},
};

typedef struct zoql_view {
    const char *object;
} zoql_view;

static cJSON *zoql_lookup(const cJSON *record, const char *field, void *ud)
{
    const zoql_view *view = ud;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
        if (!strcasecmp(view->object, aliases[i][0]) && !strcasecmp(field, aliases[i][1]))
            return sb_field_ci(record, aliases[i][2]);
    }
    return sb_field_ci(record, field);
}

static void run_zoql(sb_ctx *cx, const char *query_text, int64_t batch, int64_t offset)
{
    sb_sql q;
    hb_err e = {0};
    if (sb_sql_parse(query_text, &q, &e) != HB_OK) {
        sb_sql_free(&q);
        char *msg = hb_xasprintf("You have an error in your ZOQL syntax: %s", e.msg);
        sb_zuora_error(cx, 400, CODE_QUERY_ERROR, msg);
        free(msg);
        return;
    }
    bool accounts = !strcasecmp(q.object, "Account");
    if (!accounts && strcasecmp(q.object, "Subscription") != 0) {
        char *msg = hb_xasprintf("invalid object for query: %s (the sandbox knows Account and "
                                 "Subscription)",
                                 q.object);
        sb_zuora_error(cx, 400, CODE_QUERY_ERROR, msg);
        free(msg);
        sb_sql_free(&q);
        return;
    }
    zoql_view view = {accounts ? "Account" : "Subscription"};
    cJSON *matched = cJSON_CreateArray();
    const cJSON *obj;
    cJSON_ArrayForEach(obj, sb_coll(cx->data, "zuora", accounts ? "accounts" : "subscriptions"))
    {
        cJSON *rec = accounts ? cJSON_Duplicate(obj, true) : render_subscription(cx, obj);
        if (!sb_sql_matches(&q, rec, zoql_lookup, &view)) {
            cJSON_Delete(rec);
            continue;
        }
        cJSON *row = cJSON_CreateObject();
        for (size_t i = 0; i < q.nfields; i++) {
            cJSON *v = zoql_lookup(rec, q.fields[i], &view);
            if (!v || cJSON_IsNull(v))
                continue; /* Zuora leaves out empty fields */
            char *name = hb_xstrdup(q.fields[i]);
            name[0] = (char)(name[0] >= 'a' && name[0] <= 'z' ? name[0] - 32 : name[0]);
            sb_set(row, name, cJSON_Duplicate(v, true));
            free(name);
        }
        cJSON_AddItemToArray(matched, row);
        cJSON_Delete(rec);
    }
    sb_sql_free(&q);
    int64_t total = cJSON_GetArraySize(matched);
    cJSON *body = cJSON_CreateObject();
    cJSON *records = cJSON_AddArrayToObject(body, "records");
    for (int64_t i = offset; i < offset + batch && i < total; i++)
        cJSON_AddItemToArray(records, cJSON_Duplicate(cJSON_GetArrayItem(matched, (int)i), true));
    cJSON_Delete(matched);
    cJSON_AddNumberToObject(body, "size", (double)total);
    bool done = offset + batch >= total;
    cJSON_AddBoolToObject(body, "done", done);
    if (!done) {
        char *state = hb_xasprintf("%lld|%s", (long long)batch, query_text);
        char *locator = sb_locator_make(state, offset + batch);
        cJSON_AddStringToObject(body, "queryLocator", locator);
        free(locator);
        free(state);
    }
    sb_reply_json(cx, 200, body);
}

void sb_h_zu_query(sb_ctx *cx)
{
    const cJSON *body = sb_body_json(cx);
    const char *text = sb_get_str(body, "queryString");
    if (!text) {
        sb_zuora_error(cx, 400, CODE_INVALID_VALUE, "queryString is required");
        return;
    }
    int64_t batch = cx->sb->query_batch;
    const cJSON *conf = cJSON_GetObjectItemCaseSensitive(body, "conf");
    int64_t asked;
    if (sb_get_int(conf, "batchSize", &asked) && asked >= 1 && asked <= 2000)
        batch = asked;
    run_zoql(cx, text, batch, 0);
}

void sb_h_zu_query_more(sb_ctx *cx)
{
    const char *locator = sb_get_str(sb_body_json(cx), "queryLocator");
    char *state = NULL, *bar = NULL;
    int64_t offset, batch;
    if (!locator || !sb_locator_parse(locator, &state, &offset) || !(bar = strchr(state, '|'))) {
        free(state);
        sb_zuora_error(cx, 400, CODE_INVALID_VALUE, "invalid queryLocator");
        return;
    }
    *bar = '\0';
    if (!sb_parse_int(state, &batch) || batch < 1) {
        free(state);
        sb_zuora_error(cx, 400, CODE_INVALID_VALUE, "invalid queryLocator");
        return;
    }
    run_zoql(cx, bar + 1, batch, offset);
    free(state);
}
