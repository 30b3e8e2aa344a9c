/* The parts of the sandbox's webhooks that need no receiver: which URLs it
 * delivers to (loopback http:// with a port, nothing else), and which
 * events a change makes: none for a change a webhook does not report, one
 * per new comment, the close of an issue but not its system note. The
 * deliveries themselves are tests/e2e/test_sandbox_webhooks.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../runtime/sandbox/webhooks_internal.h"

static void loopback_urls_only(void **state)
{
    (void)state;
    sb_hook_target t;
    hb_err e = {0};
    assert_int_equal(sb_hook_target_parse("http://127.0.0.1:8080/hooks/zendesk?x=1", &t, &e),
                     HB_OK);
    assert_string_equal(t.host, "127.0.0.1");
    assert_int_equal(t.port, 8080);
    assert_string_equal(t.path, "/hooks/zendesk?x=1");
    assert_string_equal(t.host_header, "127.0.0.1:8080");
    sb_hook_target_free(&t);
    assert_int_equal(sb_hook_target_parse("http://[::1]:9/", &t, &e), HB_OK);
    assert_true(t.v6);
    assert_string_equal(t.host_header, "[::1]:9");
    sb_hook_target_free(&t);
    assert_int_equal(sb_hook_target_parse("http://localhost:7", &t, &e), HB_OK);
    assert_string_equal(t.host, "127.0.0.1");
    assert_string_equal(t.path, "/");
    sb_hook_target_free(&t);

    static const struct {
        const char *url, *says;
    } bad[] = {
        {"https://127.0.0.1:8080/", "not an http:// URL"},
        {"http://10.0.0.1:8080/", "not on this machine"},
        {"http://hooks.example.com:80/", "not on this machine"},
        {"http://127.0.0.1/hooks", "needs a port"},
        {"http://127.0.0.1:0/", "needs a port"},
        {"http://127.0.0.1:http/", "needs a port"},
        {"http://[::1/", "unclosed ["},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hb_err be = {0};
        assert_int_equal(sb_hook_target_parse(bad[i].url, &t, &be), HB_EUSAGE);
        if (!strstr(be.msg, bad[i].says))
            fail_msg("%s: '%s' does not say '%s'", bad[i].url, be.msg, bad[i].says);
    }
}

static cJSON *parse(const char *text)
{
    cJSON *v = cJSON_Parse(text);
    assert_non_null(v);
    return v;
}

static const sb_hook_origin patch_origin = {
    .api = false, .base_url = "http://127.0.0.1:1", .web_url = "http://web"};

static void ticket_changes(void **state)
{
    (void)state;
    cJSON *before = parse("[{\"id\": 7, \"status\": \"open\", \"requester_id\": 60, "
                          "\"tags\": [\"a\"], \"comments\": [{\"id\": 1}]}]");
    /* Only the priority changed: no event of the four the sandbox sends. */
    cJSON *data = parse("{\"zendesk\": {\"users\": [{\"id\": 60, \"role\": \"end-user\", "
                        "\"name\": \"C\"}], \"tickets\": [{\"id\": 7, \"status\": \"open\", "
                        "\"priority\": \"high\", \"requester_id\": 60, \"tags\": [\"a\"], "
                        "\"comments\": [{\"id\": 1}]}]}}");
    sb_hook_events ev = {0};
    sb_zd_hook_events(data, before, &patch_origin, &ev);
    assert_int_equal(ev.n, 0);
    cJSON_Delete(data);

    /* Two new comments (one without an author), a status and a tag. */
    data = parse("{\"zendesk\": {\"users\": [{\"id\": 60, \"role\": \"end-user\", \"name\": "
                 "\"C\"}, {\"id\": 5, \"role\": \"agent\", \"name\": \"A\"}], \"tickets\": "
                 "[{\"id\": 7, \"status\": \"solved\", \"requester_id\": 60, \"tags\": [\"b\"], "
                 "\"comments\": [{\"id\": 1}, {\"id\": 2, \"body\": \"x\"}, {\"id\": 3, "
                 "\"author_id\": 5, \"body\": \"y\", \"public\": false}]}]}}");
    sb_zd_hook_events(data, before, &patch_origin, &ev);
    assert_int_equal(ev.n, 4);
    const char *want[] = {"comment_added", "comment_added", "status_changed", "tags_changed"};
    for (size_t i = 0; i < 4; i++) {
        assert_non_null(strstr(ev.items[i].kind, want[i]));
        assert_int_equal(ev.items[i].service, SB_ZENDESK);
    }
    cJSON *a0 = cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(ev.items[0].payload, "event"), "comment"),
        "author");
    assert_string_equal(cJSON_GetObjectItem(a0, "id")->valuestring, "60");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(a0, "is_staff")));
    cJSON *c1 = cJSON_GetObjectItem(cJSON_GetObjectItem(ev.items[1].payload, "event"), "comment");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(c1, "author"), "is_staff")));
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(c1, "is_public")));
    cJSON *tags = cJSON_GetObjectItem(ev.items[3].payload, "event");
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(tags, "tags_added"), 0)->valuestring,
                        "b");
    assert_string_equal(
        cJSON_GetArrayItem(cJSON_GetObjectItem(tags, "tags_removed"), 0)->valuestring, "a");
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetObjectItem(ev.items[2].payload, "detail"), "actor_id")
            ->valuestring,
        "-1");
    sb_hook_events_free(&ev);
    cJSON_Delete(data);
    cJSON_Delete(before);
}

static void issue_changes(void **state)
{
    (void)state;
    cJSON *before = parse("[{\"id\": 9, \"path_with_namespace\": \"g/p\", \"issues\": [{\"id\": "
                          "90, \"iid\": 1, \"state\": \"opened\", \"author_id\": 3, \"notes\": "
                          "[]}]}]");
    /* Closed by the API: the system note sends nothing, the close does. */
    cJSON *data = parse("{\"sandbox\": {\"gitlab_api_user\": 1}, \"gitlab\": {\"users\": [{\"id\": "
                        "1, \"username\": \"bot\"}], \"projects\": [{\"id\": 9, "
                        "\"path_with_namespace\": \"g/p\", \"issues\": [{\"id\": 90, \"iid\": 1, "
                        "\"state\": \"closed\", \"author_id\": 3, \"notes\": [{\"id\": 5, "
                        "\"body\": \"closed\", \"system\": true}]}]}]}}");
    sb_hook_origin api = patch_origin;
    api.api = true;
    sb_hook_events ev = {0};
    sb_gl_hook_events(data, before, &api, &ev);
    assert_int_equal(ev.n, 1);
    assert_string_equal(ev.items[0].kind, "Issue Hook");
    cJSON *attrs = cJSON_GetObjectItem(ev.items[0].payload, "object_attributes");
    assert_string_equal(cJSON_GetObjectItem(attrs, "action")->valuestring, "close");
    assert_string_equal(cJSON_GetObjectItem(attrs, "url")->valuestring,
                        "http://web/g/p/-/issues/1");
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetObjectItem(ev.items[0].payload, "user"), "username")
            ->valuestring,
        "bot");
    sb_hook_events_free(&ev);
    /* The same state again: nothing changed, nothing sent. */
    sb_gl_hook_events(data, cJSON_GetObjectItem(cJSON_GetObjectItem(data, "gitlab"), "projects"),
                      &api, &ev);
    assert_int_equal(ev.n, 0);
    cJSON_Delete(data);
    cJSON_Delete(before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loopback_urls_only),
        cmocka_unit_test(ticket_changes),
        cmocka_unit_test(issue_changes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
