/* Opening the SQLite store: migrations, a newer schema, damaged and
 * unopenable files, a lock held by another connection, and the settings
 * read from the environment. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hb/store.h"
#include "hb/util.h"
#include "store_fixture.h"
#include "test_support.h"

static int user_version(const char *path)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void migrates_an_empty_file(void **state)
{
    fixture *f = *state;
    char *path = hb_path_join(f->dir, "empty.db");
    hbt_write(path, "");
    assert_int_equal(user_version(path), 0);
    hb_store *s = hbt_store_open_at(path, 200);
    assert_int_equal(user_version(path), hb_store_schema_version());
    assert_true(hb_store_schema_version() >= 1);
    hb_run r;
    hbt_sample_run(&r, "01MIGRATED", "wf", "running");
    hbt_run_insert(s, &r);
    hb_run_free(&r);
    hb_store_close(s);
    /* Reopening an up-to-date store keeps its data. */
    s = hbt_store_open_at(path, 200);
    hb_run got;
    hb_err e;
    assert_int_equal(s->ops->run_get(s, "01MIGRATED", &got, &e), HB_OK);
    hb_run_free(&got);
    hb_store_close(s);
    free(path);
}

/* Opening a store whose user_version is set to `version` fails with a
 * message naming the file and `why`. */
static void refuses_version(fixture *f, int version, const char *why)
{
    hb_store_close(f->store);
    f->store = NULL;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", version);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    hb_store *s = NULL;
    hb_err e;
    assert_int_equal(hb_store_open_sqlite(f->path, NULL, &s, &e), HB_EINTERNAL);
    assert_null(s);
    assert_non_null(strstr(e.msg, f->path));
    assert_non_null(strstr(e.msg, why));
}

static void refuses_a_newer_schema(void **state)
{
    refuses_version(*state, hb_store_schema_version() + 1, "newer than this hb");
}

/* A negative version would have the migration loop start before its
 * first entry. */
static void refuses_a_negative_schema(void **state)
{
    refuses_version(*state, -3, "version -3");
}

static void refuses_a_garbage_file(void **state)
{
    fixture *f = *state;
    char *path = hb_path_join(f->dir, "garbage.db");
    char junk[8192];
    for (size_t i = 0; i < sizeof junk - 1; i++)
        junk[i] = (char)('a' + (i * 7) % 26);
    junk[sizeof junk - 1] = '\0';
    hbt_write(path, junk);
    hb_store *s = NULL;
    hb_err e;
    assert_int_equal(hb_store_open_sqlite(path, NULL, &s, &e), HB_EINTERNAL);
    assert_null(s);
    assert_non_null(strstr(e.msg, path));
    assert_non_null(strstr(e.msg, "not an hb database"));
    free(path);
}

/* A real store whose first page (the schema) was overwritten. */
static void refuses_a_corrupted_file(void **state)
{
    fixture *f = *state;
    hb_run r;
    hbt_sample_run(&r, "01DOOMED", "wf", "running");
    hbt_run_insert(f->store, &r);
    hb_run_free(&r);
    hb_store_close(f->store);
    f->store = NULL;
    FILE *db = fopen(f->path, "r+b");
    assert_non_null(db);
    assert_int_equal(fseek(db, 100, SEEK_SET), 0);
    for (int i = 0; i < 3000; i++)
        fputc(0x5a, db);
    fclose(db);
    hb_store *s = NULL;
    hb_err e;
    assert_int_equal(hb_store_open_sqlite(f->path, NULL, &s, &e), HB_EINTERNAL);
    assert_null(s);
    assert_non_null(strstr(e.msg, f->path));
    assert_non_null(strstr(e.msg, "corrupted"));
}

static void refuses_an_unopenable_path(void **state)
{
    fixture *f = *state;
    /* A folder where the file should be. */
    char *path = hb_path_join(f->dir, "folder.db");
    assert_int_equal(mkdir(path, 0700), 0);
    hb_store *s = NULL;
    hb_err e;
    assert_int_equal(hb_store_open_sqlite(path, NULL, &s, &e), HB_EINTERNAL);
    assert_null(s);
    assert_non_null(strstr(e.msg, path));
    free(path);
}

static void busy_when_another_connection_writes(void **state)
{
    fixture *f = *state;
    hb_store *s = f->store;
    hb_run r;
    hbt_sample_run(&r, "01BUSY", "wf", "running");
    hbt_run_insert(s, &r);
    hb_run_free(&r);

    sqlite3 *other;
    assert_int_equal(sqlite3_open(f->path, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);

    hb_err e;
    assert_int_equal(hb_store_begin(s, &e), HB_EBUSY);
    assert_non_null(strstr(e.msg, "locked by another hb process; retry later"));
    assert_non_null(strstr(e.msg, f->path));
    assert_false(hb_store_in_transaction(s));
    char self[300];
    hb_store_lease_holder_self(self);
    assert_int_equal(s->ops->run_claim(s, "01BUSY", self, hb_clock_wall() + 1000000, &e), HB_EBUSY);
    assert_non_null(strstr(e.msg, "locked by another hb process"));
    /* Readers are not blocked by a writer in WAL mode. */
    hb_run got;
    assert_int_equal(s->ops->run_get(s, "01BUSY", &got, &e), HB_OK);
    hb_run_free(&got);

    assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(other);
    assert_int_equal(hb_store_begin(s, &e), HB_OK);
    assert_int_equal(hb_store_commit(s, &e), HB_OK);
}

static void options_from_environment(void **state)
{
    (void)state;
    hb_store_options o;
    hb_err e;
    hbt_unsetenv("HB_BUSY_TIMEOUT_MS");
    hbt_unsetenv("HB_DURABILITY");
    assert_int_equal(hb_store_options_load_env(&o, &e), HB_OK);
    assert_int_equal(o.busy_timeout_ms, 5000);
    assert_false(o.durability_full);

    hbt_setenv("HB_DURABILITY", "full");
    hbt_setenv("HB_BUSY_TIMEOUT_MS", "250");
    assert_int_equal(hb_store_options_load_env(&o, &e), HB_OK);
    assert_true(o.durability_full);
    assert_int_equal(o.busy_timeout_ms, 250);

    hbt_setenv("HB_DURABILITY", "sometimes");
    assert_int_equal(hb_store_options_load_env(&o, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "HB_DURABILITY"));
    assert_non_null(strstr(e.msg, "sometimes"));
    /* The lenient form keeps what it understood. */
    hb_store_options_from_env(&o);
    assert_int_equal(o.busy_timeout_ms, 250);
    assert_false(o.durability_full);

    hbt_setenv("HB_DURABILITY", "normal");
    hbt_setenv("HB_BUSY_TIMEOUT_MS", "5s");
    assert_int_equal(hb_store_options_load_env(&o, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "HB_BUSY_TIMEOUT_MS"));
    hbt_unsetenv("HB_BUSY_TIMEOUT_MS");
    hbt_unsetenv("HB_DURABILITY");
}

static void opens_the_default_store(void **state)
{
    fixture *f = *state;
    char *home = hb_path_join(f->dir, "nested/home");
    hbt_setenv("HB_HOME", home);
    hb_store *s = NULL;
    hb_err e;
    assert_int_equal(hb_store_open_default(&s, &e), HB_OK);
    struct stat st;
    assert_int_equal(stat(home, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    char *db = hb_path_join(home, "hb.db");
    assert_true(hb_file_exists(db));
    hb_store_close(s);

    hbt_setenv("HB_DURABILITY", "paranoid");
    assert_int_equal(hb_store_open_default(&s, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "HB_DURABILITY"));
    hbt_unsetenv("HB_DURABILITY");
    hbt_unsetenv("HB_HOME");
    free(db);
    free(home);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(migrates_an_empty_file, hbt_store_setup,
                                        hbt_store_teardown),
        cmocka_unit_test_setup_teardown(refuses_a_newer_schema, hbt_store_setup,
                                        hbt_store_teardown),
        cmocka_unit_test_setup_teardown(refuses_a_negative_schema, hbt_store_setup,
                                        hbt_store_teardown),
        cmocka_unit_test_setup_teardown(refuses_a_garbage_file, hbt_store_setup,
                                        hbt_store_teardown),
        cmocka_unit_test_setup_teardown(refuses_a_corrupted_file, hbt_store_setup,
                                        hbt_store_teardown),
        cmocka_unit_test_setup_teardown(refuses_an_unopenable_path, hbt_store_setup,
                                        hbt_store_teardown),
        cmocka_unit_test_setup_teardown(busy_when_another_connection_writes, hbt_store_setup,
                                        hbt_store_teardown),
        cmocka_unit_test(options_from_environment),
        cmocka_unit_test_setup_teardown(opens_the_default_store, hbt_store_setup,
                                        hbt_store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
