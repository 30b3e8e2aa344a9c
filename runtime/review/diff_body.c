/* What diff compares inside a step: the source text of its functions and
 * its settings. Function bodies come from the source lines Lua records for
 * each function (linedefined..lastlinedefined), so they are exactly what
 * the author wrote. */
#include <ctype.h>
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff_internal.h"
#include "hb/clock.h"
#include "hb/lua_host.h"

bool hb_diff_same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

/* ---- function source ------------------------------------------------- */

static char *line_of(const char *src, size_t len, int line)
{
    const char *p = src, *end = src + len;
    for (int l = 1; l < line && p; l++) {
        p = memchr(p, '\n', (size_t)(end - p));
        if (p)
            p++;
    }
    if (!p || p > end)
        return hb_xstrdup("");
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return hb_xstrndup(p, (size_t)((nl ? nl : end) - p));
}

static size_t indent_of(const char *line)
{
    size_t n = 0;
    while (line[n] == ' ' || line[n] == '\t')
        n++;
    return n;
}

/* Cuts the first line to start at `function` and the last to end after its
 * last `end`, then removes the indentation the closing line has from the
 * lines in between, so the body reads as it would standing alone. */
static void trim_to_body(fn_text *t)
{
    char *start = strstr(t->lines[0], "function");
    if (start)
        memmove(t->lines[0], start, strlen(start) + 1);
    char *last = t->lines[t->n - 1];
    char *cut = NULL;
    for (char *p = strstr(last, "end"); p; p = strstr(p + 1, "end")) {
        bool word = (p == last || !isalnum((unsigned char)p[-1])) &&
                    !isalnum((unsigned char)p[3]) && p[3] != '_';
        if (word)
            cut = p + 3;
    }
    if (cut)
        *cut = '\0';
    if (t->n < 2)
        return;
    size_t indent = indent_of(last);
    for (size_t i = 1; i < t->n; i++) {
        size_t drop = indent_of(t->lines[i]);
        if (drop > indent)
            drop = indent;
        memmove(t->lines[i], t->lines[i] + drop, strlen(t->lines[i] + drop) + 1);
    }
}

static void fn_text_of(const hb_diff_side *v, int ref, fn_text *t)
{
    memset(t, 0, sizeof *t);
    if (ref == LUA_NOREF || ref == LUA_REFNIL)
        return;
    lua_State *L = hb_lua_state(v->wf->lua);
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    if (!lua_isfunction(L, -1)) {
        lua_pop(L, 1);
        return;
    }
    lua_Debug ar;
    lua_getinfo(L, ">S", &ar);
    t->first = ar.linedefined;
    t->last = ar.lastlinedefined;
    const char *source = ar.source && ar.source[0] == '@' ? ar.source + 1 : ar.source;
    bool here = source && !strcmp(source, v->label);
    /* A function of a lib module (a fragment's step) is compared by its
     * text too, the text the loader read (at a revision, the revision's),
     * so the same body at another line or path is no change. */
    size_t other_len = 0;
    char *other =
        here || t->first <= 0 || !source ? NULL : hb_diff_loaded_text(v, source, &other_len);
    if (t->first <= 0 || (!here && !other)) {
        /* A C function, or a module hb cannot read again: name where it lives. */
        t->lines = hb_xcalloc(1, sizeof *t->lines);
        t->lines[0] = hb_xasprintf("(function at %s:%d)", source ? source : "?", t->first);
        t->n = 1;
        return;
    }
    t->n = (size_t)(t->last - t->first + 1);
    t->lines = hb_xcalloc(t->n, sizeof *t->lines);
    for (size_t i = 0; i < t->n; i++)
        t->lines[i] = here ? line_of(v->src, v->len, t->first + (int)i)
                           : line_of(other, other_len, t->first + (int)i);
    if (other)
        t->file = hb_xstrdup(source);
    free(other);
    trim_to_body(t);
}

void hb_fn_text_free(fn_text *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->lines[i]);
    free(t->lines);
    free(t->file);
}

/* Both present and the same, ignoring indentation. */
bool hb_fn_same_body(const fn_text *a, const fn_text *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++) {
        const char *x = a->lines[i], *y = b->lines[i];
        while (isspace((unsigned char)*x))
            x++;
        while (isspace((unsigned char)*y))
            y++;
        size_t lx = strlen(x), ly = strlen(y);
        while (lx && isspace((unsigned char)x[lx - 1]))
            lx--;
        while (ly && isspace((unsigned char)y[ly - 1]))
            ly--;
        if (lx != ly || memcmp(x, y, lx))
            return false;
    }
    return true;
}

/* ---- what a step holds besides its transitions --------------------------- */

static void add_fn(const hb_diff_side *v, step_facts *f, const char *name, int ref)
{
    if (ref == LUA_NOREF)
        return;
    f->fn_names[f->nfns] = name;
    fn_text_of(v, ref, &f->fns[f->nfns++]);
}

void hb_step_facts_read(const hb_diff_side *v, const hb_step *s, step_facts *f)
{
    memset(f, 0, sizeof *f);
    static const char *const NAMES[NSETTINGS] = {"retry",   "event", "every",   "after",
                                                 "timeout", "value", "choices", "message"};
    memcpy(f->setting_names, NAMES, sizeof NAMES);
    if (s->retry_attempts > 1) {
        char *backoff = hb_duration_text(s->retry_backoff_us);
        f->settings[0] = hb_xasprintf("%d attempts%s, backoff %s", s->retry_attempts,
                                      s->retry_outage_only ? " on outages" : "", backoff);
        free(backoff);
    }
    f->settings[1] = s->event ? hb_xstrdup(s->event) : NULL;
    f->settings[2] = s->every_us ? hb_duration_text(s->every_us) : NULL;
    f->settings[3] =
        s->after.set && s->after.fn_ref == LUA_NOREF ? hb_xstrdup(s->after.text) : NULL;
    f->settings[4] =
        s->timeout.set && s->timeout.fn_ref == LUA_NOREF ? hb_xstrdup(s->timeout.text) : NULL;
    f->settings[5] = s->value_type ? hb_xstrdup(s->value_type) : NULL;
    if (s->nchoices) {
        hb_buf b;
        hb_buf_init(&b);
        for (size_t i = 0; i < s->nchoices; i++)
            hb_buf_printf(&b, "%s%s", i ? ", " : "", s->choices[i]);
        f->settings[6] = hb_buf_take(&b);
    }
    f->settings[7] = s->message ? hb_xstrdup(s->message) : NULL;
    add_fn(v, f, "run", s->run_ref);
    add_fn(v, f, "condition", s->condition_ref);
    add_fn(v, f, "choices", s->choices_ref);
    add_fn(v, f, "at", s->at_ref);
    add_fn(v, f, "after", s->after.fn_ref);
    add_fn(v, f, "timeout", s->timeout.fn_ref);
    f->whens = hb_xcalloc(s->nedges ? s->nedges : 1, sizeof *f->whens);
    for (size_t k = 0; k < s->nedges; k++) {
        if (s->edges[k].when_text) {
            /* A `when` helper: its comparison is what changes, not the
             * helper's own code in stdlib/hb/when.lua. */
            f->whens[k].lines = hb_xcalloc(1, sizeof *f->whens[k].lines);
            f->whens[k].lines[0] = hb_xstrdup(s->edges[k].when_text);
            f->whens[k].n = 1;
            f->whens[k].comparison = true;
        } else {
            fn_text_of(v, s->edges[k].when_ref, &f->whens[k]);
        }
    }
}

void hb_step_facts_free(step_facts *f, const hb_step *s)
{
    for (size_t i = 0; i < NSETTINGS; i++)
        free(f->settings[i]);
    for (size_t i = 0; i < f->nfns; i++)
        hb_fn_text_free(&f->fns[i]);
    for (size_t k = 0; k < s->nedges; k++)
        hb_fn_text_free(&f->whens[k]);
    free(f->whens);
}

/* Same body: everything but the id and the targets (a rename of a target is
 * not a change of the step that points at it). */
bool hb_step_same_body(const hb_step *a, const step_facts *fa, const hb_step *b,
                       const step_facts *fb)
{
    if (a->kind != b->kind || !hb_diff_same_str(a->description, b->description) ||
        a->nedges != b->nedges || fa->nfns != fb->nfns)
        return false;
    for (size_t i = 0; i < NSETTINGS; i++)
        if (!hb_diff_same_str(fa->settings[i], fb->settings[i]))
            return false;
    for (size_t i = 0; i < fa->nfns; i++)
        if (strcmp(fa->fn_names[i], fb->fn_names[i]) || !hb_fn_same_body(&fa->fns[i], &fb->fns[i]))
            return false;
    for (size_t k = 0; k < a->nedges; k++)
        if (!hb_diff_same_str(a->edges[k].label, b->edges[k].label) ||
            !hb_fn_same_body(&fa->whens[k], &fb->whens[k]))
            return false;
    return true;
}
