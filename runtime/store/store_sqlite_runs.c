/* Runs in the SQLite store: rows, filters and leases. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb/util.h"
#include "store_sqlite_internal.h"

/* Column order shared by every statement that reads or writes a whole run;
 * bind_run and read_run follow it (parameter N is column N-1). */
#define RUN_COLUMNS                                                                                \
    "id, workflow, workflow_file, version, status, step, target, dry_run, actor, inputs_json, "    \
    "input_key, vars_json, answers_json, events_json, wait_json, due_at, error, lease_holder, "    \
    "lease_until, created_at, updated_at"

enum {
    COL_ID,
    COL_WORKFLOW,
    COL_WORKFLOW_FILE,
    COL_VERSION,
    COL_STATUS,
    COL_STEP,
    COL_TARGET,
    COL_DRY_RUN,
    COL_ACTOR,
    COL_INPUTS,
    COL_INPUT_KEY,
    COL_VARS,
    COL_ANSWERS,
    COL_EVENTS,
    COL_WAIT,
    COL_DUE_AT,
    COL_ERROR,
    COL_LEASE_HOLDER,
    COL_LEASE_UNTIL,
    COL_CREATED_AT,
    COL_UPDATED_AT,
};

static void bind_run(sqlite3_stmt *stmt, const hb_run *r, hb_time_us created, hb_time_us updated)
{
    sq_bind_text(stmt, COL_ID + 1, r->id);
    sq_bind_text(stmt, COL_WORKFLOW + 1, r->workflow);
    sq_bind_text(stmt, COL_WORKFLOW_FILE + 1, r->workflow_file);
    sq_bind_text(stmt, COL_VERSION + 1, r->version);
    sq_bind_text(stmt, COL_STATUS + 1, hb_run_status_name(r->status));
    sq_bind_text(stmt, COL_STEP + 1, r->step);
    sq_bind_text(stmt, COL_TARGET + 1, hb_run_target_name(r->target));
    sqlite3_bind_int(stmt, COL_DRY_RUN + 1, r->dry_run ? 1 : 0);
    sq_bind_text(stmt, COL_ACTOR + 1, r->actor);
    sq_bind_text(stmt, COL_INPUTS + 1, r->inputs_json);
    sq_bind_text(stmt, COL_INPUT_KEY + 1, r->input_key[0] ? r->input_key : NULL);
    sq_bind_text(stmt, COL_VARS + 1, r->vars_json);
    sq_bind_text(stmt, COL_ANSWERS + 1, r->answers_json);
    sq_bind_text(stmt, COL_EVENTS + 1, r->events_json);
    sq_bind_text(stmt, COL_WAIT + 1, r->wait_json);
    sqlite3_bind_int64(stmt, COL_DUE_AT + 1, r->due_at);
    sq_bind_text(stmt, COL_ERROR + 1, r->error);
    sq_bind_text(stmt, COL_LEASE_HOLDER + 1, r->lease_holder);
    sqlite3_bind_int64(stmt, COL_LEASE_UNTIL + 1, r->lease_until);
    sqlite3_bind_int64(stmt, COL_CREATED_AT + 1, created);
    sqlite3_bind_int64(stmt, COL_UPDATED_AT + 1, updated);
}

/* false when the status or target is a name this hb does not know. */
static bool read_run(sqlite3_stmt *stmt, hb_run *r)
{
    memset(r, 0, sizeof *r);
    bool known =
        hb_run_status_parse((const char *)sqlite3_column_text(stmt, COL_STATUS), &r->status) &&
        hb_run_target_parse((const char *)sqlite3_column_text(stmt, COL_TARGET), &r->target);
    sq_column_copy(stmt, COL_ID, r->id, sizeof r->id);
    r->workflow = sq_column_dup(stmt, COL_WORKFLOW);
    r->workflow_file = sq_column_dup(stmt, COL_WORKFLOW_FILE);
    sq_column_copy(stmt, COL_VERSION, r->version, sizeof r->version);
    r->step = sq_column_dup(stmt, COL_STEP);
    r->dry_run = sqlite3_column_int(stmt, COL_DRY_RUN) != 0;
    r->actor = sq_column_dup(stmt, COL_ACTOR);
    r->inputs_json = sq_column_dup(stmt, COL_INPUTS);
    sq_column_copy(stmt, COL_INPUT_KEY, r->input_key, sizeof r->input_key);
    r->vars_json = sq_column_dup(stmt, COL_VARS);
    r->answers_json = sq_column_dup(stmt, COL_ANSWERS);
    r->events_json = sq_column_dup(stmt, COL_EVENTS);
    r->wait_json = sq_column_dup(stmt, COL_WAIT);
    r->due_at = sqlite3_column_int64(stmt, COL_DUE_AT);
    r->error = sq_column_dup(stmt, COL_ERROR);
    r->lease_holder = sq_column_dup(stmt, COL_LEASE_HOLDER);
    r->lease_until = sqlite3_column_int64(stmt, COL_LEASE_UNTIL);
    r->created_at = sqlite3_column_int64(stmt, COL_CREATED_AT);
    r->updated_at = sqlite3_column_int64(stmt, COL_UPDATED_AT);
    return known;
}

static hb_status unknown_state(const hb_run *r, hb_err *e)
{
    return hb_err_set(e, HB_EINTERNAL,
                      "run %s has a status or target this hb does not know (a newer hb wrote it, "
                      "or the store is damaged)",
                      r->id);
}

static hb_status no_run(const char *id, hb_err *e)
{
    return hb_err_set(e, HB_EUSAGE, "no run %s (`hb runs` lists the runs)", id);
}

static hb_status check_run_fields(const hb_run *r, hb_err *e)
{
    if (!r->id[0] || !r->workflow || !r->workflow[0] || r->status == HB_RUN_ANY ||
        r->target == HB_TARGET_NONE)
        return hb_err_set(e, HB_EINTERNAL,
                          "a run needs an id, a workflow, a status and a target (a bug in hb)");
    return HB_OK;
}

hb_status sq_run_insert(hb_store *base, const hb_run *run, hb_err *e)
{
    sq_store *s = sq_of(base);
    hb_status st = check_run_fields(run, e);
    if (st != HB_OK)
        return st;
    sqlite3_stmt *stmt;
    st = sq_stmt(s, SQ_RUN_INSERT,
                 "INSERT INTO runs (" RUN_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                 "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
                 &stmt, e);
    if (st != HB_OK)
        return st;
    hb_time_us now = hb_clock_wall();
    bind_run(stmt, run, run->created_at ? run->created_at : now,
             run->updated_at ? run->updated_at : now);
    int rc = sqlite3_step(stmt);
    sq_stmt_done(s, SQ_RUN_INSERT, stmt);
    if (rc == SQLITE_DONE)
        return HB_OK;
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return hb_err_set(e, HB_EINTERNAL, "run %s already exists in the store %s", run->id,
                          s->path);
    return sq_fail(s, rc, "recording a new run", e);
}

hb_status sq_run_update(hb_store *base, const hb_run *run, hb_err *e)
{
    sq_store *s = sq_of(base);
    hb_status st = check_run_fields(run, e);
    if (st != HB_OK)
        return st;
    /* The lease columns (?18, ?19) and created_at (?20) are left alone. */
    sqlite3_stmt *stmt;
    st = sq_stmt(s, SQ_RUN_UPDATE,
                 "UPDATE runs SET workflow = ?2, workflow_file = ?3, version = ?4, status = ?5, "
                 "step = ?6, target = ?7, dry_run = ?8, actor = ?9, inputs_json = ?10, "
                 "input_key = ?11, vars_json = ?12, answers_json = ?13, events_json = ?14, "
                 "wait_json = ?15, due_at = ?16, error = ?17, updated_at = ?21 WHERE id = ?1",
                 &stmt, e);
    if (st != HB_OK)
        return st;
    bind_run(stmt, run, run->created_at, run->updated_at ? run->updated_at : hb_clock_wall());
    st = sq_step_done(s, stmt, "saving a run", e);
    sq_stmt_done(s, SQ_RUN_UPDATE, stmt);
    if (st == HB_OK && sqlite3_changes(s->db) == 0)
        return no_run(run->id, e);
    return st;
}

hb_status sq_run_get(hb_store *base, const char *id, hb_run *out, hb_err *e)
{
    sq_store *s = sq_of(base);
    memset(out, 0, sizeof *out);
    sqlite3_stmt *stmt;
    hb_status st =
        sq_stmt(s, SQ_RUN_GET, "SELECT " RUN_COLUMNS " FROM runs WHERE id = ?1", &stmt, e);
    if (st != HB_OK)
        return st;
    sq_bind_text(stmt, 1, id);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        if (!read_run(stmt, out))
            st = unknown_state(out, e);
    } else if (rc == SQLITE_DONE) {
        st = no_run(id, e);
    } else {
        st = sq_fail(s, rc, "reading a run", e);
    }
    sq_stmt_done(s, SQ_RUN_GET, stmt);
    return st;
}

enum {
    FILTER_STATUS = 1,
    FILTER_WORKFLOW = 2,
    FILTER_INPUT_KEY = 4,
    FILTER_ACTIVE = 8,
    FILTER_DUE = 16,
};

static int filter_shape(const hb_run_filter *f)
{
    return (f->status != HB_RUN_ANY ? FILTER_STATUS : 0) | (f->workflow ? FILTER_WORKFLOW : 0) |
           (f->input_key ? FILTER_INPUT_KEY : 0) | (f->active_only ? FILTER_ACTIVE : 0) |
           (f->due_before ? FILTER_DUE : 0);
}

static char *run_list_sql(int shape)
{
    hb_buf sql;
    hb_buf_init(&sql);
    hb_buf_puts(&sql, "SELECT " RUN_COLUMNS " FROM runs WHERE 1");
    if (shape & FILTER_STATUS)
        hb_buf_puts(&sql, " AND status = :status");
    if (shape & FILTER_WORKFLOW)
        hb_buf_puts(&sql, " AND workflow = :workflow");
    if (shape & FILTER_INPUT_KEY)
        hb_buf_puts(&sql, " AND input_key = :input_key");
    if (shape & FILTER_ACTIVE)
        hb_buf_puts(&sql, " AND status IN ('running', 'waiting')");
    if (shape & FILTER_DUE)
        hb_buf_puts(&sql, " AND status = 'waiting' AND due_at > 0 AND due_at <= :due");
    hb_buf_puts(&sql, (shape & FILTER_DUE) ? " ORDER BY due_at, id" : " ORDER BY id");
    hb_buf_puts(&sql, " LIMIT :limit");
    return hb_buf_take(&sql);
}

static void bind_named_text(sqlite3_stmt *stmt, const char *name, const char *value)
{
    int idx = sqlite3_bind_parameter_index(stmt, name);
    if (idx > 0)
        sq_bind_text(stmt, idx, value);
}

hb_status sq_run_list(hb_store *base, const hb_run_filter *f, hb_run_cb cb, void *ud, hb_err *e)
{
    sq_store *s = sq_of(base);
    hb_run_filter none = {0};
    if (!f)
        f = &none;
    int shape = filter_shape(f);
    char *sql = run_list_sql(shape);
    sqlite3_stmt *stmt;
    hb_status st = sq_stmt(s, SQ_RUN_LIST_FIRST + shape, sql, &stmt, e);
    free(sql);
    if (st != HB_OK)
        return st;
    bind_named_text(stmt, ":status", hb_run_status_name(f->status));
    bind_named_text(stmt, ":workflow", f->workflow);
    bind_named_text(stmt, ":input_key", f->input_key);
    int due = sqlite3_bind_parameter_index(stmt, ":due");
    if (due > 0)
        sqlite3_bind_int64(stmt, due, f->due_before);
    sqlite3_bind_int(stmt, sqlite3_bind_parameter_index(stmt, ":limit"),
                     f->limit > 0 ? f->limit : -1);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        hb_run run;
        if (!read_run(stmt, &run)) {
            st = unknown_state(&run, e);
            hb_run_free(&run);
            break;
        }
        int stop = cb(&run, ud);
        hb_run_free(&run);
        if (stop)
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        st = sq_fail(s, rc, "listing runs", e);
    sq_stmt_done(s, SQ_RUN_LIST_FIRST + shape, stmt);
    return st;
}

/* A holder "HOST:PID" of this host whose process is gone: its lease is
 * stale even before it expires (the process crashed or was killed). */
static bool holder_is_dead_local_process(const char *holder)
{
    const char *colon = strrchr(holder, ':');
    if (!colon || colon == holder)
        return false;
    char host[256];
    if (gethostname(host, sizeof host) != 0)
        return false;
    host[sizeof host - 1] = '\0';
    size_t host_len = (size_t)(colon - holder);
    if (host_len != strlen(host) || memcmp(holder, host, host_len) != 0)
        return false;
    char *end = NULL;
    long pid = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || *end != '\0' || pid <= 0)
        return false;
    /* EPERM means the process exists but belongs to someone else. */
    return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

static bool lease_can_be_taken(const char *current, hb_time_us until, const char *holder)
{
    if (!current || !current[0])
        return true;
    if (until < hb_clock_wall())
        return true;
    if (!strcmp(current, holder))
        return true;
    return holder_is_dead_local_process(current);
}

/* Inside claim's transaction: reads the lease, and takes it if allowed. */
static hb_status claim_locked(sq_store *s, const char *id, const char *holder, hb_time_us until,
                              hb_err *e)
{
    sqlite3_stmt *get;
    hb_status st = sq_stmt(s, SQ_RUN_LEASE_GET,
                           "SELECT lease_holder, lease_until FROM runs WHERE id = ?1", &get, e);
    if (st != HB_OK)
        return st;
    sq_bind_text(get, 1, id);
    int rc = sqlite3_step(get);
    if (rc == SQLITE_DONE) {
        st = no_run(id, e);
    } else if (rc != SQLITE_ROW) {
        st = sq_fail(s, rc, "reading a run's lease", e);
    } else {
        char *current = sq_column_dup(get, 0);
        hb_time_us current_until = sqlite3_column_int64(get, 1);
        if (!lease_can_be_taken(current, current_until, holder)) {
            char when[32];
            hb_time_format_seconds(current_until, when);
            st = hb_err_set(e, HB_EBUSY,
                            "run %s is held by %s (until %s); retry when that process is done", id,
                            current, when);
        }
        free(current);
    }
    sq_stmt_done(s, SQ_RUN_LEASE_GET, get);
    if (st != HB_OK)
        return st;
    sqlite3_stmt *set;
    st = sq_stmt(s, SQ_RUN_LEASE_SET,
                 "UPDATE runs SET lease_holder = ?2, lease_until = ?3 WHERE id = ?1", &set, e);
    if (st != HB_OK)
        return st;
    sq_bind_text(set, 1, id);
    sq_bind_text(set, 2, holder);
    sqlite3_bind_int64(set, 3, until);
    st = sq_step_done(s, set, "taking a run's lease", e);
    sq_stmt_done(s, SQ_RUN_LEASE_SET, set);
    return st;
}

hb_status sq_run_claim(hb_store *base, const char *id, const char *holder, hb_time_us until,
                       hb_err *e)
{
    sq_store *s = sq_of(base);
    if (!holder || !holder[0])
        return hb_err_set(e, HB_EINTERNAL, "a run's lease needs a holder (a bug in hb)");
    hb_status st = sq_begin(base, e);
    if (st != HB_OK)
        return st;
    st = claim_locked(s, id, holder, until, e);
    if (st != HB_OK) {
        sq_rollback(base);
        return st;
    }
    return sq_commit(base, e);
}

hb_status sq_run_release(hb_store *base, const char *id, const char *holder, hb_err *e)
{
    sq_store *s = sq_of(base);
    sqlite3_stmt *stmt;
    hb_status st = sq_stmt(s, SQ_RUN_RELEASE,
                           "UPDATE runs SET lease_holder = NULL, lease_until = 0 "
                           "WHERE id = ?1 AND lease_holder = ?2",
                           &stmt, e);
    if (st != HB_OK)
        return st;
    sq_bind_text(stmt, 1, id);
    sq_bind_text(stmt, 2, holder);
    st = sq_step_done(s, stmt, "releasing a run's lease", e);
    sq_stmt_done(s, SQ_RUN_RELEASE, stmt);
    return st;
}
