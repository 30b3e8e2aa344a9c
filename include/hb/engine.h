/* The step engine: starts, resumes and cancels runs, and makes `hb call`'s
 * one-step runs, so the three share one way of recording a run, pinning its
 * sources and choosing its target. For each step: audit (step_started) →
 * execute → checkpoint (position, ctx.vars, step_finished and transition in
 * one transaction) → next step.
 *
 * The engine does no terminal I/O and reads no process setting or
 * environment variable. Whoever embeds it (the command line, hb test, and
 * to come hb serve and a worker running runs on threads) hands it an
 * hb_engine: the store, the clock, the limits and where state lives; and
 * with each request the actor, an ask callback and a reporter. It keeps no
 * state between calls and none in the process: a run is one context of its
 * own (engine_internal.h) with its own Lua state, so runs may go on in
 * parallel on threads, each thread with its own hb_engine and store. */
#ifndef HB_ENGINE_H
#define HB_ENGINE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "hb/clock.h"
#include "hb/error.h"
#include "hb/lua_host.h"
#include "hb/store.h"

struct hb_sandbox;
struct hb_service_replay;

/* What the engine works with. Everything is borrowed: it must outlive the
 * calls that use it. One thread at a time per hb_engine (its store is a
 * single connection). */
typedef struct hb_engine {
    hb_store *store; /* open; the engine never opens or closes a store */
    /* Waits, ctx.now(), the bindings' markers and a sandbox it starts read
     * this clock. Audit events carry the store's clock (hb_store_set_clock):
     * give both the same one. Required. */
    const hb_clock *clock;
    hb_lua_limits lua_limits; /* each step's instructions, time and memory */
    int64_t lease_seconds;    /* how long a claim on a run holds */
    /* How many answers a person may give one ask before the run waits for
     * one given another way (each refused answer is asked again); 0: 1. */
    int64_t ask_attempts;
    /* Who holds the runs this engine claims; NULL: this process
     * (hb_store_lease_holder_self). Runs on threads need one each. */
    const char *lease_holder;
    const char *stdlib_dir; /* stdlib/: the bindings and the DSL */
    /* $HB_HOME: live credentials in home/credentials, the state of a sandbox
     * the engine starts in home/sandbox/state.json. */
    const char *home;
    const char *sandbox_faults; /* fault spec of a sandbox it starts; NULL: none */
    /* A sandbox already serving (hb test): sandbox runs use it instead of
     * starting one. May be NULL. */
    struct hb_sandbox *sandbox;
    /* hb backtest: every run's requests are answered from a recording
     * (services.h) whatever its target; nothing is sent, no sandbox is
     * started, no credential read. NULL: the run's target. */
    const struct hb_service_replay *replay;
} hb_engine;

typedef struct hb_kv {
    char *key;
    char *value;
} hb_kv;

/* An ask the request did not answer, as a person would see it, with what
 * the decision is about. */
typedef struct hb_engine_question {
    const char *run;
    const char *workflow;
    const char *step;
    const char *text; /* the ask's description, or its id */
    /* The values to pick from (the ask's options, or its enum's choices),
     * NULL-terminated; NULL when the answer is free: then value_type says
     * what kind ("string", "date", "integer"). An option may be answered
     * in any case or by a prefix only it has ("u" for "ultimate"). */
    const char *const *options;
    const char *value_type;
    /* Why the answer just given was refused, for asking again; NULL the
     * first time. */
    const char *problem;
    const char *ticket;     /* the run's `ticket` input, or NULL */
    const char *ticket_url; /* its agent page, when the bindings can link it */
    /* The facts the ask names in `shows` ("vars.level"), with their values
     * as text. */
    const hb_kv *shows;
    size_t nshows;
} hb_engine_question;

/* Somebody to ask: fn returns a newly allocated answer, or NULL when there
 * is none now (the run waits for one). An answer the ask cannot take is
 * not an error: fn is called again with q->problem saying why (up to
 * eng->ask_attempts answers in all). Never called in a dry run. A NULL fn means nobody is
 * there (hb serve, the worker, --no-input). */
typedef struct hb_engine_ask {
    char *(*fn)(void *ud, const hb_engine_question *q);
    void *ud;
} hb_engine_ask;

/* What a run does, for whoever shows it; every member may be NULL. */
typedef struct hb_engine_reporter {
    void *ud;
    /* The run starts ("started"), continues ("resumed") or runs one
     * operation ("call") in this process. */
    void (*begin)(void *ud, const hb_run *run, const char *verb);
    /* A step ended in this process: its kind, its outcome word (ok, yes,
     * timeout, waiting ...) and how long it took. */
    void (*step)(void *ud, const hb_run *run, const char *step, const char *kind,
                 const char *outcome, double ms);
    /* A line worth showing while a step runs (an attempt that will be
     * retried). */
    void (*note)(void *ud, const hb_run *run, const char *step, const char *message);
    /* Something that takes a while is under way, as it happens: a service
     * call waiting to try again ("zendesk 429, attempt 2/5 in 4 s"), a task
     * waiting before its next attempt. For a person watching; not audited
     * (the api_call events and notes are). */
    void (*progress)(void *ud, const hb_run *run, const char *step, const char *message);
    /* A dry run's plan, before its result: every change it would have made,
     * in order, as [{service, op, method, path, object, step, body}]. */
    void (*plan)(void *ud, const hb_run *run, const cJSON *changes);
    /* hb call: the operation's value, or the uniform error it raised. */
    void (*value)(void *ud, const hb_run *run, const cJSON *value, bool is_error);
    /* The run as this process leaves it: status, step, what it waits for
     * (run->wait_json), why it failed (run->error). */
    void (*result)(void *ud, const hb_run *run);
} hb_engine_reporter;

typedef struct hb_run_request {
    const char *workflow_file; /* start: the workflow's file (callers find names) */
    const char *run_id;        /* resume, cancel */
    hb_kv *inputs;             /* start: k=v from the command line */
    size_t ninputs;
    hb_kv *answers; /* --answer STEP=V */
    size_t nanswers;
    const char *event_name; /* resume --event NAME[=JSON] */
    const char *event_json; /* NULL = null payload */
    bool sandbox;           /* start: against the sandbox; resume: expect a sandbox run */
    /* start with sandbox: a patch (the format of POST /__sandbox/patch)
     * applied to the sandbox's state before the run exists; NULL: none. */
    const char *sandbox_patch;
    bool dry_run;
    bool allow_duplicate;
    const char *actor;
    bool only_if_due;       /* resume: skip quietly unless the run is due (the worker) */
    const char *retry_from; /* retry: the step to re-enter; NULL: the failed one */
    bool retry_force;       /* retry: even from a step after which writes were made */
    const char *reason;     /* retry, cancel: why, for the audit trail; may be NULL */
    /* start: the new run takes this id (hb backtest replays a recorded run
     * under its own id in a store of its own, so the exactly-once markers
     * its writes carry are the ones the recording has); NULL: a new id. */
    const char *replay_of;
    hb_engine_ask ask;
    const hb_engine_reporter *reporter; /* NULL: nothing is reported */
    char run_id_out[HB_RUN_ID_LEN + 1]; /* the run's id once it exists */
} hb_run_request;

/* Each returns the exit status of the README's exit-code contract: HB_OK
 * (succeeded, or a dry run's plan), HB_EFAILED, HB_EUSAGE (nothing
 * changed), HB_EPAUSED (waiting), HB_EBUSY, HB_EINTERNAL; e says why. */
hb_status hb_engine_start(const hb_engine *eng, hb_run_request *req, hb_err *e);
hb_status hb_engine_resume(const hb_engine *eng, hb_run_request *req, hb_err *e);
/* Uses req->run_id, actor, reason and reporter. */
hb_status hb_engine_cancel(const hb_engine *eng, hb_run_request *req, hb_err *e);
/* A failed run goes on again: it re-enters its failed step, or
 * req->retry_from, a step it entered before (refused with HB_EUSAGE when
 * writes were made after that step's last entry, unless retry_force). The
 * step's writes carry the markers they had, so each one already made is
 * found instead of made again. A `retried` event records the actor,
 * req->reason and the step. Uses run_id, actor, reporter, ask and answers. */
hb_status hb_engine_retry(const hb_engine *eng, hb_run_request *req, hb_err *e);

/* hb migrate: a waiting run moved onto another version of its workflow
 * (the file on disk), at its current step or the step map names for it.
 * Refused, with why, when that step is not in the version, is not the kind
 * of wait the run is in, or when the steps from there on read vars the run
 * does not have (set by steps of the new version it never ran). */
typedef struct hb_migrate_request {
    const char *run_id;
    const char *workflow_file; /* the version to move to */
    const hb_kv *map;          /* OLD=NEW step ids: steps renamed in that version */
    size_t nmap;
    bool apply; /* false: a dry run, which only says whether and how */
    const char *actor;
    const char *reason; /* why, for the audit trail; may be NULL */
} hb_migrate_request;

typedef struct hb_migrate_result {
    char *workflow;
    char *from_step, *to_step;
    char from_version[65], to_version[65];
    bool current;  /* already on that version, nothing to map: nothing to do */
    char *refused; /* why it cannot move, or NULL */
    bool applied;  /* moved (a `migrated` event records the actor, the reason and both versions) */
} hb_migrate_result;

/* HB_OK with out saying what was (or would be) done or why not; HB_EUSAGE
 * for an unknown run, one that is not waiting, a version that does not
 * load; HB_EBUSY when another process holds the run. */
hb_status hb_engine_migrate(const hb_engine *eng, const hb_migrate_request *req,
                            hb_migrate_result *out, hb_err *e);
void hb_migrate_result_free(hb_migrate_result *r);

/* hb call SERVICE.FUNC ARGS…: one binding operation as a one-step run of
 * its own (workflow "call:zendesk.tickets.get", step "call"). */
typedef struct hb_call_request {
    const char *operation; /* "zendesk.tickets.get" */
    const cJSON *args;     /* a JSON array: the operation's arguments */
    bool sandbox;
    bool dry_run;
    const char *actor;
    const hb_engine_reporter *reporter;
    char run_id_out[HB_RUN_ID_LEN + 1];
} hb_call_request;

/* HB_OK with the value reported; HB_EFAILED when the service refused (the
 * uniform error reported as the value); HB_EUSAGE for an unknown service
 * or operation (before any run is recorded) or missing credentials. */
hb_status hb_engine_call(const hb_engine *eng, hb_call_request *req, hb_err *e);

/* Applies a patch (the format of POST /__sandbox/patch) to the sandbox
 * that sandbox runs and calls use: eng->sandbox, else the state in
 * eng->home/sandbox/state.json, which `hb sandbox --state` may share. It
 * stays until the state is reset. HB_EUSAGE naming the problem for a
 * patch the sandbox cannot apply (the state is then unchanged). */
hb_status hb_engine_sandbox_patch(const hb_engine *eng, const char *patch_json, hb_err *e);

/* Parses "k=v" (and "STEP=V") arguments. HB_EUSAGE when there is no '='. */
hb_status hb_kv_parse(const char *arg, hb_kv *out, hb_err *e);
void hb_kv_free(hb_kv *kv, size_t n);

#endif
