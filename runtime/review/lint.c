/* The lint rules for one workflow file. Globals and inputs come from the
 * compiled chunk (chunk_facts.c) without running anything; the structure
 * rules are hb_workflow_load's own validation, so lint and the engine can
 * never disagree about what a valid workflow is. Loading runs the file's top
 * level in the sandbox, exactly as `hb run` would before its first step. */
#include <ctype.h>
#include <lauxlib.h>
#include <lualib.h>
#include <stdlib.h>
#include <string.h>

#include "hb/chunk_facts.h"
#include "hb/file_kind.h"
#include "hb/lint.h"
#include "hb/workflow.h"
#include "lint_internal.h"

/* The workflow environment: the sandbox allow-list, then what a workflow
 * file or a scenario file has on top of it. Services join a workflow's when
 * declared in `uses`. */
static const char *const SANDBOX_GLOBALS[] = {
    "assert",   "error",        "ipairs",       "next",           "pairs",    "pcall",
    "xpcall",   "print",        "rawequal",     "rawget",         "rawlen",   "rawset",
    "select",   "setmetatable", "getmetatable", "tonumber",       "tostring", "type",
    "_VERSION", "load",         "require",      "collectgarbage", "string",   "table",
    "math",     "utf8",         "coroutine",    "json",           "os",       NULL,
};
const char *const hb_lint_scenario_globals[] = {"scenarios", "scenario", NULL};

static bool in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (!strcmp(*list, s))
            return true;
    return false;
}

/* The sandbox's globals and the file kind's (the workflow language's,
 * hb_dsl_globals, or the scenario language's). */
static bool known_global(const char *const *extra, const char *s)
{
    return in_list(SANDBOX_GLOBALS, s) || in_list(extra, s);
}

static bool in_array(char **list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i], s))
            return true;
    return false;
}

static void closest_in(const char *const *list, const char *name, const char **best, size_t *best_d)
{
    for (const char *const *k = list; *k; k++) {
        size_t d = hb_edit_distance(*k, name);
        if (d < *best_d) {
            *best_d = d;
            *best = *k;
        }
    }
}

static const char *closest_known(const char *name, const char *const *extra, char **uses,
                                 size_t nuses)
{
    const char *best = NULL;
    size_t best_d = 3;
    closest_in(SANDBOX_GLOBALS, name, &best, &best_d);
    closest_in(extra, name, &best, &best_d);
    for (size_t i = 0; i < nuses; i++) {
        size_t d = hb_edit_distance(uses[i], name);
        if (d < best_d) {
            best_d = d;
            best = uses[i];
        }
    }
    return best;
}

static bool is_service(const char *name)
{
    return in_list(hb_known_services, name);
}

/* Does a `when` helper read the input: is("name", ...) (inputs come first
 * when a fact is looked up) or is("input.name", ...)? */
static bool helper_reads(const hb_workflow *wf, const char *input)
{
    for (size_t i = 0; i < wf->nsteps; i++)
        for (size_t k = 0; k < wf->steps[i].nedges; k++) {
            const char *fact = wf->steps[i].edges[k].when_fact;
            if (!fact)
                continue;
            if (!strncmp(fact, "input.", 6))
                fact += 6;
            size_t n = strlen(input);
            if (!strncmp(fact, input, n) && (fact[n] == '\0' || fact[n] == '.'))
                return true;
        }
    return false;
}

void hb_lint_check_globals(const lint_source *src, const hb_chunk_facts *f, const hb_workflow *wf,
                           const char *const *extra, hb_lint_report *r)
{
    char **uses = wf ? wf->uses : NULL;
    size_t nuses = wf ? wf->nuses : 0;
    for (size_t i = 0; i < f->nglobals; i++) {
        const hb_global_use *u = &f->globals[i];
        bool repeat = false;
        for (size_t j = 0; j < i && !repeat; j++)
            repeat = f->globals[j].line == u->line && f->globals[j].write == u->write &&
                     !strcmp(f->globals[j].name, u->name);
        if (repeat)
            continue;
        int col = hb_lint_column_of(src, u->line, u->name);
        if (u->write) {
            hb_lint_add(r, src->path, u->line, col, HB_LINT_ERROR, "global-assignment",
                        "assignment to global '%s': use a local, or ctx.vars to keep a value "
                        "between steps",
                        u->name);
        } else if (known_global(extra, u->name) || in_array(uses, nuses, u->name)) {
            continue;
        } else if (is_service(u->name)) {
            if (wf)
                hb_lint_add(r, src->path, u->line, col, HB_LINT_ERROR, "undeclared-service",
                            "service '%s' is used but not declared in uses (add it to uses = "
                            "{ ... })",
                            u->name);
        } else {
            const char *hint = closest_known(u->name, extra, uses, nuses);
            hb_lint_add(r, src->path, u->line, col, HB_LINT_ERROR, "undeclared-global",
                        "read of undeclared global '%s'%s%s%s", u->name,
                        hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
        }
    }
}

/* Members the sandbox leaves out of a library it otherwise offers, and the
 * members of hb's own json library. */
static const char *const OS_MEMBERS[] = {"time", "date", "clock", NULL};
static const char *const JSON_MEMBERS[] = {"encode", "decode", "null", "array", "object", NULL};
static const char *const STANDARD_LIBRARIES[] = {"string", "table",     "math",
                                                 "utf8",   "coroutine", NULL};

/* Is lib.member part of the standard library? Asked of a bare Lua state, so
 * the answer follows the Lua version hb runs. */
static bool standard_member(lua_State *L, const char *lib, const char *member)
{
    if (!strcmp(lib, "string") && !strcmp(member, "dump"))
        return false; /* the sandbox removes it: it would expose bytecode */
    lua_getglobal(L, lib);
    bool found = lua_istable(L, -1) && lua_getfield(L, -1, member) != LUA_TNIL;
    lua_settop(L, 0);
    return found;
}

void hb_lint_check_library_members(const lint_source *src, const hb_chunk_facts *f,
                                   hb_lint_report *r)
{
    lua_State *L = NULL;
    for (size_t i = 0; i < f->nfields; i++) {
        const hb_field_use *u = &f->fields[i];
        bool repeat = false;
        for (size_t j = 0; j < i && !repeat; j++)
            repeat = f->fields[j].line == u->line && !strcmp(f->fields[j].global, u->global) &&
                     !strcmp(f->fields[j].field, u->field);
        if (repeat)
            continue;
        int col = hb_lint_column_of(src, u->line, u->global);
        if (!strcmp(u->global, "os")) {
            if (!in_list(OS_MEMBERS, u->field))
                hb_lint_add(r, src->path, u->line, col, HB_LINT_ERROR, "unknown-member",
                            "os.%s is not available to workflows (os offers time, date and "
                            "clock)",
                            u->field);
        } else if (!strcmp(u->global, "json")) {
            if (!in_list(JSON_MEMBERS, u->field))
                hb_lint_add(r, src->path, u->line, col, HB_LINT_ERROR, "unknown-member",
                            "json.%s does not exist (json offers encode, decode, null, array "
                            "and object)",
                            u->field);
        } else if (in_list(STANDARD_LIBRARIES, u->global)) {
            if (!L) {
                L = luaL_newstate();
                if (!L)
                    return;
                luaL_openlibs(L);
            }
            if (!standard_member(L, u->global, u->field))
                hb_lint_add(r, src->path, u->line, col, HB_LINT_ERROR, "unknown-member",
                            "%s.%s is not available to workflows", u->global, u->field);
        }
    }
    if (L)
        lua_close(L);
}

static bool reads_global(const hb_chunk_facts *f, const char *name)
{
    for (size_t i = 0; i < f->nglobals; i++)
        if (!f->globals[i].write && !strcmp(f->globals[i].name, name))
            return true;
    return false;
}

static void check_declarations(const lint_source *src, const hb_chunk_facts *f,
                               const hb_workflow *wf, hb_lint_report *r)
{
    if (!wf->title)
        hb_lint_add(r, src->path, wf->line, 0, HB_LINT_WARNING, "missing-title",
                    "workflow '%s' has no title (title = \"what this process does\")", wf->name);
    if (!wf->handbook)
        hb_lint_add(r, src->path, wf->line, 0, HB_LINT_WARNING, "missing-handbook",
                    "workflow '%s' has no handbook reference (handbook = \"path/of/the/page\")",
                    wf->name);
    for (size_t i = 0; i < wf->nuses; i++) {
        if (reads_global(f, wf->uses[i]))
            continue;
        char *quoted = hb_xasprintf("\"%s\"", wf->uses[i]);
        int line = hb_lint_line_containing(src, wf->line, quoted);
        free(quoted);
        hb_lint_add(r, src->path, line, 0, HB_LINT_WARNING, "unused-service",
                    "service '%s' is declared in uses but never used: remove it, so the "
                    "workflow can reach only what it needs",
                    wf->uses[i]);
    }
    for (size_t i = 0; i < wf->ninputs && !f->input_opaque; i++) {
        const char *name = wf->inputs[i].name;
        if (in_array(f->input_fields, f->ninput_fields, name) || helper_reads(wf, name))
            continue;
        int line =
            hb_lint_line_assigning(src, hb_lint_line_assigning(src, wf->line, "inputs"), name);
        hb_lint_add(r, src->path, line, 0, HB_LINT_WARNING, "unused-input",
                    "input '%s' is never read (ctx.input.%s)", name, name);
    }
    for (size_t i = 0; i < wf->nsteps; i++) {
        const hb_step *s = &wf->steps[i];
        if (!s->description || !*s->description)
            hb_lint_add(r, src->path, s->line, 0, HB_LINT_WARNING, "missing-description",
                        "%s '%s' has no description: start its table with the handbook's words "
                        "for this step",
                        hb_step_kind_name(s->kind), s->id);
    }
}

/* The length of a "path.lua:" prefix of text that some other file (a lib
 * module the workflow requires) put there, or 0. */
static size_t other_file_prefix(const char *text)
{
    const char *dot = strstr(text, ".lua:");
    if (!dot || !isdigit((unsigned char)dot[5]) || memchr(text, ' ', (size_t)(dot - text)))
        return 0;
    return (size_t)(dot + 4 - text);
}

/* Splits "file:line: message" as the loader reports; the loader names the
 * file as it was given, so the prefix is known. A problem a lib module
 * raised while the file loaded (a misspelt message placeholder) is
 * reported at that module's own file:line. */
static void add_load_problem(const lint_source *src, const char *text, const hb_chunk_facts *f,
                             hb_lint_report *r)
{
    int line = 1;
    const char *msg = text;
    size_t plen = strlen(src->path);
    char *file = NULL;
    if (strncmp(text, src->path, plen) || text[plen] != ':') {
        plen = other_file_prefix(text);
        if (plen)
            file = hb_xstrndup(text, plen);
    }
    if (plen && !strncmp(text, file ? file : src->path, plen) && text[plen] == ':' &&
        isdigit((unsigned char)text[plen + 1])) {
        char *end;
        line = (int)strtol(text + plen + 1, &end, 10);
        msg = *end == ':' ? end + 1 : end;
        while (*msg == ' ')
            msg++;
    }
    if (file) {
        hb_lint_add(r, file, line, 0, HB_LINT_ERROR, "structure", "%s", msg);
        free(file);
        return;
    }
    /* A global the top level touches also fails the load; the chunk walk has
     * already reported it with a better message. */
    if (strstr(msg, "undeclared global")) {
        for (size_t i = 0; i < f->nglobals; i++)
            if (f->globals[i].line == line && !f->globals[i].in_function)
                return;
    }
    hb_lint_add(r, src->path, line, 0, HB_LINT_ERROR, "structure", "%s", msg);
}

void hb_lint_add_load_problems(const lint_source *src, const char *msg, const hb_chunk_facts *f,
                               hb_lint_report *r)
{
    char *copy = hb_xstrdup(msg);
    char *save = NULL;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
        if (*l)
            add_load_problem(src, l, f, r);
    free(copy);
}

static void add_syntax_problem(const lint_source *src, const char *msg, hb_lint_report *r)
{
    hb_chunk_facts none = {0};
    size_t before = r->n;
    add_load_problem(src, msg, &none, r);
    if (r->n > before)
        r->items[r->n - 1].check = "syntax";
}

hb_status hb_lint_open(const char *path, hb_lint_report *r, lint_source *src, hb_chunk_facts *facts,
                       hb_err *e)
{
    size_t len;
    char *text = hb_read_file(path, &len, e);
    if (!text)
        return HB_EUSAGE;
    r->files++;
    *src = (lint_source){.path = path, .text = text, .len = len};
    hb_err ce;
    hb_status st = hb_chunk_facts_read(path, text, len, facts, &ce);
    if (st == HB_EUSAGE) {
        add_syntax_problem(src, ce.msg, r);
        free(text);
        return HB_EFAILED;
    }
    if (st != HB_OK) {
        free(text);
        return hb_err_set(e, st, "%s", ce.msg);
    }
    return HB_OK;
}

hb_status hb_lint_file(const char *path, hb_lint_report *r, hb_err *e)
{
    hb_file_info info;
    hb_file_info_of(path, &info);
    hb_file_kind kind = info.kind;
    hb_file_info_free(&info);
    if (kind == HB_FILE_SCENARIOS)
        return hb_lint_scenario_file(path, r, e);
    lint_source src;
    hb_chunk_facts facts;
    hb_status st = hb_lint_open(path, r, &src, &facts, e);
    if (st != HB_OK)
        return st == HB_EFAILED ? HB_OK : st;
    hb_workflow *wf = NULL;
    hb_err le;
    hb_lint_check_library_members(&src, &facts, r);
    if (hb_workflow_load_file(path, &wf, &le) != HB_OK) {
        hb_lint_check_globals(&src, &facts, NULL, hb_dsl_globals, r);
        hb_lint_check_services(&src, &facts, NULL, r);
        hb_lint_add_load_problems(&src, le.msg, &facts, r);
    } else {
        hb_lint_check_globals(&src, &facts, wf, hb_dsl_globals, r);
        hb_lint_check_services(&src, &facts, wf, r);
        check_declarations(&src, &facts, wf, r);
        hb_workflow_free(wf);
    }
    hb_chunk_facts_free(&facts);
    free((char *)src.text);
    return HB_OK;
}
