/* The stdlib service modules over the real transport and Lua host, against
 * the loopback peer: three pages for every paging scheme (Zendesk next_page
 * and cursor, GitLab x-next-page and Link, Zuora nextPage and queryMore,
 * Salesforce nextRecordsUrl), the uniform error as a Lua value, get-style
 * reads returning nil + error, forbid and dry run through the modules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/lua_host.h"
#include "hb/lua_json.h"
#include "services_fixture.h"
#include "test_support.h"

typedef struct lua_fixture {
    hbt_services *f;
    hb_lua *lua;
} lua_fixture;

static int setup(void **state)
{
    lua_fixture *lf = calloc(1, sizeof *lf);
    lf->f = hbt_services_setup();
    hbt_services_all_vars(lf->f);
    *state = lf;
    return 0;
}

static int teardown(void **state)
{
    lua_fixture *lf = *state;
    hb_lua_free(lf->lua);
    hbt_services_teardown(lf->f);
    free(lf);
    return 0;
}

/* Opens the host (once the fixture's settings are final) with the services. */
static hb_lua *host(lua_fixture *lf)
{
    if (lf->lua)
        return lf->lua;
    hb_lua_limits limits;
    hb_err e;
    assert_int_equal(hb_lua_limits_from_env(&limits, &e), HB_OK);
    hb_lua_modules mods = {.stdlib_dir = HB_SOURCE_DIR "/stdlib"};
    lf->lua = hb_lua_new(&limits, &mods, &e);
    if (!lf->lua)
        fail_msg("hb_lua_new: %s", e.msg);
    assert_int_equal(hb_services_open_lua(hbt_services_get(lf->f), lf->lua, &e), HB_OK);
    return lf->lua;
}

/* Runs Lua source in the stdlib environment; returns its result as a JSON
 * value, or fails the test with the Lua error. Lua tables have no key
 * order, so tests look objects up by key rather than compare their text. */
static cJSON *run_value(lua_fixture *lf, const char *src)
{
    hb_lua *h = host(lf);
    hb_err e;
    if (hb_lua_load(h, "=test", src, strlen(src), true, &e) != HB_OK)
        fail_msg("load: %s", e.msg);
    if (hb_lua_pcall(h, 0, 1, NULL, &e) != HB_OK)
        fail_msg("run: %s", e.msg);
    lua_State *L = hb_lua_state(h);
    cJSON *v = hb_json_from_lua(L, -1, "result", &e);
    lua_pop(L, 1);
    if (!v)
        fail_msg("result: %s", e.msg);
    return v;
}

/* The same for results without objects (arrays, scalars): their text. */
static char *run(lua_fixture *lf, const char *src)
{
    cJSON *v = run_value(lf, src);
    char *text = cJSON_PrintUnformatted(v);
    cJSON_Delete(v);
    return text;
}

/* The JSON text of o[key], newly allocated. */
static char *field(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v)
        fail_msg("no field %s", key);
    return cJSON_PrintUnformatted(v);
}

static void assert_field(const cJSON *o, const char *key, const char *json)
{
    char *text = field(o, key);
    assert_string_equal(text, json);
    cJSON_free(text);
}

/* Compares JSON texts whatever their key order. */
static void assert_same_json(const char *actual, const char *expected)
{
    cJSON *a = cJSON_Parse(actual), *b = cJSON_Parse(expected);
    if (!cJSON_Compare(a, b, true))
        fail_msg("%s != %s", actual, expected);
    cJSON_Delete(a);
    cJSON_Delete(b);
}

/* Like run() but expects an error; returns its message (newly allocated). */
static char *run_failing(lua_fixture *lf, const char *src)
{
    hb_lua *h = host(lf);
    hb_err e;
    assert_int_equal(hb_lua_load(h, "=test", src, strlen(src), true, &e), HB_OK);
    assert_int_equal(hb_lua_pcall(h, 0, 1, NULL, &e), HB_EFAILED);
    return strdup(e.msg);
}

#define COLLECT(iter)                                                                              \
    "local out = json.array({}) for x in " iter " do out[#out+1] = x.id end return out"

static void zendesk_offset_pages(void **state)
{
    lua_fixture *lf = *state;
    const char *url = hbt_peer_url(lf->f->peer);
    char p1[256], p2[256];
    snprintf(p1, sizeof p1,
             "{\"results\":[{\"id\":1},{\"id\":2}],\"count\":5,\"next_page\":\"%s/api/v2/"
             "search.json?page=2&query=x\"}",
             url);
    snprintf(p2, sizeof p2,
             "{\"results\":[{\"id\":3},{\"id\":4}],\"next_page\":\"%s/api/v2/search.json?page=3&"
             "query=x\"}",
             url);
    hbt_peer_reply(lf->f->peer, "GET", "/api/v2/search.json", 200, NULL, p1);
    hbt_peer_reply(lf->f->peer, "GET", "/api/v2/search.json?page=2&query=x", 200, NULL, p2);
    hbt_peer_reply(lf->f->peer, "GET", "/api/v2/search.json?page=3&query=x", 200, NULL,
                   "{\"results\":[{\"id\":5}],\"next_page\":null}");
    char *out = run(lf, "local zendesk = require 'zendesk'\n" COLLECT(
                            "zendesk.search('type:ticket status<solved')"));
    assert_string_equal(out, "[1,2,3,4,5]");
    free(out);
    assert_int_equal(hbt_peer_nrequests(lf->f->peer), 3);
    assert_string_equal(hbt_peer_request(lf->f->peer, 0)->query,
                        "per_page=100&query=type%3Aticket%20status%3Csolved");
}

static void zendesk_cursor_pages(void **state)
{
    lua_fixture *lf = *state;
    const char *url = hbt_peer_url(lf->f->peer);
    const char *path = "/api/v2/tickets/7/comments.json";
    char p1[300], p2[300];
    snprintf(p1, sizeof p1,
             "{\"comments\":[{\"id\":11,\"attachments\":[{\"id\":90,\"file_name\":\"log.txt\"}]}],"
             "\"meta\":{\"has_more\":true,\"after_cursor\":\"c1\"},\"links\":{\"next\":\"%s%s?"
             "page%%5Bafter%%5D=c1&page%%5Bsize%%5D=100\"}}",
             url, path);
    snprintf(p2, sizeof p2,
             "{\"comments\":[{\"id\":12}],\"meta\":{\"has_more\":true},\"links\":{\"next\":\"%s%s?"
             "page%%5Bafter%%5D=c2&page%%5Bsize%%5D=100\"}}",
             url, path);
    hbt_peer_reply(lf->f->peer, "GET", "/api/v2/tickets/7/comments.json?page%5Bsize%5D=100", 200,
                   NULL, p1);
    hbt_peer_reply(lf->f->peer, "GET",
                   "/api/v2/tickets/7/comments.json?page%5Bafter%5D=c1&page%5Bsize%5D=100", 200,
                   NULL, p2);
    hbt_peer_reply(lf->f->peer, "GET",
                   "/api/v2/tickets/7/comments.json?page%5Bafter%5D=c2&page%5Bsize%5D=100", 200,
                   NULL,
                   "{\"comments\":[{\"id\":13}],\"meta\":{\"has_more\":false},\"links\":{\"next\":"
                   "null}}");
    cJSON *out =
        run_value(lf, "local zendesk = require 'zendesk'\n"
                      "local ids, files = json.array({}), 0\n"
                      "for c in zendesk.tickets.comments(7) do\n"
                      "  ids[#ids+1] = c.id\n"
                      "  for _, a in ipairs(c.attachments or {}) do files = files + 1 end\n"
                      "end\n"
                      "return { ids = ids, files = files }");
    assert_field(out, "ids", "[11,12,13]");
    assert_field(out, "files", "1");
    cJSON_Delete(out);
    assert_int_equal(hbt_peer_nrequests(lf->f->peer), 3);
}

static void gitlab_next_page_header(void **state)
{
    lua_fixture *lf = *state;
    const char *path = "/api/v4/projects/grp%2Fproj/issues";
    hbt_peer_reply(lf->f->peer, "GET", path, 200, "X-Next-Page: 2\nX-Page: 1",
                   "[{\"id\":1,\"iid\":1},{\"id\":2,\"iid\":2}]");
    hbt_peer_reply(lf->f->peer, "GET", path, 200, "X-Next-Page: 3\nX-Page: 2", "[{\"id\":3}]");
    hbt_peer_reply(lf->f->peer, "GET", path, 200, "X-Next-Page: \nX-Page: 3", "[{\"id\":4}]");
    char *out = run(lf, "local gitlab = require 'gitlab'\n" COLLECT(
                            "gitlab.issues.list('grp/proj', { labels = { 'Ops', 'Zendesk' }, "
                            "state = 'opened' })"));
    assert_string_equal(out, "[1,2,3,4]");
    free(out);
    assert_int_equal(hbt_peer_nrequests(lf->f->peer), 3);
    assert_string_equal(hbt_peer_request(lf->f->peer, 0)->query,
                        "labels=Ops%2CZendesk&per_page=100&state=opened");
    assert_string_equal(hbt_peer_request(lf->f->peer, 1)->query,
                        "labels=Ops%2CZendesk&page=2&per_page=100&state=opened");
    assert_string_equal(hbt_peer_request(lf->f->peer, 2)->query,
                        "labels=Ops%2CZendesk&page=3&per_page=100&state=opened");
}

static void gitlab_link_header(void **state)
{
    lua_fixture *lf = *state;
    const char *url = hbt_peer_url(lf->f->peer);
    char l1[256], l2[256];
    snprintf(l1, sizeof l1,
             "Link: <%s/api/v4/projects/5/issues?id_after=2&pagination=keyset>; rel=\"next\"", url);
    snprintf(l2, sizeof l2,
             "Link: <%s/api/v4/projects/5/issues?id_after=3&pagination=keyset>; rel=\"next\", "
             "<%s/api/v4/projects/5/issues>; rel=\"first\"",
             url, url);
    hbt_peer_reply(lf->f->peer, "GET", "/api/v4/projects/5/issues", 200, l1,
                   "[{\"id\":1},{\"id\":2}]");
    hbt_peer_reply(lf->f->peer, "GET", "/api/v4/projects/5/issues?id_after=2&pagination=keyset",
                   200, l2, "[{\"id\":3}]");
    hbt_peer_reply(lf->f->peer, "GET", "/api/v4/projects/5/issues?id_after=3&pagination=keyset",
                   200, NULL, "[{\"id\":4}]");
    char *out = run(lf, "local gitlab = require 'gitlab'\n" COLLECT("gitlab.issues.list(5, {})"));
    assert_string_equal(out, "[1,2,3,4]");
    free(out);
    assert_int_equal(hbt_peer_nrequests(lf->f->peer), 3);
}

static void zuora_pages_and_query_more(void **state)
{
    lua_fixture *lf = *state;
    hbt_peer_reply(lf->f->peer, "POST", "/oauth/token", 200, NULL,
                   "{\"access_token\":\"zuora-issued-ONE\",\"expires_in\":3599}");
    const char *subs = "/v1/subscriptions/accounts/A0001";
    hbt_peer_reply(lf->f->peer, "GET", subs, 200, NULL,
                   "{\"success\":true,\"subscriptions\":[{\"id\":\"s1\"},{\"id\":\"s2\"}],"
                   "\"nextPage\":\"/v1/subscriptions/accounts/A0001?page=2&pageSize=40\"}");
    hbt_peer_reply(lf->f->peer, "GET", "/v1/subscriptions/accounts/A0001?page=2&pageSize=40", 200,
                   NULL,
                   "{\"success\":true,\"subscriptions\":[{\"id\":\"s3\"}],"
                   "\"nextPage\":\"/v1/subscriptions/accounts/A0001?page=3&pageSize=40\"}");
    hbt_peer_reply(lf->f->peer, "GET", "/v1/subscriptions/accounts/A0001?page=3&pageSize=40", 200,
                   NULL, "{\"success\":true,\"subscriptions\":[{\"id\":\"s4\"}]}");
    hbt_peer_reply(lf->f->peer, "POST", "/v1/action/query", 200, NULL,
                   "{\"records\":[{\"id\":\"r1\"}],\"size\":3,\"done\":false,"
                   "\"queryLocator\":\"L1\"}");
    hbt_peer_reply(lf->f->peer, "POST", "/v1/action/queryMore", 200, NULL,
                   "{\"records\":[{\"id\":\"r2\"}],\"done\":false,\"queryLocator\":\"L2\"}");
    hbt_peer_reply(lf->f->peer, "POST", "/v1/action/queryMore", 200, NULL,
                   "{\"records\":[{\"id\":\"r3\"}],\"done\":true}");
    cJSON *out =
        run_value(lf, "local zuora = require 'zuora'\n"
                      "local a, b = json.array({}), json.array({})\n"
                      "for s in zuora.subscriptions.by_account('A0001') do a[#a+1] = s.id end\n"
                      "for r in zuora.query(\"select Id from Account where Status = 'Active'\") "
                      "do b[#b+1] = r.id end\n"
                      "return { subs = a, records = b }");
    assert_field(out, "subs", "[\"s1\",\"s2\",\"s3\",\"s4\"]");
    assert_field(out, "records", "[\"r1\",\"r2\",\"r3\"]");
    cJSON_Delete(out);
    assert_int_equal(hbt_peer_count(lf->f->peer, "POST", "/v1/action/queryMore"), 2);
    const hbt_request *more = NULL;
    for (size_t i = 0; i < hbt_peer_nrequests(lf->f->peer); i++)
        if (!strcmp(hbt_peer_request(lf->f->peer, i)->path, "/v1/action/queryMore")) {
            more = hbt_peer_request(lf->f->peer, i);
            break;
        }
    assert_string_equal(more->body, "{\"queryLocator\":\"L1\"}");
    /* The query POST is a read: no intent was recorded. */
    assert_int_equal(hbt_events(lf->f, "intent"), 0);
}

static void salesforce_next_records_url(void **state)
{
    lua_fixture *lf = *state;
    char token[200];
    snprintf(token, sizeof token, "{\"access_token\":\"sf-issued-ONE\",\"instance_url\":\"%s\"}",
             hbt_peer_url(lf->f->peer));
    hbt_peer_reply(lf->f->peer, "POST", "/services/oauth2/token", 200, NULL, token);
    hbt_peer_reply(lf->f->peer, "GET", "/services/data/v60.0/query", 200, NULL,
                   "{\"totalSize\":4,\"done\":false,\"nextRecordsUrl\":\"/services/data/v60.0/"
                   "query/01g-2000\",\"records\":[{\"Id\":\"a\"},{\"Id\":\"b\"}]}");
    hbt_peer_reply(lf->f->peer, "GET", "/services/data/v60.0/query/01g-2000", 200, NULL,
                   "{\"totalSize\":4,\"done\":false,\"nextRecordsUrl\":\"/services/data/v60.0/"
                   "query/01g-4000\",\"records\":[{\"Id\":\"c\"}]}");
    hbt_peer_reply(lf->f->peer, "GET", "/services/data/v60.0/query/01g-4000", 200, NULL,
                   "{\"totalSize\":4,\"done\":true,\"records\":[{\"Id\":\"d\"}]}");
    char *out = run(lf, "local salesforce = require 'salesforce'\n"
                        "local ids = json.array({})\n"
                        "for r in salesforce.query('SELECT Id FROM Opportunity') do ids[#ids+1] = "
                        "r.Id end\n"
                        "return ids");
    assert_string_equal(out, "[\"a\",\"b\",\"c\",\"d\"]");
    free(out);
    assert_string_equal(hbt_peer_request(lf->f->peer, 1)->query,
                        "q=SELECT%20Id%20FROM%20Opportunity");
}

static void errors_as_lua_values(void **state)
{
    lua_fixture *lf = *state;
    hbt_peer_reply(lf->f->peer, "GET", "/api/v2/tickets/404.json", 404, NULL,
                   "{\"error\":\"RecordNotFound\",\"description\":\"Not found\"}");
    hbt_peer_reply(lf->f->peer, "PUT", "/api/v2/tickets/9.json", 422, NULL,
                   "{\"error\":\"RecordInvalid\",\"description\":\"Record validation errors\"}");
    cJSON *out =
        run_value(lf, "local zendesk = require 'zendesk'\n"
                      "local t, err = zendesk.tickets.get(404)\n"
                      "local ok, raised = pcall(zendesk.tickets.update, 9, { status = 'closed' "
                      "})\n"
                      "return { found = t ~= nil, code = err.code, text = tostring(err),\n"
                      "  ok = ok, raised_code = raised.code, raised_text = tostring(raised) }");
    assert_field(out, "found", "false");
    assert_field(out, "code", "\"RecordNotFound\"");
    assert_field(out, "text", "\"zendesk answered 404 RecordNotFound: Not found\"");
    assert_field(out, "ok", "false");
    assert_field(out, "raised_code", "\"RecordInvalid\"");
    assert_field(out, "raised_text",
                 "\"zendesk answered 422 RecordInvalid: Record validation errors\"");
    cJSON_Delete(out);
    char *msg = run_failing(lf, "local zendesk = require 'zendesk'\n"
                                "zendesk.tickets.update(9, { status = 'closed' })");
    assert_non_null(strstr(msg, "422 RecordInvalid"));
    free(msg);
}

static void intent_level_rules(void **state)
{
    lua_fixture *lf = *state;
    lf->f->forbid[0] = "zendesk.public_reply";
    hbt_peer_reply(lf->f->peer, "PUT", "/api/v2/tickets/5.json", 200, NULL,
                   "{\"ticket\":{\"id\":5}}");
    char *msg = run_failing(lf, "local zendesk = require 'zendesk'\n"
                                "zendesk.tickets.comment(5, { body = 'Hi', public = true })");
    assert_non_null(strstr(msg, "zendesk.public_reply"));
    free(msg);
    msg = run_failing(lf, "local zendesk = require 'zendesk'\n"
                          "zendesk.tickets.update(5, { tags = { 'a' } })");
    assert_non_null(strstr(msg, "add_tags"));
    free(msg);
    msg = run_failing(lf, "local zendesk = require 'zendesk'\n"
                          "zendesk.tickets.get('twelve')");
    assert_non_null(strstr(msg, "positive integer"));
    free(msg);
    assert_int_equal(hbt_peer_nrequests(lf->f->peer), 0);
    /* An internal note is fine, and says so explicitly. */
    char *out = run(lf, "local zendesk = require 'zendesk'\n"
                        "return zendesk.tickets.comment(5, 'Checked the logs').id");
    assert_string_equal(out, "5");
    free(out);
    assert_same_json(hbt_peer_request(lf->f->peer, 0)->body,
                     "{\"ticket\":{\"comment\":{\"body\":\"Checked the logs\",\"public\":false}}}");
}

static void dry_run_through_the_modules(void **state)
{
    lua_fixture *lf = *state;
    lf->f->dry_run = true;
    char *out = run(lf, "local gitlab = require 'gitlab'\n"
                        "return gitlab.issues.update('grp/proj', 3, { add_labels = { 'a', 'b' }, "
                        "state = 'closed' })");
    assert_same_json(out, "{\"planned\":true,\"op\":\"gitlab.issues.update\",\"object\":"
                          "\"gitlab:issue:grp/proj#3\"}");
    free(out);
    assert_int_equal(hbt_peer_nrequests(lf->f->peer), 0);
    const cJSON *intent = hbt_event(lf->f, "intent", 0);
    assert_same_json(hbt_body(lf->f, hbt_str(intent, "request_body")),
                     "{\"add_labels\":\"a,b\",\"state_event\":\"close\"}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(zendesk_offset_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(zendesk_cursor_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(gitlab_next_page_header, setup, teardown),
        cmocka_unit_test_setup_teardown(gitlab_link_header, setup, teardown),
        cmocka_unit_test_setup_teardown(zuora_pages_and_query_more, setup, teardown),
        cmocka_unit_test_setup_teardown(salesforce_next_records_url, setup, teardown),
        cmocka_unit_test_setup_teardown(errors_as_lua_values, setup, teardown),
        cmocka_unit_test_setup_teardown(intent_level_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(dry_run_through_the_modules, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
