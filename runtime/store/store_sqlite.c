/* The SQLite store: opening, error mapping, the statement cache and
 * transactions. The operations themselves live in store_sqlite_runs.c and
 * store_sqlite_data.c; the schema in store_schema.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/settings.h"
#include "hb/util.h"
#include "store_sqlite_internal.h"

hb_status sq_stmt(sq_store *s, int slot, const char *sql, sqlite3_stmt **out, hb_err *e)
{
    sq_slot *c = &s->slots[slot];
    *out = NULL;
    if (c->stmt && !c->in_use) {
        c->in_use = 1;
        *out = c->stmt;
        return HB_OK;
    }
    sqlite3_stmt *stmt = NULL;
    /* A re-entrant use (a callback calling back into the store) gets a
     * throwaway statement so the outer loop's cursor is left alone. */
    unsigned flags = c->stmt ? 0 : SQLITE_PREPARE_PERSISTENT;
    int rc = sqlite3_prepare_v3(s->db, sql, -1, flags, &stmt, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt);
        return sq_fail(s, rc, "preparing a query", e);
    }
    if (!c->stmt) {
        c->stmt = stmt;
        c->in_use = 1;
    }
    *out = stmt;
    return HB_OK;
}

void sq_stmt_done(sq_store *s, int slot, sqlite3_stmt *stmt)
{
    if (!stmt)
        return;
    sq_slot *c = &s->slots[slot];
    if (stmt == c->stmt) {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
        c->in_use = 0;
    } else {
        sqlite3_finalize(stmt);
    }
}

hb_status sq_fail(sq_store *s, int rc, const char *doing, hb_err *e)
{
    const char *detail = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return hb_err_set(e, HB_EBUSY, "the store %s is locked by another hb process; retry later",
                          s->path);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return hb_err_set(e, HB_EINTERNAL,
                          "the store %s is corrupted or not an hb database (%s, while %s); "
                          "move it aside and restore a backup",
                          s->path, detail, doing);
    case SQLITE_FULL:
        return hb_err_set(e, HB_EINTERNAL, "the disk holding the store %s is full (while %s)",
                          s->path, doing);
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
        return hb_err_set(e, HB_EINTERNAL,
                          "cannot use the store %s: %s (while %s); check that it and its folder "
                          "are readable and writable by this user",
                          s->path, detail, doing);
    case SQLITE_IOERR:
        return hb_err_set(e, HB_EINTERNAL, "I/O error on the store %s while %s: %s", s->path, doing,
                          detail);
    default:
        return hb_err_set(e, HB_EINTERNAL, "the store %s failed while %s: %s", s->path, doing,
                          detail);
    }
}

hb_status sq_step_done(sq_store *s, sqlite3_stmt *stmt, const char *doing, hb_err *e)
{
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        return HB_OK;
    return sq_fail(s, rc, doing, e);
}

void sq_bind_text(sqlite3_stmt *stmt, int idx, const char *text)
{
    if (text)
        sqlite3_bind_text(stmt, idx, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(stmt, idx);
}

char *sq_column_dup(sqlite3_stmt *stmt, int col)
{
    const unsigned char *text = sqlite3_column_text(stmt, col);
    if (!text)
        return NULL;
    return hb_xstrndup((const char *)text, (size_t)sqlite3_column_bytes(stmt, col));
}

void sq_column_copy(sqlite3_stmt *stmt, int col, char *out, size_t size)
{
    const unsigned char *text = sqlite3_column_text(stmt, col);
    snprintf(out, size, "%s", text ? (const char *)text : "");
}

static hb_status run_simple(sq_store *s, int slot, const char *sql, const char *doing, hb_err *e)
{
    sqlite3_stmt *stmt;
    hb_status st = sq_stmt(s, slot, sql, &stmt, e);
    if (st != HB_OK)
        return st;
    st = sq_step_done(s, stmt, doing, e);
    sq_stmt_done(s, slot, stmt);
    return st;
}

hb_status sq_begin(hb_store *base, hb_err *e)
{
    sq_store *s = sq_of(base);
    if (!sqlite3_get_autocommit(s->db))
        return hb_err_set(e, HB_EINTERNAL,
                          "a store transaction was begun inside another (a bug in hb)");
    /* IMMEDIATE takes the write lock now, so the audit head read inside the
     * transaction is still the head when the event is inserted. */
    return run_simple(s, SQ_BEGIN, "BEGIN IMMEDIATE", "starting a transaction", e);
}

/* A fault knob for crash tests: HB_FAULT_ABORT_AFTER_COMMITS=N makes the
 * process abort() right after its N-th successful commit (counted over every
 * store it opens), as a kill at that instant would. 0 (the default) means
 * never. Tests loop N over every commit of a run. */
static void abort_after_commit_fault(void)
{
    static long long commits = 0;
    int64_t abort_at = 0;
    hb_setting_int("HB_FAULT_ABORT_AFTER_COMMITS", &abort_at, NULL);
    if (abort_at > 0 && ++commits == abort_at)
        abort();
}

hb_status sq_commit(hb_store *base, hb_err *e)
{
    sq_store *s = sq_of(base);
    hb_status st = run_simple(s, SQ_COMMIT, "COMMIT", "committing", e);
    /* Callers only roll back when their own work failed; never leave a
     * failed commit's transaction open behind them. */
    if (st != HB_OK)
        sq_rollback(base);
    else
        abort_after_commit_fault();
    return st;
}

void sq_rollback(hb_store *base)
{
    sq_store *s = sq_of(base);
    if (sqlite3_get_autocommit(s->db))
        return; /* nothing open, or SQLite already rolled back */
    run_simple(s, SQ_ROLLBACK, "ROLLBACK", "rolling back", NULL);
}

static bool sq_in_transaction(hb_store *base)
{
    return !sqlite3_get_autocommit(sq_of(base)->db);
}

static void sq_close(hb_store *base)
{
    sq_store *s = sq_of(base);
    if (s->db) {
        sq_rollback(base);
        for (int i = 0; i < SQ_STMT_COUNT; i++)
            sqlite3_finalize(s->slots[i].stmt);
        sqlite3_close(s->db);
    }
    free(s->path);
    free(s);
}

static const struct hb_store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .run_insert = sq_run_insert,
    .run_update = sq_run_update,
    .run_get = sq_run_get,
    .run_list = sq_run_list,
    .run_claim = sq_run_claim,
    .run_release = sq_run_release,
    .source_put = sq_source_put,
    .source_get = sq_source_get,
    .run_source_add = sq_run_source_add,
    .run_sources = sq_run_sources,
    .body_put = sq_body_put,
    .body_get = sq_body_get,
    .audit_last = sq_audit_last,
    .audit_insert = sq_audit_insert,
    .audit_iter = sq_audit_iter,
    .audit_iter_object = sq_audit_iter_object,
    .in_transaction = sq_in_transaction,
    .run_sources_drop = sq_run_sources_drop,
};

/* Whether an open-time failure leaves the file itself in doubt; locks,
 * permissions and a full disk say nothing about its contents. */
static bool worth_quick_check(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_NOTADB:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_FULL:
        return false;
    default:
        return true;
    }
}

static int first_row_text(void *ud, int ncols, char **values, char **names)
{
    (void)names;
    char *out = ud;
    if (!out[0] && ncols > 0 && values[0])
        snprintf(out, 256, "%s", values[0]);
    return 0;
}

/* Opening failed in a way that may mean damage: ask SQLite what it finds,
 * only now, since a full check on every open would cost too much. */
static void add_quick_check(sq_store *s, hb_err *e)
{
    char verdict[256] = "";
    if (sqlite3_exec(s->db, "PRAGMA quick_check(1)", first_row_text, verdict, NULL) != SQLITE_OK)
        return;
    if (verdict[0] && strcmp(verdict, "ok") != 0 && e) {
        size_t n = strlen(e->msg);
        snprintf(e->msg + n, sizeof e->msg - n, " (quick_check: %s)", verdict);
        e->code = HB_EINTERNAL;
    }
}

hb_status sq_fail_opening(sq_store *s, int rc, const char *doing, hb_err *e)
{
    hb_status st = sq_fail(s, rc, doing, e);
    if (worth_quick_check(rc))
        add_quick_check(s, e);
    return st;
}

static hb_status exec_pragma(sq_store *s, const char *sql, char *result, hb_err *e)
{
    int rc = sqlite3_exec(s->db, sql, result ? first_row_text : NULL, result, NULL);
    return rc == SQLITE_OK ? HB_OK : sq_fail_opening(s, rc, "opening it", e);
}

static hb_status configure(sq_store *s, const hb_store_options *o, hb_err *e)
{
    sqlite3_busy_timeout(s->db, o->busy_timeout_ms);
    /* The first statement reads the file header: a file that is not a
     * database fails here. WAL persists in the file; asking again is cheap. */
    char mode[256] = "";
    hb_status st = exec_pragma(s, "PRAGMA journal_mode=WAL", mode, e);
    if (st != HB_OK)
        return st;
    if (sqlite3_db_readonly(s->db, "main") == 1)
        return hb_err_set(e, HB_EINTERNAL,
                          "the store %s can only be opened read-only; check that it and its "
                          "folder are writable by this user",
                          s->path);
    st = exec_pragma(
        s, o->durability_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", NULL, e);
    if (st != HB_OK)
        return st;
    return sq_migrate(s, e);
}

hb_status hb_store_open_sqlite(const char *path, const hb_store_options *o, hb_store **out,
                               hb_err *e)
{
    *out = NULL;
    hb_store_options defaults = {.busy_timeout_ms = HB_STORE_DEFAULT_BUSY_TIMEOUT_MS};
    if (!o)
        o = &defaults;
    sq_store *s = hb_xcalloc(1, sizeof *s);
    s->base.ops = &sqlite_ops;
    s->path = hb_xstrdup(path);
    int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    hb_status st = rc == SQLITE_OK ? configure(s, o, e) : sq_fail(s, rc, "opening it", e);
    if (st != HB_OK) {
        sq_close(&s->base);
        return st;
    }
    *out = &s->base;
    return HB_OK;
}
