/* Clocks: the wall clock, and the process's clock, which HB_NOW freezes. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "hb/clock.h"
#include "hb/settings.h"
#include "hb/util.h"

hb_time_us hb_clock_wall(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (hb_time_us)tv.tv_sec * 1000000 + tv.tv_usec;
}

hb_clock hb_clock_from_settings(void)
{
    /* A bad HB_NOW never gets this far: main() refuses to run with it. */
    hb_clock c = {.frozen = false};
    hb_setting_time("HB_NOW", &c.frozen, &c.at, NULL);
    return c;
}

hb_time_us hb_clock_time(const hb_clock *c)
{
    if (!c)
        return hb_clock_now();
    return c->frozen ? c->at : hb_clock_wall();
}

hb_time_us hb_clock_now(void)
{
    hb_clock c = hb_clock_from_settings();
    return hb_clock_time(&c);
}

int64_t hb_clock_monotonic_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Days from 1970-01-01 to a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

static int read_digits(const char **p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)**p))
            return -1;
        v = v * 10 + (**p - '0');
        (*p)++;
    }
    return v;
}

hb_status hb_time_parse(const char *text, hb_time_us *out, hb_err *e)
{
    const char *p = text;
    int y = read_digits(&p, 4);
    if (y < 0 || *p++ != '-')
        goto bad;
    int mo = read_digits(&p, 2);
    if (mo < 1 || mo > 12 || *p++ != '-')
        goto bad;
    int d = read_digits(&p, 2);
    if (d < 1 || d > days_in_month(y, mo))
        goto bad;
    int hh = 0, mm = 0, ss = 0;
    int64_t frac_us = 0, offset_s = 0;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        hh = read_digits(&p, 2);
        if (hh < 0 || hh > 23 || *p++ != ':')
            goto bad;
        mm = read_digits(&p, 2);
        if (mm < 0 || mm > 59)
            goto bad;
        if (*p == ':') {
            p++;
            ss = read_digits(&p, 2);
            if (ss < 0 || ss > 60)
                goto bad;
        }
        if (*p == '.') {
            p++;
            int digits = 0;
            while (isdigit((unsigned char)*p)) {
                if (digits < 6) {
                    frac_us = frac_us * 10 + (*p - '0');
                    digits++;
                }
                p++;
            }
            if (digits == 0)
                goto bad;
            while (digits++ < 6)
                frac_us *= 10;
        }
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p == '-' ? -1 : 1;
            p++;
            int oh = read_digits(&p, 2);
            if (oh < 0)
                goto bad;
            if (*p == ':')
                p++;
            int om = read_digits(&p, 2);
            if (oh > 23 || om < 0 || om > 59)
                goto bad;
            offset_s = sign * (oh * 3600 + om * 60);
        } else if (*p != '\0') {
            goto bad;
        }
    }
    if (*p != '\0')
        goto bad;
    int64_t secs =
        days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + hh * 3600 + mm * 60 + ss - offset_s;
    /* An offset can carry a time past the years that four digits write
     * ("9999-12-31T23:59-23:59" is in the year 10000): what hb could not
     * print back the same way is refused. */
    if (secs < days_from_civil(0, 1, 1) * 86400 || secs >= days_from_civil(10000, 1, 1) * 86400)
        return hb_err_set(e, HB_EUSAGE, "'%s' is outside the years 0000 to 9999 in UTC", text);
    *out = secs * 1000000 + frac_us;
    return HB_OK;
bad:
    return hb_err_set(e, HB_EUSAGE,
                      "'%s' is not an ISO 8601 time (expected e.g. 2026-11-22T10:00:00Z)", text);
}

static void format_parts(hb_time_us t, struct tm *tm, int64_t *micros)
{
    int64_t secs = t / 1000000;
    int64_t us = t % 1000000;
    if (us < 0) {
        us += 1000000;
        secs -= 1;
    }
    time_t tt = (time_t)secs;
    gmtime_r(&tt, tm);
    *micros = us;
}

void hb_time_format(hb_time_us t, char out[32])
{
    struct tm tm;
    int64_t us;
    format_parts(t, &tm, &us);
    char tmp[96];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)us);
    memcpy(out, tmp, 31);
    out[31] = '\0';
}

void hb_time_format_seconds(hb_time_us t, char out[32])
{
    struct tm tm;
    int64_t us;
    format_parts(t, &tm, &us);
    char tmp[96];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    memcpy(out, tmp, 31);
    out[31] = '\0';
}

hb_status hb_duration_parse(const char *text, int64_t *us_out, hb_err *e)
{
    const char *p = text;
    int64_t total_s = 0;
    if (!*p)
        goto bad;
    while (*p) {
        if (!isdigit((unsigned char)*p))
            goto bad;
        int64_t n = 0;
        while (isdigit((unsigned char)*p)) {
            n = n * 10 + (*p - '0');
            if (n > HB_DURATION_MAX_S)
                goto too_long;
            p++;
        }
        int64_t unit;
        switch (*p) {
        case 's':
            unit = 1;
            break;
        case 'm':
            unit = 60;
            break;
        case 'h':
            unit = 3600;
            break;
        case 'd':
            unit = 86400;
            break;
        default:
            goto bad;
        }
        p++;
        /* Each part and the sum stay within the bound, so nothing wraps. */
        if (n > (HB_DURATION_MAX_S - total_s) / unit)
            goto too_long;
        total_s += n * unit;
    }
    *us_out = total_s * 1000000;
    return HB_OK;
too_long:
    return hb_err_set(e, HB_EUSAGE, "'%s' is longer than hb waits (at most %lldd, 100 years)", text,
                      (long long)(HB_DURATION_MAX_S / 86400));
bad:
    return hb_err_set(e, HB_EUSAGE,
                      "'%s' is not a duration (expected a number and a unit s, m, h or d, "
                      "e.g. 30m, 24h, 14d)",
                      text);
}

char *hb_duration_text(int64_t us)
{
    static const struct {
        int64_t us;
        char unit;
    } UNITS[] = {{86400000000LL, 'd'}, {3600000000LL, 'h'}, {60000000LL, 'm'}, {1000000LL, 's'}};
    for (size_t i = 0; i < sizeof UNITS / sizeof UNITS[0]; i++)
        if (us >= UNITS[i].us && us % UNITS[i].us == 0)
            return hb_xasprintf("%lld%c", (long long)(us / UNITS[i].us), UNITS[i].unit);
    return hb_xasprintf("%lldms", (long long)(us / 1000));
}

/* ---- weekly hours ("Mon-Fri 00:00-24:00 UTC+01:00") ---------------------- */

static const char *const DAY_NAMES[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

static int day_index(const char *s, size_t n)
{
    for (int d = 0; d < 7; d++)
        if (n == 3 && !strncmp(s, DAY_NAMES[d], 3))
            return d;
    return -1;
}

/* "HH:MM" at *p (hours 0..24, 24:00 only as an end), advancing *p. */
static bool read_clock(const char **p, int *minutes)
{
    const char *s = *p;
    if (!isdigit((unsigned char)s[0]))
        return false;
    int h = s[0] - '0';
    s++;
    if (isdigit((unsigned char)*s))
        h = h * 10 + (*s++ - '0');
    if (*s != ':' || !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[2]))
        return false;
    int m = (s[1] - '0') * 10 + (s[2] - '0');
    if (h > 24 || m > 59 || (h == 24 && m > 0))
        return false;
    *minutes = h * 60 + m;
    *p = s + 3;
    return true;
}

hb_status hb_weekly_hours_parse(const char *text, hb_weekly_hours *out, hb_err *e)
{
    memset(out, 0, sizeof *out);
    const char *p = text;
    /* DAYS: a range or a list of three-letter names, then one space. */
    while (*p && *p != ' ') {
        const char *end = p;
        while (*end && *end != ',' && *end != ' ')
            end++;
        const char *dash = memchr(p, '-', (size_t)(end - p));
        int first = day_index(p, (size_t)((dash ? dash : end) - p));
        int last = dash ? day_index(dash + 1, (size_t)(end - dash - 1)) : first;
        if (first < 0 || last < 0)
            return hb_err_set(e, HB_EUSAGE, "has an unknown day in '%.*s' (days are Mon ... Sun)",
                              (int)(end - p), p);
        for (int d = first;; d = (d + 1) % 7) {
            out->days[d] = true;
            if (d == last)
                break;
        }
        p = *end == ',' ? end + 1 : end;
    }
    while (*p == ' ')
        p++;
    if (!read_clock(&p, &out->from_minute) || *p++ != '-' || !read_clock(&p, &out->to_minute))
        return hb_err_set(e, HB_EUSAGE, "needs a daily window such as 08:00-18:00");
    if (out->from_minute >= out->to_minute)
        return hb_err_set(e, HB_EUSAGE, "has a daily window that does not run forward");
    while (*p == ' ')
        p++;
    if (strncmp(p, "UTC", 3) != 0)
        return hb_err_set(e, HB_EUSAGE, "needs its UTC offset: UTC, UTC+01:00, UTC-05:00");
    p += 3;
    if (*p == '+' || *p == '-') {
        int sign = *p == '+' ? 1 : -1, minutes;
        p++;
        if (!read_clock(&p, &minutes) || minutes > 14 * 60)
            return hb_err_set(e, HB_EUSAGE, "has an offset that is not UTC+HH:MM or UTC-HH:MM");
        out->utc_offset_seconds = sign * minutes * 60;
    }
    if (*p)
        return hb_err_set(e, HB_EUSAGE, "has '%s' after its UTC offset", p);
    return HB_OK;
}
