/* Shared between workflow.c (load, free), workflow_read.c (Lua tables to C)
 * and workflow_check.c (graph validation). */
#ifndef HB_WORKFLOW_INTERNAL_H
#define HB_WORKFLOW_INTERNAL_H

#include <lua.h>

#include "hb/util.h"
#include "hb/workflow.h"

/* Problems are collected, one "file:line: message" per line, so an author
 * sees every mistake of a file at once. */
typedef struct hb_problems {
    hb_buf text;
    int count;
} hb_problems;

void hb_problem(hb_problems *p, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Reads the workflow table on top of the stack into wf. */
void hb_workflow_read(lua_State *L, hb_workflow *wf, hb_problems *p);

/* Builds wf->by_id (after reading, before checking). */
void hb_workflow_index(hb_workflow *wf);

/* Checks targets, reachability and termination. */
void hb_workflow_check(const hb_workflow *wf, hb_problems *p);

/* Splits "file:line" as recorded by the DSL. */
void hb_split_where(const char *where, char **file, int *line);

/* Frees a list of inputs (or payload fields) and their strings. */
void hb_inputs_free(hb_input *list, size_t n);

#endif
