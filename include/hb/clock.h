/* Time. A clock is a value handed to whoever needs "now" (the engine, the
 * sandbox, the bindings, the audit trail) so that hb test can give each
 * scenario its own time, and runs on threads of one process their own
 * clocks. The command line builds its clock from HB_NOW (ISO 8601), which
 * freezes it so tests and demos are reproducible; otherwise it is the wall
 * clock. */
#ifndef HB_CLOCK_H
#define HB_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "hb/error.h"

/* Microseconds since the Unix epoch. */
typedef int64_t hb_time_us;

/* A clock: frozen at `at`, or the wall clock. hb test moves `at` forward
 * between actions; whoever holds a pointer to it sees the new time. */
typedef struct hb_clock {
    bool frozen;
    hb_time_us at;
} hb_clock;

/* The time on c; NULL is the process's clock (hb_clock_now). */
hb_time_us hb_clock_time(const hb_clock *c);
/* The process's clock: frozen at HB_NOW when that is set. */
hb_clock hb_clock_from_settings(void);
/* hb_clock_time of hb_clock_from_settings(), for the command line's own
 * use; layers that take a clock read that one instead. */
hb_time_us hb_clock_now(void);
/* The real wall clock, ignoring HB_NOW (for run ids, leases, latency). */
hb_time_us hb_clock_wall(void);
/* Monotonic microseconds, for measuring durations. */
int64_t hb_clock_monotonic_us(void);

/* Parses "2026-11-22T10:00:00Z", "...T10:00:00.123456+02:00", "2026-11-22"
 * (midnight UTC). Returns HB_OK or HB_EUSAGE with a message naming the text;
 * a day the month does not have (2026-02-30) and a time outside the years
 * 0000-9999 once in UTC are refused, so whatever parses formats back. */
hb_status hb_time_parse(const char *text, hb_time_us *out, hb_err *e);
/* RFC 3339 UTC with microseconds: 2026-11-22T10:00:00.000000Z (28 chars). */
void hb_time_format(hb_time_us t, char out[32]);
/* RFC 3339 UTC to the second: 2026-11-22T10:00:00Z. */
void hb_time_format_seconds(hb_time_us t, char out[32]);
/* Durations: an integer and a unit s, m, h or d ("90s", "30m", "24h", "14d");
 * several may be concatenated ("1h30m"). At most HB_DURATION_MAX_S in all:
 * a longer one is refused (HB_EUSAGE), never wrapped. */
#define HB_DURATION_MAX_S (36500LL * 86400)
hb_status hb_duration_parse(const char *text, int64_t *us_out, hb_err *e);
/* A duration as hb_duration_parse reads it, in the largest unit that divides
 * it exactly ("1h", "90m", "14d"; "1500ms" below a second). Newly allocated. */
char *hb_duration_text(int64_t us);

/* Hours that recur every week, written "Mon-Fri 08:00-18:00 UTC+01:00":
 * the days (a range such as Mon-Fri, which may wrap, or a list such as
 * Mon,Wed), each day's window (24:00 ends the day), and the UTC offset they
 * are counted in. stdlib/support.lua reads Global Support Hours in the same
 * words; this is the check of the HB_SUPPORT_HOURS setting. Problems are
 * HB_EUSAGE, worded to follow the value ("needs a daily window ..."). */
typedef struct hb_weekly_hours {
    bool days[7]; /* Monday first */
    int from_minute, to_minute;
    int utc_offset_seconds;
} hb_weekly_hours;

hb_status hb_weekly_hours_parse(const char *text, hb_weekly_hours *out, hb_err *e);

#endif
