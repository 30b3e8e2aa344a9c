/* Pinned sources, request/response bodies and audit rows in the SQLite
 * store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/util.h"
#include "store_sqlite_internal.h"

/* Copies a BLOB column into a NUL-terminated allocation. */
static char *column_blob_dup(sqlite3_stmt *stmt, int col, size_t *len)
{
    const void *blob = sqlite3_column_blob(stmt, col);
    size_t n = (size_t)sqlite3_column_bytes(stmt, col);
    char *copy = hb_xmalloc(n + 1);
    if (n)
        memcpy(copy, blob, n);
    copy[n] = '\0';
    if (len)
        *len = n;
    return copy;
}

/* Runs a single-row lookup of one BLOB by key. HB_OK with *content NULL when
 * there is no such row, so each caller words "missing" its own way. */
static hb_status get_blob(sq_store *s, int slot, const char *sql, const char *key,
                          const char *doing, char **content, size_t *len, hb_err *e)
{
    *content = NULL;
    if (len)
        *len = 0;
    sqlite3_stmt *stmt;
    hb_status st = sq_stmt(s, slot, sql, &stmt, e);
    if (st != HB_OK)
        return st;
    sq_bind_text(stmt, 1, key);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *content = column_blob_dup(stmt, 0, len);
    else if (rc != SQLITE_DONE)
        st = sq_fail(s, rc, doing, e);
    sq_stmt_done(s, slot, stmt);
    return st;
}

hb_status sq_source_put(hb_store *base, const char *sha, const char *content, size_t len, hb_err *e)
{
    sq_store *s = sq_of(base);
    sqlite3_stmt *stmt;
    hb_status st =
        sq_stmt(s, SQ_SOURCE_PUT,
                "INSERT INTO sources (sha, content) VALUES (?1, ?2) ON CONFLICT (sha) DO NOTHING",
                &stmt, e);
    if (st != HB_OK)
        return st;
    sq_bind_text(stmt, 1, sha);
    sqlite3_bind_blob64(stmt, 2, content, len, SQLITE_STATIC);
    st = sq_step_done(s, stmt, "pinning a workflow source", e);
    sq_stmt_done(s, SQ_SOURCE_PUT, stmt);
    return st;
}

hb_status sq_source_get(hb_store *base, const char *sha, char **content, size_t *len, hb_err *e)
{
    sq_store *s = sq_of(base);
    hb_status st = get_blob(s, SQ_SOURCE_GET, "SELECT content FROM sources WHERE sha = ?1", sha,
                            "reading a pinned source", content, len, e);
    if (st == HB_OK && !*content)
        return hb_err_set(e, HB_EINTERNAL,
                          "the store %s has lost the pinned source %s that a run depends on",
                          s->path, sha);
    return st;
}

/* Called when the pin already existed: the same sha is fine (a resumed run
 * pins again), a different one would change a run's code under it. */
static hb_status check_existing_pin(sq_store *s, const char *run, const char *module,
                                    const char *sha, hb_err *e)
{
    sqlite3_stmt *stmt;
    hb_status st = sq_stmt(s, SQ_RUN_SOURCE_GET,
                           "SELECT sha FROM run_sources WHERE run = ?1 AND module = ?2", &stmt, e);
    if (st != HB_OK)
        return st;
    sq_bind_text(stmt, 1, run);
    sq_bind_text(stmt, 2, module);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        const char *pinned = (const char *)sqlite3_column_text(stmt, 0);
        if (!pinned || strcmp(pinned, sha) != 0)
            st = hb_err_set(e, HB_EINTERNAL,
                            "run %s already pins module %s at %s, not %s (a bug in hb)", run,
                            module, pinned ? pinned : "?", sha);
    } else if (rc != SQLITE_DONE) {
        st = sq_fail(s, rc, "reading a run's pinned modules", e);
    }
    sq_stmt_done(s, SQ_RUN_SOURCE_GET, stmt);
    return st;
}

hb_status sq_run_source_add(hb_store *base, const char *run, const char *module, const char *sha,
                            hb_err *e)
{
    sq_store *s = sq_of(base);
    sqlite3_stmt *stmt;
    hb_status st = sq_stmt(s, SQ_RUN_SOURCE_ADD,
                           "INSERT INTO run_sources (run, module, sha) VALUES (?1, ?2, ?3) "
                           "ON CONFLICT (run, module) DO NOTHING",
                           &stmt, e);
    if (st != HB_OK)
        return st;
    sq_bind_text(stmt, 1, run);
    sq_bind_text(stmt, 2, module);
    sq_bind_text(stmt, 3, sha);
    st = sq_step_done(s, stmt, "pinning a module to a run", e);
    sq_stmt_done(s, SQ_RUN_SOURCE_ADD, stmt);
    if (st == HB_OK && sqlite3_changes(s->db) == 0)
        return check_existing_pin(s, run, module, sha, e);
    return st;
}

hb_status sq_run_sources(hb_store *base, const char *run, hb_source_cb cb, void *ud, hb_err *e)
{
    sq_store *s = sq_of(base);
    sqlite3_stmt *stmt;
    hb_status st =
        sq_stmt(s, SQ_RUN_SOURCES,
                "SELECT module, sha FROM run_sources WHERE run = ?1 ORDER BY module", &stmt, e);
    if (st != HB_OK)
        return st;
    sq_bind_text(stmt, 1, run);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        char *module = sq_column_dup(stmt, 0);
        char *sha = sq_column_dup(stmt, 1);
        int stop = cb(module ? module : "", sha ? sha : "", ud);
        free(module);
        free(sha);
        if (stop)
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        st = sq_fail(s, rc, "reading a run's pinned modules", e);
    sq_stmt_done(s, SQ_RUN_SOURCES, stmt);
    return st;
}

hb_status sq_body_put(hb_store *base, const char *digest, const char *content, size_t len,
                      hb_err *e)
{
    sq_store *s = sq_of(base);
    sqlite3_stmt *stmt;
    hb_status st = sq_stmt(s, SQ_BODY_PUT,
                           "INSERT INTO bodies (digest, content, created_at) VALUES (?1, ?2, ?3) "
                           "ON CONFLICT (digest) DO NOTHING",
                           &stmt, e);
    if (st != HB_OK)
        return st;
    sq_bind_text(stmt, 1, digest);
    sqlite3_bind_blob64(stmt, 2, content, len, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 3, hb_clock_wall());
    st = sq_step_done(s, stmt, "storing a request or response body", e);
    sq_stmt_done(s, SQ_BODY_PUT, stmt);
    return st;
}

hb_status sq_body_get(hb_store *base, const char *digest, char **content, size_t *len, hb_err *e)
{
    sq_store *s = sq_of(base);
    hb_status st = get_blob(s, SQ_BODY_GET, "SELECT content FROM bodies WHERE digest = ?1", digest,
                            "reading a body", content, len, e);
    if (st == HB_OK && !*content)
        return hb_err_set(e, HB_EUSAGE, "no body %s in the store (never stored, or purged)",
                          digest);
    return st;
}

hb_status sq_audit_last(hb_store *base, int64_t *seq, char hash[65], hb_err *e)
{
    sq_store *s = sq_of(base);
    *seq = 0;
    memset(hash, '0', 64);
    hash[64] = '\0';
    sqlite3_stmt *stmt;
    hb_status st = sq_stmt(s, SQ_AUDIT_LAST,
                           "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", &stmt, e);
    if (st != HB_OK)
        return st;
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        *seq = sqlite3_column_int64(stmt, 0);
        sq_column_copy(stmt, 1, hash, 65);
    } else if (rc != SQLITE_DONE) {
        st = sq_fail(s, rc, "reading the audit head", e);
    }
    sq_stmt_done(s, SQ_AUDIT_LAST, stmt);
    return st;
}

hb_status sq_audit_insert(hb_store *base, const hb_audit_event *ev, hb_err *e)
{
    sq_store *s = sq_of(base);
    sqlite3_stmt *stmt;
    /* The object column indexes "every change hb made to X" for auditors; it
     * is derived from data, so the hash chain covers it. */
    hb_status st = sq_stmt(s, SQ_AUDIT_INSERT,
                           "INSERT INTO audit (seq, run, ts, type, step, actor, data, prev, hash, "
                           "object) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                           "CASE json_type(?7, '$.object') WHEN 'text' "
                           "THEN json_extract(?7, '$.object') END)",
                           &stmt, e);
    if (st != HB_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, ev->seq);
    sq_bind_text(stmt, 2, ev->run);
    sq_bind_text(stmt, 3, ev->ts);
    sq_bind_text(stmt, 4, ev->type);
    sq_bind_text(stmt, 5, ev->step);
    sq_bind_text(stmt, 6, ev->actor ? ev->actor : "");
    sq_bind_text(stmt, 7, ev->data ? ev->data : "{}");
    sq_bind_text(stmt, 8, ev->prev);
    sq_bind_text(stmt, 9, ev->hash);
    int rc = sqlite3_step(stmt);
    sq_stmt_done(s, SQ_AUDIT_INSERT, stmt);
    if (rc == SQLITE_DONE)
        return HB_OK;
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return hb_err_set(e, HB_EINTERNAL,
                          "audit event %lld already exists in the store %s (events must be "
                          "appended inside a transaction)",
                          (long long)ev->seq, s->path);
    return sq_fail(s, rc, "appending an audit event", e);
}

#define AUDIT_COLUMNS "seq, run, ts, type, step, actor, data, prev, hash, object"

static void read_event(sqlite3_stmt *stmt, hb_audit_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->seq = sqlite3_column_int64(stmt, 0);
    sq_column_copy(stmt, 1, ev->run, sizeof ev->run);
    sq_column_copy(stmt, 2, ev->ts, sizeof ev->ts);
    sq_column_copy(stmt, 3, ev->type, sizeof ev->type);
    ev->step = sq_column_dup(stmt, 4);
    ev->actor = sq_column_dup(stmt, 5);
    ev->data = sq_column_dup(stmt, 6);
    sq_column_copy(stmt, 7, ev->prev, sizeof ev->prev);
    sq_column_copy(stmt, 8, ev->hash, sizeof ev->hash);
    ev->object = sq_column_dup(stmt, 9);
}

/* One SELECT is one snapshot, so a walk never sees a half-written chain
 * even while other processes append. */
static hb_status iterate_events(sq_store *s, int slot, const char *sql, const char *key,
                                hb_audit_cb cb, void *ud, hb_err *e)
{
    sqlite3_stmt *stmt;
    hb_status st = sq_stmt(s, slot, sql, &stmt, e);
    if (st != HB_OK)
        return st;
    if (key)
        sq_bind_text(stmt, 1, key);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        hb_audit_event ev;
        read_event(stmt, &ev);
        int stop = cb(&ev, ud);
        hb_audit_event_free(&ev);
        if (stop)
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        st = sq_fail(s, rc, "reading the audit trail", e);
    sq_stmt_done(s, slot, stmt);
    return st;
}

hb_status sq_audit_iter(hb_store *base, const char *run, hb_audit_cb cb, void *ud, hb_err *e)
{
    sq_store *s = sq_of(base);
    if (!run)
        return iterate_events(s, SQ_AUDIT_ALL, "SELECT " AUDIT_COLUMNS " FROM audit ORDER BY seq",
                              NULL, cb, ud, e);
    return iterate_events(s, SQ_AUDIT_BY_RUN,
                          "SELECT " AUDIT_COLUMNS " FROM audit WHERE run = ?1 ORDER BY seq", run,
                          cb, ud, e);
}

hb_status sq_audit_iter_object(hb_store *base, const char *object, hb_audit_cb cb, void *ud,
                               hb_err *e)
{
    return iterate_events(sq_of(base), SQ_AUDIT_BY_OBJECT,
                          "SELECT " AUDIT_COLUMNS " FROM audit WHERE object = ?1 ORDER BY seq",
                          object, cb, ud, e);
}
