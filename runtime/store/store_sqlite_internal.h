/* Shared between the SQLite store's files (store_sqlite*.c, store_schema.c);
 * nothing outside them includes this. */
#ifndef HB_STORE_SQLITE_INTERNAL_H
#define HB_STORE_SQLITE_INTERNAL_H

#include <sqlite3.h>

#include "hb/store.h"

/* Every statement the store runs has a slot: prepared on first use, then
 * reset and reused for the life of the handle. */
enum sq_stmt_id {
    SQ_BEGIN,
    SQ_COMMIT,
    SQ_ROLLBACK,
    SQ_RUN_INSERT,
    SQ_RUN_UPDATE,
    SQ_RUN_GET,
    SQ_RUN_LEASE_GET,
    SQ_RUN_LEASE_SET,
    SQ_RUN_RELEASE,
    SQ_SOURCE_PUT,
    SQ_SOURCE_GET,
    SQ_RUN_SOURCE_ADD,
    SQ_RUN_SOURCE_GET,
    SQ_RUN_SOURCES,
    SQ_BODY_PUT,
    SQ_BODY_GET,
    SQ_AUDIT_LAST,
    SQ_AUDIT_INSERT,
    SQ_AUDIT_ALL,
    SQ_AUDIT_BY_RUN,
    SQ_AUDIT_BY_OBJECT,
    /* run_list builds its SQL from the filter's shape: one slot per shape. */
    SQ_RUN_LIST_FIRST,
};
#define SQ_RUN_LIST_SHAPES 32
#define SQ_STMT_COUNT      (SQ_RUN_LIST_FIRST + SQ_RUN_LIST_SHAPES)

typedef struct sq_slot {
    sqlite3_stmt *stmt;
    int in_use; /* a caller is stepping it (callbacks may re-enter the store) */
} sq_slot;

typedef struct sq_store {
    hb_store base;
    sqlite3 *db;
    char *path;
    sq_slot slots[SQ_STMT_COUNT];
} sq_store;

static inline sq_store *sq_of(hb_store *s)
{
    return (sq_store *)s;
}

/* The slot's statement in *out, ready to bind; a fresh one when a caller up
 * the stack is still stepping the cached one. */
hb_status sq_stmt(sq_store *s, int slot, const char *sql, sqlite3_stmt **out, hb_err *e);
/* Hands the statement back: the cached one is reset, a fresh one finalized. */
void sq_stmt_done(sq_store *s, int slot, sqlite3_stmt *stmt);

/* Maps an SQLite result code to an hb status and message (busy, corrupt,
 * full, permissions) naming the store's path and what it was doing. */
hb_status sq_fail(sq_store *s, int rc, const char *doing, hb_err *e);
/* sq_fail for errors while opening; when the error may mean a damaged file,
 * adds what PRAGMA quick_check finds. */
hb_status sq_fail_opening(sq_store *s, int rc, const char *doing, hb_err *e);
/* Steps a statement that returns no rows. */
hb_status sq_step_done(sq_store *s, sqlite3_stmt *stmt, const char *doing, hb_err *e);
/* Binds text, or NULL when s is NULL. */
void sq_bind_text(sqlite3_stmt *stmt, int idx, const char *text);
/* A newly allocated copy of a text column, or NULL for SQL NULL. */
char *sq_column_dup(sqlite3_stmt *stmt, int col);
/* Copies a text column into a fixed buffer (truncating; "" for NULL). */
void sq_column_copy(sqlite3_stmt *stmt, int col, char *out, size_t size);

/* Transactions, also used inside the store (run_claim, migrations). */
hb_status sq_begin(hb_store *s, hb_err *e);
hb_status sq_commit(hb_store *s, hb_err *e);
void sq_rollback(hb_store *s);

/* store_schema.c: brings the schema to the version this binary writes. */
hb_status sq_migrate(sq_store *s, hb_err *e);

/* store_sqlite_runs.c */
hb_status sq_run_insert(hb_store *s, const hb_run *run, hb_err *e);
hb_status sq_run_update(hb_store *s, const hb_run *run, hb_err *e);
hb_status sq_run_get(hb_store *s, const char *id, hb_run *out, hb_err *e);
hb_status sq_run_list(hb_store *s, const hb_run_filter *f, hb_run_cb cb, void *ud, hb_err *e);
hb_status sq_run_claim(hb_store *s, const char *id, const char *holder, hb_time_us until,
                       hb_err *e);
hb_status sq_run_release(hb_store *s, const char *id, const char *holder, hb_err *e);

/* store_sqlite_data.c */
hb_status sq_source_put(hb_store *s, const char *sha, const char *content, size_t len, hb_err *e);
hb_status sq_source_get(hb_store *s, const char *sha, char **content, size_t *len, hb_err *e);
hb_status sq_run_source_add(hb_store *s, const char *run, const char *module, const char *sha,
                            hb_err *e);
hb_status sq_run_sources(hb_store *s, const char *run, hb_source_cb cb, void *ud, hb_err *e);
hb_status sq_body_put(hb_store *s, const char *digest, const char *content, size_t len, hb_err *e);
hb_status sq_body_get(hb_store *s, const char *digest, char **content, size_t *len, hb_err *e);
hb_status sq_audit_last(hb_store *s, int64_t *seq, char hash[65], hb_err *e);
hb_status sq_audit_insert(hb_store *s, const hb_audit_event *ev, hb_err *e);
hb_status sq_audit_iter(hb_store *s, const char *run, hb_audit_cb cb, void *ud, hb_err *e);
hb_status sq_audit_iter_object(hb_store *s, const char *object, hb_audit_cb cb, void *ud,
                               hb_err *e);

/* store_sqlite_migrate.c: hb migrate's one write of its own. */
hb_status sq_run_sources_drop(hb_store *s, const char *run, hb_err *e);

#endif
