/* Helpers for the sandbox tests (see sandbox_test.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "../../runtime/sandbox/sandbox_internal.h"
#include "hb/util.h"
#include "sandbox_test.h"

/* Route hits of this test executable, by index into sb_routes. */
static unsigned route_hits[256];

typedef struct var_lookup {
    const char *name;
    const char *value;
} var_lookup;

static void find_var(const char *name, const char *value, void *ud)
{
    var_lookup *v = ud;
    if (!strcmp(v->name, name))
        v->value = value;
}

const char *sbt_var(sbt *t, const char *name)
{
    var_lookup v = {name, NULL};
    hb_sandbox_each_var(t->sb, find_var, &v);
    if (!v.value)
        fail_msg("the sandbox has no variable %s", name);
    return v.value;
}

int sbt_setup(void **state)
{
    hbt_unsetenv("HB_NOW");
    *state = sbt_start(NULL);
    return 0;
}

int sbt_teardown(void **state)
{
    sbt_stop(*state);
    return 0;
}

sbt *sbt_start(const hb_sandbox_config *cfg)
{
    static bool curl_ready;
    if (!curl_ready) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        curl_ready = true;
    }
    sbt *t = hb_xcalloc(1, sizeof *t);
    t->dir = hbt_tempdir();
    hb_sandbox_config c = {0};
    if (cfg)
        c = *cfg;
    if (!c.data_path)
        c.data_path = HB_SOURCE_DIR "/workflows/sandbox/seed.json";
    hb_err e = {0};
    if (hb_sandbox_start(&c, &t->sb, &e) != HB_OK)
        fail_msg("sandbox did not start: %s", e.msg);
    t->url = hb_xstrdup(hb_sandbox_url(t->sb));
    t->curl = curl_easy_init();
    return t;
}

static void record_hits(sbt *t)
{
    for (size_t i = 0; i < sb_route_count && i < 256; i++)
        route_hits[i] += t->sb->route_ok[i];
}

void sbt_stop(sbt *t)
{
    if (!t)
        return;
    record_hits(t);
    curl_easy_cleanup(t->curl);
    hb_sandbox_stop(t->sb);
    hbt_rmtree(t->dir);
    free(t->dir);
    free(t->url);
    free(t->zuora_token);
    free(t->salesforce_token);
    free(t);
}

void sbt_assert_routes_covered(const char *service)
{
    sb_service svc;
    if (!sb_service_parse(service, &svc))
        fail_msg("unknown service %s", service);
    int missing = 0, routes = 0;
    for (size_t i = 0; i < sb_route_count; i++) {
        if (sb_routes[i].service != svc)
            continue;
        routes++;
        if (route_hits[i] == 0) {
            print_error("route never answered successfully by a test: %s %s\n", sb_routes[i].method,
                        sb_routes[i].pattern);
            missing++;
        }
    }
    assert_true(routes > 0);
    assert_int_equal(missing, 0);
}

static size_t collect(char *data, size_t size, size_t n, void *ud)
{
    hb_buf_append(ud, data, size * n);
    return size * n;
}

sbt_resp sbt_request(sbt *t, const char *method, const char *path, const char *const *headers,
                     const char *body)
{
    sbt_resp r = {0};
    hb_buf out, hdr;
    hb_buf_init(&out);
    hb_buf_init(&hdr);
    CURL *c = t->curl;
    curl_easy_reset(c);
    char *url = hb_xasprintf("%s%s", t->url, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &hdr);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    if (t->fresh_connections) {
        curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
    }
    struct curl_slist *list = NULL;
    for (const char *const *h = headers; h && *h; h++)
        list = curl_slist_append(list, *h);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    CURLcode rc = curl_easy_perform(c);
    r.failed = rc != CURLE_OK;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(list);
    free(url);
    r.body = hb_buf_take(&out);
    for (char *p = hdr.data; p && *p; p++) {
        /* lower-case the names so tests can search the block */
        char *line_end = strchr(p, '\n');
        char *colon = strchr(p, ':');
        if (colon && (!line_end || colon < line_end))
            for (char *q = p; q < colon; q++)
                *q = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 : *q);
        if (!line_end)
            break;
        p = line_end;
    }
    r.headers = hb_buf_take(&hdr);
    r.json = cJSON_Parse(r.body);
    return r;
}

void sbt_resp_free(sbt_resp *r)
{
    free(r->body);
    free(r->headers);
    cJSON_Delete(r->json);
    memset(r, 0, sizeof *r);
}

char *sbt_header(const sbt_resp *r, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = r->headers; p && *p;) {
        if (!strncasecmp(p, name, n) && p[n] == ':') {
            const char *v = p + n + 1;
            while (*v == ' ')
                v++;
            size_t len = strcspn(v, "\r\n");
            while (len > 0 && v[len - 1] == ' ')
                len--;
            return hb_xstrndup(v, len);
        }
        const char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : NULL;
    }
    return NULL;
}

static sbt_resp with_headers(sbt *t, const char *method, const char *path, const char *body,
                             const char *auth_header)
{
    const char *headers[] = {auth_header, "Content-Type: application/json",
                             "Accept: application/json", NULL};
    return sbt_request(t, method, path, headers, body);
}

sbt_resp sbt_zendesk(sbt *t, const char *method, const char *path, const char *body)
{
    char *userpwd =
        hb_xasprintf("%s/token:%s", sbt_var(t, "ZENDESK_EMAIL"), sbt_var(t, "ZENDESK_API_TOKEN"));
    /* base64 by hand keeps the helper free of extra dependencies */
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    hb_buf enc;
    hb_buf_init(&enc);
    size_t len = strlen(userpwd);
    const unsigned char *s = (const unsigned char *)userpwd;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)s[i] << 16 | (i + 1 < len ? (unsigned)s[i + 1] << 8 : 0) |
                     (i + 2 < len ? s[i + 2] : 0);
        hb_buf_putc(&enc, b64[(v >> 18) & 63]);
        hb_buf_putc(&enc, b64[(v >> 12) & 63]);
        hb_buf_putc(&enc, i + 1 < len ? b64[(v >> 6) & 63] : '=');
        hb_buf_putc(&enc, i + 2 < len ? b64[v & 63] : '=');
    }
    char *auth = hb_xasprintf("Authorization: Basic %s", enc.data);
    sbt_resp r = with_headers(t, method, path, body, auth);
    free(auth);
    hb_buf_free(&enc);
    free(userpwd);
    return r;
}

sbt_resp sbt_gitlab(sbt *t, const char *method, const char *path, const char *body)
{
    char *auth = hb_xasprintf("PRIVATE-TOKEN: %s", sbt_var(t, "GITLAB_TOKEN"));
    sbt_resp r = with_headers(t, method, path, body, auth);
    free(auth);
    return r;
}

static char *fetch_token(sbt *t, const char *path, const char *id_var, const char *secret_var)
{
    char *form = hb_xasprintf("grant_type=client_credentials&client_id=%s&client_secret=%s",
                              sbt_var(t, id_var), sbt_var(t, secret_var));
    const char *headers[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    sbt_resp r = sbt_request(t, "POST", path, headers, form);
    free(form);
    assert_int_equal(r.status, 200);
    const char *token = sbt_str_at(r.json, "access_token");
    assert_non_null(token);
    char *copy = hb_xstrdup(token);
    sbt_resp_free(&r);
    return copy;
}

sbt_resp sbt_zuora(sbt *t, const char *method, const char *path, const char *body)
{
    if (!t->zuora_token)
        t->zuora_token = fetch_token(t, "/oauth/token", "ZUORA_CLIENT_ID", "ZUORA_CLIENT_SECRET");
    char *auth = hb_xasprintf("Authorization: Bearer %s", t->zuora_token);
    sbt_resp r = with_headers(t, method, path, body, auth);
    free(auth);
    return r;
}

sbt_resp sbt_salesforce(sbt *t, const char *method, const char *path, const char *body)
{
    if (!t->salesforce_token)
        t->salesforce_token = fetch_token(t, "/services/oauth2/token", "SALESFORCE_CLIENT_ID",
                                          "SALESFORCE_CLIENT_SECRET");
    char *auth = hb_xasprintf("Authorization: Bearer %s", t->salesforce_token);
    sbt_resp r = with_headers(t, method, path, body, auth);
    free(auth);
    return r;
}

sbt_resp sbt_slack(sbt *t, const char *method, const char *path, const char *form)
{
    char *auth = hb_xasprintf("Authorization: Bearer %s", sbt_var(t, "SLACK_BOT_TOKEN"));
    const char *headers[] = {auth, "Content-Type: application/x-www-form-urlencoded", NULL};
    sbt_resp r = sbt_request(t, method, path, headers, form);
    free(auth);
    return r;
}

sbt_resp sbt_slack_json(sbt *t, const char *path, const char *json)
{
    char *auth = hb_xasprintf("Authorization: Bearer %s", sbt_var(t, "SLACK_BOT_TOKEN"));
    const char *headers[] = {auth, "Content-Type: application/json; charset=utf-8", NULL};
    sbt_resp r = sbt_request(t, "POST", path, headers, json);
    free(auth);
    return r;
}

sbt_resp sbt_pagerduty(sbt *t, const char *method, const char *path, const char *from,
                       const char *body)
{
    char *auth = hb_xasprintf("Authorization: Token token=%s", sbt_var(t, "PAGERDUTY_TOKEN"));
    char *from_header = from ? hb_xasprintf("From: %s", from) : NULL;
    const char *headers[] = {auth, "Accept: application/vnd.pagerduty+json;version=2",
                             "Content-Type: application/json", from_header, NULL};
    sbt_resp r = sbt_request(t, method, path, headers, body);
    free(auth);
    free(from_header);
    return r;
}

cJSON *sbt_state(sbt *t)
{
    char *text = hb_sandbox_state_json(t->sb);
    cJSON *st = cJSON_Parse(text);
    free(text);
    assert_non_null(st);
    return st;
}

cJSON *sbt_json_at(cJSON *root, const char *path)
{
    cJSON *cur = root;
    char *copy = hb_xstrdup(path);
    for (char *part = strtok(copy, "."); part && cur; part = strtok(NULL, ".")) {
        char *bracket = strchr(part, '[');
        if (bracket)
            *bracket = '\0';
        if (*part)
            cur = cJSON_GetObjectItemCaseSensitive(cur, part);
        while (bracket && cur) {
            int idx = atoi(bracket + 1);
            cur = cJSON_GetArrayItem(cur, idx);
            bracket = strchr(bracket + 1, '[');
        }
    }
    free(copy);
    return cur;
}

const char *sbt_str_at(cJSON *root, const char *path)
{
    cJSON *v = sbt_json_at(root, path);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

double sbt_num_at(cJSON *root, const char *path)
{
    cJSON *v = sbt_json_at(root, path);
    if (!cJSON_IsNumber(v))
        fail_msg("no number at %s", path);
    return v->valuedouble;
}
