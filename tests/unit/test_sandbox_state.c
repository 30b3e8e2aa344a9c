/* The sandbox's data: seed loading and its errors, dates relative to
 * HB_NOW, the state file kept across restarts, and two sandboxes sharing
 * one state file (as a paused run and `hb call --sandbox` do). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/util.h"
#include "sandbox_test.h"

#define SEED HB_SOURCE_DIR "/workflows/sandbox/seed.json"

static char *scratch;

static int make_scratch(void **state)
{
    (void)state;
    hbt_unsetenv("HB_NOW");
    scratch = hbt_tempdir();
    return 0;
}

static int remove_scratch(void **state)
{
    (void)state;
    hbt_unsetenv("HB_NOW");
    hbt_rmtree(scratch);
    free(scratch);
    return 0;
}

static char *scratch_file(const char *name, const char *text)
{
    char *path = hb_path_join(scratch, name);
    if (text)
        hbt_write(path, text);
    return path;
}

static const char *sub_end(sbt *t, const char *number, char *out, size_t n)
{
    char *path = hb_xasprintf("/v1/subscriptions/%s", number);
    sbt_resp r = sbt_zuora(t, "GET", path, NULL);
    free(path);
    snprintf(out, n, "%s", sbt_str_at(r.json, "termEndDate"));
    sbt_resp_free(&r);
    return out;
}

static void seed_dates_follow_hb_now(void **state)
{
    (void)state;
    hbt_setenv("HB_NOW", "2030-01-02T12:00:00Z");
    sbt *t = sbt_start(NULL);
    char end[64];
    assert_string_equal(sub_end(t, "A-S00002081", end, sizeof end), "2030-01-03");
    assert_string_equal(sub_end(t, "A-S00002091", end, sizeof end), "2030-01-03T12:00:00Z");
    assert_string_equal(sub_end(t, "A-S00002031", end, sizeof end), "2029-12-30");
    sbt_resp r = sbt_zendesk(t, "GET", "/api/v2/tickets/1001.json", NULL);
    assert_string_equal(sbt_str_at(r.json, "ticket.created_at"), "2029-12-30T12:00:00Z");
    sbt_resp_free(&r);
    /* writes are stamped with the frozen clock too */
    r = sbt_zendesk(t, "PUT", "/api/v2/tickets/1001.json", "{\"ticket\":{\"priority\":\"high\"}}");
    assert_string_equal(sbt_str_at(r.json, "ticket.updated_at"), "2030-01-02T12:00:00Z");
    sbt_resp_free(&r);
    sbt_stop(t);

    char *seed = scratch_file("dates.json",
                              "{\"zendesk\":{\"tickets\":[{\"id\":1,\"created_at\":\"@now-13d12h\","
                              "\"due_at\":\"@today+30d\",\"updated_at\":\"@now\"}]}}");
    hb_sandbox_config cfg = {.data_path = seed};
    t = sbt_start(&cfg);
    r = sbt_zendesk(t, "GET", "/api/v2/tickets/1.json", NULL);
    assert_string_equal(sbt_str_at(r.json, "ticket.created_at"), "2029-12-20T00:00:00Z");
    assert_string_equal(sbt_str_at(r.json, "ticket.due_at"), "2030-02-01");
    assert_string_equal(sbt_str_at(r.json, "ticket.updated_at"), "2030-01-02T12:00:00Z");
    sbt_resp_free(&r);
    sbt_stop(t);
    free(seed);
}

static void bad_seeds_are_refused_with_a_reason(void **state)
{
    (void)state;
    struct {
        const char *text;
        const char *expect;
    } cases[] = {
        {"{\"zendesk\":{\"tickets\":[{\"id\":1,\"due_at\":\"@now+3x\"}]}}", "@now+3x"},
        {"{\"zendesk\":{\"tickets\":[{\"subject\":\"no id\"}]}}", "zendesk.tickets[0]"},
        {"{\"zuora\":{\"subscriptions\":{}}}", "zuora.subscriptions must be an array"},
        {"{\n\"zendesk\": [\n,]}", ":3:"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *seed = scratch_file("bad.json", cases[i].text);
        hb_sandbox_config cfg = {.data_path = seed};
        hb_sandbox *sb;
        hb_err e;
        assert_int_equal(hb_sandbox_start(&cfg, &sb, &e), HB_EUSAGE);
        if (!strstr(e.msg, cases[i].expect))
            fail_msg("case %zu: '%s' lacks '%s'", i, e.msg, cases[i].expect);
        free(seed);
    }
    hb_sandbox_config missing = {.data_path = "/nonexistent/seed.json"};
    hb_sandbox *sb;
    hb_err e;
    assert_int_equal(hb_sandbox_start(&missing, &sb, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "/nonexistent/seed.json"));
}

static void default_seed_location(void **state)
{
    (void)state;
    hbt_setenv("HB_SANDBOX_SEED", "/somewhere/seed.json");
    char *path = hb_sandbox_default_seed();
    assert_string_equal(path, "/somewhere/seed.json");
    free(path);
    hbt_unsetenv("HB_SANDBOX_SEED");
    path = hb_sandbox_default_seed();
    assert_non_null(path);
    assert_true(hb_str_ends_with(path, "/workflows/sandbox/seed.json"));
    assert_true(hb_file_exists(path));
    free(path);
}

static void state_survives_a_restart(void **state)
{
    (void)state;
    char *file = scratch_file("home/sandbox/state.json", NULL);
    hb_sandbox_config cfg = {.state_path = file};
    sbt *t = sbt_start(&cfg);
    char *token = hb_xstrdup(sbt_var(t, "ZENDESK_API_TOKEN"));
    sbt_resp r = sbt_zendesk(t, "PUT", "/api/v2/tickets/1001/tags.json", "{\"tags\":[\"kept\"]}");
    assert_int_equal(r.status, 200);
    sbt_resp_free(&r);
    sbt_stop(t);
    assert_true(hb_file_exists(file));

    t = sbt_start(&cfg);
    assert_string_equal(sbt_var(t, "ZENDESK_API_TOKEN"), token);
    r = sbt_zendesk(t, "GET", "/api/v2/tickets/1001/tags.json", NULL);
    bool kept = false;
    cJSON *tag;
    cJSON_ArrayForEach(tag, sbt_json_at(r.json, "tags"))
    {
        kept = kept || !strcmp(tag->valuestring, "kept");
    }
    assert_true(kept);
    sbt_resp_free(&r);
    sbt_stop(t);
    free(token);

    hbt_write(file, "{\"not\":\"a state\"}");
    hb_sandbox *sb;
    hb_err e;
    hb_sandbox_config again = {.state_path = file, .data_path = SEED};
    assert_int_equal(hb_sandbox_start(&again, &sb, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "not a sandbox state file"));
    free(file);
}

static void two_sandboxes_share_one_state_file(void **state)
{
    (void)state;
    char *file = scratch_file("shared.json", NULL);
    hb_sandbox_config cfg = {.state_path = file};
    sbt *a = sbt_start(&cfg);
    sbt *b = sbt_start(&cfg);
    assert_string_equal(sbt_var(a, "GITLAB_TOKEN"), sbt_var(b, "GITLAB_TOKEN"));

    sbt_resp r = sbt_gitlab(a, "POST", "/api/v4/projects/20001/issues", "{\"title\":\"from a\"}");
    assert_int_equal(r.status, 201);
    sbt_resp_free(&r);
    r = sbt_gitlab(b, "GET", "/api/v4/projects/20001/issues/3", NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(sbt_str_at(r.json, "title"), "from a");
    sbt_resp_free(&r);

    r = sbt_gitlab(b, "PUT", "/api/v4/projects/20001/issues/3", "{\"state_event\":\"close\"}");
    assert_int_equal(r.status, 200);
    sbt_resp_free(&r);
    r = sbt_gitlab(a, "GET", "/api/v4/projects/20001/issues/3", NULL);
    assert_string_equal(sbt_str_at(r.json, "state"), "closed");
    sbt_resp_free(&r);

    /* ids stay unique across both: b's issue does not reuse a's iid */
    r = sbt_gitlab(b, "POST", "/api/v4/projects/20001/issues", "{\"title\":\"from b\"}");
    assert_int_equal(sbt_num_at(r.json, "iid"), 4);
    sbt_resp_free(&r);

    /* a token one sandbox issued is good at the other */
    r = sbt_zuora(a, "GET", "/v1/subscriptions/A-S00002011", NULL);
    assert_int_equal(r.status, 200);
    sbt_resp_free(&r);
    b->zuora_token = hb_xstrdup(a->zuora_token);
    r = sbt_zuora(b, "GET", "/v1/subscriptions/A-S00002011", NULL);
    assert_int_equal(r.status, 200);
    sbt_resp_free(&r);

    hb_err e;
    assert_int_equal(
        hb_sandbox_patch(a->sb, "{\"zendesk\":{\"users\":{\"501\":{\"name\":\"Sam\"}}}}", &e),
        HB_OK);
    char *json = hb_sandbox_state_json(b->sb);
    assert_non_null(strstr(json, "\"name\":\"Sam\""));
    free(json);
    sbt_stop(a);
    sbt_stop(b);
    free(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(seed_dates_follow_hb_now, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(bad_seeds_are_refused_with_a_reason, make_scratch,
                                        remove_scratch),
        cmocka_unit_test_setup_teardown(default_seed_location, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(state_survives_a_restart, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(two_sandboxes_share_one_state_file, make_scratch,
                                        remove_scratch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
