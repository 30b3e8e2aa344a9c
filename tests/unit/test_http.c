/* The HTTP transport against a real loopback peer, and its policy
 * arithmetic (URL rule, Retry-After, backoff). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hb/http.h"
#include "http_peer.h"
#include "test_support.h"

static hb_http_limits test_limits(void)
{
    hb_http_limits l;
    hb_err e;
    assert_int_equal(hb_http_limits_from_env(&l, &e), HB_OK);
    return l;
}

static void url_rule(void **state)
{
    (void)state;
    hb_err e;
    assert_int_equal(hb_http_check_url("https://acme.zendesk.com", "ZENDESK_URL", &e), HB_OK);
    assert_int_equal(hb_http_check_url("http://127.0.0.1:8080", "X", &e), HB_OK);
    assert_int_equal(hb_http_check_url("http://127.3.4.5", "X", &e), HB_OK);
    assert_int_equal(hb_http_check_url("http://localhost:9", "X", &e), HB_OK);
    assert_int_equal(hb_http_check_url("http://[::1]:9", "X", &e), HB_OK);

    assert_int_equal(hb_http_check_url("http://acme.zendesk.com", "ZENDESK_URL", &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "ZENDESK_URL"));
    assert_non_null(strstr(e.msg, "https://"));
    assert_int_equal(hb_http_check_url("http://128.0.0.1", "X", &e), HB_EUSAGE);
    assert_int_equal(hb_http_check_url("http://localhost.evil.example", "X", &e), HB_EUSAGE);
    assert_int_equal(hb_http_check_url("ftp://127.0.0.1", "X", &e), HB_EUSAGE);
    assert_int_equal(hb_http_check_url("https://me:hunter2secret@acme.example", "X", &e),
                     HB_EUSAGE);
    assert_null(strstr(e.msg, "hunter2secret"));
}

static void origins(void **state)
{
    (void)state;
    assert_true(hb_http_same_origin("https://a.example", "https://a.example/api/v2/x?page=2"));
    assert_true(hb_http_same_origin("https://a.example", "https://A.example:443/x"));
    assert_false(hb_http_same_origin("https://a.example", "https://b.example/x"));
    assert_false(hb_http_same_origin("https://a.example", "http://a.example/x"));
    assert_false(hb_http_same_origin("http://127.0.0.1:80", "http://127.0.0.1:81/x"));
}

static void retry_after(void **state)
{
    (void)state;
    hb_time_us now = (hb_time_us)1700000000 * 1000000;
    assert_int_equal(hb_http_retry_after_ms("7", now), 7000);
    assert_int_equal(hb_http_retry_after_ms(" 0 ", now), 0);
    assert_int_equal(hb_http_retry_after_ms(NULL, now), -1);
    assert_int_equal(hb_http_retry_after_ms("soon", now), -1);
    assert_int_equal(hb_http_retry_after_ms("-3", now), -1);
    /* 1700000000 is Tue, 14 Nov 2023 22:13:20 GMT. */
    assert_int_equal(hb_http_retry_after_ms("Tue, 14 Nov 2023 22:13:50 GMT", now), 30000);
    assert_int_equal(hb_http_retry_after_ms("Tue, 14 Nov 2023 22:00:00 GMT", now), 0);
}

static void backoff(void **state)
{
    (void)state;
    hb_http_limits l = test_limits();
    l.backoff_base_ms = 100;
    l.backoff_max_ms = 1000;
    assert_int_equal(hb_http_backoff_ms(&l, 1, 0), 50);
    assert_int_equal(hb_http_backoff_ms(&l, 1, 50), 100);
    assert_int_equal(hb_http_backoff_ms(&l, 3, 0), 200);
    assert_int_equal(hb_http_backoff_ms(&l, 3, 200), 400);
    /* Capped, however many attempts. */
    for (uint32_t r = 0; r < 2000; r += 97) {
        int64_t ms = hb_http_backoff_ms(&l, 30, r);
        assert_true(ms >= 500 && ms <= 1000);
    }
}

static void limits_from_env(void **state)
{
    (void)state;
    hb_http_limits l;
    hb_err e;
    hbt_setenv("HB_HTTP_MAX_ATTEMPTS", "lots");
    assert_int_equal(hb_http_limits_from_env(&l, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "HB_HTTP_MAX_ATTEMPTS"));
    hbt_setenv("HB_HTTP_MAX_ATTEMPTS", "3");
    hbt_setenv("HB_HTTP_MAX_RESPONSE_MB", "2");
    assert_int_equal(hb_http_limits_from_env(&l, &e), HB_OK);
    assert_int_equal(l.max_attempts, 3);
    assert_int_equal(l.max_response, 2 * 1024 * 1024);
    assert_int_equal(l.timeout_ms, 60000);
    hbt_unsetenv("HB_HTTP_MAX_ATTEMPTS");
    hbt_unsetenv("HB_HTTP_MAX_RESPONSE_MB");
}

static void exchange_and_keepalive(void **state)
{
    (void)state;
    hbt_peer *p = hbt_peer_start();
    hbt_peer_reply(p, "GET", "/a", 200, "X-Request-Id: r1\nRateLimit-Remaining: 9",
                   "{\"ok\":true}");
    hbt_peer_reply(p, "PUT", "/b", 201, NULL, "{}");
    hb_http_limits l = test_limits();
    hb_http *h = hb_http_new(&l, "hb/test");
    char url[128];
    snprintf(url, sizeof url, "%s/a?x=1", hbt_peer_url(p));
    const char *headers[] = {"Accept: application/json", NULL};
    hb_http_request req = {.method = "GET", .url = url, .headers = headers};
    hb_http_response r;
    hb_http_response_init(&r);
    assert_int_equal(hb_http_perform(h, &req, &r), HB_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body.data, "{\"ok\":true}");
    assert_string_equal(hb_http_header(&r, "x-request-id"), "r1");
    assert_string_equal(hb_http_header(&r, "ratelimit-remaining"), "9");
    hb_http_response_free(&r);

    snprintf(url, sizeof url, "%s/b", hbt_peer_url(p));
    hb_http_request put = {.method = "PUT", .url = url, .body = "{\"k\":1}", .body_len = 7};
    hb_http_response_init(&r);
    assert_int_equal(hb_http_perform(h, &put, &r), HB_OK);
    assert_int_equal(r.status, 201);
    hb_http_response_free(&r);
    hb_http_free(h);

    assert_int_equal(hbt_peer_nrequests(p), 2);
    const hbt_request *first = hbt_peer_request(p, 0), *second = hbt_peer_request(p, 1);
    assert_string_equal(first->query, "x=1");
    assert_string_equal(hbt_request_header(first, "user-agent"), "hb/test");
    assert_string_equal(second->method, "PUT");
    assert_string_equal(second->body, "{\"k\":1}");
    /* One kept-alive connection carried both requests. */
    assert_int_equal(first->client_port, second->client_port);
    hbt_peer_stop(p);
}

static void response_over_the_cap(void **state)
{
    (void)state;
    hbt_peer *p = hbt_peer_start();
    size_t big = 1536 * 1024;
    char *body = malloc(big + 1);
    memset(body, 'x', big);
    body[big] = '\0';
    hbt_peer_reply(p, "GET", "/big", 200, NULL, body);
    free(body);
    hb_http_limits l = test_limits();
    l.max_response = 1024 * 1024;
    hb_http *h = hb_http_new(&l, "hb/test");
    char url[128];
    snprintf(url, sizeof url, "%s/big", hbt_peer_url(p));
    hb_http_request req = {.method = "GET", .url = url};
    hb_http_response r;
    hb_http_response_init(&r);
    assert_int_equal(hb_http_perform(h, &req, &r), HB_EFAILED);
    assert_int_equal(r.failure, HB_HTTP_TOO_LARGE);
    assert_true(r.body.len <= l.max_response);
    hb_http_response_free(&r);
    hb_http_free(h);
    hbt_peer_stop(p);
}

static void refused_is_not_sent(void **state)
{
    (void)state;
    hb_http_limits l = test_limits();
    hb_http *h = hb_http_new(&l, "hb/test");
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/x", hbt_closed_port());
    hb_http_request req = {.method = "POST", .url = url, .body = "{}", .body_len = 2};
    hb_http_response r;
    hb_http_response_init(&r);
    assert_int_equal(hb_http_perform(h, &req, &r), HB_EFAILED);
    assert_int_equal(r.failure, HB_HTTP_NOT_SENT);
    assert_int_equal(r.status, 0);
    assert_true(strlen(r.error) > 0);
    hb_http_response_free(&r);
    hb_http_free(h);
}

static void timeout_after_sending(void **state)
{
    (void)state;
    hbt_peer *p = hbt_peer_start();
    hbt_reply slow = {.status = 200, .body = "{}", .delay_ms = 1500};
    hbt_peer_reply_ex(p, "GET", "/slow", &slow);
    hb_http_limits l = test_limits();
    l.timeout_ms = 300;
    hb_http *h = hb_http_new(&l, "hb/test");
    char url[128];
    snprintf(url, sizeof url, "%s/slow", hbt_peer_url(p));
    hb_http_request req = {.method = "GET", .url = url};
    hb_http_response r;
    hb_http_response_init(&r);
    assert_int_equal(hb_http_perform(h, &req, &r), HB_EFAILED);
    assert_int_equal(r.failure, HB_HTTP_TIMEOUT);
    hb_http_response_free(&r);
    hb_http_free(h);
    hbt_peer_stop(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(url_rule),
        cmocka_unit_test(origins),
        cmocka_unit_test(retry_after),
        cmocka_unit_test(backoff),
        cmocka_unit_test(limits_from_env),
        cmocka_unit_test(exchange_and_keepalive),
        cmocka_unit_test(response_over_the_cap),
        cmocka_unit_test(refused_is_not_sent),
        cmocka_unit_test(timeout_after_sending),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
