/* The durable store: runs, pinned sources, audit events and request/response
 * bodies. Callers see only this interface; store_sqlite.c implements it with
 * SQLite (WAL), and another database can implement hb_store_ops later.
 *
 * Status conventions: HB_EBUSY when the database is locked by another
 * process past the busy timeout (retry later); HB_EINTERNAL when it is
 * unreadable, corrupted or newer than this binary; HB_EUSAGE for an unknown
 * run id or a bad HB_* setting.
 *
 * Crash-test knob: HB_FAULT_ABORT_AFTER_COMMITS=N aborts the process right
 * after its N-th successful commit (tests/e2e/test_exactly_once.sh). */
#ifndef HB_STORE_H
#define HB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hb/clock.h"
#include "hb/error.h"

#define HB_RUN_ID_LEN 26

/* A run's status and target. The store keeps them as their names (the
 * README's statuses; "sandbox" or "live"); hb_run carries the enums, and
 * each backend converts with the functions below. */
typedef enum hb_run_status {
    HB_RUN_ANY = 0, /* a filter matching every status; never a run's own */
    HB_RUN_RUNNING,
    HB_RUN_WAITING,
    HB_RUN_SUCCEEDED,
    HB_RUN_FAILED,
    HB_RUN_CANCELLED,
    HB_RUN_PLANNED, /* the end of a dry run: not resumable */
    HB_RUN_STATUS_COUNT
} hb_run_status;

typedef enum hb_run_target {
    HB_TARGET_NONE = 0, /* not set yet: refused by the store */
    HB_TARGET_LIVE,
    HB_TARGET_SANDBOX,
    HB_TARGET_COUNT
} hb_run_target;

/* "waiting"; "?" for HB_RUN_ANY or a value out of range. */
const char *hb_run_status_name(hb_run_status s);
/* false (and *out untouched) when text names no status. */
bool hb_run_status_parse(const char *text, hb_run_status *out);
/* "running, waiting, succeeded, failed, cancelled or planned". */
const char *hb_run_status_list(void);
/* "live" or "sandbox"; "?" for HB_TARGET_NONE. */
const char *hb_run_target_name(hb_run_target t);
bool hb_run_target_parse(const char *text, hb_run_target *out);

typedef struct hb_run {
    char id[HB_RUN_ID_LEN + 1];
    char *workflow;      /* name */
    char *workflow_file; /* path the run was started from */
    char version[65];    /* sha256 of the workflow source */
    hb_run_status status;
    char *step; /* current step id (next to run, waiting, or final) */
    hb_run_target target;
    bool dry_run;
    char *actor;        /* who started it */
    char *inputs_json;  /* canonical JSON object */
    char input_key[65]; /* sha256(workflow NUL canonical inputs): duplicate detection */
    char *vars_json;    /* ctx.vars after the last finished step */
    char *answers_json; /* ctx.answers */
    char *events_json;  /* ctx.events */
    char *wait_json;    /* what a waiting run waits for, or NULL */
    hb_time_us due_at;  /* when a worker should next look at it; 0 = never */
    char *error;        /* why a failed run failed, or NULL */
    char *lease_holder; /* "host:pid" holding the run, or NULL */
    hb_time_us lease_until;
    hb_time_us created_at;
    hb_time_us updated_at;
} hb_run;

void hb_run_free(hb_run *r); /* frees the strings, not r itself */
/* For a new run whose workflow and inputs_json are set: computes input_key
 * (sha256 of workflow NUL inputs) and starts vars, answers and events as {}. */
void hb_run_prepare_new(hb_run *r);
void hb_run_copy(hb_run *dst, const hb_run *src);
/* Replaces every registered secret (hb/secrets.h) in the run's inputs,
 * vars, answers, events, wait and error: call before run_insert and
 * run_update, whatever the backend, so no secret a workflow copied reaches
 * the store. */
void hb_run_scrub(hb_run *r);

typedef struct hb_run_filter {
    hb_run_status status;  /* HB_RUN_ANY = any */
    const char *workflow;  /* NULL = any */
    const char *input_key; /* NULL = any */
    bool active_only;      /* running or waiting */
    hb_time_us due_before; /* 0 = ignore; else waiting runs with 0 < due_at <= this */
    int limit;             /* 0 = no limit */
} hb_run_filter;

typedef struct hb_audit_event {
    int64_t seq;
    char run[HB_RUN_ID_LEN + 1];
    char ts[32]; /* RFC 3339 UTC with microseconds */
    char type[24];
    char *step; /* NULL when the event belongs to no step */
    char *actor;
    char *data; /* canonical JSON object */
    char prev[65];
    char hash[65];
    /* data's top-level "object" string ("zendesk:ticket:123") or NULL. The
     * store derives it from data on insert (what is set here is ignored)
     * and returns the stored column when reading, for verify to compare. */
    char *object;
} hb_audit_event;

void hb_audit_event_free(hb_audit_event *ev);

/* Callbacks return 0 to continue, non-zero to stop early. What they are
 * given lives only for the duration of the call: copy what you keep. */
typedef int (*hb_run_cb)(const hb_run *run, void *ud);
typedef int (*hb_audit_cb)(const hb_audit_event *ev, void *ud);
typedef int (*hb_source_cb)(const char *module, const char *sha, void *ud);

typedef struct hb_store hb_store;

struct hb_store_ops {
    const char *name;
    void (*close)(hb_store *s);
    /* One write transaction at a time per store; begin takes the write lock
     * at once (SQLite: BEGIN IMMEDIATE) so the audit head read inside it is
     * the head the next event chains to. */
    hb_status (*begin)(hb_store *s, hb_err *e);
    hb_status (*commit)(hb_store *s, hb_err *e);
    void (*rollback)(hb_store *s);

    hb_status (*run_insert)(hb_store *s, const hb_run *run, hb_err *e);
    /* Writes every field but id, created_at and the lease (the lease belongs
     * to run_claim / run_release). HB_EUSAGE "no run X" when unknown. */
    hb_status (*run_update)(hb_store *s, const hb_run *run, hb_err *e);
    /* HB_EUSAGE "no run X" when unknown. */
    hb_status (*run_get)(hb_store *s, const char *id, hb_run *out, hb_err *e);
    hb_status (*run_list)(hb_store *s, const hb_run_filter *f, hb_run_cb cb, void *ud, hb_err *e);
    /* Takes the run's lease when free, expired (lease_until before the wall
     * clock), already ours, or held by a process of this host that no longer
     * exists; otherwise HB_EBUSY naming the holder. Runs its own transaction,
     * so it must be called outside one. */
    hb_status (*run_claim)(hb_store *s, const char *id, const char *holder, hb_time_us until,
                           hb_err *e);
    /* Drops the lease when holder has it; a no-op otherwise. */
    hb_status (*run_release)(hb_store *s, const char *id, const char *holder, hb_err *e);

    hb_status (*source_put)(hb_store *s, const char *sha, const char *content, size_t len,
                            hb_err *e);
    /* HB_EINTERNAL when a pinned source is missing: the store lost data. */
    hb_status (*source_get)(hb_store *s, const char *sha, char **content, size_t *len, hb_err *e);
    hb_status (*run_source_add)(hb_store *s, const char *run, const char *module, const char *sha,
                                hb_err *e);
    hb_status (*run_sources)(hb_store *s, const char *run, hb_source_cb cb, void *ud, hb_err *e);

    hb_status (*body_put)(hb_store *s, const char *digest, const char *content, size_t len,
                          hb_err *e);
    /* content is NUL-terminated (len excludes it). HB_EUSAGE when no body has
     * that digest (never stored, or purged). */
    hb_status (*body_get)(hb_store *s, const char *digest, char **content, size_t *len, hb_err *e);

    /* seq 0 and 64 zeros when the chain is empty. */
    hb_status (*audit_last)(hb_store *s, int64_t *seq, char hash[65], hb_err *e);
    hb_status (*audit_insert)(hb_store *s, const hb_audit_event *ev, hb_err *e);
    /* In seq order; run NULL = every event. */
    hb_status (*audit_iter)(hb_store *s, const char *run, hb_audit_cb cb, void *ud, hb_err *e);
    /* Events whose data has the top-level string field "object" equal to
     * object ("zendesk:ticket:123"), in seq order. */
    hb_status (*audit_iter_object)(hb_store *s, const char *object, hb_audit_cb cb, void *ud,
                                   hb_err *e);
    /* True between a successful begin and its commit or rollback. */
    bool (*in_transaction)(hb_store *s);
    /* hb migrate, inside its transaction: forgets which sources the run
     * pinned (the sources stay), so the pins of the version it moves to can
     * be added. NULL in a backend that cannot: migrate refuses then. */
    hb_status (*run_sources_drop)(hb_store *s, const char *run, hb_err *e);
};

struct hb_store {
    const struct hb_store_ops *ops;
    /* The clock that stamps audit events (hb_store_set_clock); NULL: HB_NOW,
     * else the wall clock. A backend zeroes it when it opens. */
    const hb_clock *clock;
};

/* Durability: the store runs SQLite in WAL mode with synchronous=NORMAL. A
 * committed transaction then survives a killed process (the crash that
 * matters most for hb) at a fraction of the cost of an fsync per commit; only
 * an OS crash or power loss can take back the last commits. HB_DURABILITY=full
 * (synchronous=FULL) syncs every commit and survives power loss too. */
typedef struct hb_store_options {
    int busy_timeout_ms;  /* HB_BUSY_TIMEOUT_MS, default 5000 */
    bool durability_full; /* HB_DURABILITY=full: synchronous=FULL */
} hb_store_options;

#define HB_STORE_DEFAULT_BUSY_TIMEOUT_MS 5000
#define HB_STORE_MAX_BUSY_TIMEOUT_MS     3600000

/* Reads HB_BUSY_TIMEOUT_MS and HB_DURABILITY; HB_EUSAGE naming the variable
 * when a value is not understood. */
hb_status hb_store_options_load_env(hb_store_options *o, hb_err *e);
/* The same, keeping the default for any value that is not understood. */
void hb_store_options_from_env(hb_store_options *o);

/* "hostname:pid" of this process, the holder string for run_claim. */
void hb_store_lease_holder_self(char out[300]);

/* Opens (creating and migrating as needed) the SQLite store at path. */
hb_status hb_store_open_sqlite(const char *path, const hb_store_options *o, hb_store **out,
                               hb_err *e);
/* The schema version (PRAGMA user_version) this binary migrates stores to.
 * Opening a store with a newer version fails with HB_EINTERNAL. */
int hb_store_schema_version(void);

/* Opens $HB_HOME/hb.db, creating HB_HOME (mode 0700) when missing, with the
 * options of the environment. */
hb_status hb_store_open_default(hb_store **out, hb_err *e);

/* Thin dispatchers over the ops table, so call sites read naturally. */
static inline void hb_store_close(hb_store *s)
{
    if (s)
        s->ops->close(s);
}
static inline hb_status hb_store_begin(hb_store *s, hb_err *e)
{
    return s->ops->begin(s, e);
}
static inline hb_status hb_store_commit(hb_store *s, hb_err *e)
{
    return s->ops->commit(s, e);
}
static inline void hb_store_rollback(hb_store *s)
{
    s->ops->rollback(s);
}
static inline bool hb_store_in_transaction(hb_store *s)
{
    return s->ops->in_transaction(s);
}
/* Audit events of this store carry times of clock (which must outlive the
 * store): hb test gives each scenario's store the scenario's clock. */
static inline void hb_store_set_clock(hb_store *s, const hb_clock *clock)
{
    s->clock = clock;
}

#endif
