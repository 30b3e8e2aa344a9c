/* One run while this process executes it (hb_exec: the whole context of a
 * run; nothing about it lives anywhere else), shared by the engine's files:
 *   engine.c          start, resume and cancel
 *   engine_retry.c    hb retry: a failed run re-entered
 *   engine_call.c     hb call's one-step run
 *   engine_migrate.c  hb migrate: a waiting run onto the version on disk
 *   engine_run.c      the run in the store: create, claim, checkpoint,
 *                     finish, release (every write of the run row)
 *   engine_loop.c     the step loop and its outcomes
 *   engine_steps.c    task, choice, ask and the terminal steps
 *   engine_wait.c     wait steps
 *   engine_ctx.c      the ctx table the workflow's functions receive
 *   engine_inputs.c   k=v inputs checked against the workflow
 *   engine_pins.c     pinned sources
 *   engine_services.c the target (live or sandbox) and the bindings
 *   engine_once.c     exactly-once markers
 *   engine_context.c  what a person is shown at an ask or a wait, and an
 *                     event's payload checked against its wait
 *   engine_report.c   what the reporter is told, a dry run's plan */
#ifndef HB_ENGINE_INTERNAL_H
#define HB_ENGINE_INTERNAL_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "hb/engine.h"
#include "hb/lua_call.h"
#include "hb/store.h"
#include "hb/workflow.h"

/* hb call's runs: workflow "call:SERVICE.FUNC", one step of this name. */
#define HB_CALL_PREFIX "call:"
#define HB_CALL_STEP   "call"

typedef struct hb_pin {
    char *module;
    char sha[65];
    char *content;
    size_t len;
} hb_pin;

/* The services a run may use and the operations it refuses: the
 * workflow's `uses` and `forbid`, or the one service of hb call. */
typedef struct hb_exec_uses {
    const char *const *uses;
    size_t nuses;
    const char *const *forbid;
    size_t nforbid;
} hb_exec_uses;

typedef struct hb_exec {
    const hb_engine *eng;
    hb_store *store; /* eng->store */
    hb_run run;
    hb_workflow *wf; /* NULL for hb call */
    hb_lua *lua;     /* wf->lua, or hb call's own state */
    hb_lua_ctx *ctx;
    const char *actor; /* who is acting now (the resumer may differ from the starter) */
    char lease_holder[300];
    const hb_run_request *req; /* NULL for hb call */
    const hb_engine_reporter *reporter;
    bool *answer_used; /* per req->answers */
    bool event_used;
    const char *current_step;

    /* Pinned sources: collected while loading, written when the run exists. */
    hb_pin *pins;
    size_t npins;
    bool run_inserted;
    bool claimed;
    bool replaying; /* resume: serve modules from the store */

    void *services;     /* engine_services.c */
    cJSON *step_visits; /* engine_once.c: step -> times the run entered it */
    cJSON *step_raised; /* engine_once.c: step -> true while its visit raised (on_error) */
} hb_exec;

/* What a step did and where the run goes next. */
typedef enum hb_outcome_kind {
    HB_OUT_NEXT,   /* go to `next` */
    HB_OUT_PAUSE,  /* wait (status waiting; a dry run ends here) */
    HB_OUT_FINISH, /* a terminal step: succeed or fail */
    HB_OUT_ERROR,  /* the step raised: the run fails */
    HB_OUT_USAGE,  /* bad input from the person (an invalid answer): stop, run unchanged */
} hb_outcome_kind;

typedef struct hb_outcome {
    hb_outcome_kind kind;
    const char *next; /* step id (points into the workflow) */
    char *label;      /* transition label, or NULL */
    char *result;     /* outcome word for the trace: ok, yes, timeout ... */
    bool succeeded;   /* HB_OUT_FINISH */
    char *error;      /* HB_OUT_ERROR / HB_OUT_USAGE */
    char *traceback;
    cJSON *wait; /* HB_OUT_PAUSE: what it waits for (owned) */
    hb_time_us due_at;
} hb_outcome;

void hb_outcome_free(hb_outcome *o);
/* The step failed with msg (copied); traceback is taken (may be NULL). */
void hb_outcome_error(hb_outcome *o, const char *msg, char *traceback);
/* The step goes on to next (a step id of the workflow). */
void hb_outcome_next(hb_outcome *o, const char *next, const char *label, const char *result);

/* engine.c */
/* A run's context on eng; HB_EINTERNAL naming what the embedder left out
 * of eng. x is ready for hb_exec_free either way. */
hb_status hb_exec_init(hb_exec *x, const hb_engine *eng, const hb_run_request *req,
                       const char *actor, const hb_engine_reporter *reporter, hb_err *e);
void hb_exec_free(hb_exec *x);
/* A fresh Lua state of the run's own, its modules pinned (x->lua). */
hb_status hb_exec_open_lua(hb_exec *x, const char *workflow_dir, hb_err *e);
hb_time_us hb_exec_now(const hb_exec *x);
/* The workflow of file (its text src) pinned and loaded into x: before the
 * run exists, or (hb migrate) before the claim, so its pins are only kept. */
hb_status hb_exec_open_workflow(hb_exec *x, const char *file, const char *src, size_t len,
                                hb_err *e);
/* What resume and retry share, in this order: the context of the run
 * req->run_id names, as the store has it; the claim, and the run read again
 * now that no one else can move it; its pinned workflow; then the run goes
 * on from x->run.step, its `event` (data, borrowed) recorded first. */
hb_status hb_exec_open_run(hb_exec *x, const hb_engine *eng, hb_run_request *req, hb_err *e);
hb_status hb_exec_claim_current(hb_exec *x, hb_err *e);
hb_status hb_exec_reopen_workflow(hb_exec *x, hb_err *e);
hb_status hb_exec_go_on(hb_exec *x, const char *event, cJSON *data, hb_err *e);

/* engine_run.c: the run in the store. Each write of the run row is here,
 * once: a claim (the lease) before anything changes, a checkpoint for each
 * step, the release at the end. */
/* Inserts the new run (x->run) with its pins and run_started, in one
 * transaction, writes its id to id_out, and claims it. */
hb_status hb_exec_create(hb_exec *x, char id_out[HB_RUN_ID_LEN + 1], hb_err *e);
hb_status hb_exec_claim(hb_exec *x, hb_err *e);
void hb_exec_release(hb_exec *x);
/* The run row and up to two events, in one transaction. */
hb_status hb_exec_checkpoint(hb_exec *x, cJSON *ev1_data, const char *ev1, cJSON *ev2_data,
                             const char *ev2, hb_err *e);
/* Ends a transaction of the run's store: commits when st is HB_OK, else
 * rolls back and returns st. */
hb_status hb_exec_end_tx(hb_exec *x, hb_status st, hb_err *e);
/* One audit event for the current run and step, in a transaction of its own. */
hb_status hb_exec_audit(hb_exec *x, const char *type, cJSON *data, hb_err *e);
/* The run ends with status: step_finished (when kind is not NULL) and
 * run_finished in one checkpoint. */
hb_status hb_exec_finish(hb_exec *x, hb_run_status status, const char *kind, const hb_outcome *o,
                         double ms, hb_err *e);
/* The step_finished data of a step of that kind. */
cJSON *hb_exec_step_finished_data(const char *kind, const hb_outcome *o, double ms);

/* engine_loop.c: runs steps from x->run.step until the run pauses or ends,
 * then reports the plan (dry run) and the result. */
hb_status hb_exec_drive(hb_exec *x, hb_err *e);

/* engine_steps.c */
hb_status hb_exec_step(hb_exec *x, size_t index, hb_outcome *out, hb_err *e);
/* Checks an answer to ask s (choices: an enum's values, NULL-terminated);
 * NULL when valid, with *json its value as ctx.answers keeps it (newly
 * allocated), else the problem in words (newly allocated). */
char *hb_ask_check_answer(const hb_step *s, char *const *choices, const char *value, char **json);

/* engine_wait.c: a wait step. */
hb_status hb_exec_wait(hb_exec *x, size_t i, hb_outcome *o, hb_err *e);

/* engine_inputs.c: the validated inputs of a new run as canonical JSON. */
hb_status hb_inputs_build(const hb_workflow *wf, const hb_kv *kv, size_t n, char **json_out,
                          hb_err *e);

/* engine_ctx.c */
hb_status hb_ctx_create(hb_exec *x, hb_err *e);
/* Serialises ctx.vars/answers/events into x->run (the checkpoint). */
hb_status hb_ctx_snapshot(hb_exec *x, hb_err *e);

/* engine_pins.c */
void hb_pins_hooks(hb_exec *x, hb_lua_modules *mods);
hb_status hb_pins_write(hb_exec *x, hb_err *e); /* inside the run's creation transaction */
void hb_pins_add_workflow(hb_exec *x, const char *file, const char *content, size_t len);
const hb_pin *hb_pins_workflow(const hb_exec *x);
void hb_pins_free(hb_exec *x);
hb_status hb_pins_load_for_resume(hb_exec *x, hb_err *e);

/* engine_services.c: the one place a run's target becomes its services:
 * the live credentials, or the sandbox (eng->sandbox, else one started on
 * $HB_HOME's state). */
hb_status hb_exec_services_open(hb_exec *x, const hb_exec_uses *u, hb_err *e);
void hb_exec_services_close(hb_exec *x);
/* The run's bindings, NULL when it uses no service. */
struct hb_services *hb_exec_services(hb_exec *x);

/* engine_once.c: markers for exactly-once writes (services.h), and the
 * visits they name (counted by the transitions into a step). */
hb_status hb_once_open(hb_exec *x, hb_err *e); /* after the services open */
/* The bindings' markers for the step's current visit, from its first: at
 * each step start, and again for each attempt of a task (retry). */
void hb_once_step_started(hb_exec *x, const char *step);
/* The run went from `from` (whose execution raised, when `raised`) to `to`. */
void hb_once_transition(hb_exec *x, const char *from, bool raised, const char *to);
/* The visit counts as the run's last entry into step left them (a JSON
 * object, the caller's), or *out NULL when the run never entered it. */
hb_status hb_once_visits_at(hb_exec *x, const char *step, cJSON **out, hb_err *e);

/* engine_context.c */
typedef struct hb_context {
    char *ticket;     /* the run's `ticket` input as text, or NULL */
    char *ticket_url; /* its agent page, or NULL */
    hb_kv *shows;     /* the step's `shows`: each fact and its value as text */
    size_t nshows;
    cJSON *values; /* the same facts as JSON (null when not known yet) */
} hb_context;
void hb_context_build(hb_exec *x, const hb_step *s, hb_context *c);
/* Adds ticket, ticket_url and shows to a wait description. */
void hb_context_add_to(const hb_context *c, cJSON *wait);
void hb_context_free(hb_context *c);
/* A wait's payload fields as {name: "type" or "type?"} (newly made). */
cJSON *hb_payload_shape(const hb_step *s);
/* NULL when the event's JSON fits the wait's payload (or it declares
 * none), else the problem in words with the shape expected. */
char *hb_payload_check(const hb_step *s, const char *json);

/* engine_report.c: the reporter's calls, each a no-op when the reporter
 * has no such member; plan reads a dry run's intents from the store. */
void hb_report_begin(const hb_exec *x, const char *verb);
void hb_report_step(const hb_exec *x, const char *step, const char *kind, const char *outcome,
                    double ms);
void hb_report_note(const hb_exec *x, const char *step, const char *message);
void hb_report_progress(const hb_exec *x, const char *step, const char *message);
void hb_report_plan(hb_exec *x);
void hb_report_result(const hb_exec *x);

#endif
