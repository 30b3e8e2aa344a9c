/* The lint rules for one workflow file. Globals and inputs come from the
 * compiled chunk (chunk_facts.c) without running anything; the structure
 * rules are hb_workflow_load's own validation, so lint and the engine can
 * never disagree about what a valid workflow is. Loading runs the file's top
 * level in the sandbox, exactly as `hb run` would before its first step. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "hb/chunk_facts.h"
#include "hb/lint.h"
#include "hb/paths.h"
#include "hb/service_table.h"
#include "hb/workflow.h"
#include "lint_internal.h"

#define MAX_NAMES 256

/* What a workflow file's code may use: asked of the environment the loader
 * itself builds (the sandbox's allow-list, and the workflow language's
 * names, hb_dsl_globals, which the loader installs in it), never a list of
 * lint's own. Services join it when declared in `uses`. */
typedef struct lint_env {
    hb_lua *lua;
    const char *globals[MAX_NAMES];
    size_t nglobals;
} lint_env;

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

static const char *closest_known(const lint_env *env, const char *name, char **uses, size_t nuses)
{
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; i < env->nglobals; i++) {
        size_t d = hb_edit_distance(env->globals[i], name);
        if (d < best_d || (d == best_d && best && strcmp(env->globals[i], best) < 0)) {
            best_d = d;
            best = env->globals[i];
        }
    }
    for (size_t i = 0; i < nuses; i++) {
        size_t d = hb_edit_distance(uses[i], name);
        if (d < best_d) {
            best_d = d;
            best = uses[i];
        }
    }
    return best;
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

/* wf is NULL when the file did not load: services then count as declared,
 * since `uses` is unknown. */
static void check_globals(const lint_env *env, const lint_source *src, const hb_chunk_facts *f,
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

/* lib.member where lib is a library table of the environment (string,
 * os, json, ...): does the environment offer it? */
static void check_library_members(const lint_env *env, const lint_source *src,
                                  const hb_chunk_facts *f, hb_lint_report *r)
{
    for (size_t i = 0; i < f->nfields; i++) {
        const hb_field_use *u = &f->fields[i];
        bool repeat = false;
        for (size_t j = 0; j < i && !repeat; j++)
            repeat = f->fields[j].line == u->line && !strcmp(f->fields[j].global, u->global) &&
                     !strcmp(f->fields[j].field, u->field);
        const char *members[MAX_NAMES];
        size_t n = hb_lua_workflow_members(env->lua, u->global, members, MAX_NAMES);
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

/* A problem the loader found. A global the top level touches also fails
 * the load; the chunk walk has already reported it with a better message. */
static void add_load_problem(const lint_source *src, const hb_load_problem *q,
                             const hb_chunk_facts *f, hb_lint_report *r)
{
    if (strstr(q->message, "undeclared global") && !strcmp(q->file, src->path)) {
        for (size_t i = 0; i < f->nglobals; i++)
            if (f->globals[i].line == q->line && !f->globals[i].in_function)
                return;
    }
    hb_lint_add(r, q->file, q->line, 0, HB_LINT_ERROR, "structure", "%s", q->message);
}

/* Splits "file:line: message" as Lua reports a syntax error. */
static void add_located_message(const lint_source *src, const char *text, hb_lint_report *r)
{
    int line = 1;
    const char *msg = text;
    size_t plen = strlen(src->path);
    if (!strncmp(text, src->path, plen) && text[plen] == ':' &&
        isdigit((unsigned char)text[plen + 1])) {
        char *end;
        line = (int)strtol(text + plen + 1, &end, 10);
        msg = *end == ':' ? end + 1 : end;
        while (*msg == ' ')
            msg++;
    }
    hb_lint_add(r, src->path, line, 0, HB_LINT_ERROR, "syntax", "%s", msg);
}

hb_status hb_lint_file(const char *path, hb_lint_report *r, hb_err *e)
{
    size_t len;
    char *text = hb_read_file(path, &len, e);
    if (!text)
        return HB_EUSAGE;
    r->files++;
    lint_source src = {.path = path, .text = text, .len = len};
    hb_chunk_facts facts;
    hb_err ce;
    hb_status st = hb_chunk_facts_read(path, text, len, &facts, &ce);
    if (st == HB_EUSAGE) {
        add_located_message(&src, ce.msg, r);
        free(text);
        return HB_OK;
    }
    if (st != HB_OK) {
        free(text);
        return hb_err_set(e, st, "%s", ce.msg);
    }
    lint_env env = {0};
    char *dir = hb_dirname(path);
    env.lua = hb_workflow_sandbox_new(dir, &ce);
    free(dir);
    if (!env.lua) {
        hb_chunk_facts_free(&facts);
        free(text);
        return hb_err_set(e, ce.code ? ce.code : HB_EINTERNAL, "%s", ce.msg);
    }
    env.nglobals = hb_lua_workflow_globals(env.lua, env.globals, MAX_NAMES);
    hb_workflow *wf = NULL;
    hb_err le;
    hb_load_problems problems = {0};
    check_library_members(&env, &src, &facts, r);
    if (hb_workflow_load_file_report(path, &wf, &problems, &le) != HB_OK) {
        check_globals(&env, &src, &facts, NULL, r);
        hb_lint_check_services(&src, &facts, NULL, r);
        for (size_t i = 0; i < problems.n; i++)
            add_load_problem(&src, &problems.items[i], &facts, r);
        if (problems.n == 0) /* not even read: the limits or the file itself */
            add_located_message(&src, le.msg, r);
        hb_load_problems_free(&problems);
    } else {
        check_globals(&env, &src, &facts, wf, r);
        hb_lint_check_services(&src, &facts, wf, r);
        check_declarations(&src, &facts, wf, r);
        hb_workflow_free(wf);
    }
    hb_lua_free(env.lua);
    hb_chunk_facts_free(&facts);
    free(text);
    return HB_OK;
}
