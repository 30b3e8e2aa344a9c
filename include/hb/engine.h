/* The step engine: starts, resumes and cancels runs. For each step:
 * audit (step_started) → execute → checkpoint (position, ctx.vars,
 * step_finished and transition in one transaction) → next step. */
#ifndef HB_ENGINE_H
#define HB_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "hb/error.h"
#include "hb/services.h"
#include "hb/store.h"

typedef struct hb_kv {
    char *key;
    char *value;
} hb_kv;

typedef struct hb_run_request {
    const char *workflow; /* start: a name on HB_WORKFLOW_PATH or a file */
    const char *run_id;   /* resume */
    hb_kv *inputs;        /* start: k=v from the command line */
    size_t ninputs;
    hb_kv *answers; /* --answer STEP=V */
    size_t nanswers;
    const char *event_name; /* resume --event NAME[=JSON] */
    const char *event_json; /* NULL = null payload */
    bool sandbox;           /* --sandbox given */
    bool dry_run;
    bool allow_duplicate;
    bool json_output;
    bool interactive; /* may prompt on the terminal for an unanswered ask */
    const char *actor;
    bool only_if_due;       /* resume: skip quietly unless the run is due (the worker) */
    bool quiet;             /* no trace and no result on stdout (hb test) */
    void *sandbox_instance; /* an hb_sandbox already serving, used instead of starting one */
    char run_id_out[27];    /* filled with the run's id once it exists */
} hb_run_request;

/* Each prints the run id and `status=S step=T` (or JSON) on stdout and the
 * trace on stderr, and returns the exit status of the README's exit-code contract. */
hb_status hb_engine_start(hb_run_request *req, hb_err *e);
hb_status hb_engine_resume(const hb_run_request *req, hb_err *e);
hb_status hb_engine_cancel(const char *run_id, const char *actor, hb_err *e);

/* An audit sink writing to the store: each event in a transaction of its
 * own (hb_audit_append_tx), bodies by digest (hb_audit_put_body). The
 * engine points `step` at the current step as the run moves on. */
typedef struct hb_service_store_sink {
    struct hb_store *store;
    const char *run;   /* run id */
    const char *step;  /* may be NULL */
    const char *actor; /* may be NULL */
} hb_service_store_sink;
hb_service_audit hb_service_audit_to_store(hb_service_store_sink *sink);

/* Parses "k=v" (and "STEP=V") arguments. HB_EUSAGE when there is no '='. */
hb_status hb_kv_parse(const char *arg, hb_kv *out, hb_err *e);
void hb_kv_free(hb_kv *kv, size_t n);

#endif
