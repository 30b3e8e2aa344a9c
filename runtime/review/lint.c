/* The lint rules for one workflow file. Globals and inputs come from the
 * compiled chunk (chunk_facts.c) without running anything; the structure
 * rules are hb_workflow_load's own validation, so lint and the engine can
 * never disagree about what a valid workflow is. Loading runs the file's top
 * level in the sandbox, exactly as `hb run` would before its first step. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "hb/chunk_facts.h"
#include "hb/file_kind.h"
#include "hb/lint.h"
#include "hb/paths.h"
#include "hb/service_table.h"
#include "hb/workflow.h"
#include "lint_internal.h"

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void hb_lint_env_read(lint_env *env, hb_lua *lua)
{
    env->lua = lua;
    env->nglobals = hb_lua_workflow_globals(lua, env->globals, HB_LINT_MAX_NAMES);
    /* The environment gives its names in table order, which varies from run
     * to run; sorted, a "did you mean" between equally close names is the
     * same every time. */
    qsort(env->globals, env->nglobals, sizeof env->globals[0], compare_names);
}

static bool in_list(const char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i], s))
            return true;
    return false;
}

static bool in_array(char **list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i], s))
            return true;
    return false;
}

/* The nearest global, or a nearer service from `uses` (a misspelt service
 * is more likely what was meant than a global at the same distance). */
static const char *closest_known(const lint_env *env, const char *name, char **uses, size_t nuses)
{
    const char *best = hb_closest_name(env->globals, env->nglobals, name, 2);
    size_t limit = best ? hb_edit_distance(best, name) : 3;
    if (limit == 0)
        return best;
    const char *use = hb_closest_name((const char *const *)uses, nuses, name, limit - 1);
    return use ? use : best;
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

void hb_lint_check_globals(const lint_env *env, const lint_source *src, const hb_chunk_facts *f,
                           const hb_workflow *wf, hb_lint_report *r)
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
        } else if (in_list(env->globals, env->nglobals, u->name) ||
                   in_array(uses, nuses, u->name)) {
            continue;
        } else if (hb_service_lookup(u->name)) {
            if (wf)
                hb_lint_add(r, src->path, u->line, col, HB_LINT_ERROR, "undeclared-service",
                            "service '%s' is used but not declared in uses (add it to uses = "
                            "{ ... })",
                            u->name);
        } else {
            const char *hint = closest_known(env, u->name, uses, nuses);
            hb_lint_add(r, src->path, u->line, col, HB_LINT_ERROR, "undeclared-global",
                        "read of undeclared global '%s'%s%s%s", u->name,
                        hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
        }
    }
}

void hb_lint_check_library_members(const lint_env *env, const lint_source *src,
                                   const hb_chunk_facts *f, hb_lint_report *r)
{
    for (size_t i = 0; i < f->nfields; i++) {
        const hb_field_use *u = &f->fields[i];
        bool repeat = false;
        for (size_t j = 0; j < i && !repeat; j++)
            repeat = f->fields[j].line == u->line && !strcmp(f->fields[j].global, u->global) &&
                     !strcmp(f->fields[j].field, u->field);
        const char *members[HB_LINT_MAX_NAMES];
        size_t n = hb_lua_workflow_members(env->lua, u->global, members, HB_LINT_MAX_NAMES);
        if (repeat || n == 0 || hb_lua_workflow_member(env->lua, u->global, u->field))
            continue;
        hb_buf offers;
        hb_buf_init(&offers);
        hb_buf_puts(&offers, "");
        if (n <= 5) { /* a short list says what there is */
            hb_buf_printf(&offers, " (%s offers ", u->global);
            for (size_t k = 0; k < n; k++)
                hb_buf_printf(&offers, "%s%s",
                              k == 0       ? ""
                              : k + 1 == n ? " and "
                                           : ", ",
                              members[k]);
            hb_buf_puts(&offers, ")");
        }
        hb_lint_add(r, src->path, u->line, hb_lint_column_of(src, u->line, u->global),
                    HB_LINT_ERROR, "unknown-member", "%s.%s is not available to workflows%s",
                    u->global, u->field, offers.data);
        hb_buf_free(&offers);
    }
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

void hb_lint_add_load_problem(const lint_source *src, const hb_load_problem *q,
                              const hb_chunk_facts *f, hb_lint_report *r)
{
    /* A global the top level touches also fails the load; the chunk walk has
     * already reported it with a better message. */
    if (strstr(q->message, "undeclared global") && !strcmp(q->file, src->path)) {
        for (size_t i = 0; i < f->nglobals; i++)
            if (f->globals[i].line == q->line && !f->globals[i].in_function)
                return;
    }
    hb_lint_add(r, q->file, q->line, 0, HB_LINT_ERROR, "structure", "%s", q->message);
}

/* Splits "file:line: message" as Lua and the loader write it: the file is
 * src's own or one it required (a lib module); without a location, src's
 * first line. *file points into text or is src->path. */
static const char *split_located(const lint_source *src, const char *text, char **file, int *line)
{
    *file = NULL;
    *line = 1;
    size_t plen = strlen(src->path);
    const char *from = strncmp(text, src->path, plen) ? text : text + plen;
    for (const char *c = strchr(from, ':'); c; c = strchr(c + 1, ':')) {
        const char *d = c + 1;
        while (isdigit((unsigned char)*d))
            d++;
        if (d > c + 1 && *d == ':' && c > text &&
            (from > text || !memchr(text, ' ', (size_t)(c - text)))) {
            *file = hb_xstrndup(text, (size_t)(c - text));
            *line = atoi(c + 1);
            text = d + 1;
            break;
        }
    }
    while (*text == ' ')
        text++;
    if (!*file)
        *file = hb_xstrdup(src->path);
    return text;
}

void hb_lint_add_load_problems(const lint_source *src, const char *msg, const hb_chunk_facts *f,
                               hb_lint_report *r)
{
    char *copy = hb_xstrdup(msg);
    char *save = NULL;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (!*l)
            continue;
        hb_load_problem q;
        q.message = (char *)split_located(src, l, &q.file, &q.line);
        hb_lint_add_load_problem(src, &q, f, r);
        free(q.file);
    }
    free(copy);
}

/* A syntax error, "file:line: message" as Lua reports it. */
static void add_syntax_problem(const lint_source *src, const char *text, hb_lint_report *r)
{
    char *file;
    int line;
    const char *msg = split_located(src, text, &file, &line);
    hb_lint_add(r, file, line, 0, HB_LINT_ERROR, "syntax", "%s", msg);
    free(file);
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

hb_status hb_lint_begin(const char *path, hb_lua *lua, const hb_err *lua_err, hb_lint_report *r,
                        lint_source *src, hb_chunk_facts *facts, lint_env *env, hb_err *e)
{
    if (!lua)
        return hb_err_set(e, lua_err->code ? lua_err->code : HB_EINTERNAL, "%s", lua_err->msg);
    hb_status st = hb_lint_open(path, r, src, facts, e);
    if (st != HB_OK) {
        hb_lua_free(lua);
        return st;
    }
    hb_lint_env_read(env, lua);
    hb_lint_check_library_members(env, src, facts, r);
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
    hb_err ce;
    char *dir = hb_dirname(path);
    hb_lua *lua = hb_workflow_sandbox_new(dir, &ce);
    free(dir);
    lint_source src;
    hb_chunk_facts facts;
    lint_env env;
    hb_status st = hb_lint_begin(path, lua, &ce, r, &src, &facts, &env, e);
    if (st != HB_OK)
        return st == HB_EFAILED ? HB_OK : st;
    hb_workflow *wf = NULL;
    hb_err le;
    hb_load_problems problems = {0};
    if (hb_workflow_load_file_report(path, &wf, &problems, &le) != HB_OK) {
        hb_lint_check_globals(&env, &src, &facts, NULL, r);
        hb_lint_check_services(&src, &facts, NULL, r);
        for (size_t i = 0; i < problems.n; i++)
            hb_lint_add_load_problem(&src, &problems.items[i], &facts, r);
        if (problems.n == 0) /* not even read: the limits or the file itself */
            hb_lint_add_load_problems(&src, le.msg, &facts, r);
        hb_load_problems_free(&problems);
    } else {
        hb_lint_check_globals(&env, &src, &facts, wf, r);
        hb_lint_check_services(&src, &facts, wf, r);
        check_declarations(&src, &facts, wf, r);
        hb_workflow_free(wf);
    }
    hb_lua_free(lua);
    hb_chunk_facts_free(&facts);
    free((char *)src.text);
    return HB_OK;
}
