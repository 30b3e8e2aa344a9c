/* The C transport against the built-in sandbox, which speaks the four
 * services' real shapes: auth for each service with the sandbox's own
 * credentials, token refresh after the sandbox revokes every token, a 429
 * fault retried, and a write whose answer is lost (drop-after-write) sent
 * exactly once even on a kept-alive connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/http.h"
#include "hb/sandbox.h"
#include "hb/services.h"
#include "hb/util.h"
#include "services_fixture.h"
#include "test_support.h"

typedef struct sandbox_fixture {
    hb_sandbox *sb;
    hb_service_vars *vars;
    hb_services *svc;
} sandbox_fixture;

static int setup(void **state)
{
    hbt_setenv("HB_HTTP_BACKOFF_BASE_MS", "1");
    hbt_setenv("HB_SANDBOX_SEED", HB_SOURCE_DIR "/workflows/sandbox/seed.json");
    sandbox_fixture *f = calloc(1, sizeof *f);
    hb_sandbox_config cfg = {0};
    hb_err e;
    if (hb_sandbox_start(&cfg, &f->sb, &e) != HB_OK)
        fail_msg("sandbox: %s", e.msg);
    f->vars = hb_service_vars_new();
    hb_sandbox_each_var(f->sb, hb_service_vars_set_cb, f->vars);
    hb_services_config sc = {.getvar = hb_service_vars_get, .getvar_ud = f->vars};
    f->svc = hb_services_new(&sc, &e);
    assert_non_null(f->svc);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    sandbox_fixture *f = *state;
    hb_services_free(f->svc);
    hb_sandbox_stop(f->sb);
    hb_service_vars_free(f->vars);
    free(f);
    hbt_unsetenv("HB_HTTP_BACKOFF_BASE_MS");
    hbt_unsetenv("HB_SANDBOX_SEED");
    return 0;
}

static cJSON *get_ok(sandbox_fixture *f, const char *service, const char *path, const char *query)
{
    hb_service_request req = {.service = service,
                              .op = hbt_read_op(service),
                              .method = "GET",
                              .path = path,
                              .query = query};
    hb_service_response r;
    hb_err e;
    hb_status st = hb_services_call(f->svc, &req, &r, &e);
    if (st != HB_OK)
        fail_msg("%s %s: %s", service, path, e.msg);
    cJSON *body = r.body;
    r.body = NULL;
    hb_service_response_free(&r);
    return body;
}

static size_t requests_to(sandbox_fixture *f, const char *method, const char *path)
{
    char *json = hb_sandbox_requests_json(f->sb);
    cJSON *log = cJSON_Parse(json);
    free(json);
    const cJSON *list = cJSON_IsArray(log) ? log : cJSON_GetObjectItem(log, "requests");
    size_t n = 0;
    const cJSON *r;
    cJSON_ArrayForEach(r, list)
    {
        const cJSON *m = cJSON_GetObjectItem(r, "method"), *p = cJSON_GetObjectItem(r, "path");
        if (cJSON_IsString(m) && cJSON_IsString(p) && !strcmp(m->valuestring, method) &&
            !strcmp(p->valuestring, path))
            n++;
    }
    cJSON_Delete(log);
    return n;
}

static void each_service_authenticates(void **state)
{
    sandbox_fixture *f = *state;
    cJSON *b = get_ok(f, "zendesk", "/api/v2/tickets/1001.json", NULL);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(b, "ticket"), "id")->valueint, 1001);
    cJSON_Delete(b);
    b = get_ok(f, "gitlab",
               "/api/v4/projects/gitlab-com%2Fsupport%2Fsupport-ops%2Fzendesk-organizations", NULL);
    assert_int_equal(cJSON_GetObjectItem(b, "id")->valueint, 20001);
    cJSON_Delete(b);
    b = get_ok(f, "zuora", "/v1/subscriptions/A-S00002011", NULL);
    assert_string_equal(cJSON_GetObjectItem(b, "subscriptionNumber")->valuestring, "A-S00002011");
    cJSON_Delete(b);
    b = get_ok(f, "salesforce", "/services/data/v60.0/query", "q=SELECT+Id+FROM+Opportunity");
    assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(b, "records")) > 0);
    cJSON_Delete(b);
}

static void tokens_fetched_again_after_revocation(void **state)
{
    sandbox_fixture *f = *state;
    cJSON_Delete(get_ok(f, "zuora", "/v1/subscriptions/A-S00002011", NULL));
    cJSON_Delete(get_ok(f, "salesforce",
                        "/services/data/v60.0/sobjects/Opportunity/"
                        "0065e0000ACMENBAAA",
                        NULL));
    /* Revoke through the HTTP endpoint: no in-process call exists for it. */
    hb_err e;
    hb_http_limits l;
    assert_int_equal(hb_http_limits_from_env(&l, &e), HB_OK);
    hb_http *h = hb_http_new(&l, "hb/test");
    char *revoke = hb_xasprintf("%s/__sandbox/revoke-tokens", hb_sandbox_url(f->sb));
    hb_http_request req = {.method = "POST", .url = revoke, .body = "", .body_len = 0};
    hb_http_response r;
    hb_http_response_init(&r);
    assert_int_equal(hb_http_perform(h, &req, &r), HB_OK);
    assert_true(r.status < 300);
    hb_http_response_free(&r);
    hb_http_free(h);
    free(revoke);

    cJSON_Delete(get_ok(f, "zuora", "/v1/subscriptions/A-S00002011", NULL));
    cJSON_Delete(get_ok(f, "salesforce",
                        "/services/data/v60.0/sobjects/Opportunity/"
                        "0065e0000ACMENBAAA",
                        NULL));
    assert_int_equal(requests_to(f, "POST", "/oauth/token"), 2);
    assert_int_equal(requests_to(f, "POST", "/services/oauth2/token"), 2);
}

static void rate_limit_fault_is_retried(void **state)
{
    sandbox_fixture *f = *state;
    hb_err e;
    assert_int_equal(hb_sandbox_set_faults(f->sb, "429@zendesk,next=1,retry-after=1", &e), HB_OK);
    cJSON_Delete(get_ok(f, "zendesk", "/api/v2/tickets/1002.json", NULL));
    assert_int_equal(requests_to(f, "GET", "/api/v2/tickets/1002.json"), 2);
}

static void lost_answer_to_a_create_is_not_sent_again(void **state)
{
    sandbox_fixture *f = *state;
    const char *issues = "/api/v4/projects/20003/issues";
    /* Warm the kept-alive connection first: the case libcurl would re-send. */
    cJSON_Delete(get_ok(f, "gitlab", issues, NULL));
    hb_err e;
    assert_int_equal(hb_sandbox_set_faults(f->sb,
                                           "drop-after-write@POST "
                                           "/api/v4/projects/{id}/issues,next=1",
                                           &e),
                     HB_OK);
    cJSON *body = cJSON_Parse("{\"title\":\"Created once\"}");
    hb_service_request req = {.service = "gitlab",
                              .op = "gitlab.issues.create",
                              .method = "POST",
                              .path = issues,
                              .body = body,
                              .object = "gitlab:project:20003"};
    hb_service_response r;
    assert_int_equal(hb_services_call(f->svc, &req, &r, &e), HB_EFAILED);
    assert_int_equal(cJSON_GetObjectItem(r.error, "status")->valueint, 0);
    hb_service_response_free(&r);
    cJSON_Delete(body);
    assert_int_equal(requests_to(f, "POST", issues), 1);
    cJSON *list = get_ok(f, "gitlab", issues, "search=Created+once");
    assert_int_equal(cJSON_GetArraySize(list), 1);
    cJSON_Delete(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(each_service_authenticates, setup, teardown),
        cmocka_unit_test_setup_teardown(tokens_fetched_again_after_revocation, setup, teardown),
        cmocka_unit_test_setup_teardown(rate_limit_fault_is_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(lost_answer_to_a_create_is_not_sent_again, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
