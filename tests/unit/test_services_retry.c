/* Retries against a loopback peer: 429 with Retry-After in seconds and as a
 * date, 5xx for reads and idempotent writes but not other writes, refused
 * connections (provably not sent, so retried even for writes), the bounded
 * total wait, and responses that must not be retried (over the cap). The
 * waits are shrunk through HB_HTTP_BACKOFF_BASE_MS; no timing asserted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "services_fixture.h"
#include "test_support.h"

static int setup(void **state)
{
    hbt_services *f = hbt_services_setup();
    hbt_services_all_vars(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    hbt_services_teardown(*state);
    hbt_unsetenv("HB_HTTP_MAX_WAIT_MS");
    hbt_unsetenv("HB_HTTP_MAX_RESPONSE_MB");
    return 0;
}

static const hb_service_request TICKET = {.service = "zendesk",
                                          .op = "zendesk.tickets.get",
                                          .method = "GET",
                                          .path = "/api/v2/tickets/7.json"};

static void rate_limited_with_retry_after_seconds(void **state)
{
    hbt_services *f = *state;
    hbt_peer_reply(f->peer, "GET", TICKET.path, 429, "Retry-After: 1\nContent-Type: text/plain",
                   "Too Many Requests");
    hbt_peer_reply(f->peer, "GET", TICKET.path, 200, NULL, "{\"ticket\":{\"id\":7}}");
    hb_err e;
    assert_int_equal(hbt_call(f, &TICKET, NULL, &e), HB_OK);
    assert_int_equal(hbt_peer_count(f->peer, "GET", TICKET.path), 2);
    assert_int_equal(hbt_events(f, "api_call"), 2);
    assert_int_equal(hbt_num(hbt_event(f, "api_call", 0), "status"), 429);
    assert_int_equal(hbt_num(hbt_event(f, "api_call", 1), "status"), 200);
    assert_int_equal(hbt_num(hbt_event(f, "api_call", 1), "attempt"), 2);
}

static void rate_limited_with_retry_after_date(void **state)
{
    hbt_services *f = *state;
    char header[128];
    time_t at = time(NULL) + 1;
    struct tm tm;
    gmtime_r(&at, &tm);
    strftime(header, sizeof header, "Retry-After: %a, %d %b %Y %H:%M:%S GMT", &tm);
    hbt_peer_reply(f->peer, "GET", TICKET.path, 429, header, "");
    hbt_peer_reply(f->peer, "GET", TICKET.path, 200, NULL, "{\"ticket\":{\"id\":7}}");
    hb_err e;
    assert_int_equal(hbt_call(f, &TICKET, NULL, &e), HB_OK);
    assert_int_equal(hbt_peer_count(f->peer, "GET", TICKET.path), 2);
}

static void rate_limit_reset_header_without_retry_after(void **state)
{
    hbt_services *f = *state;
    /* GitLab sends RateLimit-Reset as a Unix time. */
    char header[96];
    snprintf(header, sizeof header, "RateLimit-Reset: %lld\nRateLimit-Remaining: 0",
             (long long)time(NULL));
    const char *path = "/api/v4/projects/1/issues/2";
    hbt_peer_reply(f->peer, "GET", path, 429, header, "Retry later");
    hbt_peer_reply(f->peer, "GET", path, 200, "RateLimit-Remaining: 599", "{\"iid\":2}");
    hb_service_request req = {
        .service = "gitlab", .op = "gitlab.issues.get", .method = "GET", .path = path};
    hb_err e;
    assert_int_equal(hbt_call(f, &req, NULL, &e), HB_OK);
    assert_int_equal(hbt_peer_count(f->peer, "GET", path), 2);
    assert_int_equal(hbt_num(hbt_event(f, "api_call", 0), "ratelimit_remaining"), 0);
    assert_int_equal(hbt_num(hbt_event(f, "api_call", 1), "ratelimit_remaining"), 599);
}

static void wait_beyond_the_budget_gives_up(void **state)
{
    hbt_services *f = *state;
    hbt_setenv("HB_HTTP_MAX_WAIT_MS", "500");
    hbt_peer_reply(f->peer, "GET", TICKET.path, 429, "Retry-After: 3600", "slow down");
    hb_service_response r;
    hb_err e;
    assert_int_equal(hbt_call(f, &TICKET, &r, &e), HB_EFAILED);
    assert_int_equal(hbt_num(r.error, "status"), 429);
    assert_non_null(strstr(hbt_str(r.error, "message"), "HB_HTTP_MAX_WAIT_MS"));
    assert_non_null(strstr(e.msg, "429"));
    hb_service_response_free(&r);
    assert_int_equal(hbt_peer_count(f->peer, "GET", TICKET.path), 1);
}

static void server_error_then_success_for_a_read(void **state)
{
    hbt_services *f = *state;
    hbt_peer_reply(f->peer, "GET", TICKET.path, 500, NULL, "{\"error\":\"InternalError\"}");
    hbt_peer_reply(f->peer, "GET", TICKET.path, 502, NULL, "<html>bad gateway</html>");
    hbt_peer_reply(f->peer, "GET", TICKET.path, 200, NULL, "{\"ticket\":{\"id\":7}}");
    hb_err e;
    assert_int_equal(hbt_call(f, &TICKET, NULL, &e), HB_OK);
    assert_int_equal(hbt_peer_count(f->peer, "GET", TICKET.path), 3);
}

static void server_errors_exhaust_the_attempts(void **state)
{
    hbt_services *f = *state;
    hbt_peer_reply(f->peer, "GET", TICKET.path, 503, NULL, "{\"error\":\"Unavailable\"}");
    hb_service_response r;
    hb_err e;
    assert_int_equal(hbt_call(f, &TICKET, &r, &e), HB_EFAILED);
    assert_int_equal(hbt_peer_count(f->peer, "GET", TICKET.path), 3);
    assert_non_null(strstr(hbt_str(r.error, "message"), "gave up after 3 attempts"));
    hb_service_response_free(&r);
}

static void write_not_retried_after_a_server_error(void **state)
{
    hbt_services *f = *state;
    const char *path = "/api/v4/projects/1/issues";
    hbt_peer_reply(f->peer, "POST", path, 500, NULL, "{\"message\":\"500 Internal Server Error\"}");
    cJSON *body = cJSON_Parse("{\"title\":\"Offering migration\"}");
    hb_service_request req = {.service = "gitlab",
                              .op = "gitlab.issues.create",
                              .method = "POST",
                              .path = path,
                              .body = body,
                              .object = "gitlab:project:1"};
    hb_service_response r;
    hb_err e;
    assert_int_equal(hbt_call(f, &req, &r, &e), HB_EFAILED);
    assert_int_equal(hbt_num(r.error, "status"), 500);
    hb_service_response_free(&r);
    cJSON_Delete(body);
    /* It may have been created: sending again could create a second one. */
    assert_int_equal(hbt_peer_count(f->peer, "POST", path), 1);
}

static void idempotent_write_retried_after_a_server_error(void **state)
{
    hbt_services *f = *state;
    const char *path = "/api/v2/tickets/7/tags.json";
    hbt_peer_reply(f->peer, "PUT", path, 503, NULL, "");
    hbt_peer_reply(f->peer, "PUT", path, 200, NULL, "{\"tags\":[\"a\",\"b\"]}");
    cJSON *body = cJSON_Parse("{\"tags\":[\"b\"]}");
    hb_service_request req = {.service = "zendesk",
                              .op = "zendesk.tickets.add_tags",
                              .method = "PUT",
                              .path = path,
                              .body = body,
                              .object = "zendesk:ticket:7"};
    hb_err e;
    assert_int_equal(hbt_call(f, &req, NULL, &e), HB_OK);
    cJSON_Delete(body);
    assert_int_equal(hbt_peer_count(f->peer, "PUT", path), 2);
    assert_int_equal(hbt_events(f, "intent"), 1);
}

static void refused_connection_is_retried_even_for_a_write(void **state)
{
    hbt_services *f = *state;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", hbt_closed_port());
    hbt_services_var(f, "GITLAB_URL", url);
    cJSON *body = cJSON_Parse("{\"body\":\"note\"}");
    hb_service_request req = {.service = "gitlab",
                              .op = "gitlab.notes.create",
                              .method = "POST",
                              .path = "/api/v4/projects/1/issues/2/notes",
                              .body = body,
                              .object = "gitlab:issue:1#2"};
    hb_service_response r;
    hb_err e;
    assert_int_equal(hbt_call(f, &req, &r, &e), HB_EFAILED);
    cJSON_Delete(body);
    assert_string_equal(hbt_str(r.error, "code"), "connection_failed");
    assert_int_equal(hbt_num(r.error, "status"), 0);
    assert_non_null(strstr(hbt_str(r.error, "message"), "3 attempts"));
    hb_service_response_free(&r);
    assert_non_null(strstr(e.msg, "could not be reached"));
    assert_int_equal(hbt_events(f, "api_call"), 3);
    assert_int_equal(hbt_num(hbt_event(f, "api_call", 2), "status"), 0);
}

static void body_over_the_cap_is_not_retried(void **state)
{
    hbt_services *f = *state;
    hbt_setenv("HB_HTTP_MAX_RESPONSE_MB", "1");
    size_t big = 1536 * 1024;
    char *text = malloc(big + 16);
    strcpy(text, "{\"x\":\"");
    memset(text + 6, 'a', big);
    strcpy(text + 6 + big, "\"}");
    hbt_peer_reply(f->peer, "GET", TICKET.path, 200, NULL, text);
    free(text);
    hb_service_response r;
    hb_err e;
    assert_int_equal(hbt_call(f, &TICKET, &r, &e), HB_EFAILED);
    assert_string_equal(hbt_str(r.error, "code"), "response_too_large");
    hb_service_response_free(&r);
    assert_int_equal(hbt_peer_count(f->peer, "GET", TICKET.path), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(rate_limited_with_retry_after_seconds, setup, teardown),
        cmocka_unit_test_setup_teardown(rate_limited_with_retry_after_date, setup, teardown),
        cmocka_unit_test_setup_teardown(rate_limit_reset_header_without_retry_after, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(wait_beyond_the_budget_gives_up, setup, teardown),
        cmocka_unit_test_setup_teardown(server_error_then_success_for_a_read, setup, teardown),
        cmocka_unit_test_setup_teardown(server_errors_exhaust_the_attempts, setup, teardown),
        cmocka_unit_test_setup_teardown(write_not_retried_after_a_server_error, setup, teardown),
        cmocka_unit_test_setup_teardown(idempotent_write_retried_after_a_server_error, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(refused_connection_is_retried_even_for_a_write, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(body_over_the_cap_is_not_retried, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
