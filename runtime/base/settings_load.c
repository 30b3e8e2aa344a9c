/* Reading the settings of hb/settings.h: the one parser for every HB_*
 * value, where each came from, and the typed getters.
 *
 * The values are read once, on first use (main() asks first, to refuse a
 * bad one before any command runs), and kept parsed. The in-process
 * sandbox's threads read the clock while hb test moves it, so every access
 * holds one lock; the getters hand out copies. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/env_file.h"
#include "hb/settings.h"
#include "hb/util.h"

typedef struct slot {
    char *text; /* the value in effect as given, NULL when unset */
    hb_setting_source source;
    char *origin;   /* FILE:LINE for a value from the config file */
    int64_t number; /* INT, DURATION (us), TIME (us), BOOL (0/1), ENUM (index) */
    char *problem;  /* why text is refused (number is then the default's) */
} slot;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static bool loaded;
static size_t nrows;
static slot *slots;
static slot *saved;      /* the slot as read, while an override replaces it */
static bool *overridden; /* per row */
static char *file_problems;

const char *hb_setting_source_name(hb_setting_source s)
{
    static const char *const NAMES[] = {"default", "environment", "file", "program"};
    return s < sizeof NAMES / sizeof NAMES[0] ? NAMES[s] : "?";
}

const hb_setting *hb_setting_find(const char *name)
{
    for (const hb_setting *s = hb_settings; s->name; s++)
        if (!strcmp(s->name, name))
            return s;
    return NULL;
}

char *hb_setting_accepts(const hb_setting *s)
{
    switch (s->type) {
    case HB_SETTING_INT:
        return hb_xasprintf("%lld to %lld%s%s", (long long)s->min, (long long)s->max,
                            s->unit ? " " : "", s->unit ? s->unit : "");
    case HB_SETTING_DURATION: {
        char *lo = hb_duration_text(s->min * 1000000), *hi = hb_duration_text(s->max * 1000000);
        char *text = hb_xasprintf("%s to %s, e.g. 90s, 15m, 1h30m", lo, hi);
        free(lo);
        free(hi);
        return text;
    }
    case HB_SETTING_BOOL:
        return hb_xstrdup("true or false (also 1/0, yes/no, on/off)");
    case HB_SETTING_ENUM:
        return hb_choices_text(s->choices);
    case HB_SETTING_TIME:
        return hb_xstrdup("an ISO 8601 time such as 2026-11-22T10:00:00Z");
    case HB_SETTING_STRING:
        return hb_xstrdup("any text");
    case HB_SETTING_PATH:
        return hb_xstrdup("a path");
    }
    return hb_xstrdup("?");
}

static bool parse_bool(const char *text, int64_t *out)
{
    static const char *const YES[] = {"1", "true", "yes", "on"};
    static const char *const NO[] = {"0", "false", "no", "off"};
    if (hb_name_index(YES, 4, text, true) >= 0)
        *out = 1;
    else if (hb_name_index(NO, 4, text, true) >= 0)
        *out = 0;
    else
        return false;
    return true;
}

/* Reads text as a value of s; on failure *what says what is wrong
 * ("is not a whole number"). */
static bool parse_value(const hb_setting *s, const char *text, int64_t *out, const char **what)
{
    *what = NULL;
    if (!*text && s->type != HB_SETTING_STRING && s->type != HB_SETTING_PATH) {
        *what = "is empty";
        return false;
    }
    switch (s->type) {
    case HB_SETTING_INT:
        switch (hb_parse_int(text, s->min, s->max, out)) {
        case HB_INT_OK:
            return true;
        case HB_INT_NOT_A_NUMBER:
            *what = "is not a whole number";
            return false;
        case HB_INT_OUT_OF_RANGE:
            *what = "is out of range";
            return false;
        }
        return false;
    case HB_SETTING_DURATION:
        if (hb_duration_parse(text, out, NULL) != HB_OK) {
            *what = "is not a duration";
            return false;
        }
        if (*out < s->min * 1000000 || *out > s->max * 1000000) {
            *what = "is out of range";
            return false;
        }
        return true;
    case HB_SETTING_BOOL:
        *what = "is not understood";
        return parse_bool(text, out);
    case HB_SETTING_ENUM:
        *what = "is not understood";
        *out = hb_choice_index(s->choices, text, true);
        return *out >= 0;
    case HB_SETTING_TIME:
        *what = "is not understood";
        return hb_time_parse(text, out, NULL) == HB_OK;
    case HB_SETTING_STRING:
    case HB_SETTING_PATH:
        *out = 0;
        return true;
    }
    return false;
}

/* HB_X='value' (FILE:LINE) is not ...: expected ... A secret's value is
 * never repeated. */
static char *describe_problem(const hb_setting *s, const char *text, const char *origin,
                              const char *what, bool with_accepts)
{
    char *accepts = with_accepts ? hb_setting_accepts(s) : NULL;
    char *tail = accepts ? hb_xasprintf(": expected %s", accepts) : hb_xstrdup("");
    char *where = origin ? hb_xasprintf(" (%s)", origin) : hb_xstrdup("");
    char *msg = s->flags & HB_SETTING_SECRET
                    ? hb_xasprintf("%s%s %s%s", s->name, where, what, tail)
                    : hb_xasprintf("%s='%s'%s %s%s", s->name, text, where, what, tail);
    free(where);
    free(tail);
    free(accepts);
    return msg;
}

/* NULL when text is a good value of s (*out then holds it), else why not,
 * newly allocated. */
static char *problem_of(const hb_setting *s, const char *text, const char *origin, int64_t *out)
{
    const char *what = NULL;
    hb_err ce;
    if (!parse_value(s, text, out, &what))
        return describe_problem(s, text, origin, what, true);
    /* The check says what is wrong in its own words ("is not a folder"). */
    if (s->check && s->check(text, &ce) != HB_OK)
        return describe_problem(s, text, origin, ce.msg, false);
    return NULL;
}

hb_status hb_setting_parse(const hb_setting *s, const char *text, int64_t *out, hb_err *e)
{
    char *problem = problem_of(s, text, NULL, out);
    if (!problem)
        return HB_OK;
    hb_err_set(e, HB_EUSAGE, "%s", problem);
    free(problem);
    return HB_EUSAGE;
}

static void slot_clear(slot *v)
{
    if (v->text && v->source == HB_SOURCE_FILE)
        hb_wipe(v->text, strlen(v->text));
    free(v->text);
    free(v->origin);
    free(v->problem);
    memset(v, 0, sizeof *v);
}

/* The default's number; a default the parser refuses is a bug in the
 * table, caught by the first test that reads settings. */
static int64_t default_number(const hb_setting *s)
{
    int64_t n = 0;
    const char *what;
    if (s->fallback && !parse_value(s, s->fallback, &n, &what)) {
        fprintf(stderr, "hb: internal error: the default of %s %s\n", s->name, what);
        abort();
    }
    return n;
}

/* Sets v from text (NULL: the default) and parses it. */
static void slot_set(slot *v, const hb_setting *s, const char *text, hb_setting_source source,
                     const char *origin)
{
    slot_clear(v);
    v->number = default_number(s);
    if (!text || ((s->type == HB_SETTING_STRING || s->type == HB_SETTING_PATH) && !*text))
        return;
    v->text = hb_xstrdup(text);
    v->source = source;
    v->origin = origin ? hb_xstrdup(origin) : NULL;
    int64_t n = 0;
    v->problem = problem_of(s, text, v->origin, &n);
    if (!v->problem)
        v->number = n;
}

static void note_file_problem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void note_file_problem(const char *fmt, ...)
{
    hb_buf b;
    hb_buf_init(&b);
    if (file_problems) {
        hb_buf_puts(&b, file_problems);
        hb_buf_putc(&b, '\n');
        free(file_problems);
    }
    va_list ap;
    va_start(ap, fmt);
    char text[1024];
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    hb_buf_puts(&b, text);
    file_problems = hb_buf_take(&b);
}

static size_t row_of(const hb_setting *s)
{
    return (size_t)(s - hb_settings);
}

/* Names a line of the file gives that is not a setting hb reads from it. */
static bool file_entry_refused(const hb_env_entry *it, const char *path, const hb_setting *s)
{
    if (s && !(s->flags & HB_SETTING_ENV_ONLY))
        return false;
    if (s) {
        note_file_problem("%s:%d: %s cannot be set in %s, which it locates", path, it->line,
                          it->name, path);
        return true;
    }
    const char *names[64];
    size_t n = 0;
    for (const hb_setting *r = hb_settings; r->name && n < 64; r++)
        names[n++] = r->name;
    const char *near = hb_closest_name(names, n, it->name, 3);
    if (near)
        note_file_problem("%s:%d: %s is not an hb setting (did you mean %s?)", path, it->line,
                          it->name, near);
    else if (hb_str_starts_with(it->name, "HB_"))
        note_file_problem("%s:%d: %s is not an hb setting (`hb config` lists them)", path, it->line,
                          it->name);
    else
        note_file_problem("%s:%d: %s is not an hb setting (credentials go in "
                          "$HB_HOME/credentials)",
                          path, it->line, it->name);
    return true;
}

/* $HB_HOME/config, for the settings the environment left unset. */
static void read_file(void)
{
    const hb_setting *home_row = hb_setting_find("HB_HOME");
    const slot *home = &slots[row_of(home_row)];
    char *dir = home->text && !home->problem ? hb_xstrdup(home->text) : home_row->computed();
    char *path = hb_path_join(dir, "config");
    free(dir);
    hb_env_file f;
    hb_err e;
    if (hb_env_file_read(path, 022, "hb's settings", &f, &e) != HB_OK) {
        note_file_problem("%s", e.msg);
        free(path);
        return;
    }
    for (size_t i = 0; i < f.n; i++) {
        const hb_env_entry *it = &f.items[i];
        const hb_setting *s = hb_setting_find(it->name);
        if (file_entry_refused(it, path, s))
            continue;
        slot *v = &slots[row_of(s)];
        if (v->source != HB_SOURCE_DEFAULT && v->source != HB_SOURCE_FILE)
            continue; /* the environment wins */
        char origin[1100];
        snprintf(origin, sizeof origin, "%s:%d", path, it->line);
        slot_set(v, s, it->value, HB_SOURCE_FILE, origin);
    }
    hb_env_file_free(&f);
    free(path);
}

static void forget(void)
{
    for (size_t i = 0; i < nrows; i++) {
        slot_clear(&slots[i]);
        slot_clear(&saved[i]);
    }
    free(slots);
    free(saved);
    free(overridden);
    free(file_problems);
    slots = saved = NULL;
    overridden = NULL;
    file_problems = NULL;
    loaded = false;
}

/* With the lock held. */
static void ensure_loaded(void)
{
    if (loaded)
        return;
    nrows = 0;
    while (hb_settings[nrows].name)
        nrows++;
    slots = hb_xcalloc(nrows, sizeof *slots);
    saved = hb_xcalloc(nrows, sizeof *saved);
    overridden = hb_xcalloc(nrows, sizeof *overridden);
    for (size_t i = 0; i < nrows; i++)
        slot_set(&slots[i], &hb_settings[i], getenv(hb_settings[i].name), HB_SOURCE_ENV, NULL);
    read_file();
    loaded = true;
}

hb_status hb_settings_load(hb_err *e)
{
    pthread_mutex_lock(&lock);
    ensure_loaded();
    const char *first = file_problems;
    size_t count = file_problems ? 1 : 0;
    for (size_t i = 0; i < nrows; i++) {
        if (!slots[i].problem)
            continue;
        if (!first)
            first = slots[i].problem;
        count++;
    }
    hb_status st = HB_OK;
    if (first)
        st = hb_err_set(e, HB_EUSAGE, "%s%s", first,
                        count > 1 ? " (and more: `hb config` lists every setting)" : "");
    pthread_mutex_unlock(&lock);
    return st;
}

void hb_settings_reload(void)
{
    pthread_mutex_lock(&lock);
    forget();
    ensure_loaded();
    pthread_mutex_unlock(&lock);
}

hb_status hb_setting_override(const char *name, const char *value, hb_err *e)
{
    const hb_setting *s = hb_setting_find(name);
    if (!s)
        return hb_err_set(e, HB_EINTERNAL, "no setting %s (a bug in hb)", name);
    pthread_mutex_lock(&lock);
    ensure_loaded();
    size_t i = row_of(s);
    hb_status st = HB_OK;
    if (!value) {
        if (overridden[i]) {
            slot_clear(&slots[i]);
            slots[i] = saved[i];
            memset(&saved[i], 0, sizeof saved[i]);
            overridden[i] = false;
        }
    } else {
        slot fresh = {0};
        slot_set(&fresh, s, value, HB_SOURCE_PROGRAM, NULL);
        if (fresh.problem) {
            st = hb_err_set(e, HB_EUSAGE, "%s", fresh.problem);
            slot_clear(&fresh);
        } else {
            if (overridden[i])
                slot_clear(&slots[i]);
            else
                saved[i] = slots[i];
            slots[i] = fresh;
            overridden[i] = true;
        }
    }
    pthread_mutex_unlock(&lock);
    return st;
}

/* Copies what a getter needs under the lock. */
static hb_status get(const char *name, hb_setting_type type, int64_t *number, bool *set, hb_err *e)
{
    const hb_setting *s = hb_setting_find(name);
    if (!s || s->type != type) {
        fprintf(stderr, "hb: internal error: %s is not a setting of the type asked for\n", name);
        abort();
    }
    pthread_mutex_lock(&lock);
    ensure_loaded();
    const slot *v = &slots[row_of(s)];
    *number = v->number;
    if (set)
        *set = v->text && !v->problem;
    hb_status st = v->problem ? hb_err_set(e, HB_EUSAGE, "%s", v->problem) : HB_OK;
    pthread_mutex_unlock(&lock);
    return st;
}

hb_status hb_setting_int(const char *name, int64_t *out, hb_err *e)
{
    return get(name, HB_SETTING_INT, out, NULL, e);
}

hb_status hb_setting_duration(const char *name, int64_t *us_out, hb_err *e)
{
    return get(name, HB_SETTING_DURATION, us_out, NULL, e);
}

hb_status hb_setting_bool(const char *name, bool *out, hb_err *e)
{
    int64_t n = 0;
    hb_status st = get(name, HB_SETTING_BOOL, &n, NULL, e);
    *out = n != 0;
    return st;
}

hb_status hb_setting_enum(const char *name, int *index_out, hb_err *e)
{
    int64_t n = 0;
    hb_status st = get(name, HB_SETTING_ENUM, &n, NULL, e);
    *index_out = (int)n;
    return st;
}

hb_status hb_setting_time(const char *name, bool *set, hb_time_us *out, hb_err *e)
{
    int64_t n = 0;
    hb_status st = get(name, HB_SETTING_TIME, &n, set, e);
    if (*set)
        *out = n;
    return st;
}

hb_status hb_setting_string(const char *name, char **out, hb_err *e)
{
    const hb_setting *s = hb_setting_find(name);
    if (!s) {
        fprintf(stderr, "hb: internal error: no setting %s\n", name);
        abort();
    }
    pthread_mutex_lock(&lock);
    ensure_loaded();
    const slot *v = &slots[row_of(s)];
    *out = v->text && !v->problem ? hb_xstrdup(v->text) : NULL;
    hb_status st = v->problem ? hb_err_set(e, HB_EUSAGE, "%s", v->problem) : HB_OK;
    pthread_mutex_unlock(&lock);
    return st;
}

char *hb_setting_text(const char *name)
{
    char *text = NULL;
    hb_setting_string(name, &text, NULL);
    return text;
}

void hb_settings_each(void (*fn)(const hb_setting_state *s, void *ud), void *ud,
                      char **file_problem)
{
    pthread_mutex_lock(&lock);
    ensure_loaded();
    hb_setting_state *states = hb_xcalloc(nrows, sizeof *states);
    for (size_t i = 0; i < nrows; i++)
        states[i] = (hb_setting_state){.def = &hb_settings[i],
                                       .source = slots[i].source,
                                       .text = slots[i].text,
                                       .origin = slots[i].origin,
                                       .problem = slots[i].problem};
    size_t n = nrows;
    *file_problem = file_problems ? hb_xstrdup(file_problems) : NULL;
    pthread_mutex_unlock(&lock);
    /* Without the lock: fn may ask for computed defaults, which read
     * settings themselves. */
    for (size_t i = 0; i < n; i++)
        fn(&states[i], ud);
    free(states);
}
