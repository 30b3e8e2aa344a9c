/* The Lua host seen from the layers that must not touch Lua (engine/, cli/,
 * and hb serve to come): a run's ctx table, calls of a workflow's functions
 * with it and their results as C values, and hb call's operations. No Lua
 * type crosses this header. Every call runs under hb_lua_pcall (the limits
 * armed, errors as "file:line: message") and leaves the Lua stack as it
 * found it, so a caller never counts stack slots.
 *
 * Status conventions of the calls below:
 *  HB_OK       the function returned a value of the kind asked for;
 *  HB_EFAILED  it raised: e->msg as hb_lua_pcall words it, *traceback (when
 *              not NULL) the traceback or NULL;
 *  HB_EUSAGE   it returned something else: e->msg says what is wrong with
 *              it ("must return a list of strings", "'soon' is not a
 *              duration ..."), for the caller to prefix with what it is. */
#ifndef HB_LUA_CALL_H
#define HB_LUA_CALL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "hb/clock.h"
#include "hb/error.h"
#include "hb/lua_host.h"

/* A step's absent function: the value of LUA_NOREF, which the workflow
 * model stores (lua_call.c checks the two agree). */
#define HB_LUA_NOREF (-2)

/* Runs require(module) and makes the module a global of the workflow
 * environment (a service a workflow declares in `uses`). */
hb_status hb_lua_expose_module(hb_lua *h, const char *module, hb_err *e);

/* ---- ctx: the table a run's functions receive ----------------------------
 * ctx.input, ctx.vars, ctx.answers and ctx.events hold the run's JSON;
 * ctx.run = {id, actor, target, dry_run, workflow}; ctx.now() and
 * ctx.log(...) call back into the embedder. */
typedef struct hb_lua_ctx hb_lua_ctx;

typedef struct hb_lua_ctx_init {
    const char *input_json; /* objects as JSON text; NULL or "" = {} */
    const char *vars_json;
    const char *answers_json;
    const char *events_json;
    const char *run_id;
    const char *actor;
    const char *target; /* "live" or "sandbox" */
    const char *workflow;
    bool dry_run;
    /* ctx.now(): the run's clock, shown to the second (2026-11-22T10:00:00Z). */
    const hb_clock *clock;
    /* ctx.log(...): the arguments joined by spaces. A status other than
     * HB_OK becomes a Lua error "ctx.log could not write the audit trail". */
    hb_status (*log)(void *ud, const char *message, hb_err *e);
    void *log_ud;
} hb_lua_ctx_init;

/* Builds ctx in h; HB_EUSAGE naming the part whose stored JSON is bad.
 * The strings are copied into Lua; clock and log_ud must outlive ctx. */
hb_status hb_lua_ctx_new(hb_lua *h, const hb_lua_ctx_init *init, hb_lua_ctx **out, hb_err *e);
/* Releases ctx (before its state is closed). NULL is fine. */
void hb_lua_ctx_free(hb_lua_ctx *c);

/* The tables of ctx a run keeps at every checkpoint. */
typedef enum hb_lua_ctx_table {
    HB_CTX_VARS,
    HB_CTX_ANSWERS,
    HB_CTX_EVENTS,
} hb_lua_ctx_table;

/* ctx.<table>[key] = the value of the JSON text. HB_EUSAGE when the text
 * is not JSON ("invalid JSON at line L, column C (byte B)") or holds a
 * number Lua cannot keep exactly. */
hb_status hb_lua_ctx_set(hb_lua_ctx *c, hb_lua_ctx_table t, const char *key, const char *json,
                         hb_err *e);
/* ctx.<table> as JSON text (newly allocated). HB_EFAILED "cannot
 * checkpoint: ..." naming the value JSON cannot hold, or saying the table
 * must stay a table of named values. */
hb_status hb_lua_ctx_snapshot(hb_lua_ctx *c, hb_lua_ctx_table t, char **json_out, hb_err *e);

/* fn(ctx) for the function behind registry reference ref; the result: */
/* ... ignored (a task's run). */
hb_status hb_lua_ctx_call(hb_lua_ctx *c, int ref, char **traceback, hb_err *e);
/* ... as Lua truth (when, condition). */
hb_status hb_lua_ctx_call_bool(hb_lua_ctx *c, int ref, bool *out, char **traceback, hb_err *e);
/* ... a string or a number as text, newly allocated; *out NULL for any
 * other value (at). */
hb_status hb_lua_ctx_call_string(hb_lua_ctx *c, int ref, char **out, char **traceback, hb_err *e);
/* ... a list: a NULL-terminated array of its items as text (an item that
 * is neither string nor number is ""), newly allocated (choices). */
hb_status hb_lua_ctx_call_list(hb_lua_ctx *c, int ref, char ***out, char **traceback, hb_err *e);
/* ... a duration in microseconds: "8h" (hb_duration_parse) or a whole
 * number of seconds (timeout, after). */
hb_status hb_lua_ctx_call_duration(hb_lua_ctx *c, int ref, int64_t *us_out, char **traceback,
                                   hb_err *e);
/* ... as JSON (newly allocated; HB_EUSAGE with the path of what JSON
 * cannot hold). */
hb_status hb_lua_ctx_call_json(hb_lua_ctx *c, int ref, cJSON **out, char **traceback, hb_err *e);

/* Frees a list of hb_lua_ctx_call_list. NULL is fine. */
void hb_lua_list_free(char **list);

/* ---- hb call: one operation of a service's stdlib module -----------------
 * The operation is module.<path> ("zendesk" and "tickets.get"): a function
 * reached through tables, whose name does not start with '_'. Which
 * operations exist is the C operation table's (services/service_table.c),
 * which the caller asks first; this finds the module's function. */

/* HB_OK when it exists, HB_EUSAGE when it does not, HB_EFAILED when the
 * module does not load. */
hb_status hb_lua_operation_find(hb_lua *h, const char *module, const char *path, hb_err *e);
/* Calls it in the stdlib environment with the items of args (a JSON array)
 * as its arguments. A list operation returns an iterator: every item of
 * every page is drained into one array. A get-style read that returns
 * nil, err raises err. On HB_OK *result is the value as JSON. On
 * HB_EFAILED *error is the uniform error ({service, status, code, ...}) as
 * JSON when that is what was raised (else NULL), and e->msg its own words
 * ("zuora answered 200 50000040: ..."), not the caller's position. */
hb_status hb_lua_operation_call(hb_lua *h, const char *module, const char *path, const cJSON *args,
                                cJSON **result, cJSON **error, hb_err *e);

#endif
