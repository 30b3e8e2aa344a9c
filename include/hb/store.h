/* The durable store: runs, pinned sources, audit events and request/response
 * bodies. Callers see only this interface; store_sqlite.c implements it with
 * SQLite (WAL), and another database can implement hb_store_ops later.
 *
 * Status conventions: HB_EBUSY when the database is locked by another
 * process past the busy timeout (retry later); HB_EINTERNAL when it is
 * unreadable or corrupted; HB_EUSAGE for an unknown run id. */
#ifndef HB_STORE_H
#define HB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hb/clock.h"
#include "hb/error.h"

#define HB_RUN_ID_LEN 26

typedef struct hb_run {
    char id[HB_RUN_ID_LEN + 1];
    char *workflow;      /* name */
    char *workflow_file; /* path the run was started from */
    char version[65];    /* sha256 of the workflow source */
    char status[16];     /* running waiting succeeded failed cancelled planned */
    char *step;          /* current step id (next to run, waiting, or final) */
    char target[8];      /* sandbox | live */
    bool dry_run;
    char *actor;         /* who started it */
    char *inputs_json;   /* canonical JSON object */
    char input_key[65];  /* sha256(workflow NUL canonical inputs): duplicate detection */
    char *vars_json;     /* ctx.vars after the last finished step */
    char *answers_json;  /* ctx.answers */
    char *events_json;   /* ctx.events */
    char *wait_json;     /* what a waiting run waits for, or NULL */
    hb_time_us due_at;   /* when a worker should next look at it; 0 = never */
    char *error;         /* why a failed run failed, or NULL */
    char *lease_holder;  /* "host:pid" holding the run, or NULL */
    hb_time_us lease_until;
    hb_time_us created_at;
    hb_time_us updated_at;
} hb_run;

void hb_run_free(hb_run *r);  /* frees the strings, not r itself */
void hb_run_copy(hb_run *dst, const hb_run *src);

typedef struct hb_run_filter {
    const char *status;    /* NULL = any */
    const char *workflow;  /* NULL = any */
    const char *input_key; /* NULL = any */
    bool active_only;      /* running or waiting */
    hb_time_us due_before; /* 0 = ignore; else waiting runs with 0 < due_at <= this */
    int limit;             /* 0 = no limit */
} hb_run_filter;

typedef struct hb_audit_event {
    int64_t seq;
    char run[HB_RUN_ID_LEN + 1];
    char ts[32];  /* RFC 3339 UTC with microseconds */
    char type[24];
    char *step;   /* NULL when the event belongs to no step */
    char *actor;
    char *data;   /* canonical JSON object */
    char prev[65];
    char hash[65];
} hb_audit_event;

void hb_audit_event_free(hb_audit_event *ev);

/* Callbacks return 0 to continue, non-zero to stop early. */
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
    hb_status (*run_update)(hb_store *s, const hb_run *run, hb_err *e);
    /* HB_EUSAGE "no run X" when unknown. */
    hb_status (*run_get)(hb_store *s, const char *id, hb_run *out, hb_err *e);
    hb_status (*run_list)(hb_store *s, const hb_run_filter *f, hb_run_cb cb, void *ud, hb_err *e);
    /* Takes the run's lease when free, expired or already ours; otherwise
     * HB_EBUSY naming the holder. Must be called outside a transaction. */
    hb_status (*run_claim)(hb_store *s, const char *id, const char *holder, hb_time_us until,
                           hb_err *e);
    hb_status (*run_release)(hb_store *s, const char *id, const char *holder, hb_err *e);

    hb_status (*source_put)(hb_store *s, const char *sha, const char *content, size_t len,
                            hb_err *e);
    /* HB_EINTERNAL when a pinned source is missing: the store lost data. */
    hb_status (*source_get)(hb_store *s, const char *sha, char **content, size_t *len, hb_err *e);
    hb_status (*run_source_add)(hb_store *s, const char *run, const char *module,
                                const char *sha, hb_err *e);
    hb_status (*run_sources)(hb_store *s, const char *run, hb_source_cb cb, void *ud, hb_err *e);

    hb_status (*body_put)(hb_store *s, const char *digest, const char *content, size_t len,
                          hb_err *e);
    hb_status (*body_get)(hb_store *s, const char *digest, char **content, size_t *len,
                          hb_err *e);

    /* seq 0 and 64 zeros when the chain is empty. */
    hb_status (*audit_last)(hb_store *s, int64_t *seq, char hash[65], hb_err *e);
    hb_status (*audit_insert)(hb_store *s, const hb_audit_event *ev, hb_err *e);
    /* In seq order; run NULL = every event. */
    hb_status (*audit_iter)(hb_store *s, const char *run, hb_audit_cb cb, void *ud, hb_err *e);
};

struct hb_store {
    const struct hb_store_ops *ops;
};

typedef struct hb_store_options {
    int busy_timeout_ms; /* HB_BUSY_TIMEOUT_MS, default 5000 */
    bool durability_full; /* HB_DURABILITY=full: synchronous=FULL */
} hb_store_options;

void hb_store_options_from_env(hb_store_options *o);

/* Opens (creating and migrating as needed) the SQLite store at path. */
hb_status hb_store_open_sqlite(const char *path, const hb_store_options *o, hb_store **out,
                               hb_err *e);
/* Opens $HB_HOME/hb.db, creating HB_HOME (mode 0700) when missing. */
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

#endif
