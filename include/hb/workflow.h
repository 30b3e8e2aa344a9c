/* A workflow's static structure, read from the table a workflow file returns
 * (the DSL of README "The workflow format"). The engine runs it; graph,
 * lint, diff and doc read the same structure without running anything.
 *
 * Functions in the file (run, when, condition, choices, timeout/after/at)
 * stay in the Lua state; steps hold registry references to them (LUA_NOREF
 * when absent). A workflow loaded for static use still needs its state for
 * those references, so hb_workflow owns the hb_lua it was loaded into. */
#ifndef HB_WORKFLOW_H
#define HB_WORKFLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hb/error.h"
#include "hb/lua_host.h"

typedef enum hb_step_kind {
    HB_STEP_TASK,
    HB_STEP_CHOICE,
    HB_STEP_ASK,
    HB_STEP_WAIT,
    HB_STEP_SUCCEED,
    HB_STEP_FAIL,
} hb_step_kind;

const char *hb_step_kind_name(hb_step_kind k);

/* A labelled way out of a step: a choice branch, an ask option. */
typedef struct hb_edge {
    char *label;  /* branch label, or the option's value */
    char *target; /* step id; NULL = the following step */
    int when_ref; /* choice: the `when` function, LUA_NOREF for the default */
    int line;
    /* A `when` helper (`is("request", "merge")`, stdlib/hb/when.lua) says
     * what it compares, so the tools show the comparison instead of the
     * helper's code: its text ('request == "merge"'), the fact it reads and
     * the values it compares with. All NULL / 0 for a plain function. */
    char *when_text;
    char *when_fact;
    char **when_values;
    size_t nwhen_values;
} hb_edge;

/* A named, typed value: a workflow's input, a field of an event's payload. */
typedef struct hb_input {
    char *name;
    char *type; /* integer number string boolean date */
    bool optional;
    char *description;
} hb_input;

/* A time given as a literal duration or computed by a function(ctx). */
typedef struct hb_timespec {
    bool set;
    int64_t literal_us; /* duration when fn_ref is LUA_NOREF */
    int fn_ref;         /* returns a duration ("8h") or, for `at`, an ISO time */
    char *text;         /* the literal as written, for display */
} hb_timespec;

typedef struct hb_step {
    hb_step_kind kind;
    char *id;
    char *description; /* the first array item of the step table */
    char *file;
    int line;
    char *fragment; /* the fragment the step was included from, or NULL */
    char *next;     /* explicit `next`, or NULL: fall through to the following step */

    /* task */
    int run_ref;
    int retry_attempts; /* total attempts, >= 1 */
    int64_t retry_backoff_us;
    /* retry.on = "outage": only an attempt whose last failed service call
     * was an outage (unreachable, 408, 429, 5xx) is tried again; a refusal
     * ("no such ticket") or a bug fails at once instead of after the
     * backoff. Decided in C from the call's result, not from the error Lua
     * raised. */
    bool retry_outage_only;
    char *on_error;

    /* choice branches / ask options */
    hb_edge *edges;
    size_t nedges;

    /* ask collecting a value */
    char *value_type; /* "string" "date" "integer" "enum", or NULL for options */
    int choices_ref;  /* function(ctx) returning the enum's values, or LUA_NOREF */
    char **choices;   /* a literal list of the enum's values */
    size_t nchoices;

    /* ask and wait: the facts a person deciding or waiting here is shown
     * ("vars.level", "input.ticket", or a bare name looked up as fact()
     * does: input, vars, answers, events). */
    char **shows;
    size_t nshows;

    /* wait */
    char *event;
    hb_input *payload; /* an event wait's declared payload fields, sorted by name */
    size_t npayload;
    int condition_ref;
    int64_t every_us;
    hb_timespec after;
    int at_ref;
    hb_timespec timeout;
    char *on_timeout;

    /* fail */
    char *message;
} hb_step;

typedef struct hb_workflow {
    char *name;
    char *title;
    char *handbook;
    char *file;
    int line;
    char **uses;
    size_t nuses;
    char **forbid;
    size_t nforbid;
    hb_input *inputs; /* sorted by name */
    size_t ninputs;
    hb_step *steps; /* in the file's order */
    size_t nsteps;
    hb_lua *lua;   /* the state holding the functions (owned) */
    size_t *by_id; /* step indices sorted by id, for hb_workflow_step_index */
} hb_workflow;

/* One problem a workflow file has, where it is. */
typedef struct hb_load_problem {
    char *file;
    int line;
    char *message;
} hb_load_problem;

/* Every problem found loading one file, in the order found. */
typedef struct hb_load_problems {
    hb_load_problem *items;
    size_t n;
} hb_load_problems;

void hb_load_problems_free(hb_load_problems *p);

/* The names the workflow language gives a workflow file and its lib modules
 * (constructors, fragments, facts, `when` helpers, message templates), all
 * defined by stdlib/hb/workflow.lua; NULL-terminated. */
extern const char *const hb_dsl_globals[];

/* Loads and validates a workflow from source text (the engine passes the
 * pinned text on resume). Takes ownership of lua: the state must already be
 * set up (stdlib modules reachable). Everything the file does at its top
 * level, and the reading of the table it returns, runs in a protected call
 * under the host's limits, so no file can crash or hang the loader.
 * HB_EUSAGE for syntax, runtime and structure problems; e->msg holds them
 * as "file:line: message" lines (as many as fit), and problems, when not
 * NULL, receives every one of them. */
hb_status hb_workflow_load_report(hb_lua *lua, const char *path, const char *src, size_t len,
                                  hb_workflow **out, hb_load_problems *problems, hb_err *e);
hb_status hb_workflow_load(hb_lua *lua, const char *path, const char *src, size_t len,
                           hb_workflow **out, hb_err *e);

/* The same, for the review tools: when the file returns a workflow whose
 * structure has problems (unknown targets, wrong field types...), *out still
 * holds what was read beside HB_EUSAGE and the problems in e. A file that
 * raises or returns something else leaves *out NULL, as above. */
hb_status hb_workflow_load_readable(hb_lua *lua, const char *path, const char *src, size_t len,
                                    hb_workflow **out, hb_err *e);

/* Gives the stdlib of a Lua state hbi.setting(name), which reads the
 * settings flagged HB_SETTING_STDLIB (hb_workflow_load does it). */
void hb_workflow_expose_settings(hb_lua *lua);

/* Loads from a file with a fresh state and default modules (static uses). */
hb_status hb_workflow_load_file(const char *path, hb_workflow **out, hb_err *e);
hb_status hb_workflow_load_file_report(const char *path, hb_workflow **out,
                                       hb_load_problems *problems, hb_err *e);

/* A Lua host set up as a workflow file's top level sees it: the sandbox
 * with the DSL constructors as globals (services join a run's environment
 * when declared in uses). Lint asks it what a workflow may use. NULL with
 * e set on failure. */
hb_lua *hb_workflow_sandbox_new(const char *workflow_dir, hb_err *e);

/* Workflow names and step ids: letters, digits, '_', '-' and '.', starting
 * with a letter, digit or '_', at most 100 bytes, no "..": they appear in
 * paths, logs, Mermaid and terminal output, so nothing in them may act as a
 * path, a line break or a control character. */
bool hb_workflow_name_valid(const char *name, size_t len);

void hb_workflow_free(hb_workflow *wf);

/* Index of a step, or -1. */
int hb_workflow_step_index(const hb_workflow *wf, const char *id);

/* Where a step goes when it finishes without a labelled edge: its `next`, or
 * the following step. NULL for a terminal step. */
const char *hb_step_default_next(const hb_workflow *wf, size_t index);

/* The names of the ctx.vars the steps reachable from step `from` read and
 * do not set themselves, as their source text shows (workflow_vars.c says
 * what it sees): what a run moved onto this version at that step must
 * already have (hb migrate). Newly allocated, *n of them; NULL when none. */
char **hb_workflow_vars_read_from(const hb_workflow *wf, size_t from, size_t *n);

bool hb_step_is_terminal(const hb_step *s);

#endif
