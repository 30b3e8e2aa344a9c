/* The sandbox server itself: the route table, the /__sandbox endpoints
 * (state, requests, reset, patch, revoke, faults), fault injection,
 * chunked bodies, keep-alive, unknown routes and loopback-only binding. */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "../../runtime/sandbox/sandbox_internal.h"
#include "hb/util.h"
#include "sandbox_test.h"

static sbt_resp admin(sbt *t, const char *method, const char *path, const char *body)
{
    return sbt_request(t, method, path, NULL, body);
}

static void route_table_is_consistent(void **state)
{
    (void)state;
    bool seen[SB_SERVICE_COUNT] = {0};
    for (size_t i = 0; i < sb_route_count; i++) {
        const sb_route *r = &sb_routes[i];
        /* a route is reachable only under its own service's prefix */
        assert_int_equal(sb_service_for_path(r->pattern), r->service);
        assert_non_null(r->handler);
        seen[r->service] = true;
        for (size_t j = 0; j < i; j++)
            assert_false(!strcmp(sb_routes[j].method, r->method) &&
                         !strcmp(sb_routes[j].pattern, r->pattern));
    }
    for (int s = 0; s < SB_SERVICE_COUNT; s++)
        assert_true(seen[s]);
}

static void state_patch_and_reset(void **state)
{
    sbt *t = *state;
    char *token_before = hb_xstrdup(sbt_var(t, "GITLAB_TOKEN"));
    sbt_resp r =
        admin(t, "POST", "/__sandbox/patch",
              "{\"gitlab\":{\"projects\":{\"gitlab-com/support/support-ops/zendesk-organizations\":"
              "{\"issues\":{\"2\":{\"state\":\"closed\",\"closed_at\":\"@now\"}}}}},"
              "\"zendesk\":{\"tickets\":{\"1001\":{\"comments\":{\"+\":{\"author_id\":601,"
              "\"body\":\"Thanks!\"}}},\"1013\":null}}}");
    assert_int_equal(r.status, 200);
    sbt_resp_free(&r);

    r = sbt_gitlab(t, "GET", "/api/v4/projects/20001/issues/2", NULL);
    assert_string_equal(sbt_str_at(r.json, "state"), "closed");
    assert_int_not_equal(sbt_str_at(r.json, "closed_at")[0], '@'); /* resolved */
    sbt_resp_free(&r);
    r = sbt_zendesk(t, "GET", "/api/v2/tickets/1001/comments.json", NULL);
    assert_string_equal(sbt_str_at(r.json, "comments[1].body"), "Thanks!");
    assert_true(cJSON_IsTrue(sbt_json_at(r.json, "comments[1].public")));
    assert_true(sbt_num_at(r.json, "comments[1].id") > 0);
    sbt_resp_free(&r);
    r = sbt_zendesk(t, "GET", "/api/v2/tickets/1013.json", NULL);
    assert_int_equal(r.status, 404);
    sbt_resp_free(&r);

    r = admin(t, "POST", "/__sandbox/patch", "{\"jira\":{}}");
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(sbt_str_at(r.json, "error"), "jira"));
    sbt_resp_free(&r);
    r = admin(t, "POST", "/__sandbox/patch",
              "{\"zendesk\":{\"tickets\":{\"1001\":{\"tags\":{\"x\":1}}}}}");
    assert_int_equal(r.status, 400);
    sbt_resp_free(&r);

    r = admin(t, "GET", "/__sandbox/state", NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(sbt_str_at(r.json, "zendesk.tickets[0].subject"),
                        "CI jobs on our new GitLab.com group are stuck");
    sbt_resp_free(&r);

    r = admin(t, "POST", "/__sandbox/reset", "");
    assert_int_equal(r.status, 200);
    sbt_resp_free(&r);
    r = sbt_zendesk(t, "GET", "/api/v2/tickets/1013.json", NULL);
    assert_int_equal(r.status, 200); /* back, and the credentials still work */
    sbt_resp_free(&r);
    assert_string_equal(sbt_var(t, "GITLAB_TOKEN"), token_before);
    free(token_before);

    hb_err e;
    assert_int_equal(hb_sandbox_patch(t->sb,
                                      "{\"zuora\":{\"subscriptions\":{\"A-S00002011\":"
                                      "{\"status\":\"Cancelled\"}}}}",
                                      &e),
                     HB_OK);
    char *json = hb_sandbox_state_json(t->sb);
    assert_non_null(strstr(json, "\"Cancelled\""));
    free(json);
    assert_int_equal(hb_sandbox_patch(t->sb, "[]", &e), HB_EUSAGE);
    r = admin(t, "POST", "/__sandbox/revoke-tokens", "");
    assert_int_equal(r.status, 200);
    sbt_resp_free(&r);
    r = admin(t, "GET", "/__sandbox/tokens", NULL);
    assert_int_equal(r.status, 200);
    assert_true(cJSON_IsArray(cJSON_GetObjectItem(r.json, "issued")));
    sbt_resp_free(&r);
    assert_int_equal(hb_sandbox_reset(t->sb, &e), HB_OK);
}

static void requests_are_logged_in_order(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_zendesk(t, "GET", "/api/v2/tickets/1001.json?include=users", NULL);
    sbt_resp_free(&r);
    r = sbt_gitlab(t, "POST", "/api/v4/projects/20003/issues", "{\"title\":\"RFC\"}");
    sbt_resp_free(&r);
    r = sbt_zendesk(t, "GET", "/api/v2/tickets/5.json", NULL);
    sbt_resp_free(&r);

    r = admin(t, "GET", "/__sandbox/requests", NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(r.json), 3);
    assert_string_equal(sbt_str_at(r.json, "[0].method"), "GET");
    assert_string_equal(sbt_str_at(r.json, "[0].path"), "/api/v2/tickets/1001.json");
    assert_string_equal(sbt_str_at(r.json, "[0].query"), "include=users");
    assert_string_equal(sbt_str_at(r.json, "[0].service"), "zendesk");
    assert_string_equal(sbt_str_at(r.json, "[0].route"), "GET /api/v2/tickets/{id}");
    assert_int_equal(sbt_num_at(r.json, "[1].status"), 201);
    assert_string_equal(sbt_str_at(r.json, "[1].body.title"), "RFC");
    assert_string_equal(sbt_str_at(r.json, "[1].service"), "gitlab");
    assert_int_equal(sbt_num_at(r.json, "[2].status"), 404);
    assert_true(sbt_num_at(r.json, "[0].seq") < sbt_num_at(r.json, "[1].seq"));
    assert_true(sbt_num_at(r.json, "[1].seq") < sbt_num_at(r.json, "[2].seq"));
    assert_non_null(sbt_str_at(r.json, "[2].time"));
    int second = (int)sbt_num_at(r.json, "[1].seq");
    sbt_resp_free(&r);

    char *path = hb_xasprintf("/__sandbox/requests?since=%d", second);
    r = admin(t, "GET", path, NULL);
    free(path);
    assert_int_equal(cJSON_GetArraySize(r.json), 1);
    assert_int_equal(sbt_num_at(r.json, "[0].status"), 404);
    sbt_resp_free(&r);
}

static void set_faults(sbt *t, const char *spec)
{
    sbt_resp r = admin(t, "POST", "/__sandbox/faults", spec);
    assert_int_equal(r.status, 200);
    sbt_resp_free(&r);
}

static void fault_429_for_the_next_requests(void **state)
{
    sbt *t = *state;
    set_faults(t, "429@zendesk,next=2,retry-after=7");
    for (int i = 0; i < 2; i++) {
        sbt_resp r = sbt_zendesk(t, "GET", "/api/v2/tickets/1001.json", NULL);
        assert_int_equal(r.status, 429);
        char *retry = sbt_header(&r, "retry-after");
        assert_string_equal(retry, "7");
        free(retry);
        sbt_resp_free(&r);
    }
    sbt_resp r = sbt_gitlab(t, "GET", "/api/v4/projects/20001", NULL);
    assert_int_equal(r.status, 200); /* other services untouched */
    sbt_resp_free(&r);
    r = sbt_zendesk(t, "GET", "/api/v2/tickets/1001.json", NULL);
    assert_int_equal(r.status, 200);
    sbt_resp_free(&r);

    r = admin(t, "GET", "/__sandbox/faults", NULL);
    assert_int_equal(sbt_num_at(r.json, "[0].fired"), 2);
    assert_int_equal(sbt_num_at(r.json, "[0].remaining"), 0);
    sbt_resp_free(&r);
    r = admin(t, "GET", "/__sandbox/requests", NULL);
    assert_string_equal(sbt_str_at(r.json, "[0].fault"), "429");
    sbt_resp_free(&r);
}

/* The sequence of 500s a share rule produces, as a string of 0/1. */
static void share_pattern(sbt *t, char out[21])
{
    set_faults(t, "500@gitlab,share=50,seed=3");
    for (int i = 0; i < 20; i++) {
        sbt_resp r = sbt_gitlab(t, "GET", "/api/v4/projects/20001", NULL);
        assert_true(r.status == 200 || r.status == 500);
        if (r.status == 500)
            assert_non_null(sbt_str_at(r.json, "message"));
        out[i] = r.status == 500 ? '1' : '0';
        sbt_resp_free(&r);
    }
    out[20] = '\0';
}

static void fault_share_is_deterministic(void **state)
{
    sbt *t = *state;
    char first[21], second[21];
    share_pattern(t, first);
    share_pattern(t, second);
    assert_string_equal(first, second);
    assert_non_null(strchr(first, '1'));
    assert_non_null(strchr(first, '0'));
}

/* A credential without the permission: 403 in the service's shape, and
 * the write is not applied. */
static void fault_forbidden(void **state)
{
    sbt *t = *state;
    set_faults(t, "403@POST /api/v4/projects/{id}/issues/{iid}/notes,next=1");
    const char *path = "/api/v4/projects/20002/issues/1/notes";
    sbt_resp r = sbt_gitlab(t, "POST", path, "{\"body\":\"refused\"}");
    assert_int_equal(r.status, 403);
    assert_string_equal(sbt_str_at(r.json, "message"), "403 Forbidden");
    sbt_resp_free(&r);
    r = sbt_gitlab(t, "GET", path, NULL);
    assert_int_equal(r.status, 200);
    for (int i = 0; i < cJSON_GetArraySize(r.json); i++)
        assert_null(strstr(sbt_str_at(cJSON_GetArrayItem(r.json, i), "body"), "refused"));
    sbt_resp_free(&r);
    r = sbt_gitlab(t, "POST", path, "{\"body\":\"accepted\"}");
    assert_int_equal(r.status, 201); /* next=1: only the first */
    sbt_resp_free(&r);
}

static void fault_drop_and_drop_after_write(void **state)
{
    sbt *t = *state;
    t->fresh_connections = true;
    set_faults(t, "drop@GET /api/v2/tickets/{id},next=1;"
                  "drop-after-write@PUT /api/v2/tickets/1001.json,next=1;latency=20@zuora");
    sbt_resp r = sbt_zendesk(t, "GET", "/api/v2/tickets/1002.json", NULL);
    assert_true(r.failed);
    sbt_resp_free(&r);

    r = sbt_zendesk(
        t, "PUT", "/api/v2/tickets/1001.json",
        "{\"ticket\":{\"comment\":{\"body\":\"applied, then lost\",\"public\":false}}}");
    assert_true(r.failed);
    sbt_resp_free(&r);
    r = sbt_zendesk(t, "GET", "/api/v2/tickets/1001/comments.json", NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(sbt_num_at(r.json, "count"), 2);
    assert_string_equal(sbt_str_at(r.json, "comments[1].body"), "applied, then lost");
    sbt_resp_free(&r);

    r = sbt_zuora(t, "GET", "/v1/subscriptions/A-S00002011", NULL);
    assert_int_equal(r.status, 200); /* slower, but answered */
    sbt_resp_free(&r);

    r = admin(t, "GET", "/__sandbox/requests", NULL);
    assert_string_equal(sbt_str_at(r.json, "[0].fault"), "drop");
    assert_string_equal(sbt_str_at(r.json, "[1].fault"), "drop-after-write");
    sbt_resp_free(&r);

    r = admin(t, "POST", "/__sandbox/faults", "{\"faults\":\"explode@all\"}");
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(sbt_str_at(r.json, "error"), "explode"));
    sbt_resp_free(&r);
    hb_err e;
    assert_int_equal(hb_sandbox_set_faults(t->sb, "429@zendesk,nxt=1", &e), HB_EUSAGE);
    assert_int_equal(hb_sandbox_set_faults(t->sb, "", &e), HB_OK);
}

/* 500-after-write: the change is made and kept, the answer is a 500 in the
 * service's shape (what a gateway timing out on a busy backend gives). */
static void fault_500_after_write(void **state)
{
    sbt *t = *state;
    set_faults(t, "500-after-write@PUT /api/v2/tickets/{id},next=1");
    sbt_resp r =
        sbt_zendesk(t, "PUT", "/api/v2/tickets/1001.json",
                    "{\"ticket\":{\"comment\":{\"body\":\"applied, then 500\",\"public\":true}}}");
    assert_int_equal(r.status, 500);
    assert_non_null(strstr(sbt_str_at(r.json, "description"), "applied"));
    sbt_resp_free(&r);
    r = sbt_zendesk(t, "GET", "/api/v2/tickets/1001/comments.json", NULL);
    assert_int_equal(sbt_num_at(r.json, "count"), 2);
    assert_string_equal(sbt_str_at(r.json, "comments[1].body"), "applied, then 500");
    sbt_resp_free(&r);
    r = admin(t, "GET", "/__sandbox/requests", NULL);
    assert_string_equal(sbt_str_at(r.json, "[0].fault"), "500-after-write");
    assert_int_equal(sbt_num_at(r.json, "[0].status"), 500);
    sbt_resp_free(&r);
}

static void faults_from_the_config(void **state)
{
    (void)state;
    hb_sandbox_config cfg = {.faults = "500@salesforce,after=1,next=1"};
    sbt *t = sbt_start(&cfg);
    sbt_resp r = sbt_salesforce(t, "GET", "/services/data/v60.0/sobjects/User/0055e0000OMARSEAAA",
                                NULL); /* the token request passes first */
    assert_int_equal(r.status, 500);
    assert_string_equal(sbt_str_at(r.json, "[0].errorCode"), "UNKNOWN_EXCEPTION");
    sbt_resp_free(&r);
    r = sbt_salesforce(t, "GET", "/services/data/v60.0/sobjects/User/0055e0000OMARSEAAA", NULL);
    assert_int_equal(r.status, 200);
    sbt_resp_free(&r);
    sbt_stop(t);

    hb_sandbox *sb;
    hb_err e;
    hb_sandbox_config bad = {.data_path = HB_SOURCE_DIR "/workflows/sandbox/seed.json",
                             .faults = "drop@nowhere"};
    assert_int_equal(hb_sandbox_start(&bad, &sb, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "nowhere"));
}

typedef struct upload {
    const char *data;
    size_t left;
} upload;

static size_t read_chunk(char *buf, size_t size, size_t n, void *ud)
{
    upload *u = ud;
    size_t want = size * n < 7 ? size * n : 7; /* small pieces, several chunks */
    if (want > u->left)
        want = u->left;
    memcpy(buf, u->data, want);
    u->data += want;
    u->left -= want;
    return want;
}

static int saw_chunked(CURL *c, curl_infotype type, char *data, size_t size, void *ud)
{
    (void)c;
    static const char needle[] = "Transfer-Encoding: chunked";
    for (size_t i = 0; type == CURLINFO_HEADER_OUT && i + sizeof needle - 1 <= size; i++) {
        if (!memcmp(data + i, needle, sizeof needle - 1))
            *(bool *)ud = true;
    }
    return 0;
}

static void chunked_body_and_keep_alive(void **state)
{
    sbt *t = *state;
    const char *body = "{\"ticket\":{\"comment\":{\"body\":\"sent in chunks\",\"public\":false}}}";
    upload u = {body, strlen(body)};
    bool chunked = false;
    CURL *c = curl_easy_init();
    char *url = hb_xasprintf("%s/api/v2/tickets/1003.json", t->url);
    char *auth =
        hb_xasprintf("%s/token:%s", sbt_var(t, "ZENDESK_EMAIL"), sbt_var(t, "ZENDESK_API_TOKEN"));
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_chunk);
    curl_easy_setopt(c, CURLOPT_READDATA, &u);
    curl_easy_setopt(c, CURLOPT_USERPWD, auth);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, saw_chunked);
    curl_easy_setopt(c, CURLOPT_DEBUGDATA, &chunked);
    curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
    FILE *sink = fopen("/dev/null", "w");
    curl_easy_setopt(c, CURLOPT_WRITEDATA, sink);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    assert_int_equal(status, 200);
    assert_true(chunked);
    curl_easy_cleanup(c);
    curl_slist_free_all(h);
    fclose(sink);
    free(url);
    free(auth);

    sbt_resp r = sbt_zendesk(t, "GET", "/api/v2/tickets/1003/comments.json", NULL);
    assert_string_equal(sbt_str_at(r.json, "comments[1].body"), "sent in chunks");
    sbt_resp_free(&r);
    /* the second request on the same handle reuses the connection */
    r = sbt_zendesk(t, "GET", "/api/v2/tickets/1003.json", NULL);
    long connects = -1;
    curl_easy_getinfo(t->curl, CURLINFO_NUM_CONNECTS, &connects);
    assert_int_equal(connects, 0);
    sbt_resp_free(&r);
}

static void unknown_routes_answer_in_the_service_shape(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_zendesk(t, "GET", "/api/v2/macros.json", NULL);
    assert_int_equal(r.status, 404);
    assert_string_equal(sbt_str_at(r.json, "error"), "InvalidEndpoint");
    sbt_resp_free(&r);
    r = sbt_zendesk(t, "POST", "/api/v2/tickets/1001.json", "{}");
    assert_int_equal(r.status, 405);
    sbt_resp_free(&r);
    r = sbt_gitlab(t, "GET", "/api/v4/groups", NULL);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(sbt_str_at(r.json, "message"), "404"));
    sbt_resp_free(&r);
    r = sbt_request(t, "GET", "/", NULL, NULL);
    assert_int_equal(r.status, 404);
    assert_non_null(sbt_str_at(r.json, "error"));
    sbt_resp_free(&r);
}

static void only_loopback_addresses(void **state)
{
    (void)state;
    hb_sandbox *sb;
    hb_err e;
    hb_sandbox_config cfg = {.bind = "0.0.0.0",
                             .data_path = HB_SOURCE_DIR "/workflows/sandbox/seed.json"};
    assert_int_equal(hb_sandbox_start(&cfg, &sb, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "loopback"));
    cfg.bind = "localhost";
    assert_int_equal(hb_sandbox_start(&cfg, &sb, &e), HB_OK);
    assert_true(hb_sandbox_port(sb) > 0);
    assert_true(hb_str_starts_with(hb_sandbox_url(sb), "http://127.0.0.1:"));
    hb_sandbox_stop(sb);
}

static void every_sandbox_route_is_covered(void **state)
{
    (void)state;
    sbt_assert_routes_covered("sandbox");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(route_table_is_consistent),
        cmocka_unit_test_setup_teardown(state_patch_and_reset, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(requests_are_logged_in_order, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(fault_429_for_the_next_requests, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(fault_share_is_deterministic, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(fault_drop_and_drop_after_write, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(fault_500_after_write, sbt_setup, sbt_teardown),
        cmocka_unit_test(faults_from_the_config),
        cmocka_unit_test_setup_teardown(fault_forbidden, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(chunked_body_and_keep_alive, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(unknown_routes_answer_in_the_service_shape, sbt_setup,
                                        sbt_teardown),
        cmocka_unit_test(only_loopback_addresses),
        cmocka_unit_test(every_sandbox_route_is_covered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
