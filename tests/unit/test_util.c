/* Clock, durations, run ids and buffers. */
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "hb/clock.h"
#include "hb/util.h"
#include "test_support.h"

static void time_round_trip(void **state)
{
    (void)state;
    hb_time_us t;
    assert_int_equal(hb_time_parse("2026-11-22T10:00:00Z", &t, NULL), HB_OK);
    char out[32];
    hb_time_format(t, out);
    assert_string_equal(out, "2026-11-22T10:00:00.000000Z");
    assert_int_equal(hb_time_parse("2026-11-22T12:00:00.5+02:00", &t, NULL), HB_OK);
    hb_time_format(t, out);
    assert_string_equal(out, "2026-11-22T10:00:00.500000Z");
    assert_int_equal(hb_time_parse("2026-11-22", &t, NULL), HB_OK);
    hb_time_format_seconds(t, out);
    assert_string_equal(out, "2026-11-22T00:00:00Z");
    hb_err e;
    assert_int_equal(hb_time_parse("yesterday", &t, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "yesterday"));
}

/* What parses formats back and parses again to the same instant: no day a
 * month lacks, no year an offset pushes past four digits. */
static void times_out_of_range(void **state)
{
    (void)state;
    hb_time_us t;
    hb_err e;
    assert_int_equal(hb_time_parse("2026-02-30", &t, &e), HB_EUSAGE);
    assert_int_equal(hb_time_parse("2026-04-31T10:00:00Z", &t, &e), HB_EUSAGE);
    assert_int_equal(hb_time_parse("2025-02-29", &t, &e), HB_EUSAGE);
    assert_int_equal(hb_time_parse("2028-02-29", &t, &e), HB_OK);
    assert_int_equal(hb_time_parse("2000-02-29", &t, &e), HB_OK);
    assert_int_equal(hb_time_parse("1900-02-29", &t, &e), HB_EUSAGE);
    assert_int_equal(hb_time_parse("9999-12-31T23:59:59.999999-23:59", &t, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "9999"));
    assert_int_equal(hb_time_parse("2026-01-01T00:00:00+24:00", &t, &e), HB_EUSAGE);
    assert_int_equal(hb_time_parse("2026-01-01T00:00:00+01:60", &t, &e), HB_EUSAGE);
    assert_int_equal(hb_time_parse("9999-12-31T23:59:59.999999Z", &t, &e), HB_OK);
    char out[32];
    hb_time_format(t, out);
    assert_string_equal(out, "9999-12-31T23:59:59.999999Z");
    hb_time_us again;
    assert_int_equal(hb_time_parse(out, &again, &e), HB_OK);
    assert_true(again == t);
}

static void frozen_clock(void **state)
{
    (void)state;
    hbt_setenv("HB_NOW", "2030-01-02T03:04:05Z");
    char out[32];
    hb_time_format_seconds(hb_clock_now(), out);
    assert_string_equal(out, "2030-01-02T03:04:05Z");
    hbt_unsetenv("HB_NOW");
    assert_true(hb_clock_now() > 1700000000LL * 1000000);
}

static void durations(void **state)
{
    (void)state;
    int64_t us;
    assert_int_equal(hb_duration_parse("90s", &us, NULL), HB_OK);
    assert_int_equal(us, 90LL * 1000000);
    assert_int_equal(hb_duration_parse("1h30m", &us, NULL), HB_OK);
    assert_int_equal(us, 5400LL * 1000000);
    assert_int_equal(hb_duration_parse("14d", &us, NULL), HB_OK);
    assert_int_equal(us, 14LL * 86400 * 1000000);
    assert_int_equal(hb_duration_parse("10", &us, NULL), HB_EUSAGE);
    assert_int_equal(hb_duration_parse("5w", &us, NULL), HB_EUSAGE);
    assert_int_equal(hb_duration_parse("", &us, NULL), HB_EUSAGE);
    /* Large ones are refused, never wrapped to a negative wait. */
    hb_err e;
    assert_int_equal(hb_duration_parse("99999999d99999999d", &us, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "longer"));
    assert_int_equal(hb_duration_parse("36500d", &us, NULL), HB_OK);
    assert_int_equal(us, 36500LL * 86400 * 1000000);
    assert_int_equal(hb_duration_parse("36500d1s", &us, NULL), HB_EUSAGE);
    assert_int_equal(hb_duration_parse("99999999999999999999999s", &us, NULL), HB_EUSAGE);
}

static void run_ids_sort_by_time(void **state)
{
    (void)state;
    char a[27], b[27];
    hb_new_run_id(a);
    struct timespec ts = {0, 3 * 1000 * 1000};
    nanosleep(&ts, NULL);
    hb_new_run_id(b);
    assert_int_equal(strlen(a), 26);
    assert_true(strcmp(a, b) < 0);
}

static void buffers_and_distance(void **state)
{
    (void)state;
    hb_buf b;
    hb_buf_init(&b);
    for (int i = 0; i < 1000; i++)
        hb_buf_printf(&b, "%d,", i);
    assert_true(b.len > 3000);
    char *s = hb_buf_take(&b);
    assert_true(hb_str_starts_with(s, "0,1,2,"));
    free(s);
    assert_int_equal(hb_edit_distance("offering-migration", "offering-migraton"), 1);
    assert_int_equal(hb_edit_distance("", "abc"), 3);
}

/* The weekly hours of HB_SUPPORT_HOURS: what is read, and each refusal. */
static void weekly_hours(void **state)
{
    (void)state;
    hb_weekly_hours h;
    hb_err e;
    assert_int_equal(hb_weekly_hours_parse("Mon-Fri 00:00-24:00 UTC", &h, &e), HB_OK);
    assert_true(h.days[0] && h.days[4] && !h.days[5] && !h.days[6]);
    assert_int_equal(h.from_minute, 0);
    assert_int_equal(h.to_minute, 1440);
    assert_int_equal(h.utc_offset_seconds, 0);
    assert_int_equal(hb_weekly_hours_parse("Sun-Tue,Thu 8:30-17:00 UTC-05:00", &h, &e), HB_OK);
    assert_true(h.days[6] && h.days[0] && h.days[1] && !h.days[2] && h.days[3]);
    assert_int_equal(h.from_minute, 510);
    assert_int_equal(h.utc_offset_seconds, -5 * 3600);
    static const char *const bad[] = {"Mon-Fry 08:00-18:00 UTC",
                                      "Mon-Fri 18:00-08:00 UTC",
                                      "Mon-Fri 08:00-18:00",
                                      "Mon-Fri 08:00-25:00 UTC",
                                      "Mon-Fri 08:00-18:00 UTC+1",
                                      "Mon-Fri 08:00-18:00 UTC x",
                                      "weekdays"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(hb_weekly_hours_parse(bad[i], &h, &e), HB_EUSAGE);
    hb_weekly_hours_parse("Mon-Fri 18:00-08:00 UTC", &h, &e);
    assert_non_null(strstr(e.msg, "does not run forward"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(time_round_trip),      cmocka_unit_test(times_out_of_range),
        cmocka_unit_test(frozen_clock),         cmocka_unit_test(durations),
        cmocka_unit_test(weekly_hours),         cmocka_unit_test(run_ids_sort_by_time),
        cmocka_unit_test(buffers_and_distance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
