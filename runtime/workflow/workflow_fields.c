/* The field readers of the workflow loader (workflow_read.c): raw access
 * only, so no metamethod of the file's tables runs, a type check before
 * every use, and each problem reported where the DSL says the table was
 * written. */
#include <lauxlib.h>
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

/* A stdlib table in the file's tables (choices = support.level_order) is
 * a read-only view: read the table it shows. */
int wf_unfreeze_top(lua_State *L)
{
    if (lua_type(L, -1) == LUA_TTABLE) {
        hb_lua_push_unfrozen(L, -1);
        lua_replace(L, -2);
    }
    return lua_type(L, -1);
}

/* t[name] without metamethods, pushed; returns its type. */
int wf_raw_field(lua_State *L, int t, const char *name)
{
    t = lua_absindex(L, t);
    lua_pushstring(L, name);
    lua_rawget(L, t);
    return wf_unfreeze_top(L);
}

/* t[i] without metamethods, pushed. */
int wf_raw_item(lua_State *L, int t, lua_Integer i)
{
    lua_rawgeti(L, t, i);
    return wf_unfreeze_top(L);
}

/* The string at idx when it is one without an embedded NUL, else NULL. */
const char *wf_plain_string(lua_State *L, int idx, size_t *len_out)
{
    if (lua_type(L, idx) != LUA_TSTRING)
        return NULL;
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    if (strlen(s) != len)
        return NULL;
    if (len_out)
        *len_out = len;
    return s;
}

/* How a value that is not a valid name reads in a message: a string
 * quoted with its control characters and NULs escaped (a message must not
 * break a line or a terminal), else its type. */
const char *wf_shown(lua_State *L, int idx, char *out, size_t cap)
{
    if (lua_type(L, idx) != LUA_TSTRING) {
        snprintf(out, cap, "a %s", luaL_typename(L, idx));
        return out;
    }
    size_t len, at = 0;
    const char *s = lua_tolstring(L, idx, &len);
    out[at++] = '\'';
    for (size_t i = 0; i < len && at + 8 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f || c == '\\')
            at += (size_t)snprintf(out + at, cap - at, c == '\\' ? "\\\\" : "\\x%02x", c);
        else
            out[at++] = (char)c;
        if (i + 1 < len && at + 8 >= cap)
            at += (size_t)snprintf(out + at, cap - at, "...");
    }
    snprintf(out + at, cap - at, "'");
    return out;
}

bool wf_in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (!strcmp(*list, s))
            return true;
    return false;
}

/* Reports string keys of the table at idx that the kind does not know, and
 * array items beyond max_array. */
void wf_check_fields(reader *r, int idx, const char *const *allowed, lua_Integer max_array)
{
    idx = lua_absindex(r->L, idx);
    lua_pushnil(r->L);
    while (lua_next(r->L, idx)) {
        if (lua_type(r->L, -2) == LUA_TSTRING) {
            const char *k = lua_tostring(r->L, -2);
            if (!wf_in_list(allowed, k))
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
char *wf_opt_string(reader *r, int idx, const char *field)
{
    wf_raw_field(r->L, idx, field);
    char *out = NULL;
    const char *text = wf_plain_string(r->L, -1, NULL);
    if (text)
        out = hb_xstrdup(text);
    else if (lua_type(r->L, -1) == LUA_TSTRING)
        hb_problem(r->p, r->file, r->line, "%s: '%s' holds a NUL byte", r->what, field);
    else if (!lua_isnil(r->L, -1))
        hb_problem(r->p, r->file, r->line, "%s: '%s' must be a string, not a %s", r->what, field,
                   luaL_typename(r->L, -1));
    lua_pop(r->L, 1);
    return out;
}

static bool printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return false;
    return true;
}

/* A field naming a step (next, on_error, on_timeout, a branch's target). A
 * name that cannot be a step's is a problem, so the file never runs; a
 * printable one is kept, so the review tools can show what the author
 * wrote (hb diff's "(undeclared done)" for a bare `next = done`). */
char *wf_opt_step_name(reader *r, int idx, const char *field)
{
    char *out = wf_opt_string(r, idx, field);
    if (out && !hb_workflow_name_valid(out, strlen(out))) {
        wf_raw_field(r->L, idx, field);
        char text[160];
        hb_problem(r->p, r->file, r->line,
                   "%s: '%s' must name a step (letters, digits, '_', '-' and '.'), not %s", r->what,
                   field, wf_shown(r->L, -1, text, sizeof text));
        lua_pop(r->L, 1);
        if (!printable(out)) {
            free(out);
            out = NULL;
        }
    }
    return out;
}

/* Function field as a registry reference, or LUA_NOREF. */
int wf_opt_function(reader *r, int idx, const char *field)
{
    wf_raw_field(r->L, idx, field);
    if (lua_isfunction(r->L, -1))
        return luaL_ref(r->L, LUA_REGISTRYINDEX);
    if (!lua_isnil(r->L, -1))
        hb_problem(r->p, r->file, r->line, "%s: '%s' must be a function, not a %s", r->what, field,
                   luaL_typename(r->L, -1));
    lua_pop(r->L, 1);
    return LUA_NOREF;
}

/* A duration given as a literal ("24h") or a function(ctx). */
hb_timespec wf_opt_duration(reader *r, int idx, const char *field)
{
    hb_timespec t = {.set = false, .literal_us = 0, .fn_ref = LUA_NOREF, .text = NULL};
    wf_raw_field(r->L, idx, field);
    if (lua_isfunction(r->L, -1)) {
        t.set = true;
        t.fn_ref = luaL_ref(r->L, LUA_REGISTRYINDEX);
        t.text = hb_xstrdup("function(ctx)");
        return t;
    }
    if (wf_plain_string(r->L, -1, NULL)) {
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

char *wf_description(reader *r, int idx)
{
    wf_raw_item(r->L, idx, 1);
    char *d = NULL;
    if (wf_plain_string(r->L, -1, NULL))
        d = hb_xstrdup(lua_tostring(r->L, -1));
    else if (!lua_isnil(r->L, -1))
        hb_problem(r->p, r->file, r->line, "%s: its first item must be its description (a string)",
                   r->what);
    lua_pop(r->L, 1);
    return d;
}

/* The values a `when` helper compares with, as text: strings, numbers and
 * booleans only (what when.lua accepts), so no __tostring of the file's runs. */
static void read_when_values(reader *r, int w, hb_edge *edge)
{
    if (wf_raw_field(r->L, w, "values") != LUA_TTABLE) {
        lua_pop(r->L, 1);
        return;
    }
    int values = lua_gettop(r->L);
    size_t n = lua_rawlen(r->L, values);
    edge->when_values = hb_xcalloc(n ? n : 1, sizeof *edge->when_values);
    for (size_t i = 1; i <= n; i++) {
        int type = wf_raw_item(r->L, values, (lua_Integer)i);
        if (type == LUA_TSTRING || type == LUA_TNUMBER || type == LUA_TBOOLEAN)
            edge->when_values[edge->nwhen_values++] = hb_xstrdup(luaL_tolstring(r->L, -1, NULL));
        else
            hb_problem(r->p, r->file, r->line,
                       "%s: a `when` helper compares with text, numbers or true/false, not a %s",
                       r->what, luaL_typename(r->L, -1));
        lua_settop(r->L, values);
    }
    lua_pop(r->L, 1);
}

/* A branch's `when`: a function(ctx), or a `when` helper's table { test =
 * function(ctx), text, fact, values } (stdlib/hb/when.lua) that says what
 * it compares, for graph, doc, diff and coverage. */
void wf_read_when(reader *r, int branch, hb_edge *edge)
{
    int type = wf_raw_field(r->L, branch, "when");
    int w = lua_gettop(r->L);
    if (type == LUA_TFUNCTION) {
        edge->when_ref = luaL_ref(r->L, LUA_REGISTRYINDEX);
        return;
    }
    if (type != LUA_TTABLE) {
        if (type != LUA_TNIL)
            hb_problem(r->p, r->file, r->line,
                       "%s: 'when' must be a function(ctx) or a helper such as is(\"x\", \"y\"), "
                       "not a %s",
                       r->what, luaL_typename(r->L, w));
        lua_pop(r->L, 1);
        return;
    }
    wf_raw_field(r->L, w, "test");
    wf_raw_field(r->L, w, "text");
    const char *text = wf_plain_string(r->L, -1, NULL);
    if (!lua_isfunction(r->L, -2) || !text) {
        hb_problem(r->p, r->file, r->line,
                   "%s: 'when' must be a function(ctx) or a helper such as is(\"x\", \"y\")",
                   r->what);
        lua_settop(r->L, w - 1);
        return;
    }
    edge->when_text = hb_xstrdup(text);
    lua_pop(r->L, 1);
    edge->when_ref = luaL_ref(r->L, LUA_REGISTRYINDEX); /* the test */
    wf_raw_field(r->L, w, "fact");
    const char *fact = wf_plain_string(r->L, -1, NULL);
    if (fact)
        edge->when_fact = hb_xstrdup(fact);
    lua_pop(r->L, 1);
    read_when_values(r, w, edge);
    lua_settop(r->L, w - 1);
}
