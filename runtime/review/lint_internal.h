/* Shared by the lint rule files (lint.c, lint_services.c,
 * lint_scenarios.c) and the source position helpers (lint_source.c). */
#ifndef HB_LINT_INTERNAL_H
#define HB_LINT_INTERNAL_H

#include <stddef.h>

#include "hb/chunk_facts.h"
#include "hb/lint.h"
#include "hb/lua_host.h"
#include "hb/workflow.h"

typedef struct lint_source {
    const char *path;
    const char *text;
    size_t len;
} lint_source;

/* Column (1-based) of `name` used as a variable on the line, or 0. */
int hb_lint_column_of(const lint_source *src, int line, const char *name);
/* First line at or after `from` containing needle; else `from`. */
int hb_lint_line_containing(const lint_source *src, int from, const char *needle);
/* First line at or after `from` assigning the field `name`; else `from`. */
int hb_lint_line_assigning(const lint_source *src, int from, const char *name);

/* Service operations used and forbid entries, against what the bindings in
 * stdlib/ declare. wf is NULL when the file did not load. */
void hb_lint_check_services(const lint_source *src, const hb_chunk_facts *f, const hb_workflow *wf,
                            hb_lint_report *r);

#define HB_LINT_MAX_NAMES 256

/* What a file's code may use: asked of the environment its loader builds
 * (the sandbox's allow-list, and what the loader installs in it: the
 * workflow language's names, hb_dsl_globals, or the scenario language's),
 * never a list of lint's own. Services join a workflow's when declared in
 * `uses`. */
typedef struct lint_env {
    hb_lua *lua; /* the caller's */
    const char *globals[HB_LINT_MAX_NAMES];
    size_t nglobals;
} lint_env;

void hb_lint_env_read(lint_env *env, hb_lua *lua);

/* Reads and writes of globals the environment lacks. wf is NULL when the
 * file did not load (or is not a workflow): services then count as declared,
 * since `uses` is unknown. */
void hb_lint_check_globals(const lint_env *env, const lint_source *src, const hb_chunk_facts *f,
                           const hb_workflow *wf, hb_lint_report *r);
/* lib.member where lib is a library table of the environment (string, os,
 * json, ...): does the environment offer it? */
void hb_lint_check_library_members(const lint_env *env, const lint_source *src,
                                   const hb_chunk_facts *f, hb_lint_report *r);
/* A problem the loader found, as a `structure` problem (a bare global the
 * chunk walk already reported is left out). */
void hb_lint_add_load_problem(const lint_source *src, const hb_load_problem *q,
                              const hb_chunk_facts *f, hb_lint_report *r);
/* The same for each "file:line: message" line of a load's error text. */
void hb_lint_add_load_problems(const lint_source *src, const char *msg, const hb_chunk_facts *f,
                               hb_lint_report *r);

/* Reads and compiles a file to lint (counting it): HB_OK with src (its text
 * is the caller's to free) and facts; HB_EFAILED after reporting a syntax
 * error (nothing to free); HB_EUSAGE / HB_EINTERNAL with e set. */
hb_status hb_lint_open(const char *path, hb_lint_report *r, lint_source *src, hb_chunk_facts *facts,
                       hb_err *e);
/* hb_lint_open, then the environment of lua (the sandbox the file runs in,
 * NULL when making it failed with lua_err) and the library-member check.
 * Takes lua: on any status but HB_OK it is freed and nothing else is held. */
hb_status hb_lint_begin(const char *path, hb_lua *lua, const hb_err *lua_err, hb_lint_report *r,
                        lint_source *src, hb_chunk_facts *facts, lint_env *env, hb_err *e);

/* A scenario file (lint_scenarios.c): the checks above with the scenario
 * language's globals, what loading it reports, and every step, input,
 * answer, event and status it names against its workflow. */
hb_status hb_lint_scenario_file(const char *path, hb_lint_report *r, hb_err *e);

#endif
