/* Shared between workflow.c (load, free), workflow_read.c (Lua tables to
 * C), workflow_fields.c (reading one field) and workflow_check.c (graph
 * validation). */
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

/* workflow_fields.c: reading one table of a workflow file, for
 * workflow_read.c. Every read is raw and every value's type is checked;
 * problems name r->what ("task 'read_ticket'") at r->file:r->line. */
typedef struct reader {
    lua_State *L;
    hb_problems *p;
    const char *file;
    int line;
    const char *what; /* "task 'read_ticket'" */
} reader;

int wf_unfreeze_top(lua_State *L);                       /* a stdlib view -> what it shows */
int wf_raw_field(lua_State *L, int t, const char *name); /* pushes t[name]; its type */
int wf_raw_item(lua_State *L, int t, lua_Integer i);     /* pushes t[i]; its type */
/* The string at idx when it is one without an embedded NUL, else NULL. */
const char *wf_plain_string(lua_State *L, int idx, size_t *len_out);
/* A value that is not a valid name as a message shows it: quoted and
 * escaped, or its type. */
const char *wf_shown(lua_State *L, int idx, char *out, size_t cap);
bool wf_in_list(const char *const *list, const char *s);
/* Reports string keys not in allowed and array items beyond max_array
 * (-1: any). */
void wf_check_fields(reader *r, int idx, const char *const *allowed, lua_Integer max_array);
char *wf_opt_string(reader *r, int idx, const char *field);
char *wf_opt_step_name(reader *r, int idx, const char *field); /* a valid step name */
int wf_opt_function(reader *r, int idx, const char *field);    /* a registry ref or LUA_NOREF */
hb_timespec wf_opt_duration(reader *r, int idx, const char *field);
char *wf_description(reader *r, int idx); /* array item 1 */
/* A branch's `when` into edge: a function(ctx), or a `when` helper's
 * table (stdlib/hb/when.lua) with what it compares. */
void wf_read_when(reader *r, int branch, hb_edge *edge);

/* Frees a list of inputs (or payload fields) and their strings. */
void hb_inputs_free(hb_input *list, size_t n);

#endif
