/* What hb migrate needs of the SQLite store beyond a run's row and its
 * events: a run's pins dropped, so it can pin the version it moves to. The
 * statement is rare (once per migrated run), so it is prepared each time
 * rather than given a slot. */
#include "store_sqlite_internal.h"

hb_status sq_run_sources_drop(hb_store *base, const char *run, hb_err *e)
{
    sq_store *s = sq_of(base);
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(s->db, "DELETE FROM run_sources WHERE run = ?1", -1, &stmt, NULL);
    if (rc != SQLITE_OK)
        return sq_fail(s, rc, "dropping a run's pins", e);
    sq_bind_text(stmt, 1, run);
    hb_status st = sq_step_done(s, stmt, "dropping a run's pins", e);
    sqlite3_finalize(stmt);
    return st;
}
