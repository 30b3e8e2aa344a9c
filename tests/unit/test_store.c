/* The SQLite store on real files: runs, filters, transactions, sources,
 * bodies and leases. */
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hb/store.h"
#include "hb/util.h"
#include "store_fixture.h"
#include "test_support.h"

static void runs_round_trip(void **state)
{
    fixture *f = *state;
    hb_store *s = f->store;
    hb_run r;
    hbt_sample_run(&r, "01RUNAAAAAAAAAAAAAAAAAAAAA", "offering-migration", "running");
    hbt_run_insert(s, &r);

    hb_run got;
    hb_err e;
    assert_int_equal(s->ops->run_get(s, r.id, &got, &e), HB_OK);
    assert_string_equal(got.workflow, "offering-migration");
    assert_string_equal(got.workflow_file, "/wf/offering-migration.lua");
    assert_string_equal(got.version, r.version);
    assert_string_equal(hb_run_status_name(got.status), "running");
    assert_string_equal(got.step, "read_ticket");
    assert_string_equal(hb_run_target_name(got.target), "sandbox");
    assert_true(got.dry_run);
    assert_string_equal(got.actor, "alice");
    assert_string_equal(got.inputs_json, "{\"ticket\":123}");
    assert_string_equal(got.input_key, r.input_key);
    assert_string_equal(got.vars_json, "{\"org\":7}");
    assert_null(got.wait_json);
    assert_null(got.error);
    assert_null(got.lease_holder);
    assert_int_equal(got.created_at, r.created_at);
    assert_int_equal(got.updated_at, r.updated_at);

    /* An update writes the run's state but leaves the lease to claim. */
    assert_int_equal(s->ops->run_claim(s, r.id, "host:1", hb_clock_wall() + 60000000, &e), HB_OK);
    got.status = HB_RUN_WAITING;
    free(got.step);
    got.step = hb_xstrdup("support_ops_done");
    got.wait_json = hb_xstrdup("{\"kind\":\"condition\"}");
    got.due_at = 1800000000000000;
    assert_int_equal(s->ops->run_update(s, &got, &e), HB_OK);
    hb_run again;
    assert_int_equal(s->ops->run_get(s, r.id, &again, &e), HB_OK);
    assert_string_equal(hb_run_status_name(again.status), "waiting");
    assert_string_equal(again.step, "support_ops_done");
    assert_string_equal(again.wait_json, "{\"kind\":\"condition\"}");
    assert_int_equal(again.due_at, 1800000000000000);
    assert_string_equal(again.lease_holder, "host:1");
    assert_int_equal(again.created_at, r.created_at);

    hb_run copy;
    hb_run_copy(&copy, &again);
    assert_ptr_not_equal(copy.step, again.step);
    assert_string_equal(copy.step, again.step);

    hb_run_free(&copy);
    hb_run_free(&again);
    hb_run_free(&got);
    hb_run_free(&r);
}

static void unknown_and_duplicate_runs(void **state)
{
    fixture *f = *state;
    hb_store *s = f->store;
    hb_run got, r;
    hb_err e;
    assert_int_equal(s->ops->run_get(s, "NOSUCHRUN", &got, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "no run NOSUCHRUN"));
    hbt_sample_run(&r, "NOSUCHRUN2", "wf", "running");
    assert_int_equal(s->ops->run_update(s, &r, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "no run NOSUCHRUN2"));
    hbt_run_insert(s, &r);
    assert_int_equal(s->ops->run_insert(s, &r, &e), HB_EINTERNAL);
    assert_non_null(strstr(e.msg, "already exists"));
    hb_run_free(&r);
}

typedef struct collected {
    char ids[16][HB_RUN_ID_LEN + 1];
    int n;
    int stop_after;
    hb_store *nested_store;
    int nested_count;
} collected;

static int collect(const hb_run *r, void *ud)
{
    collected *c = ud;
    snprintf(c->ids[c->n++], sizeof c->ids[0], "%s", r->id);
    return c->stop_after && c->n >= c->stop_after;
}

static int count_run(const hb_run *r, void *ud)
{
    (void)r;
    (*(int *)ud)++;
    return 0;
}

/* Lists the same shape of query from inside a callback: the store must not
 * reset the outer cursor. */
static int collect_and_nest(const hb_run *r, void *ud)
{
    collected *c = ud;
    hb_run_filter all = {0};
    hb_err e;
    int inner = 0;
    assert_int_equal(c->nested_store->ops->run_list(c->nested_store, &all, count_run, &inner, &e),
                     HB_OK);
    c->nested_count += inner;
    return collect(r, ud);
}

static void list_runs(hb_store *s, const hb_run_filter *flt, collected *c)
{
    hb_err e;
    c->n = 0;
    if (s->ops->run_list(s, flt, collect, c, &e) != HB_OK)
        fail_msg("run_list: %s", e.msg);
}

static void run_filters(void **state)
{
    fixture *f = *state;
    hb_store *s = f->store;
    static const struct {
        const char *id, *workflow, *status;
        char key;
        hb_time_us due;
    } rows[] = {
        {"01A", "refund", "running", 'x', 0},         {"01B", "refund", "waiting", 'y', 3000},
        {"01C", "migration", "waiting", 'x', 1000},   {"01D", "migration", "succeeded", 'x', 0},
        {"01E", "migration", "waiting", 'z', 900000}, {"01F", "refund", "waiting", 'z', 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        hb_run r;
        hbt_sample_run(&r, rows[i].id, rows[i].workflow, rows[i].status);
        memset(r.input_key, rows[i].key, 64);
        r.due_at = rows[i].due;
        hbt_run_insert(s, &r);
        hb_run_free(&r);
    }
    collected c = {.n = 0};
    hb_run_filter all = {0};
    list_runs(s, &all, &c);
    assert_int_equal(c.n, 6);
    assert_string_equal(c.ids[0], "01A"); /* ids sort by time */

    hb_run_filter waiting = {.status = HB_RUN_WAITING};
    list_runs(s, &waiting, &c);
    assert_int_equal(c.n, 4);

    hb_run_filter refunds = {.workflow = "refund", .status = HB_RUN_WAITING};
    list_runs(s, &refunds, &c);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.ids[0], "01B");
    assert_string_equal(c.ids[1], "01F");

    char key_x[65];
    memset(key_x, 'x', 64);
    key_x[64] = '\0';
    hb_run_filter dup = {.input_key = key_x, .active_only = true};
    list_runs(s, &dup, &c);
    assert_int_equal(c.n, 2); /* 01D with the same key has finished */
    assert_string_equal(c.ids[0], "01A");
    assert_string_equal(c.ids[1], "01C");

    /* Due: waiting, due_at set and not after the bound, soonest first. */
    hb_run_filter due = {.due_before = 5000};
    list_runs(s, &due, &c);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.ids[0], "01C");
    assert_string_equal(c.ids[1], "01B");

    hb_run_filter limited = {.limit = 3};
    list_runs(s, &limited, &c);
    assert_int_equal(c.n, 3);

    collected early = {.stop_after = 2};
    assert_int_equal(s->ops->run_list(s, &all, collect, &early, NULL), HB_OK);
    assert_int_equal(early.n, 2);

    collected nested = {.nested_store = s};
    hb_err e;
    assert_int_equal(s->ops->run_list(s, &all, collect_and_nest, &nested, &e), HB_OK);
    assert_int_equal(nested.n, 6);
    assert_int_equal(nested.nested_count, 36);
}

static void transactions(void **state)
{
    fixture *f = *state;
    hb_store *s = f->store;
    hb_err e;
    assert_false(hb_store_in_transaction(s));
    assert_int_equal(hb_store_begin(s, &e), HB_OK);
    assert_true(hb_store_in_transaction(s));
    assert_int_equal(hb_store_begin(s, &e), HB_EINTERNAL);
    hb_run r;
    hbt_sample_run(&r, "01ROLLEDBACK", "wf", "running");
    hbt_run_insert(s, &r);
    hb_store_rollback(s);
    assert_false(hb_store_in_transaction(s));
    hb_run got;
    assert_int_equal(s->ops->run_get(s, r.id, &got, &e), HB_EUSAGE);

    assert_int_equal(hb_store_begin(s, &e), HB_OK);
    hbt_run_insert(s, &r);
    assert_int_equal(hb_store_commit(s, &e), HB_OK);
    assert_int_equal(s->ops->run_get(s, r.id, &got, &e), HB_OK);
    hb_run_free(&got);
    hb_run_free(&r);
}

typedef struct pins {
    char text[256];
} pins;

static int collect_pin(const char *module, const char *sha, void *ud)
{
    pins *p = ud;
    size_t n = strlen(p->text);
    snprintf(p->text + n, sizeof p->text - n, "%s=%.4s;", module, sha);
    return 0;
}

static void sources_and_pins(void **state)
{
    fixture *f = *state;
    hb_store *s = f->store;
    hb_err e;
    static const char content[] = "return workflow \"x\" {}\0binary tail";
    size_t len = sizeof content - 1;
    assert_int_equal(s->ops->source_put(s, "aaaa1111", content, len, &e), HB_OK);
    assert_int_equal(s->ops->source_put(s, "aaaa1111", content, len, &e), HB_OK);
    char *got = NULL;
    size_t got_len = 0;
    assert_int_equal(s->ops->source_get(s, "aaaa1111", &got, &got_len, &e), HB_OK);
    assert_int_equal(got_len, len);
    assert_memory_equal(got, content, len);
    assert_int_equal(got[got_len], '\0');
    free(got);
    assert_int_equal(s->ops->source_get(s, "missing", &got, &got_len, &e), HB_EINTERNAL);
    assert_non_null(strstr(e.msg, "lost the pinned source missing"));

    assert_int_equal(s->ops->run_source_add(s, "R1", "main", "aaaa1111", &e), HB_OK);
    assert_int_equal(s->ops->run_source_add(s, "R1", "lib.helper", "bbbb2222", &e), HB_OK);
    assert_int_equal(s->ops->run_source_add(s, "R2", "main", "cccc3333", &e), HB_OK);
    assert_int_equal(s->ops->run_source_add(s, "R1", "main", "aaaa1111", &e), HB_OK);
    assert_int_equal(s->ops->run_source_add(s, "R1", "main", "dddd4444", &e), HB_EINTERNAL);
    assert_non_null(strstr(e.msg, "already pins module main"));
    pins p = {""};
    assert_int_equal(s->ops->run_sources(s, "R1", collect_pin, &p, &e), HB_OK);
    assert_string_equal(p.text, "lib.helper=bbbb;main=aaaa;");
}

static void bodies(void **state)
{
    fixture *f = *state;
    hb_store *s = f->store;
    hb_err e;
    assert_int_equal(s->ops->body_put(s, "d1", "{\"a\":1}", 7, &e), HB_OK);
    assert_int_equal(s->ops->body_put(s, "empty", "", 0, &e), HB_OK);
    char *got;
    size_t len;
    assert_int_equal(s->ops->body_get(s, "d1", &got, &len, &e), HB_OK);
    assert_string_equal(got, "{\"a\":1}");
    assert_int_equal(len, 7);
    free(got);
    assert_int_equal(s->ops->body_get(s, "empty", &got, &len, &e), HB_OK);
    assert_int_equal(len, 0);
    assert_string_equal(got, "");
    free(got);
    assert_int_equal(s->ops->body_get(s, "purged", &got, &len, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "no body purged"));
}

static void set_lease(fixture *f, const char *id, const char *holder, hb_time_us until)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    char *sql =
        sqlite3_mprintf("UPDATE runs SET lease_holder = %Q, lease_until = %lld WHERE id = %Q",
                        holder, (long long)until, id);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_free(sql);
    sqlite3_close(db);
}

static char *local_holder(long pid)
{
    char host[256];
    assert_int_equal(gethostname(host, sizeof host), 0);
    return hb_xasprintf("%s:%ld", host, pid);
}

static pid_t dead_pid(void)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(0);
    waitpid(pid, NULL, 0);
    return pid;
}

static void leases(void **state)
{
    fixture *f = *state;
    hb_store *s = f->store;
    hb_run r;
    hbt_sample_run(&r, "01LEASE", "wf", "running");
    hbt_run_insert(s, &r);
    hb_run_free(&r);
    hb_err e;
    hb_time_us later = hb_clock_wall() + 600 * 1000000LL;

    char self[300];
    hb_store_lease_holder_self(self);
    char *expected_self = local_holder((long)getpid());
    assert_string_equal(self, expected_self);
    free(expected_self);

    /* Free, then already ours. */
    assert_int_equal(s->ops->run_claim(s, "01LEASE", self, later, &e), HB_OK);
    assert_int_equal(s->ops->run_claim(s, "01LEASE", self, later, &e), HB_OK);
    /* Held by a live process (this one): others are refused, naming it. */
    assert_int_equal(s->ops->run_claim(s, "01LEASE", "otherhost:99", later, &e), HB_EBUSY);
    assert_non_null(strstr(e.msg, "run 01LEASE is held by "));
    assert_non_null(strstr(e.msg, self));
    assert_non_null(strstr(e.msg, "until "));
    /* Only the holder releases. */
    assert_int_equal(s->ops->run_release(s, "01LEASE", "otherhost:99", &e), HB_OK);
    assert_int_equal(s->ops->run_claim(s, "01LEASE", "otherhost:99", later, &e), HB_EBUSY);
    assert_int_equal(s->ops->run_release(s, "01LEASE", self, &e), HB_OK);
    assert_int_equal(s->ops->run_claim(s, "01LEASE", "otherhost:99", later, &e), HB_OK);

    /* A live holder on another host: its pid means nothing here. */
    set_lease(f, "01LEASE", "elsewhere.example:1", later);
    assert_int_equal(s->ops->run_claim(s, "01LEASE", self, later, &e), HB_EBUSY);
    assert_non_null(strstr(e.msg, "elsewhere.example:1"));

    /* A live local process (our parent) still holds it. */
    char *parent = local_holder((long)getppid());
    set_lease(f, "01LEASE", parent, later);
    assert_int_equal(s->ops->run_claim(s, "01LEASE", self, later, &e), HB_EBUSY);
    free(parent);

    /* A local holder whose process is gone: taken before the lease ends. */
    char *dead = local_holder((long)dead_pid());
    set_lease(f, "01LEASE", dead, later);
    assert_int_equal(s->ops->run_claim(s, "01LEASE", self, later, &e), HB_OK);
    free(dead);

    /* An expired lease, whoever holds it. */
    set_lease(f, "01LEASE", "elsewhere.example:1", hb_clock_wall() - 1000000);
    assert_int_equal(s->ops->run_claim(s, "01LEASE", self, later, &e), HB_OK);
    hb_run got;
    assert_int_equal(s->ops->run_get(s, "01LEASE", &got, &e), HB_OK);
    assert_string_equal(got.lease_holder, self);
    assert_int_equal(got.lease_until, later);
    hb_run_free(&got);

    assert_int_equal(s->ops->run_claim(s, "NOSUCH", self, later, &e), HB_EUSAGE);
    assert_int_equal(hb_store_begin(s, &e), HB_OK);
    assert_int_equal(s->ops->run_claim(s, "01LEASE", self, later, &e), HB_EINTERNAL);
    hb_store_rollback(s);
}

/* The store keeps statuses and targets as their names; a name this hb does
 * not know (a newer hb, a damaged row) is refused, not read as some other
 * state. */
static void statuses_are_stored_by_name(void **state)
{
    fixture *f = *state;
    hb_store *s = f->store;
    hb_run r;
    hbt_sample_run(&r, "01NAMEDAAAAAAAAAAAAAAAAAAA", "refund", "planned");
    hbt_run_insert(s, &r);
    hb_run_free(&r);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sqlite3_stmt *stmt;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT status, target FROM runs", -1, &stmt, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(stmt, 0), "planned");
    assert_string_equal((const char *)sqlite3_column_text(stmt, 1), "sandbox");
    sqlite3_finalize(stmt);
    assert_int_equal(sqlite3_exec(db, "UPDATE runs SET status = 'paused'", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    hb_run got;
    hb_err e;
    assert_int_equal(s->ops->run_get(s, "01NAMEDAAAAAAAAAAAAAAAAAAA", &got, &e), HB_EINTERNAL);
    hb_run_free(&got);
    assert_non_null(strstr(e.msg, "status or target"));

    hb_run_status st = HB_RUN_ANY;
    assert_false(hb_run_status_parse("paused", &st));
    assert_true(hb_run_status_parse("cancelled", &st));
    assert_int_equal(st, HB_RUN_CANCELLED);
    assert_string_equal(hb_run_status_name(HB_RUN_ANY), "?");
    assert_string_equal(hb_run_status_list(),
                        "running, waiting, succeeded, failed, cancelled or planned");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(runs_round_trip, hbt_store_setup, hbt_store_teardown),
        cmocka_unit_test_setup_teardown(statuses_are_stored_by_name, hbt_store_setup,
                                        hbt_store_teardown),
        cmocka_unit_test_setup_teardown(unknown_and_duplicate_runs, hbt_store_setup,
                                        hbt_store_teardown),
        cmocka_unit_test_setup_teardown(run_filters, hbt_store_setup, hbt_store_teardown),
        cmocka_unit_test_setup_teardown(transactions, hbt_store_setup, hbt_store_teardown),
        cmocka_unit_test_setup_teardown(sources_and_pins, hbt_store_setup, hbt_store_teardown),
        cmocka_unit_test_setup_teardown(bodies, hbt_store_setup, hbt_store_teardown),
        cmocka_unit_test_setup_teardown(leases, hbt_store_setup, hbt_store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
