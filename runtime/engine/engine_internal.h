/* State of one run while this process executes it, shared by the engine's
 * files: engine.c (start/resume/finish), engine_steps.c (each step kind),
 * engine_ctx.c (the ctx table), engine_pins.c (pinned sources),
 * engine_services.c (bindings and sandbox), engine_output.c (trace, plan). */
#ifndef HB_ENGINE_INTERNAL_H
#define HB_ENGINE_INTERNAL_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "hb/engine.h"
#include "hb/lua_host.h"
#include "hb/store.h"
#include "hb/workflow.h"

typedef struct hb_pin {
    char *module;
    char sha[65];
    char *content;
    size_t len;
} hb_pin;

typedef struct hb_exec {
    hb_store *store;
    hb_run run;
    hb_workflow *wf;
    hb_lua *lua; /* wf->lua */
    int ctx_ref;
    const char *actor; /* who is acting now (the resumer may differ from the starter) */
    char lease_holder[300];
    const hb_run_request *req;
    bool *answer_used; /* per req->answers */
    bool event_used;
    const char *current_step;

    /* Pinned sources: collected while loading, written when the run exists. */
    hb_pin *pins;
    size_t npins;
    bool run_inserted;
    bool replaying; /* resume: serve modules from the store */
    char *stdlib_dir;

    void *services;     /* engine_services.c */
    cJSON *step_visits; /* engine_once.c: step -> finished executions */
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

/* engine_steps.c */
hb_status hb_exec_step(hb_exec *x, size_t index, hb_outcome *out, hb_err *e);

/* engine_wait.c: a wait step. */
hb_status hb_exec_wait(hb_exec *x, size_t i, hb_outcome *o, hb_err *e);

/* engine_inputs.c: the validated inputs of a new run as canonical JSON. */
hb_status hb_inputs_build(const hb_workflow *wf, const hb_kv *kv, size_t n, char **json_out,
                          hb_err *e);

/* engine_ctx.c */
hb_status hb_ctx_create(hb_exec *x, hb_err *e);
/* Serialises ctx.vars/answers/events into x->run (the checkpoint). */
hb_status hb_ctx_snapshot(hb_exec *x, hb_err *e);
/* Pushes ctx. */
void hb_ctx_push(hb_exec *x);
/* Sets ctx.answers[step] / ctx.events[step] from the value on top (popped). */
void hb_ctx_set_answer(hb_exec *x, const char *step);
void hb_ctx_set_event(hb_exec *x, const char *step);
/* Calls the function with registry ref fn(ctx); nresults left on the stack. */
hb_status hb_ctx_call(hb_exec *x, int ref, int nresults, char **traceback, hb_err *e);

/* engine_pins.c */
void hb_pins_hooks(hb_exec *x, hb_lua_modules *mods);
hb_status hb_pins_write(hb_exec *x, hb_err *e); /* inside the run's creation transaction */
void hb_pins_add_workflow(hb_exec *x, const char *file, const char *content, size_t len);
const hb_pin *hb_pins_workflow(const hb_exec *x);
void hb_pins_free(hb_exec *x);
hb_status hb_pins_load_for_resume(hb_exec *x, hb_err *e);

/* engine_services.c */
hb_status hb_exec_services_open(hb_exec *x, hb_err *e);
void hb_exec_services_close(hb_exec *x);
/* The run's bindings, NULL when its workflow uses no service. */
struct hb_services *hb_exec_services(hb_exec *x);

/* engine_once.c: markers for exactly-once writes (services.h). */
hb_status hb_once_open(hb_exec *x, hb_err *e); /* after the services open */
void hb_once_step_started(hb_exec *x, const char *step);
void hb_once_step_finished(hb_exec *x, const char *step);

/* engine_output.c */
void hb_trace_header(const hb_exec *x, const char *verb);
void hb_trace_step(const hb_exec *x, const hb_step *s, const char *result, double ms);
void hb_print_result(const hb_exec *x);
void hb_print_plan(hb_exec *x);

/* engine.c: an audit event for the current run and step, in a transaction
 * of its own. */
hb_status hb_exec_audit(hb_exec *x, const char *type, cJSON *data, hb_err *e);

#endif
