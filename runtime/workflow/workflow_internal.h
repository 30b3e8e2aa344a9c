/* Shared between workflow.c (load, free), workflow_read.c (Lua tables to C)
 * and workflow_check.c (graph validation). */
#ifndef HB_WORKFLOW_INTERNAL_H
#define HB_WORKFLOW_INTERNAL_H

#include <lua.h>

#include "hb/util.h"
#include "hb/workflow.h"

/* Problems are collected, so an author sees every mistake of a file at
 * once. */
typedef hb_load_problems hb_problems;

void hb_problem(hb_problems *p, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Reads the value at idx, which the file returned, into wf: with raw
 * access only (no metamethod of the file's tables runs), checking the type
 * of everything, so a hand-made or mutated table is a list of problems.
 * Runs inside a protected call: Lua may raise (memory), and everything it
 * allocates is already owned by wf or p when it does. True when every step
 * was read with a kind and an id, so that the graph can be checked. */
bool hb_workflow_read(lua_State *L, int idx, hb_workflow *wf, hb_problems *p);

/* Builds wf->by_id (after reading, before checking). */
void hb_workflow_index(hb_workflow *wf);

/* Checks targets, reachability and termination. */
void hb_workflow_check(const hb_workflow *wf, hb_problems *p);

/* Splits "file:line" as recorded by the DSL. */
void hb_split_where(const char *where, char **file, int *line);

#endif
