/* The store's schema and its forward migrations. The version lives in
 * PRAGMA user_version; migration N takes a store from version N to N+1.
 * Steps are only ever appended: a released step never changes, since stores
 * out there have already run it. */
#include <stdio.h>

#include "store_sqlite_internal.h"

static const char *const migrations[] = {
    /* 0 -> 1: the first schema. */
    "CREATE TABLE runs ("
    "  id TEXT PRIMARY KEY,"
    "  workflow TEXT NOT NULL,"
    "  workflow_file TEXT,"
    "  version TEXT NOT NULL,"
    "  status TEXT NOT NULL,"
    "  step TEXT,"
    "  target TEXT NOT NULL,"
    "  dry_run INTEGER NOT NULL DEFAULT 0,"
    "  actor TEXT,"
    "  inputs_json TEXT,"
    "  input_key TEXT,"
    "  vars_json TEXT,"
    "  answers_json TEXT,"
    "  events_json TEXT,"
    "  wait_json TEXT,"
    "  due_at INTEGER NOT NULL DEFAULT 0,"
    "  error TEXT,"
    "  lease_holder TEXT,"
    "  lease_until INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL);"
    "CREATE INDEX runs_status ON runs(status);"
    "CREATE INDEX runs_input_key ON runs(input_key);"
    "CREATE INDEX runs_due_at ON runs(due_at);"
    "CREATE TABLE sources (sha TEXT PRIMARY KEY, content BLOB NOT NULL);"
    "CREATE TABLE run_sources ("
    "  run TEXT NOT NULL, module TEXT NOT NULL, sha TEXT NOT NULL,"
    "  PRIMARY KEY (run, module)) WITHOUT ROWID;"
    "CREATE TABLE bodies ("
    "  digest TEXT PRIMARY KEY, content BLOB NOT NULL, created_at INTEGER NOT NULL);"
    "CREATE TABLE audit ("
    "  seq INTEGER PRIMARY KEY,"
    "  run TEXT NOT NULL,"
    "  ts TEXT NOT NULL,"
    "  type TEXT NOT NULL,"
    "  step TEXT,"
    "  actor TEXT NOT NULL,"
    "  data TEXT NOT NULL,"
    "  prev TEXT NOT NULL,"
    "  hash TEXT NOT NULL,"
    "  object TEXT);"
    "CREATE INDEX audit_run ON audit(run);"
    /* No triggers guard the trail: anyone who can write the file can drop
     * them, and an auditor must be able to try an edit and watch verify
     * catch it. The chain, and a recorded head, are the protection. */
    "CREATE INDEX audit_object ON audit(object) WHERE object IS NOT NULL;",
};

#define LATEST_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

int hb_store_schema_version(void)
{
    return LATEST_VERSION;
}

static hb_status read_version(sq_store *s, int *version, hb_err *e)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &stmt, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        *version = sqlite3_column_int(stmt, 0);
        sqlite3_finalize(stmt);
        /* No hb writes a negative version; migrating from one would index
         * before the first migration. */
        if (*version < 0)
            return hb_err_set(e, HB_EINTERNAL,
                              "the store %s has schema version %d, which no hb writes: it is "
                              "damaged",
                              s->path, *version);
        return HB_OK;
    }
    sqlite3_finalize(stmt);
    return sq_fail_opening(s, rc, "reading its schema version", e);
}

static hb_status refuse_newer(sq_store *s, int version, hb_err *e)
{
    return hb_err_set(e, HB_EINTERNAL,
                      "the store %s has schema version %d, newer than this hb understands "
                      "(up to %d); use the newer hb that wrote it",
                      s->path, version, LATEST_VERSION);
}

static hb_status apply_steps(sq_store *s, int from, hb_err *e)
{
    char doing[64];
    for (int v = from; v < LATEST_VERSION; v++) {
        snprintf(doing, sizeof doing, "migrating its schema to version %d", v + 1);
        int rc = sqlite3_exec(s->db, migrations[v], NULL, NULL, NULL);
        if (rc != SQLITE_OK)
            return sq_fail_opening(s, rc, doing, e);
    }
    char set_version[48];
    snprintf(set_version, sizeof set_version, "PRAGMA user_version=%d", LATEST_VERSION);
    int rc = sqlite3_exec(s->db, set_version, NULL, NULL, NULL);
    return rc == SQLITE_OK ? HB_OK : sq_fail_opening(s, rc, "recording its schema version", e);
}

hb_status sq_migrate(sq_store *s, hb_err *e)
{
    int version = 0;
    hb_status st = read_version(s, &version, e);
    if (st != HB_OK)
        return st;
    if (version == LATEST_VERSION)
        return HB_OK; /* the common case costs one read and no lock */
    if (version > LATEST_VERSION)
        return refuse_newer(s, version, e);
    /* All steps in one transaction: a store is at one version or the next,
     * never in between. Re-read under the lock, since another hb may have
     * migrated it meanwhile. */
    st = sq_begin(&s->base, e);
    if (st != HB_OK)
        return st;
    st = read_version(s, &version, e);
    if (st == HB_OK && version > LATEST_VERSION)
        st = refuse_newer(s, version, e);
    if (st == HB_OK && version < LATEST_VERSION)
        st = apply_steps(s, version, e);
    if (st != HB_OK) {
        sq_rollback(&s->base);
        return st;
    }
    return sq_commit(&s->base, e);
}
