/* Reads the tables the DSL constructors built into hb_workflow. Every field
 * is checked for type here, and unknown fields are reported: a misspelt
 * `nxet` must not silently fall through to the following step.
 *
 * The file's Lua controls these tables, so nothing here trusts their shape:
 * fields are read raw (lua_rawget: no __index or __len of the file runs),
 * every value's type is checked before it is used, and a table that is not
 * what the DSL builds becomes a problem, never a crash. */
#include <lauxlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/service_table.h"
#include "workflow_internal.h"

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

/* A list of strings into *list / *n, which belong to wf from the start. */
static void string_list(reader *r, int idx, const char *field, char ***list, size_t *n)
{
    *n = 0;
    wf_raw_field(r->L, idx, field);
    if (lua_istable(r->L, -1)) {
        size_t len = lua_rawlen(r->L, -1);
        *list = hb_xcalloc(len + 1, sizeof **list);
        for (size_t i = 1; i <= len; i++) {
            wf_raw_item(r->L, -1, (lua_Integer)i);
            if (wf_plain_string(r->L, -1, NULL))
                (*list)[(*n)++] = hb_xstrdup(lua_tostring(r->L, -1));
            else
                hb_problem(r->p, r->file, r->line, "%s: %s must list strings", r->what, field);
            lua_pop(r->L, 1);
        }
    } else if (!lua_isnil(r->L, -1)) {
        hb_problem(r->p, r->file, r->line, "%s: %s must be a list of strings", r->what, field);
    }
    lua_pop(r->L, 1);
}

static int compare_inputs(const void *a, const void *b)
{
    return strcmp(((const hb_input *)a)->name, ((const hb_input *)b)->name);
}

/* A table of name = "type" (or { type =, optional =, description = })
 * pairs: a workflow's inputs, an event wait's payload. `what` is its field
 * ("inputs", "payload"), named in messages. */
static void read_typed(reader *r, int idx, const char *what, hb_input **out, size_t *n_out)
{
    static const char *const TYPES[] = {"integer", "number", "string", "boolean", "date", NULL};
    wf_raw_field(r->L, idx, what);
    int t = lua_gettop(r->L);
    if (lua_istable(r->L, t)) {
        size_t cap = 8, n = 0;
        hb_input *list = hb_xcalloc(cap, sizeof *list);
        lua_pushnil(r->L);
        while (lua_next(r->L, t)) {
            if (!wf_plain_string(r->L, -2, NULL)) {
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
                type = wf_plain_string(r->L, -1, NULL);
            } else if (lua_istable(r->L, -1)) {
                wf_raw_field(r->L, -1, "type");
                type = wf_plain_string(r->L, -1, NULL); /* kept alive by the table */
                lua_pop(r->L, 1);
                wf_raw_field(r->L, -1, "optional");
                in->optional = lua_toboolean(r->L, -1);
                lua_pop(r->L, 1);
                wf_raw_field(r->L, -1, "description");
                if (wf_plain_string(r->L, -1, NULL))
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
            if (!in->type || !wf_in_list(TYPES, in->type))
                hb_problem(r->p, r->file, r->line,
                           "%s: %s '%s' must have a type: integer, number, string, boolean "
                           "or date (add ? for optional)",
                           r->what, !strcmp(what, "inputs") ? "input" : "payload field", in->name);
            if (!in->type)
                in->type = hb_xstrdup("?");
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
    string_list(r, spec, "shows", &s->shows, &s->nshows);
    static const char *const PLACES[] = {"input", "vars", "answers", "events", NULL};
    for (size_t i = 0; i < s->nshows; i++) {
        const char *f = s->shows[i], *dot = strchr(f, '.');
        char place[16] = "";
        if (dot && (size_t)(dot - f) < sizeof place)
            memcpy(place, f, (size_t)(dot - f));
        if (!*f || (dot && (!wf_in_list(PLACES, place) || !dot[1])))
            hb_problem(r->p, r->file, r->line,
                       "%s: shows '%s' must be a fact: a name, or input.NAME, vars.NAME, "
                       "answers.STEP or events.STEP",
                       r->what, f);
    }
}

static void read_task(reader *r, int spec, hb_step *s)
{
    wf_check_fields(r, spec, TASK_FIELDS, 1);
    s->run_ref = wf_opt_function(r, spec, "run");
    if (s->run_ref == LUA_NOREF)
        hb_problem(r->p, r->file, r->line, "%s needs run = function(ctx) ... end", r->what);
    s->on_error = wf_opt_step_name(r, spec, "on_error");
    s->retry_attempts = 1;
    wf_raw_field(r->L, spec, "retry");
    if (lua_istable(r->L, -1)) {
        wf_raw_field(r->L, -1, "attempts");
        if (lua_isinteger(r->L, -1) && lua_tointeger(r->L, -1) >= 1 &&
            lua_tointeger(r->L, -1) <= 100)
            s->retry_attempts = (int)lua_tointeger(r->L, -1);
        else if (!lua_isnil(r->L, -1))
            hb_problem(r->p, r->file, r->line, "%s: retry.attempts must be an integer 1..100",
                       r->what);
        lua_pop(r->L, 1);
        hb_timespec b = wf_opt_duration(r, lua_gettop(r->L), "backoff");
        if (b.fn_ref != LUA_NOREF) {
            hb_problem(r->p, r->file, r->line, "%s: retry.backoff must be a literal duration",
                       r->what);
            luaL_unref(r->L, LUA_REGISTRYINDEX, b.fn_ref);
        }
        s->retry_backoff_us = b.literal_us;
        free(b.text);
        wf_raw_field(r->L, lua_gettop(r->L), "on");
        if (lua_type(r->L, -1) == LUA_TSTRING && !strcmp(lua_tostring(r->L, -1), "outage"))
            s->retry_outage_only = true;
        else if (!(lua_type(r->L, -1) == LUA_TSTRING && !strcmp(lua_tostring(r->L, -1), "any")) &&
                 !lua_isnil(r->L, -1))
            hb_problem(r->p, r->file, r->line, "%s: retry.on must be \"any\" or \"outage\"",
                       r->what);
        lua_pop(r->L, 1);
    } else if (!lua_isnil(r->L, -1)) {
        hb_problem(r->p, r->file, r->line, "%s: retry must be a table {attempts=, backoff=, on=}",
                   r->what);
    }
    lua_pop(r->L, 1);
}

static void read_choice(reader *r, int spec, hb_step *s)
{
    wf_check_fields(r, spec, CHOICE_FIELDS, -1);
    lua_Integer n = (lua_Integer)lua_rawlen(r->L, spec);
    s->edges = hb_xcalloc((size_t)(n > 1 ? n - 1 : 1), sizeof *s->edges);
    static const char *const BRANCH_FIELDS[] = {"label", "when", "next", NULL};
    for (lua_Integer i = 2; i <= n; i++) {
        wf_raw_item(r->L, spec, i);
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
        wf_check_fields(r, b, BRANCH_FIELDS, 0);
        edge->label = wf_opt_string(r, b, "label");
        edge->target = wf_opt_step_name(r, b, "next");
        wf_read_when(r, b, edge);
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
    wf_check_fields(r, spec, ASK_FIELDS, 1);
    read_shows(r, spec, s);
    s->value_type = wf_opt_string(r, spec, "value");
    wf_raw_field(r->L, spec, "options");
    int opts = lua_gettop(r->L);
    if (lua_istable(r->L, opts)) {
        size_t n = lua_rawlen(r->L, opts);
        s->edges = hb_xcalloc(n ? n : 1, sizeof *s->edges);
        static const char *const OPTION_FIELDS[] = {"next", NULL};
        for (size_t i = 1; i <= n; i++) {
            wf_raw_item(r->L, opts, (lua_Integer)i);
            hb_edge *edge = &s->edges[s->nedges++];
            edge->when_ref = LUA_NOREF;
            edge->line = r->line;
            if (wf_plain_string(r->L, -1, NULL)) {
                edge->label = hb_xstrdup(lua_tostring(r->L, -1));
            } else if (lua_istable(r->L, -1)) {
                wf_check_fields(r, lua_gettop(r->L), OPTION_FIELDS, 1);
                wf_raw_item(r->L, -1, 1);
                if (wf_plain_string(r->L, -1, NULL))
                    edge->label = hb_xstrdup(lua_tostring(r->L, -1));
                lua_pop(r->L, 1);
                edge->target = wf_opt_step_name(r, lua_gettop(r->L), "next");
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

    wf_raw_field(r->L, spec, "choices");
    if (lua_isfunction(r->L, -1)) {
        s->choices_ref = luaL_ref(r->L, LUA_REGISTRYINDEX);
    } else {
        if (lua_istable(r->L, -1)) {
            size_t n = lua_rawlen(r->L, -1);
            s->choices = hb_xcalloc(n ? n : 1, sizeof *s->choices);
            for (size_t i = 1; i <= n; i++) {
                wf_raw_item(r->L, -1, (lua_Integer)i);
                if (wf_plain_string(r->L, -1, NULL))
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
        if (!wf_in_list(TYPES, s->value_type))
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
    wf_check_fields(r, spec, WAIT_FIELDS, 1);
    read_shows(r, spec, s);
    s->event = wf_opt_string(r, spec, "event");
    read_typed(r, spec, "payload", &s->payload, &s->npayload);
    if (s->npayload && !s->event)
        hb_problem(r->p, r->file, r->line, "%s: payload is only for event waits", r->what);
    s->condition_ref = wf_opt_function(r, spec, "condition");
    s->after = wf_opt_duration(r, spec, "after");
    s->at_ref = wf_opt_function(r, spec, "at");
    s->timeout = wf_opt_duration(r, spec, "timeout");
    s->on_timeout = wf_opt_step_name(r, spec, "on_timeout");
    hb_timespec every = wf_opt_duration(r, spec, "every");
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

/* "file:line" as the DSL records it, when it is that. */
static void read_where(lua_State *L, int t, const char *fallback_file, char **file, int *line)
{
    wf_raw_field(L, t, "where");
    const char *where = wf_plain_string(L, -1, NULL);
    if (where && strrchr(where, ':')) {
        hb_split_where(where, file, line);
    } else {
        *file = hb_xstrdup(fallback_file);
        *line = 1;
    }
    lua_pop(L, 1);
}

static const char *const KINDS[] = {"task", "choice", "ask", "wait", "succeed", "fail", NULL};

/* Reads step number `pos` (the table at item) into s, which the caller has
 * already counted in wf, so everything allocated here is freed with wf. */
static bool read_step(reader *r, int item, size_t pos, hb_step *s)
{
    s->run_ref = LUA_NOREF;
    s->choices_ref = LUA_NOREF;
    s->condition_ref = LUA_NOREF;
    s->at_ref = LUA_NOREF;
    s->after.fn_ref = LUA_NOREF;
    s->timeout.fn_ref = LUA_NOREF;
    s->kind = HB_STEP_FAIL;
    if (!lua_istable(r->L, item)) {
        s->id = hb_xasprintf("#%zu", pos);
        s->file = hb_xstrdup(r->file);
        s->line = r->line;
        hb_problem(r->p, r->file, r->line,
                   "%s: step %zu is a %s, not a step (task, choice, ask, "
                   "wait, succeed or fail)",
                   r->what, pos, luaL_typename(r->L, item));
        return false;
    }
    read_where(r->L, item, r->file, &s->file, &s->line);
    wf_raw_field(r->L, item, "id");
    size_t idlen = 0;
    const char *id = wf_plain_string(r->L, -1, &idlen);
    if (id && hb_workflow_name_valid(id, idlen)) {
        s->id = hb_xstrdup(id);
    } else {
        char text[160];
        s->id = hb_xasprintf("#%zu", pos);
        hb_problem(r->p, s->file, s->line,
                   "step %zu needs an id of letters, digits, '_', '-' and '.' (at most 100, no "
                   "'..'), not %s",
                   pos, wf_shown(r->L, -1, text, sizeof text));
    }
    lua_pop(r->L, 1);
    wf_raw_field(r->L, item, "kind");
    const char *kind = wf_plain_string(r->L, -1, NULL);
    bool known = kind && wf_in_list(KINDS, kind);
    char kind_name[16];
    snprintf(kind_name, sizeof kind_name, "%s", kind && wf_in_list(KINDS, kind) ? kind : "step");
    if (!kind || !wf_in_list(KINDS, kind))
        hb_problem(r->p, s->file, s->line,
                   "step '%s' has %s%s%s: a step is a task, choice, ask, wait, succeed or fail",
                   s->id, kind ? "an unknown kind '" : "no kind", kind ? kind : "",
                   kind ? "'" : "");
    lua_pop(r->L, 1);
    wf_raw_field(r->L, item, "fragment"); /* the fragment it was included from */
    const char *fragment = wf_plain_string(r->L, -1, NULL);
    if (fragment)
        s->fragment = hb_xstrdup(fragment);
    lua_pop(r->L, 1);
    wf_raw_field(r->L, item, "spec");
    int spec = lua_gettop(r->L);
    char what[256];
    snprintf(what, sizeof what, "%s '%s'", kind_name, s->id);
    reader sr = {.L = r->L, .p = r->p, .file = s->file, .line = s->line, .what = what};
    if (!lua_istable(r->L, spec)) {
        hb_problem(r->p, s->file, s->line, "%s: its body is a %s, not a table", what,
                   luaL_typename(r->L, spec));
        lua_pop(r->L, 1);
        return known;
    }
    s->description = wf_description(&sr, spec);
    if (!strcmp(kind_name, "task")) {
        s->kind = HB_STEP_TASK;
        read_task(&sr, spec, s);
    } else if (!strcmp(kind_name, "choice")) {
        s->kind = HB_STEP_CHOICE;
        read_choice(&sr, spec, s);
    } else if (!strcmp(kind_name, "ask")) {
        s->kind = HB_STEP_ASK;
        read_ask(&sr, spec, s);
    } else if (!strcmp(kind_name, "wait")) {
        s->kind = HB_STEP_WAIT;
        read_wait(&sr, spec, s);
    } else if (!strcmp(kind_name, "succeed")) {
        s->kind = HB_STEP_SUCCEED;
        wf_check_fields(&sr, spec, SUCCEED_FIELDS, 1);
        s->message = wf_opt_string(&sr, spec, "message");
    } else if (!strcmp(kind_name, "fail")) {
        wf_check_fields(&sr, spec, FAIL_FIELDS, 1);
        s->message = wf_opt_string(&sr, spec, "message");
    }
    if (s->kind != HB_STEP_CHOICE && s->kind != HB_STEP_SUCCEED && s->kind != HB_STEP_FAIL)
        s->next = wf_opt_step_name(&sr, spec, "next");
    lua_pop(r->L, 1); /* spec */
    return known;
}

bool hb_workflow_read(lua_State *L, int idx, hb_workflow *wf, hb_problems *p)
{
    luaL_checkstack(L, 40, "reading a workflow");
    idx = lua_absindex(L, idx);
    int top = lua_gettop(L);
    wf->line = 1;
    bool is_workflow = false;
    if (lua_istable(L, idx)) {
        wf_raw_field(L, idx, "kind");
        const char *kind = wf_plain_string(L, -1, NULL);
        is_workflow = kind && !strcmp(kind, "workflow");
        lua_pop(L, 1);
    }
    if (!is_workflow) {
        wf->name = hb_xstrdup("?");
        hb_problem(p, wf->file, 1,
                   "the file must return a workflow: return workflow \"name\" { ... }");
        return false;
    }
    char *file = NULL;
    read_where(L, idx, wf->file, &file, &wf->line);
    free(file);
    wf_raw_field(L, idx, "name");
    size_t nlen = 0;
    const char *name = wf_plain_string(L, -1, &nlen);
    if (name && hb_workflow_name_valid(name, nlen)) {
        wf->name = hb_xstrdup(name);
    } else {
        char text[160];
        wf->name = hb_xstrdup("?");
        hb_problem(p, wf->file, wf->line,
                   "a workflow needs a name of letters, digits, '_', '-' and '.' (at most 100, "
                   "no '..'), not %s",
                   wf_shown(L, -1, text, sizeof text));
    }
    lua_pop(L, 1);
    char what[256];
    snprintf(what, sizeof what, "workflow '%s'", wf->name);
    reader r = {.L = L, .p = p, .file = wf->file, .line = wf->line, .what = what};
    wf_raw_field(L, idx, "spec");
    int spec = lua_gettop(L);
    if (lua_istable(L, spec)) {
        wf_check_fields(&r, spec, WORKFLOW_FIELDS, -1);
        wf->title = wf_opt_string(&r, spec, "title");
        wf->handbook = wf_opt_string(&r, spec, "handbook");
        string_list(&r, spec, "uses", &wf->uses, &wf->nuses);
        string_list(&r, spec, "forbid", &wf->forbid, &wf->nforbid);
        for (size_t i = 0; i < wf->nuses; i++)
            if (!hb_service_lookup(wf->uses[i]))
                hb_problem(p, wf->file, wf->line, "%s: unknown service '%s' in uses (known: %s)",
                           what, wf->uses[i], hb_service_names_text());
        read_typed(&r, spec, "inputs", &wf->inputs, &wf->ninputs);
    } else {
        hb_problem(p, wf->file, wf->line, "%s: its body is a %s, not a table", what,
                   luaL_typename(L, spec));
    }

    wf_raw_field(L, idx, "steps");
    int steps = lua_gettop(L);
    if (!lua_istable(L, steps)) {
        hb_problem(p, wf->file, wf->line, "%s: its steps are a %s, not a list of steps", what,
                   luaL_typename(L, steps));
        lua_settop(L, top);
        return false;
    }
    size_t n = lua_rawlen(L, steps);
    wf->steps = hb_xcalloc(n ? n : 1, sizeof *wf->steps);
    bool whole = true;
    for (size_t i = 1; i <= n; i++) {
        wf_raw_item(L, steps, (lua_Integer)i);
        hb_step *s = &wf->steps[wf->nsteps++];
        whole = read_step(&r, lua_gettop(L), i, s) && whole;
        lua_pop(L, 1);
    }
    lua_settop(L, top);
    return whole;
}
