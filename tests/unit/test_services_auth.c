/* Auth per service against a loopback peer: Zendesk basic and bearer,
 * GitLab PRIVATE-TOKEN, Zuora and Salesforce client credentials with cached
 * tokens and one re-authentication on 401; missing credentials; URL rules.
 * Every test also checks that no secret or issued token reached the audit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services_fixture.h"
#include "test_support.h"

static int setup(void **state)
{
    *state = hbt_services_setup();
    return 0;
}

static int teardown(void **state)
{
    hbt_services_teardown(*state);
    return 0;
}

static const char *const SECRETS[] = {
    "zd-api-token-SECRET1", "YWdlbnRAZXhhbXBsZS5jb20vdG9rZW46emQtYXBpLXRva2VuLVNFQ1JFVDE=",
    "glpat-SECRET2",        "zuora-client-SECRET3",
    "sf-client-SECRET4",    "zuora-issued-ONE",
    "zuora-issued-TWO",     "sf-issued-ONE",
    "sf-issued-TWO",        NULL,
};

static void assert_no_secrets(hbt_services *f)
{
    for (const char *const *s = SECRETS; *s; s++)
        hbt_assert_not_in_audit(f, *s);
}

static void zendesk_basic(void **state)
{
    hbt_services *f = *state;
    hbt_services_all_vars(f);
    hbt_peer_reply(f->peer, "GET", "/api/v2/tickets/1.json", 200,
                   "X-Request-Id: zd-req-1\nx-rate-limit-remaining: 699",
                   "{\"ticket\":{\"id\":1,\"subject\":\"Help\"}}");
    hb_service_request req = {.service = "zendesk",
                              .op = "zendesk.tickets.get",
                              .method = "GET",
                              .path = "/api/v2/tickets/1.json"};
    hb_service_response r;
    hb_err e;
    assert_int_equal(hbt_call(f, &req, &r, &e), HB_OK);
    assert_int_equal(r.status, 200);
    const cJSON *ticket = cJSON_GetObjectItemCaseSensitive(r.body, "ticket");
    assert_int_equal(hbt_num(ticket, "id"), 1);
    hb_service_response_free(&r);

    const hbt_request *sent = hbt_peer_request(f->peer, 0);
    assert_string_equal(hbt_request_header(sent, "authorization"),
                        "Basic YWdlbnRAZXhhbXBsZS5jb20vdG9rZW46emQtYXBpLXRva2VuLVNFQ1JFVDE=");
    assert_string_equal(hbt_request_header(sent, "accept"), "application/json");
    assert_string_equal(hbt_request_header(sent, "user-agent"), "hb/" HB_VERSION);

    assert_int_equal(hbt_events(f, "api_call"), 1);
    assert_int_equal(hbt_events(f, "intent"), 0);
    const cJSON *call = hbt_event(f, "api_call", 0);
    assert_string_equal(hbt_str(call, "service"), "zendesk");
    assert_string_equal(hbt_str(call, "op"), "zendesk.tickets.get");
    assert_string_equal(hbt_str(call, "method"), "GET");
    assert_string_equal(hbt_str(call, "path"), "/api/v2/tickets/1.json");
    assert_int_equal(hbt_num(call, "status"), 200);
    assert_int_equal(hbt_num(call, "attempt"), 1);
    assert_int_equal(hbt_num(call, "ratelimit_remaining"), 699);
    assert_string_equal(hbt_str(call, "request_id"), "zd-req-1");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(call, "dry_run")));
    const char *stored = hbt_body(f, hbt_str(call, "response_body"));
    assert_non_null(stored);
    assert_non_null(strstr(stored, "\"subject\":\"Help\""));
    assert_no_secrets(f);
}

static void zendesk_oauth(void **state)
{
    hbt_services *f = *state;
    hbt_services_var(f, "ZENDESK_URL", hbt_peer_url(f->peer));
    hbt_services_var(f, "ZENDESK_OAUTH_TOKEN", "zd-oauth-SECRET9");
    hbt_peer_reply(f->peer, "GET", "/api/v2/users/5.json", 200, NULL, "{\"user\":{\"id\":5}}");
    hb_service_request req = {.service = "zendesk",
                              .op = "zendesk.users.get",
                              .method = "GET",
                              .path = "/api/v2/users/5.json"};
    hb_err e;
    assert_int_equal(hbt_call(f, &req, NULL, &e), HB_OK);
    assert_string_equal(hbt_request_header(hbt_peer_request(f->peer, 0), "authorization"),
                        "Bearer zd-oauth-SECRET9");
    hbt_assert_not_in_audit(f, "zd-oauth-SECRET9");
}

static void gitlab_token_and_raw_project_path(void **state)
{
    hbt_services *f = *state;
    hbt_services_all_vars(f);
    hbt_peer_reply(f->peer, "GET", "/api/v4/projects/grp%2Fsub%2Fproj/issues/3", 200, NULL,
                   "{\"iid\":3,\"state\":\"opened\"}");
    hb_service_request req = {.service = "gitlab",
                              .op = "gitlab.issues.get",
                              .method = "GET",
                              .path = "/api/v4/projects/grp%2Fsub%2Fproj/issues/3"};
    hb_err e;
    assert_int_equal(hbt_call(f, &req, NULL, &e), HB_OK);
    const hbt_request *sent = hbt_peer_request(f->peer, 0);
    assert_string_equal(sent->path, "/api/v4/projects/grp%2Fsub%2Fproj/issues/3");
    assert_string_equal(hbt_request_header(sent, "private-token"), "glpat-SECRET2");
    assert_null(hbt_request_header(sent, "authorization"));
    assert_no_secrets(f);
}

static void zuora_token_cached_then_refreshed_on_401(void **state)
{
    hbt_services *f = *state;
    hbt_services_all_vars(f);
    hbt_peer_reply(f->peer, "POST", "/oauth/token", 200, NULL,
                   "{\"access_token\":\"zuora-issued-ONE\",\"expires_in\":3599,"
                   "\"token_type\":\"bearer\",\"jti\":\"j1\"}");
    hbt_peer_reply(f->peer, "POST", "/oauth/token", 200, NULL,
                   "{\"access_token\":\"zuora-issued-TWO\",\"expires_in\":3599}");
    const char *sub = "/v1/subscriptions/A-S00001";
    hbt_peer_reply(f->peer, "GET", sub, 200, NULL, "{\"success\":true,\"status\":\"Active\"}");
    hbt_peer_reply(f->peer, "GET", sub, 200, NULL, "{\"success\":true,\"status\":\"Active\"}");
    hbt_peer_reply(f->peer, "GET", sub, 401, NULL,
                   "{\"success\":false,\"reasons\":[{\"code\":90000011,\"message\":"
                   "\"this resource is protected, please sign in first\"}]}");
    hbt_peer_reply(f->peer, "GET", sub, 200, NULL, "{\"success\":true,\"status\":\"Active\"}");
    hb_service_request req = {
        .service = "zuora", .op = "zuora.subscriptions.get", .method = "GET", .path = sub};
    hb_err e;
    for (int i = 0; i < 3; i++)
        assert_int_equal(hbt_call(f, &req, NULL, &e), HB_OK);

    assert_int_equal(hbt_peer_count(f->peer, "POST", "/oauth/token"), 2);
    assert_int_equal(hbt_peer_count(f->peer, "GET", sub), 4);
    const hbt_request *token = hbt_peer_request(f->peer, 0);
    assert_string_equal(token->path, "/oauth/token");
    assert_non_null(strstr(token->body, "grant_type=client_credentials"));
    assert_non_null(strstr(token->body, "client_id=zuora-client-ID3"));
    assert_null(hbt_request_header(token, "authorization"));
    assert_string_equal(hbt_request_header(hbt_peer_request(f->peer, 1), "authorization"),
                        "Bearer zuora-issued-ONE");
    assert_string_equal(hbt_request_header(hbt_peer_request(f->peer, 2), "authorization"),
                        "Bearer zuora-issued-ONE");
    /* request 3 is the refused one, 4 the new token, 5 the retry */
    assert_string_equal(hbt_peer_request(f->peer, 4)->path, "/oauth/token");
    assert_string_equal(hbt_request_header(hbt_peer_request(f->peer, 5), "authorization"),
                        "Bearer zuora-issued-TWO");
    assert_non_null(hbt_request_header(hbt_peer_request(f->peer, 1), "zuora-version"));

    /* Token fetches are audited too, as reads, their secrets redacted. */
    size_t fetches = 0;
    for (size_t i = 0; i < hbt_events(f, "api_call"); i++)
        if (!strcmp(hbt_str(hbt_event(f, "api_call", i), "op"), "zuora.oauth.token"))
            fetches++;
    assert_int_equal(fetches, 2);
    assert_no_secrets(f);
    hbt_assert_not_in_audit(f, "zuora-client-ID3");
}

static void salesforce_instance_url_and_one_reauth(void **state)
{
    hbt_services *f = *state;
    hbt_services_all_vars(f);
    /* The login URL is 127.0.0.1; the instance is "localhost" on the same
     * peer, so the Host header shows where each request went. */
    char port[16];
    snprintf(port, sizeof port, "%s", strrchr(hbt_peer_url(f->peer), ':') + 1);
    char token1[300], token2[300];
    snprintf(token1, sizeof token1,
             "{\"access_token\":\"sf-issued-ONE\",\"instance_url\":\"http://localhost:%s\","
             "\"id\":\"x\",\"token_type\":\"Bearer\",\"signature\":\"sig-abc\"}",
             port);
    snprintf(token2, sizeof token2,
             "{\"access_token\":\"sf-issued-TWO\",\"instance_url\":\"http://localhost:%s\"}", port);
    hbt_peer_reply(f->peer, "POST", "/services/oauth2/token", 200, NULL, token1);
    hbt_peer_reply(f->peer, "POST", "/services/oauth2/token", 200, NULL, token2);
    const char *opp = "/services/data/v60.0/sobjects/Opportunity/006A";
    const char *expired =
        "[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]";
    hbt_peer_reply(f->peer, "GET", opp, 401, NULL, expired);
    hbt_peer_reply(f->peer, "GET", opp, 200, "Sforce-Limit-Info: api-usage=18/100000",
                   "{\"Id\":\"006A\",\"StageName\":\"Closed Won\"}");
    hbt_peer_reply(f->peer, "GET", opp, 401, NULL, expired);
    hb_service_request req = {
        .service = "salesforce", .op = "salesforce.sobjects.get", .method = "GET", .path = opp};
    hb_service_response r;
    hb_err e;
    assert_int_equal(hbt_call(f, &req, &r, &e), HB_OK);
    assert_string_equal(hbt_str(r.body, "StageName"), "Closed Won");
    hb_service_response_free(&r);
    const hbt_request *call = hbt_peer_request(f->peer, 3);
    assert_string_equal(call->path, opp);
    assert_non_null(strstr(hbt_request_header(call, "host"), "localhost"));
    assert_string_equal(hbt_request_header(call, "authorization"), "Bearer sf-issued-TWO");
    assert_int_equal(hbt_num(hbt_event(f, "api_call", 3), "ratelimit_remaining"), 99982);

    /* A session refused again after re-authenticating once is an error. */
    assert_int_equal(hbt_call(f, &req, &r, &e), HB_EFAILED);
    assert_int_equal(hbt_num(r.error, "status"), 401);
    assert_string_equal(hbt_str(r.error, "code"), "INVALID_SESSION_ID");
    assert_string_equal(hbt_str(r.error, "service"), "salesforce");
    hb_service_response_free(&r);
    assert_int_equal(hbt_peer_count(f->peer, "POST", "/services/oauth2/token"), 3);
    assert_null(strstr(e.msg, "sf-issued"));
    assert_no_secrets(f);
    hbt_assert_not_in_audit(f, "sig-abc");
}

static void missing_credentials_name_the_variables(void **state)
{
    hbt_services *f = *state;
    hbt_services_var(f, "ZUORA_URL", hbt_peer_url(f->peer));
    hb_service_request req = {
        .service = "zuora", .op = "zuora.subscriptions.get", .method = "GET", .path = "/v1/x"};
    hb_err e;
    assert_int_equal(hbt_call(f, &req, NULL, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "ZUORA_CLIENT_ID"));
    assert_non_null(strstr(e.msg, "ZUORA_CLIENT_SECRET"));
    assert_non_null(strstr(e.msg, "credentials"));
    hb_service_request zd = {
        .service = "zendesk", .op = "zendesk.tickets.get", .method = "GET", .path = "/api/v2/x"};
    assert_int_equal(hbt_call(f, &zd, NULL, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "ZENDESK_URL"));
    assert_non_null(strstr(e.msg, "ZENDESK_OAUTH_TOKEN"));
    assert_int_equal(hbt_peer_nrequests(f->peer), 0);
}

static void plain_http_to_a_remote_host_is_refused(void **state)
{
    hbt_services *f = *state;
    hbt_services_var(f, "GITLAB_URL", "http://gitlab.example.com");
    hbt_services_var(f, "GITLAB_TOKEN", "glpat-SECRET2");
    hb_service_request req = {
        .service = "gitlab", .op = "gitlab.issues.get", .method = "GET", .path = "/api/v4/x"};
    hb_err e;
    assert_int_equal(hbt_call(f, &req, NULL, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "GITLAB_URL"));
    assert_non_null(strstr(e.msg, "https://"));
    assert_int_equal(hbt_events(f, "api_call"), 0);
}

static void url_with_api_suffix_is_refused(void **state)
{
    hbt_services *f = *state;
    char url[128];
    snprintf(url, sizeof url, "%s/api/v2/", hbt_peer_url(f->peer));
    hbt_services_var(f, "ZENDESK_URL", url);
    hbt_services_var(f, "ZENDESK_OAUTH_TOKEN", "zd-oauth-SECRET9");
    hb_service_request req = {
        .service = "zendesk", .op = "zendesk.tickets.get", .method = "GET", .path = "/api/v2/x"};
    hb_err e;
    assert_int_equal(hbt_call(f, &req, NULL, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "/api/v2"));
    assert_int_equal(hbt_peer_nrequests(f->peer), 0);
}

static void refused_token_endpoint_is_a_uniform_error(void **state)
{
    hbt_services *f = *state;
    hbt_services_all_vars(f);
    hbt_peer_reply(f->peer, "POST", "/services/oauth2/token", 400, NULL,
                   "{\"error\":\"invalid_client\",\"error_description\":\"invalid client "
                   "credentials\"}");
    hb_service_request req = {.service = "salesforce",
                              .op = "salesforce.query",
                              .method = "GET",
                              .path = "/services/data/v60.0/query",
                              .query = "q=SELECT+Id+FROM+Account"};
    hb_service_response r;
    hb_err e;
    assert_int_equal(hbt_call(f, &req, &r, &e), HB_EFAILED);
    assert_string_equal(hbt_str(r.error, "code"), "invalid_client");
    assert_string_equal(hbt_str(r.error, "message"), "invalid client credentials");
    assert_int_equal(hbt_num(r.error, "status"), 400);
    hb_service_response_free(&r);
    assert_non_null(strstr(e.msg, "invalid_client"));
    /* A client error is not retried, and no API call was attempted. */
    assert_int_equal(hbt_peer_nrequests(f->peer), 1);
    assert_no_secrets(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(zendesk_basic, setup, teardown),
        cmocka_unit_test_setup_teardown(zendesk_oauth, setup, teardown),
        cmocka_unit_test_setup_teardown(gitlab_token_and_raw_project_path, setup, teardown),
        cmocka_unit_test_setup_teardown(zuora_token_cached_then_refreshed_on_401, setup, teardown),
        cmocka_unit_test_setup_teardown(salesforce_instance_url_and_one_reauth, setup, teardown),
        cmocka_unit_test_setup_teardown(missing_credentials_name_the_variables, setup, teardown),
        cmocka_unit_test_setup_teardown(plain_http_to_a_remote_host_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(url_with_api_suffix_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(refused_token_endpoint_is_a_uniform_error, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
