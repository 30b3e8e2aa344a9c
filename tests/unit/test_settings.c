/* The settings table and its one parser: every type, bounds, empty values,
 * where a value came from (environment, $HB_HOME/config, default), the
 * file's refusals, overrides, and the shared helpers it stands on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hb/env_file.h"
#include "hb/settings.h"
#include "hb/util.h"
#include "test_support.h"

typedef struct fixture {
    char *home;
    char *config;
} fixture;

static int setup(void **state)
{
    fixture *f = hb_xcalloc(1, sizeof *f);
    f->home = hbt_tempdir();
    f->config = hb_path_join(f->home, "config");
    hbt_setenv("HB_HOME", f->home);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    unsetenv("HB_LEASE_SECONDS");
    unsetenv("HB_DURABILITY");
    unsetenv("HB_NOW");
    unsetenv("HB_ACTOR");
    hbt_unsetenv("HB_HOME");
    hbt_rmtree(f->home);
    free(f->config);
    free(f->home);
    free(f);
    return 0;
}

static void write_config(const fixture *f, const char *text, int mode)
{
    hbt_write(f->config, text);
    chmod(f->config, (mode_t)mode);
    hb_settings_reload();
}

typedef struct found {
    const char *name;
    hb_setting_state st;
    bool seen;
} found;

static void find_cb(const hb_setting_state *s, void *ud)
{
    found *f = ud;
    if (!strcmp(s->def->name, f->name)) {
        f->st = *s;
        f->seen = true;
    }
}

/* The state of one setting; *file_problem as hb_settings_each gives it. */
static found state_of(const char *name, char **file_problem)
{
    found f = {.name = name};
    char *problem = NULL;
    hb_settings_each(find_cb, &f, &problem);
    if (file_problem)
        *file_problem = problem;
    else
        free(problem);
    assert_true(f.seen);
    return f;
}

static void every_default_is_a_value_of_its_row(void **state)
{
    (void)state;
    size_t rows = 0;
    for (const hb_setting *s = hb_settings; s->name; s++, rows++) {
        assert_true(hb_str_starts_with(s->name, "HB_"));
        assert_non_null(s->help);
        /* The README's Environment table shows one of the two. */
        assert_true(s->fallback || s->shown_default);
        assert_ptr_equal(hb_setting_find(s->name), s);
        if (s->fallback) {
            int64_t n;
            hb_err e;
            if (hb_setting_parse(s, s->fallback, &n, &e) != HB_OK)
                fail_msg("the default of %s is refused: %s", s->name, e.msg);
        }
        if (s->type == HB_SETTING_INT || s->type == HB_SETTING_DURATION)
            assert_true(s->min <= s->max);
        /* What the stdlib may read (hbi.setting) is never a secret. */
        if ((s->flags & HB_SETTING_STDLIB) && (s->flags & HB_SETTING_SECRET))
            fail_msg("%s is a secret the stdlib could read", s->name);
    }
    assert_true(rows >= 24);
    assert_null(hb_setting_find("HB_NO_SUCH_THING"));
}

static void integers_are_bounded_and_named(void **state)
{
    (void)state;
    int64_t v = 0;
    hb_err e;
    assert_int_equal(hb_setting_int("HB_LEASE_SECONDS", &v, &e), HB_OK);
    assert_int_equal(v, 600);

    hbt_setenv("HB_LEASE_SECONDS", "90");
    assert_int_equal(hb_setting_int("HB_LEASE_SECONDS", &v, &e), HB_OK);
    assert_int_equal(v, 90);

    static const char *const bad[] = {
        "abc", "0", "-5", "10x", "", " 5", "+5", "1e3", "99999999999999999999", "31536001"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hbt_setenv("HB_LEASE_SECONDS", bad[i]);
        hb_err_clear(&e);
        if (hb_setting_int("HB_LEASE_SECONDS", &v, &e) != HB_EUSAGE)
            fail_msg("HB_LEASE_SECONDS='%s' was accepted", bad[i]);
        /* The name, the value and the accepted range. */
        assert_non_null(strstr(e.msg, "HB_LEASE_SECONDS"));
        assert_non_null(strstr(e.msg, "1 to 31536000 seconds"));
        if (bad[i][0])
            assert_non_null(strstr(e.msg, bad[i]));
        assert_int_equal(v, 600); /* a bad value reads as the default */
        assert_int_equal(hb_settings_load(&e), HB_EUSAGE);
    }
    hbt_unsetenv("HB_LEASE_SECONDS");
    assert_int_equal(hb_settings_load(&e), HB_OK);
}

static void every_type_has_one_parser(void **state)
{
    (void)state;
    hb_err e;
    int64_t n;
    const hb_setting dur = {
        .name = "HB_T_WAIT", .type = HB_SETTING_DURATION, .min = 1, .max = 3600};
    assert_int_equal(hb_setting_parse(&dur, "1h", &n, &e), HB_OK);
    assert_int_equal(n, 3600LL * 1000000);
    assert_int_equal(hb_setting_parse(&dur, "2h", &n, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "1s to 1h"));
    assert_int_equal(hb_setting_parse(&dur, "soon", &n, &e), HB_EUSAGE);

    const hb_setting flag = {.name = "HB_T_FLAG", .type = HB_SETTING_BOOL};
    assert_int_equal(hb_setting_parse(&flag, "Yes", &n, &e), HB_OK);
    assert_int_equal(n, 1);
    assert_int_equal(hb_setting_parse(&flag, "off", &n, &e), HB_OK);
    assert_int_equal(n, 0);
    assert_int_equal(hb_setting_parse(&flag, "maybe", &n, &e), HB_EUSAGE);

    const hb_setting choice = {.name = "HB_T_MODE", .type = HB_SETTING_ENUM, .choices = "a|b|c"};
    assert_int_equal(hb_setting_parse(&choice, "C", &n, &e), HB_OK);
    assert_int_equal(n, 2);
    assert_int_equal(hb_setting_parse(&choice, "d", &n, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "expected a, b or c"));

    const hb_setting when = {.name = "HB_T_WHEN", .type = HB_SETTING_TIME};
    assert_int_equal(hb_setting_parse(&when, "2026-11-22T10:00:00Z", &n, &e), HB_OK);
    assert_int_equal(hb_setting_parse(&when, "yesterday", &n, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "ISO 8601"));
    assert_int_equal(hb_setting_parse(&when, "", &n, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "is empty"));

    /* A secret is never repeated in a message. */
    const hb_setting secret = {
        .name = "HB_T_TOKEN", .type = HB_SETTING_INT, .max = 9, .flags = HB_SETTING_SECRET};
    assert_int_equal(hb_setting_parse(&secret, "s3cr3t-value", &n, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "HB_T_TOKEN"));
    assert_null(strstr(e.msg, "s3cr3t-value"));
}

static void an_invalid_clock_is_refused(void **state)
{
    (void)state;
    hbt_setenv("HB_NOW", "2026-11-22T10:00:00Z");
    bool set = false;
    hb_time_us t = 0;
    hb_err e;
    assert_int_equal(hb_setting_time("HB_NOW", &set, &t, &e), HB_OK);
    assert_true(set);
    hbt_setenv("HB_NOW", "next tuesday");
    assert_int_equal(hb_setting_time("HB_NOW", &set, &t, &e), HB_EUSAGE);
    assert_false(set);
    assert_int_equal(hb_settings_load(&e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "HB_NOW='next tuesday'"));
    hbt_unsetenv("HB_NOW");
}

static void strings_empty_means_unset_and_one_actor_default(void **state)
{
    (void)state;
    hbt_setenv("HB_ACTOR", "");
    assert_null(hb_setting_text("HB_ACTOR"));
    char *actor = hb_default_actor();
    assert_string_equal(actor, hb_login_name());
    free(actor);
    hbt_setenv("HB_ACTOR", "ops-bot");
    actor = hb_default_actor();
    assert_string_equal(actor, "ops-bot");
    free(actor);
    hbt_unsetenv("HB_ACTOR");
}

static void the_file_comes_after_the_environment(void **state)
{
    fixture *f = *state;
    write_config(f,
                 "# hb's settings\n"
                 "HB_LEASE_SECONDS=120\n"
                 "export HB_DURABILITY=\"full\"\n",
                 0600);
    int64_t v;
    int idx;
    hb_err e;
    assert_int_equal(hb_settings_load(&e), HB_OK);
    assert_int_equal(hb_setting_int("HB_LEASE_SECONDS", &v, &e), HB_OK);
    assert_int_equal(v, 120);
    assert_int_equal(hb_setting_enum("HB_DURABILITY", &idx, &e), HB_OK);
    assert_int_equal(idx, 1);
    found lease = state_of("HB_LEASE_SECONDS", NULL);
    assert_int_equal(lease.st.source, HB_SOURCE_FILE);
    assert_string_equal(hb_setting_source_name(lease.st.source), "file");
    char *origin = hb_xasprintf("%s:2", f->config);
    assert_string_equal(lease.st.origin, origin);
    free(origin);
    assert_int_equal(state_of("HB_STEP_TIMEOUT_MS", NULL).st.source, HB_SOURCE_DEFAULT);

    hbt_setenv("HB_LEASE_SECONDS", "30");
    assert_int_equal(hb_setting_int("HB_LEASE_SECONDS", &v, &e), HB_OK);
    assert_int_equal(v, 30);
    assert_int_equal(state_of("HB_LEASE_SECONDS", NULL).st.source, HB_SOURCE_ENV);
    unsetenv("HB_LEASE_SECONDS");

    /* A bad value in the file names the file and the line. */
    write_config(f, "\nHB_LEASE_SECONDS=forever\n", 0600);
    assert_int_equal(hb_settings_load(&e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "HB_LEASE_SECONDS='forever'"));
    assert_non_null(strstr(e.msg, "config:2"));
}

static void the_file_is_refused_when_others_may_change_it(void **state)
{
    fixture *f = *state;
    write_config(f, "HB_LEASE_SECONDS=120\n", 0620);
    hb_err e;
    assert_int_equal(hb_settings_load(&e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "chmod go-w"));
    int64_t v;
    assert_int_equal(hb_setting_int("HB_LEASE_SECONDS", &v, &e), HB_OK);
    assert_int_equal(v, 600); /* nothing of a refused file is used */

    /* Readable by others is fine: settings are not secrets. */
    write_config(f, "HB_LEASE_SECONDS=120\n", 0644);
    assert_int_equal(hb_settings_load(&e), HB_OK);
}

static void the_file_names_only_settings(void **state)
{
    fixture *f = *state;
    hb_err e;
    char *problem = NULL;
    write_config(f, "HB_LEASE_SECOND=120\n", 0600);
    assert_int_equal(hb_settings_load(&e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "did you mean HB_LEASE_SECONDS?"));
    write_config(f, "ZENDESK_API_TOKEN=abc\n", 0600);
    assert_int_equal(hb_settings_load(&e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "credentials"));
    assert_null(strstr(e.msg, "abc"));
    write_config(f, "HB_HOME=/elsewhere\n", 0600);
    assert_int_equal(hb_settings_load(&e), HB_EUSAGE);
    state_of("HB_HOME", &problem);
    assert_non_null(problem);
    assert_non_null(strstr(problem, "HB_HOME cannot be set"));
    free(problem);
    write_config(f, "this is not a setting\n", 0600);
    assert_int_equal(hb_settings_load(&e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, ":1: expected NAME=value"));
}

static void a_home_that_is_a_file_is_a_usage_error(void **state)
{
    fixture *f = *state;
    char *file = hb_path_join(f->home, "not-a-folder");
    hbt_write(file, "x");
    hbt_setenv("HB_HOME", file);
    hb_err e;
    assert_int_equal(hb_settings_load(&e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "is not a folder"));
    char *home = NULL;
    assert_int_equal(hb_home_dir_ready(&home, &e), HB_EUSAGE);
    assert_null(home);
    assert_non_null(strstr(e.msg, "HB_HOME"));

    char *nested = hb_path_join(f->home, "a/b");
    hbt_setenv("HB_HOME", nested);
    assert_int_equal(hb_home_dir_ready(&home, &e), HB_OK);
    assert_string_equal(home, nested);
    assert_true(hb_dir_exists(nested));
    free(home);
    free(nested);
    free(file);
}

static void overrides_replace_and_restore(void **state)
{
    (void)state;
    hbt_setenv("HB_NOW", "2026-01-01T00:00:00Z");
    hb_err e;
    assert_int_equal(hb_setting_override("HB_NOW", "2030-01-02T03:04:05Z", &e), HB_OK);
    char out[32];
    hb_time_format_seconds(hb_clock_now(), out);
    assert_string_equal(out, "2030-01-02T03:04:05Z");
    assert_int_equal(state_of("HB_NOW", NULL).st.source, HB_SOURCE_PROGRAM);
    /* A bad override changes nothing. */
    assert_int_equal(hb_setting_override("HB_NOW", "soon", &e), HB_EUSAGE);
    hb_time_format_seconds(hb_clock_now(), out);
    assert_string_equal(out, "2030-01-02T03:04:05Z");
    assert_int_equal(hb_setting_override("HB_NOW", NULL, &e), HB_OK);
    hb_time_format_seconds(hb_clock_now(), out);
    assert_string_equal(out, "2026-01-01T00:00:00Z");
    assert_int_equal(state_of("HB_NOW", NULL).st.source, HB_SOURCE_ENV);
    hbt_unsetenv("HB_NOW");
}

static void whole_numbers_parse_exactly(void **state)
{
    (void)state;
    int64_t v = 7;
    assert_int_equal(hb_parse_int("9223372036854775807", INT64_MIN, INT64_MAX, &v), HB_INT_OK);
    assert_true(v == INT64_MAX);
    assert_int_equal(hb_parse_int("-9223372036854775808", INT64_MIN, INT64_MAX, &v), HB_INT_OK);
    assert_true(v == INT64_MIN);
    assert_int_equal(hb_parse_int("9223372036854775808", INT64_MIN, INT64_MAX, &v),
                     HB_INT_OUT_OF_RANGE);
    assert_int_equal(hb_parse_int("-9223372036854775809", INT64_MIN, INT64_MAX, &v),
                     HB_INT_OUT_OF_RANGE);
    assert_int_equal(hb_parse_int("-", 0, 9, &v), HB_INT_NOT_A_NUMBER);
    assert_int_equal(hb_parse_int("12a", 0, 99, &v), HB_INT_NOT_A_NUMBER);
    assert_int_equal(hb_parse_int("10", 0, 9, &v), HB_INT_OUT_OF_RANGE);
    assert_int_equal(hb_parse_int("-0", 0, 9, &v), HB_INT_OK);
    assert_int_equal(v, 0);
}

static void base64_wipe_and_durations_live_in_base(void **state)
{
    (void)state;
    char *b = hb_base64_encode("user@example.com/token:s3cret", 29);
    assert_string_equal(b, "dXNlckBleGFtcGxlLmNvbS90b2tlbjpzM2NyZXQ=");
    size_t n;
    unsigned char *d = hb_base64_decode(b, strlen(b), &n);
    assert_int_equal(n, 29);
    assert_memory_equal(d, "user@example.com/token:s3cret", 29);
    free(d);
    assert_null(hb_base64_decode("abc", 3, &n));
    assert_null(hb_base64_decode("ab!=", 4, &n));
    hb_wipe_free(b);
    hb_wipe_free(NULL);
    char *t = hb_duration_text(90LL * 60 * 1000000);
    assert_string_equal(t, "90m");
    free(t);
    t = hb_duration_text(1500000);
    assert_string_equal(t, "1500ms");
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_default_is_a_value_of_its_row),
        cmocka_unit_test_setup_teardown(integers_are_bounded_and_named, setup, teardown),
        cmocka_unit_test(every_type_has_one_parser),
        cmocka_unit_test_setup_teardown(an_invalid_clock_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(strings_empty_means_unset_and_one_actor_default, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(the_file_comes_after_the_environment, setup, teardown),
        cmocka_unit_test_setup_teardown(the_file_is_refused_when_others_may_change_it, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(the_file_names_only_settings, setup, teardown),
        cmocka_unit_test_setup_teardown(a_home_that_is_a_file_is_a_usage_error, setup, teardown),
        cmocka_unit_test_setup_teardown(overrides_replace_and_restore, setup, teardown),
        cmocka_unit_test(whole_numbers_parse_exactly),
        cmocka_unit_test(base64_wipe_and_durations_live_in_base),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
