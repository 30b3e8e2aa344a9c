/* Reads the tables the DSL constructors built into hb_workflow. Every field
 * is checked for type here, and unknown fields are reported: a misspelt
 * `nxet` must not silently fall through to the following step. */
#include <lauxlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/clock.h"
#include "workflow_internal.h"

void hb_split_where(const char *where, char **file, int *line)
{
    const char *colon = where ? strrchr(where, ':') : NULL;
    if (!colon) {
        *file = hb_xstrdup(where ? where : "?");
        *line = 0;
        return;
    }
    *file = hb_xstrndup(where, (size_t)(colon - where));
    *line = atoi(colon + 1);
}

/* The fields each kind accepts besides its description (array item 1). */
static const char *const TASK_FIELDS[] = {"run", "next", "retry", "on_error", NULL};
static const char *const CHOICE_FIELDS[] = {NULL};
static const char *const ASK_FIELDS[] = {"options", "value", "choices", "next", "shows", NULL};
static const char *const WAIT_FIELDS[] = {"event", "condition", "every",   "after",
                                          "at",    "timeout",   "payload", "on_timeout",
                                          "next",  "shows",     NULL};
static const char *const SUCCEED_FIELDS[] = {"message", NULL};
static const char *const FAIL_FIELDS[] = {"message", NULL};
static const char *const WORKFLOW_FIELDS[] = {"title",  "handbook", "uses",
                                              "forbid", "inputs",   NULL};

typedef struct reader {
    lua_State *L;
    hb_problems *p;
    const char *file;
    int line;
    const char *what; /* "task 'read_ticket'" */
} reader;

static bool in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (!strcmp(*list, s))
            return true;
    return false;
}

/* Reports string keys of the table at idx that the kind does not know, and
 * array items beyond max_array. */
static void check_fields(reader *r, int idx, const char *const *allowed, lua_Integer max_array)
{
    idx = lua_absindex(r->L, idx);
    lua_pushnil(r->L);
    while (lua_next(r->L, idx)) {
        if (lua_type(r->L, -2) == LUA_TSTRING) {
            const char *k = lua_tostring(r->L, -2);
            if (!in_list(allowed, k))
                hb_problem(r->p, r->file, r->line, "%s has an unknown field '%s'", r->what, k);
        } else if (lua_isinteger(r->L, -2)) {
            lua_Integer i = lua_tointeger(r->L, -2);
            if (max_array >= 0 && (i < 1 || i > max_array))
                hb_problem(r->p, r->file, r->line, "%s has an unexpected item %lld", r->what,
                           (long long)i);
        } else {
            hb_problem(r->p, r->file, r->line, "%s has a key that is not a name", r->what);
        }
        lua_pop(r->L, 1);
    }
}

/* String field or NULL; reports a wrong type. */
static char *opt_string(reader *r, int idx, const char *field)
{
    lua_getfield(r->L, idx, field);
    char *out = NULL;
    if (lua_type(r->L, -1) == LUA_TSTRING)
        out = hb_xstrdup(lua_tostring(r->L, -1));
    else if (!lua_isnil(r->L, -1))
        hb_problem(r->p, r->file, r->line, "%s: '%s' must be a string, not a %s", r->what, field,
                   luaL_typename(r->L, -1));
    lua_pop(r->L, 1);
    return out;
}

/* Function field as a registry reference, or LUA_NOREF. */
static int opt_function(reader *r, int idx, const char *field)
{
    lua_getfield(r->L, idx, field);
    if (lua_isfunction(r->L, -1))
        return luaL_ref(r->L, LUA_REGISTRYINDEX);
    if (!lua_isnil(r->L, -1))
        hb_problem(r->p, r->file, r->line, "%s: '%s' must be a function, not a %s", r->what, field,
                   luaL_typename(r->L, -1));
    lua_pop(r->L, 1);
    return LUA_NOREF;
}

/* A duration given as a literal ("24h") or a function(ctx). */
static hb_timespec opt_duration(reader *r, int idx, const char *field)
{
    hb_timespec t = {.set = false, .literal_us = 0, .fn_ref = LUA_NOREF, .text = NULL};
    lua_getfield(r->L, idx, field);
    if (lua_isfunction(r->L, -1)) {
        t.set = true;
        t.fn_ref = luaL_ref(r->L, LUA_REGISTRYINDEX);
        t.text = hb_xstrdup("function(ctx)");
        return t;
    }
    if (lua_type(r->L, -1) == LUA_TSTRING) {
        const char *text = lua_tostring(r->L, -1);
        hb_err e;
        if (hb_duration_parse(text, &t.literal_us, &e) != HB_OK)
            hb_problem(r->p, r->file, r->line, "%s: %s: %s", r->what, field, e.msg);
        t.set = true;
        t.text = hb_xstrdup(text);
    } else if (!lua_isnil(r->L, -1)) {
        hb_problem(r->p, r->file, r->line,
                   "%s: '%s' must be a duration such as \"24h\" or a function(ctx)", r->what,
                   field);
    }
    lua_pop(r->L, 1);
    return t;
}

/* A branch's `when`: a function(ctx), or a `when` helper's table { test =
 * function(ctx), text, fact, values } (stdlib/hb/when.lua). */
static void read_when(reader *r, int branch, hb_edge *edge)
{
    lua_getfield(r->L, branch, "when");
    int w = lua_gettop(r->L);
    if (lua_isfunction(r->L, w)) {
        edge->when_ref = luaL_ref(r->L, LUA_REGISTRYINDEX);
        return;
    }
    if (!lua_istable(r->L, w)) {
        if (!lua_isnil(r->L, w))
            hb_problem(r->p, r->file, r->line,
                       "%s: 'when' must be a function(ctx) or a helper such as is(\"x\", \"y\"), "
                       "not a %s",
                       r->what, luaL_typename(r->L, w));
        lua_pop(r->L, 1);
        return;
    }
    lua_getfield(r->L, w, "test");
    lua_getfield(r->L, w, "text");
    if (!lua_isfunction(r->L, -2) || lua_type(r->L, -1) != LUA_TSTRING) {
        hb_problem(r->p, r->file, r->line,
                   "%s: 'when' must be a function(ctx) or a helper such as is(\"x\", \"y\")",
                   r->what);
        lua_settop(r->L, w - 1);
        return;
    }
    edge->when_text = hb_xstrdup(lua_tostring(r->L, -1));
    lua_pop(r->L, 1);
    edge->when_ref = luaL_ref(r->L, LUA_REGISTRYINDEX); /* the test */
    lua_getfield(r->L, w, "fact");
    if (lua_type(r->L, -1) == LUA_TSTRING)
        edge->when_fact = hb_xstrdup(lua_tostring(r->L, -1));
    lua_pop(r->L, 1);
    lua_getfield(r->L, w, "values");
    if (lua_istable(r->L, -1)) {
        size_t n = lua_rawlen(r->L, -1);
        edge->when_values = hb_xcalloc(n ? n : 1, sizeof *edge->when_values);
        for (size_t i = 1; i <= n; i++) {
            lua_rawgeti(r->L, -1, (lua_Integer)i);
            edge->when_values[edge->nwhen_values++] = hb_xstrdup(luaL_tolstring(r->L, -1, NULL));
            lua_pop(r->L, 2);
        }
    }
    lua_settop(r->L, w - 1);
}

static char *description(reader *r, int idx)
{
    lua_rawgeti(r->L, idx, 1);
    char *d = NULL;
    if (lua_type(r->L, -1) == LUA_TSTRING)
        d = hb_xstrdup(lua_tostring(r->L, -1));
    else if (!lua_isnil(r->L, -1))
        hb_problem(r->p, r->file, r->line, "%s: its first item must be its description (a string)",
                   r->what);
    lua_pop(r->L, 1);
    return d;
}

static char **string_list(reader *r, int idx, const char *field, size_t *n_out)
{
    *n_out = 0;
    lua_getfield(r->L, idx, field);
    char **list = NULL;
    if (lua_istable(r->L, -1)) {
        size_t n = lua_rawlen(r->L, -1);
        list = hb_xcalloc(n + 1, sizeof *list);
        for (size_t i = 1; i <= n; i++) {
            lua_rawgeti(r->L, -1, (lua_Integer)i);
            if (lua_type(r->L, -1) == LUA_TSTRING)
                list[(*n_out)++] = hb_xstrdup(lua_tostring(r->L, -1));
            else
                hb_problem(r->p, r->file, r->line, "%s: %s must list strings", r->what, field);
            lua_pop(r->L, 1);
        }
    } else if (!lua_isnil(r->L, -1)) {
        hb_problem(r->p, r->file, r->line, "%s: %s must be a list of strings", r->what, field);
    }
    lua_pop(r->L, 1);
    return list;
}

static int compare_inputs(const void *a, const void *b)
{
    return strcmp(((const hb_input *)a)->name, ((const hb_input *)b)->name);
}

/* A table of name = "type" (or { type =, optional =, description = })
 * pairs: a workflow's inputs, an event's payload. `what` names it in
 * messages ("inputs", "payload"). */
static void read_typed(reader *r, int idx, const char *what, hb_input **out, size_t *n_out)
{
    static const char *const TYPES[] = {"integer", "number", "string", "boolean", "date", NULL};
    lua_getfield(r->L, idx, what);
    int t = lua_gettop(r->L);
    if (lua_istable(r->L, t)) {
        size_t cap = 8, n = 0;
        hb_input *list = hb_xcalloc(cap, sizeof *list);
        lua_pushnil(r->L);
        while (lua_next(r->L, t)) {
            if (lua_type(r->L, -2) != LUA_TSTRING) {
                hb_problem(r->p, r->file, r->line, "%s: %s are name = \"type\" pairs", r->what,
                           what);
                lua_pop(r->L, 1);
                continue;
            }
            if (n == cap) {
                cap *= 2;
                list = hb_xrealloc(list, cap * sizeof *list);
            }
            hb_input *in = &list[n++];
            memset(in, 0, sizeof *in);
            in->name = hb_xstrdup(lua_tostring(r->L, -2));
            const char *type = NULL;
            if (lua_type(r->L, -1) == LUA_TSTRING) {
                type = lua_tostring(r->L, -1);
            } else if (lua_istable(r->L, -1)) {
                lua_getfield(r->L, -1, "type");
                type = lua_tostring(r->L, -1);
                lua_pop(r->L, 1);
                lua_getfield(r->L, -1, "optional");
                in->optional = lua_toboolean(r->L, -1);
                lua_pop(r->L, 1);
                lua_getfield(r->L, -1, "description");
                if (lua_type(r->L, -1) == LUA_TSTRING)
                    in->description = hb_xstrdup(lua_tostring(r->L, -1));
                lua_pop(r->L, 1);
            }
            if (type) {
                size_t len = strlen(type);
                if (len && type[len - 1] == '?') {
                    in->optional = true;
                    len--;
                }
                in->type = hb_xstrndup(type, len);
            }
            if (!in->type || !in_list(TYPES, in->type))
                hb_problem(r->p, r->file, r->line,
                           "%s: %s '%s' must have a type: integer, number, string, boolean "
                           "or date (add ? for optional)",
                           r->what, !strcmp(what, "inputs") ? "input" : "payload field", in->name);
            lua_pop(r->L, 1);
        }
        qsort(list, n, sizeof *list, compare_inputs);
        *out = list;
        *n_out = n;
    } else if (!lua_isnil(r->L, t)) {
        hb_problem(r->p, r->file, r->line, "%s: %s must be a table { name = \"type\" }", r->what,
                   what);
    }
    lua_pop(r->L, 1);
}

/* `shows`: facts as "input.x", "vars.a.b", "answers.step", "events.step"
 * or a bare name (looked up as fact() does). */
static void read_shows(reader *r, int spec, hb_step *s)
{
    s->shows = string_list(r, spec, "shows", &s->nshows);
    static const char *const PLACES[] = {"input", "vars", "answers", "events", NULL};
    for (size_t i = 0; i < s->nshows; i++) {
        const char *f = s->shows[i], *dot = strchr(f, '.');
        char place[16] = "";
        if (dot && (size_t)(dot - f) < sizeof place)
            memcpy(place, f, (size_t)(dot - f));
        if (!*f || (dot && (!in_list(PLACES, place) || !dot[1])))
            hb_problem(r->p, r->file, r->line,
                       "%s: shows '%s' must be a fact: a name, or input.NAME, vars.NAME, "
                       "answers.STEP or events.STEP",
                       r->what, f);
    }
}

static void read_task(reader *r, int spec, hb_step *s)
{
    check_fields(r, spec, TASK_FIELDS, 1);
    s->run_ref = opt_function(r, spec, "run");
    if (s->run_ref == LUA_NOREF)
        hb_problem(r->p, r->file, r->line, "%s needs run = function(ctx) ... end", r->what);
    s->on_error = opt_string(r, spec, "on_error");
    s->retry_attempts = 1;
    lua_getfield(r->L, spec, "retry");
    if (lua_istable(r->L, -1)) {
        lua_getfield(r->L, -1, "attempts");
        if (lua_isinteger(r->L, -1) && lua_tointeger(r->L, -1) >= 1 &&
            lua_tointeger(r->L, -1) <= 100)
            s->retry_attempts = (int)lua_tointeger(r->L, -1);
        else if (!lua_isnil(r->L, -1))
            hb_problem(r->p, r->file, r->line, "%s: retry.attempts must be an integer 1..100",
                       r->what);
        lua_pop(r->L, 1);
        hb_timespec b = opt_duration(r, lua_gettop(r->L), "backoff");
        if (b.fn_ref != LUA_NOREF) {
            hb_problem(r->p, r->file, r->line, "%s: retry.backoff must be a literal duration",
                       r->what);
            luaL_unref(r->L, LUA_REGISTRYINDEX, b.fn_ref);
        }
        s->retry_backoff_us = b.literal_us;
        free(b.text);
    } else if (!lua_isnil(r->L, -1)) {
        hb_problem(r->p, r->file, r->line, "%s: retry must be a table {attempts=, backoff=}",
                   r->what);
    }
    lua_pop(r->L, 1);
}

static void read_choice(reader *r, int spec, hb_step *s)
{
    check_fields(r, spec, CHOICE_FIELDS, -1);
    lua_Integer n = (lua_Integer)lua_rawlen(r->L, spec);
    s->edges = hb_xcalloc((size_t)(n > 1 ? n - 1 : 1), sizeof *s->edges);
    static const char *const BRANCH_FIELDS[] = {"label", "when", "next", NULL};
    for (lua_Integer i = 2; i <= n; i++) {
        lua_rawgeti(r->L, spec, i);
        int b = lua_gettop(r->L);
        hb_edge *edge = &s->edges[s->nedges++];
        edge->when_ref = LUA_NOREF;
        edge->line = r->line;
        if (!lua_istable(r->L, b)) {
            hb_problem(r->p, r->file, r->line,
                       "%s: branch %lld must be a table { label = ..., when = ..., next = ... }",
                       r->what, (long long)(i - 1));
            lua_pop(r->L, 1);
            continue;
        }
        check_fields(r, b, BRANCH_FIELDS, 0);
        edge->label = opt_string(r, b, "label");
        edge->target = opt_string(r, b, "next");
        read_when(r, b, edge);
        if (!edge->label)
            hb_problem(r->p, r->file, r->line, "%s: branch %lld needs a label", r->what,
                       (long long)(i - 1));
        if (!edge->target)
            hb_problem(r->p, r->file, r->line, "%s: branch '%s' needs next = \"step\"", r->what,
                       edge->label ? edge->label : "?");
        lua_pop(r->L, 1);
    }
    if (s->nedges == 0)
        hb_problem(r->p, r->file, r->line, "%s needs at least one branch", r->what);
    for (size_t i = 0; i < s->nedges; i++) {
        if (s->edges[i].when_ref == LUA_NOREF && i + 1 < s->nedges)
            hb_problem(r->p, r->file, r->line,
                       "%s: the default branch '%s' (no `when`) must be the last one", r->what,
                       s->edges[i].label ? s->edges[i].label : "?");
    }
}

static void read_ask(reader *r, int spec, hb_step *s)
{
    check_fields(r, spec, ASK_FIELDS, 1);
    read_shows(r, spec, s);
    s->value_type = opt_string(r, spec, "value");
    lua_getfield(r->L, spec, "options");
    int opts = lua_gettop(r->L);
    if (lua_istable(r->L, opts)) {
        size_t n = lua_rawlen(r->L, opts);
        s->edges = hb_xcalloc(n ? n : 1, sizeof *s->edges);
        static const char *const OPTION_FIELDS[] = {"next", NULL};
        for (size_t i = 1; i <= n; i++) {
            lua_rawgeti(r->L, opts, (lua_Integer)i);
            hb_edge *edge = &s->edges[s->nedges++];
            edge->when_ref = LUA_NOREF;
            edge->line = r->line;
            if (lua_type(r->L, -1) == LUA_TSTRING) {
                edge->label = hb_xstrdup(lua_tostring(r->L, -1));
            } else if (lua_istable(r->L, -1)) {
                check_fields(r, lua_gettop(r->L), OPTION_FIELDS, 1);
                lua_rawgeti(r->L, -1, 1);
                if (lua_type(r->L, -1) == LUA_TSTRING)
                    edge->label = hb_xstrdup(lua_tostring(r->L, -1));
                lua_pop(r->L, 1);
                edge->target = opt_string(r, lua_gettop(r->L), "next");
            }
            if (!edge->label)
                hb_problem(r->p, r->file, r->line,
                           "%s: option %zu must be { \"value\", next = \"step\" }", r->what, i);
            for (size_t j = 0; edge->label && j + 1 < s->nedges; j++)
                if (s->edges[j].label && !strcmp(s->edges[j].label, edge->label))
                    hb_problem(r->p, r->file, r->line, "%s: option '%s' appears twice", r->what,
                               edge->label);
            lua_pop(r->L, 1);
        }
        if (n == 0)
            hb_problem(r->p, r->file, r->line, "%s: options is empty", r->what);
    } else if (!lua_isnil(r->L, opts)) {
        hb_problem(r->p, r->file, r->line, "%s: options must be a list", r->what);
    }
    lua_pop(r->L, 1);

    lua_getfield(r->L, spec, "choices");
    if (lua_isfunction(r->L, -1)) {
        s->choices_ref = luaL_ref(r->L, LUA_REGISTRYINDEX);
    } else {
        if (lua_istable(r->L, -1)) {
            size_t n = lua_rawlen(r->L, -1);
            s->choices = hb_xcalloc(n ? n : 1, sizeof *s->choices);
            for (size_t i = 1; i <= n; i++) {
                lua_rawgeti(r->L, -1, (lua_Integer)i);
                if (lua_type(r->L, -1) == LUA_TSTRING)
                    s->choices[s->nchoices++] = hb_xstrdup(lua_tostring(r->L, -1));
                else
                    hb_problem(r->p, r->file, r->line, "%s: choices must be strings", r->what);
                lua_pop(r->L, 1);
            }
        } else if (!lua_isnil(r->L, -1)) {
            hb_problem(r->p, r->file, r->line, "%s: choices must be a list or a function(ctx)",
                       r->what);
        }
        lua_pop(r->L, 1);
    }

    bool has_options = s->nedges > 0;
    if (has_options == (s->value_type != NULL))
        hb_problem(r->p, r->file, r->line,
                   "%s needs either options = { ... } or value = \"string\"|\"date\"|"
                   "\"integer\"|\"enum\"",
                   r->what);
    if (s->value_type) {
        static const char *const TYPES[] = {"string", "date", "integer", "enum", NULL};
        if (!in_list(TYPES, s->value_type))
            hb_problem(r->p, r->file, r->line,
                       "%s: value must be \"string\", \"date\", \"integer\" or \"enum\", not '%s'",
                       r->what, s->value_type);
        bool has_choices = s->choices_ref != LUA_NOREF || s->nchoices > 0;
        if (!strcmp(s->value_type, "enum") && !has_choices)
            hb_problem(r->p, r->file, r->line, "%s: an enum value needs choices", r->what);
    }
}

static void read_wait(reader *r, int spec, hb_step *s)
{
    check_fields(r, spec, WAIT_FIELDS, 1);
    read_shows(r, spec, s);
    s->event = opt_string(r, spec, "event");
    read_typed(r, spec, "payload", &s->payload, &s->npayload);
    if (s->npayload && !s->event)
        hb_problem(r->p, r->file, r->line, "%s: payload is only for event waits", r->what);
    s->condition_ref = opt_function(r, spec, "condition");
    s->after = opt_duration(r, spec, "after");
    s->at_ref = opt_function(r, spec, "at");
    s->timeout = opt_duration(r, spec, "timeout");
    s->on_timeout = opt_string(r, spec, "on_timeout");
    hb_timespec every = opt_duration(r, spec, "every");
    if (every.fn_ref != LUA_NOREF) {
        hb_problem(r->p, r->file, r->line, "%s: every must be a literal duration", r->what);
        luaL_unref(r->L, LUA_REGISTRYINDEX, every.fn_ref);
    }
    s->every_us = every.literal_us;
    free(every.text);
    int kinds = (s->event != NULL) + (s->condition_ref != LUA_NOREF) + s->after.set +
                (s->at_ref != LUA_NOREF);
    if (kinds != 1)
        hb_problem(r->p, r->file, r->line,
                   "%s needs exactly one of event = \"name\", condition = function(ctx), "
                   "after = \"24h\" or at = function(ctx)",
                   r->what);
    if (s->condition_ref != LUA_NOREF && s->every_us <= 0)
        hb_problem(r->p, r->file, r->line,
                   "%s: a condition wait needs every = \"1h\" (how often "
                   "to check)",
                   r->what);
    if (s->every_us > 0 && s->condition_ref == LUA_NOREF)
        hb_problem(r->p, r->file, r->line, "%s: every is only for condition waits", r->what);
    if (s->timeout.set && !s->on_timeout)
        hb_problem(r->p, r->file, r->line, "%s: a timeout needs on_timeout = \"step\"", r->what);
    if (s->on_timeout && !s->timeout.set)
        hb_problem(r->p, r->file, r->line, "%s: on_timeout needs a timeout", r->what);
}

static void read_step(reader *r, int item, hb_step *s)
{
    s->run_ref = LUA_NOREF;
    s->choices_ref = LUA_NOREF;
    s->condition_ref = LUA_NOREF;
    s->at_ref = LUA_NOREF;
    s->after.fn_ref = LUA_NOREF;
    s->timeout.fn_ref = LUA_NOREF;
    lua_getfield(r->L, item, "kind");
    const char *kind = lua_tostring(r->L, -1);
    lua_getfield(r->L, item, "id");
    s->id = hb_xstrdup(lua_tostring(r->L, -1));
    lua_getfield(r->L, item, "where");
    hb_split_where(lua_tostring(r->L, -1), &s->file, &s->line);
    lua_pop(r->L, 1);
    lua_getfield(r->L, item, "fragment");
    if (lua_type(r->L, -1) == LUA_TSTRING)
        s->fragment = hb_xstrdup(lua_tostring(r->L, -1));
    lua_pop(r->L, 1);
    lua_getfield(r->L, item, "spec");
    int spec = lua_gettop(r->L);

    char what[256];
    snprintf(what, sizeof what, "%s '%s'", kind, s->id);
    reader sr = {.L = r->L, .p = r->p, .file = s->file, .line = s->line, .what = what};
    s->description = description(&sr, spec);
    if (!strcmp(kind, "task")) {
        s->kind = HB_STEP_TASK;
        read_task(&sr, spec, s);
    } else if (!strcmp(kind, "choice")) {
        s->kind = HB_STEP_CHOICE;
        read_choice(&sr, spec, s);
    } else if (!strcmp(kind, "ask")) {
        s->kind = HB_STEP_ASK;
        read_ask(&sr, spec, s);
    } else if (!strcmp(kind, "wait")) {
        s->kind = HB_STEP_WAIT;
        read_wait(&sr, spec, s);
    } else if (!strcmp(kind, "succeed")) {
        s->kind = HB_STEP_SUCCEED;
        check_fields(&sr, spec, SUCCEED_FIELDS, 1);
        s->message = opt_string(&sr, spec, "message");
    } else {
        s->kind = HB_STEP_FAIL;
        check_fields(&sr, spec, FAIL_FIELDS, 1);
        s->message = opt_string(&sr, spec, "message");
    }
    if (s->kind != HB_STEP_CHOICE && s->kind != HB_STEP_SUCCEED && s->kind != HB_STEP_FAIL)
        s->next = opt_string(&sr, spec, "next");
    lua_pop(r->L, 3); /* spec, id, kind */
}

void hb_workflow_read(lua_State *L, hb_workflow *wf, hb_problems *p)
{
    int top = lua_gettop(L);
    lua_getfield(L, top, "name");
    wf->name = hb_xstrdup(lua_tostring(L, -1));
    lua_getfield(L, top, "where");
    char *file = NULL;
    hb_split_where(lua_tostring(L, -1), &file, &wf->line);
    free(file);
    lua_pop(L, 2);
    lua_getfield(L, top, "spec");
    int spec = lua_gettop(L);
    char what[256];
    snprintf(what, sizeof what, "workflow '%s'", wf->name);
    reader r = {.L = L, .p = p, .file = wf->file, .line = wf->line, .what = what};
    check_fields(&r, spec, WORKFLOW_FIELDS, -1);
    wf->title = opt_string(&r, spec, "title");
    wf->handbook = opt_string(&r, spec, "handbook");
    wf->uses = string_list(&r, spec, "uses", &wf->nuses);
    wf->forbid = string_list(&r, spec, "forbid", &wf->nforbid);
    for (size_t i = 0; i < wf->nuses; i++) {
        bool known = false;
        for (const char *const *k = hb_known_services; *k; k++)
            known = known || !strcmp(*k, wf->uses[i]);
        if (!known)
            hb_problem(p, wf->file, wf->line,
                       "%s: unknown service '%s' in uses (known: zendesk, gitlab, zuora, "
                       "salesforce)",
                       what, wf->uses[i]);
    }
    read_typed(&r, spec, "inputs", &wf->inputs, &wf->ninputs);

    lua_getfield(L, top, "steps");
    int steps = lua_gettop(L);
    size_t n = lua_rawlen(L, steps);
    wf->steps = hb_xcalloc(n ? n : 1, sizeof *wf->steps);
    for (size_t i = 1; i <= n; i++) {
        lua_rawgeti(L, steps, (lua_Integer)i);
        read_step(&r, lua_gettop(L), &wf->steps[wf->nsteps++]);
        lua_pop(L, 1);
    }
    lua_settop(L, top);
}
