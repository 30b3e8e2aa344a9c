/* Every HB_* setting hb reads, in one table (runtime/base/settings.c), read
 * once through one parser.
 *
 * A value comes from the environment, else from $HB_HOME/config (NAME=value
 * lines; refused when group- or world-writable), else from the table's
 * default; each value remembers where it came from, for `hb config`. A value
 * that is not understood or out of bounds is a usage error (HB_EUSAGE)
 * naming the variable, what is wrong with the value and what is accepted;
 * main() refuses to run a command while any setting is bad. An empty value
 * of a string or path is the same as unset; of any other type it is an
 * error.
 *
 * Adding a setting is one row in the table; a layer reads it by name with
 * the getter of its type. Credentials (ZENDESK_*, GITLAB_TOKEN ...) are not
 * settings: they live in hb/credentials.h. */
#ifndef HB_SETTINGS_H
#define HB_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "hb/clock.h"
#include "hb/error.h"

typedef enum hb_setting_type {
    HB_SETTING_INT,      /* a whole number in [min, max] */
    HB_SETTING_DURATION, /* "90s", "1h30m", "14d"; bounds in seconds */
    HB_SETTING_BOOL,     /* 1/0, true/false, yes/no, on/off */
    HB_SETTING_ENUM,     /* one of choices ("normal|full"), any case */
    HB_SETTING_STRING,
    HB_SETTING_PATH,
    HB_SETTING_TIME, /* ISO 8601, as hb_time_parse reads it */
} hb_setting_type;

typedef enum hb_setting_source {
    HB_SOURCE_DEFAULT,
    HB_SOURCE_ENV,
    HB_SOURCE_FILE,
    HB_SOURCE_PROGRAM, /* hb_setting_override */
} hb_setting_source;

/* Flags of a row. */
#define HB_SETTING_ENV_ONLY 1u /* never read from $HB_HOME/config (HB_HOME itself) */
#define HB_SETTING_SECRET   2u /* never printed or quoted in a message (a password) */
#define HB_SETTING_STDLIB   4u /* readable by hb's Lua standard library (hbi.setting) */

typedef struct hb_setting {
    const char *name;
    hb_setting_type type;
    /* The default as text the parser reads, or NULL: unset (the reader
     * then computes one, e.g. HB_HOME from $XDG_DATA_HOME). */
    const char *fallback;
    int64_t min, max;    /* INT: the value; DURATION: seconds */
    const char *choices; /* ENUM: "normal|full" */
    const char *unit;    /* "ms", "seconds", "MiB": for messages and hb config */
    /* The default as the README's Environment table shows it, when that is
     * not fallback ("the login name"); a test keeps the two in step. */
    const char *shown_default;
    const char *help;
    unsigned flags;
    /* The value in effect when unset, newly allocated, for hb config (may
     * be NULL; called without any lock held). */
    char *(*computed)(void);
    /* A check beyond the type's (HB_HOME must be a folder): HB_EUSAGE with
     * a message completing "HB_HOME='x' ...". May be NULL. */
    hb_status (*check)(const char *value, hb_err *e);
} hb_setting;

/* The table, terminated by a row with a NULL name. */
extern const hb_setting hb_settings[];

/* Reads every setting (once: later calls return the first result). Returns
 * HB_OK, or HB_EUSAGE with the first problem (and how many more there are;
 * `hb config` lists them all). */
hb_status hb_settings_load(hb_err *e);
/* Forgets what was read and reads the environment and the file again, for
 * tests that change the environment. Overrides are dropped too. */
void hb_settings_reload(void);
/* Sets a value from inside hb (source "program"), checked like any other;
 * value NULL drops the override. It changes the value for the whole
 * process, so no layer steers another with it: the engine takes its store,
 * clock and home as arguments (hb/engine.h), which is what lets hb test
 * give each scenario its own and runs on threads differ. */
hb_status hb_setting_override(const char *name, const char *value, hb_err *e);

/* Typed getters. name must be a row of the table, of that type (anything
 * else is a bug in hb and aborts). On a bad value they give the default and
 * return HB_EUSAGE with the problem; e may be NULL. */
hb_status hb_setting_int(const char *name, int64_t *out, hb_err *e);
hb_status hb_setting_duration(const char *name, int64_t *us_out, hb_err *e);
hb_status hb_setting_bool(const char *name, bool *out, hb_err *e);
/* The index of the value in the row's choices. */
hb_status hb_setting_enum(const char *name, int *index_out, hb_err *e);
/* *set is false when the setting is unset (then *out is untouched). */
hb_status hb_setting_time(const char *name, bool *set, hb_time_us *out, hb_err *e);
/* A setting's text, newly allocated, or NULL when unset, empty (a string or
 * path) or bad. */
char *hb_setting_text(const char *name);
/* The same with the problem: *out NULL and HB_EUSAGE when the value is bad. */
hb_status hb_setting_string(const char *name, char **out, hb_err *e);

/* One setting as it stands, for hb config. The strings live until the next
 * reload or override. */
typedef struct hb_setting_state {
    const hb_setting *def;
    hb_setting_source source;
    const char *text;    /* the value as given, NULL when unset */
    const char *origin;  /* "FILE:LINE" for HB_SOURCE_FILE, else NULL */
    const char *problem; /* why the value is refused, NULL when fine */
} hb_setting_state;

/* Calls fn for every setting in table order, then returns the problems that
 * belong to no one setting ($HB_HOME/config unreadable, an unknown name in
 * it) as one message in *file_problem (newly allocated, NULL when none). */
void hb_settings_each(void (*fn)(const hb_setting_state *s, void *ud), void *ud,
                      char **file_problem);
/* "default", "environment", "file" or "program". */
const char *hb_setting_source_name(hb_setting_source s);
/* The row of that name, or NULL. */
const hb_setting *hb_setting_find(const char *name);
/* Checks text as a value of row s (of the table, or one a test makes):
 * HB_OK with the number (INT; DURATION and TIME in microseconds; BOOL 0 or
 * 1; ENUM the index of the choice), else HB_EUSAGE with the message main()
 * would print. */
hb_status hb_setting_parse(const hb_setting *s, const char *text, int64_t *out, hb_err *e);
/* The accepted values of a row, for messages and hb config: "1 to 600
 * seconds", "normal or full", "an ISO 8601 time". Newly allocated. */
char *hb_setting_accepts(const hb_setting *s);

#endif
