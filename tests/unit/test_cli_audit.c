/* `hb audit` driven through the real binary, on an HB_HOME filled through
 * the C API: output, and exit codes 0, 1, 2, 4 and 5. */
#include <fcntl.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hb/audit.h"
#include "hb/util.h"
#include "test_support.h"

#define RUN_A   "01CLIRUNAAAAAAAAAAAAAAAAAA"
#define RUN_B   "01CLIRUNBBBBBBBBBBBBBBBBBB"
#define VERSION "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

typedef struct fixture {
    char *home;
    char *db;
} fixture;

typedef struct result {
    int code;
    char *out;
    char *err;
} result;

static void result_free(result *r)
{
    free(r->out);
    free(r->err);
}

/* Runs hb with the given arguments (NULL-terminated) and the fixture's
 * HB_HOME, capturing stdout, stderr and the exit code. */
static result run_hb(fixture *f, ...)
{
    char *argv[16];
    int argc = 0;
    argv[argc++] = (char *)HB_TEST_BINARY;
    va_list ap;
    va_start(ap, f);
    const char *arg;
    while ((arg = va_arg(ap, const char *)) && argc < 15)
        argv[argc++] = (char *)arg;
    va_end(ap);
    argv[argc] = NULL;

    char *out_path = hb_path_join(f->home, "stdout.txt");
    char *err_path = hb_path_join(f->home, "stderr.txt");
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        hbt_setenv("HB_HOME", f->home);
        int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(out, 1);
        dup2(err, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    result r = {.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1};
    r.out = hb_read_file(out_path, NULL, NULL);
    r.err = hb_read_file(err_path, NULL, NULL);
    assert_non_null(r.out);
    assert_non_null(r.err);
    free(out_path);
    free(err_path);
    return r;
}

static void insert_run(hb_store *s, const char *id)
{
    hb_run r;
    memset(&r, 0, sizeof r);
    snprintf(r.id, sizeof r.id, "%s", id);
    r.workflow = "offering-migration";
    snprintf(r.version, sizeof r.version, "%s", VERSION);
    r.status = HB_RUN_RUNNING;
    r.target = HB_TARGET_SANDBOX;
    hb_err e;
    if (s->ops->run_insert(s, &r, &e) != HB_OK)
        fail_msg("run_insert: %s", e.msg);
}

static void append(hb_store *s, const char *run, const char *type, const char *step,
                   const char *json)
{
    cJSON *data = cJSON_Parse(json);
    assert_non_null(data);
    hb_err e;
    if (hb_audit_append_tx(s, run, type, step, "alice", data, &e) != HB_OK)
        fail_msg("append: %s", e.msg);
    cJSON_Delete(data);
}

/* Seven events: six in run A (one of each kind the summaries know), one in
 * run B; three of them change zendesk:ticket:1. */
static void populate(void)
{
    hb_store *s = NULL;
    hb_err e;
    if (hb_store_open_default(&s, &e) != HB_OK)
        fail_msg("open: %s", e.msg);
    insert_run(s, RUN_A);
    insert_run(s, RUN_B);
    append(s, RUN_A, "run_started", NULL,
           "{\"workflow\":\"offering-migration\",\"version\":\"" VERSION "\","
           "\"inputs\":{\"ticket\":1},\"target\":\"sandbox\",\"dry_run\":false}");
    append(s, RUN_A, "api_call", "read_ticket",
           "{\"service\":\"zendesk\",\"method\":\"GET\",\"path\":\"/api/v2/tickets/1\","
           "\"status\":200,\"ms\":34,\"attempt\":1,\"dry_run\":false}");
    append(s, RUN_A, "intent", "tag_ticket",
           "{\"service\":\"zendesk\",\"method\":\"PUT\",\"path\":\"/api/v2/tickets/1\","
           "\"object\":\"zendesk:ticket:1\"}");
    append(s, RUN_A, "api_call", "tag_ticket",
           "{\"service\":\"zendesk\",\"method\":\"PUT\",\"path\":\"/api/v2/tickets/1\","
           "\"status\":200,\"ms\":12.4,\"attempt\":2,\"object\":\"zendesk:ticket:1\"}");
    append(s, RUN_A, "transition", "tag_ticket",
           "{\"from\":\"tag_ticket\",\"to\":\"done\",\"label\":\"yes\"}");
    append(s, RUN_A, "note", "done", "{\"message\":\"line one\\nline two\"}");
    append(s, RUN_B, "intent", "tag_ticket",
           "{\"service\":\"zendesk\",\"method\":\"PUT\",\"path\":\"/api/v2/tickets/1\","
           "\"object\":\"zendesk:ticket:1\"}");
    hb_store_close(s);
}

static int setup(void **state)
{
    fixture *f = hb_xcalloc(1, sizeof *f);
    f->home = hbt_tempdir();
    f->db = hb_path_join(f->home, "hb.db");
    hbt_setenv("HB_HOME", f->home);
    hbt_unsetenv("HB_BUSY_TIMEOUT_MS");
    hbt_unsetenv("HB_DURABILITY");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    hbt_unsetenv("HB_HOME");
    hbt_unsetenv("HB_BUSY_TIMEOUT_MS");
    hbt_unsetenv("HB_DURABILITY");
    hbt_rmtree(f->home);
    free(f->home);
    free(f->db);
    free(f);
    return 0;
}

static int count_lines(const char *text)
{
    int n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    return n;
}

static void assert_contains(const char *text, const char *needle)
{
    if (!strstr(text, needle))
        fail_msg("expected \"%s\" in:\n%s", needle, text);
}

static void help_and_usage_errors(void **state)
{
    fixture *f = *state;
    static const char *helps[][3] = {
        {"audit", "--help", NULL},
        {"audit", "show", "--help"},
        {"audit", "head", "--help"},
        {"audit", "verify", "--help"},
    };
    for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++) {
        result r = run_hb(f, helps[i][0], helps[i][1], helps[i][2], NULL);
        assert_int_equal(r.code, 0);
        assert_contains(r.out, "usage: hb audit");
        result_free(&r);
    }
    static const char *bad[][4] = {
        {"audit", NULL, NULL, NULL},         {"audit", "frobnicate", NULL, NULL},
        {"audit", "show", NULL, NULL},       {"audit", "show", "A", "B"},
        {"audit", "show", "--object", NULL}, {"audit", "show", "--frob", "A"},
        {"audit", "head", "extra", NULL},    {"audit", "verify", "--head", NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        result r = run_hb(f, bad[i][0], bad[i][1], bad[i][2], bad[i][3], NULL);
        if (r.code != 2)
            fail_msg("case %zu: exit %d, stderr %s", i, r.code, r.err);
        assert_contains(r.err, "usage: hb audit");
        result_free(&r);
    }
}

static void show_reads_like_a_trace(void **state)
{
    fixture *f = *state;
    populate();
    result r = run_hb(f, "audit", "show", RUN_A, NULL);
    assert_int_equal(r.code, 0);
    assert_int_equal(count_lines(r.out), 6);
    assert_contains(r.out, "offering-migration 0123456789ab on sandbox inputs {\"ticket\":1}");
    assert_contains(r.out, "GET zendesk /api/v2/tickets/1 → 200 (34 ms)");
    assert_contains(r.out, "will PUT zendesk /api/v2/tickets/1 (zendesk:ticket:1)");
    assert_contains(r.out, "PUT zendesk /api/v2/tickets/1 → 200 (12 ms), attempt 2");
    assert_contains(r.out, "tag_ticket → done [yes]");
    assert_contains(r.out, "line one line two"); /* one line per event */
    assert_contains(r.out, "   2  ");            /* seq first */
    assert_contains(r.out, "read_ticket");
    assert_contains(r.out, "alice");
    assert_true(strstr(r.out, RUN_B) == NULL);
    result_free(&r);

    result unknown = run_hb(f, "audit", "show", "01NOSUCHRUN", NULL);
    assert_int_equal(unknown.code, 2);
    assert_contains(unknown.err, "no run 01NOSUCHRUN");
    assert_string_equal(unknown.out, "");
    result_free(&unknown);
}

static void show_json_has_every_field(void **state)
{
    fixture *f = *state;
    populate();
    result r = run_hb(f, "audit", "show", RUN_A, "--json", NULL);
    assert_int_equal(r.code, 0);
    assert_int_equal(count_lines(r.out), 6);
    hb_store *s = NULL;
    hb_err e;
    assert_int_equal(hb_store_open_default(&s, &e), HB_OK);
    int64_t seq = 0;
    for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n")) {
        cJSON *ev = cJSON_Parse(line);
        assert_non_null(ev);
        static const char *fields[] = {"seq",   "run",  "ts",   "type", "step",
                                       "actor", "data", "prev", "hash"};
        for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
            if (!cJSON_HasObjectItem(ev, fields[i]))
                fail_msg("no %s in %s", fields[i], line);
        assert_true(cJSON_IsObject(cJSON_GetObjectItem(ev, "data")));
        assert_string_equal(cJSON_GetObjectItem(ev, "run")->valuestring, RUN_A);
        seq++;
        assert_int_equal((int64_t)cJSON_GetObjectItem(ev, "seq")->valuedouble, seq);
        /* What --json prints is enough to recompute the hash elsewhere. */
        hb_audit_event parsed = {.seq = seq};
        snprintf(parsed.run, sizeof parsed.run, "%s", RUN_A);
        snprintf(parsed.ts, sizeof parsed.ts, "%s", cJSON_GetObjectItem(ev, "ts")->valuestring);
        snprintf(parsed.type, sizeof parsed.type, "%s",
                 cJSON_GetObjectItem(ev, "type")->valuestring);
        const cJSON *step = cJSON_GetObjectItem(ev, "step");
        parsed.step = cJSON_IsString(step) ? step->valuestring : NULL;
        parsed.actor = cJSON_GetObjectItem(ev, "actor")->valuestring;
        parsed.data = cJSON_PrintUnformatted(cJSON_GetObjectItem(ev, "data"));
        snprintf(parsed.prev, sizeof parsed.prev, "%s",
                 cJSON_GetObjectItem(ev, "prev")->valuestring);
        char hash[65];
        assert_int_equal(hb_audit_hash(&parsed, hash, &e), HB_OK);
        assert_string_equal(hash, cJSON_GetObjectItem(ev, "hash")->valuestring);
        free(parsed.data);
        cJSON_Delete(ev);
    }
    assert_int_equal(seq, 6);
    hb_store_close(s);
    result_free(&r);
}

static void show_object_lists_changes_across_runs(void **state)
{
    fixture *f = *state;
    populate();
    result r = run_hb(f, "audit", "show", "--object", "zendesk:ticket:1", NULL);
    assert_int_equal(r.code, 0);
    assert_int_equal(count_lines(r.out), 3);
    assert_contains(r.out, "run " RUN_A);
    assert_contains(r.out, "run " RUN_B);
    assert_contains(r.out, "offering-migration@0123456789ab");
    assert_contains(r.out, "tag_ticket");
    result_free(&r);

    result j = run_hb(f, "audit", "show", "--object=zendesk:ticket:1", "--json", NULL);
    assert_int_equal(j.code, 0);
    assert_int_equal(count_lines(j.out), 3);
    char *first = strtok(j.out, "\n");
    cJSON *ev = cJSON_Parse(first);
    assert_non_null(ev);
    assert_string_equal(cJSON_GetObjectItem(ev, "workflow")->valuestring, "offering-migration");
    assert_string_equal(cJSON_GetObjectItem(ev, "version")->valuestring, VERSION);
    cJSON_Delete(ev);
    result_free(&j);

    result none = run_hb(f, "audit", "show", "--object", "zendesk:ticket:404", NULL);
    assert_int_equal(none.code, 0);
    assert_string_equal(none.out, "");
    assert_contains(none.err, "no changes to zendesk:ticket:404");
    result_free(&none);
}

static void head_and_verify(void **state)
{
    fixture *f = *state;
    populate();
    result head = run_hb(f, "audit", "head", NULL);
    assert_int_equal(head.code, 0);
    hb_store *s = NULL;
    hb_err e;
    assert_int_equal(hb_store_open_default(&s, &e), HB_OK);
    char expected[96];
    assert_int_equal(hb_audit_head(s, expected, &e), HB_OK);
    hb_store_close(s);
    char line[128];
    snprintf(line, sizeof line, "%s\n", expected);
    assert_string_equal(head.out, line);
    assert_true(hb_str_starts_with(head.out, "7:"));

    result ok = run_hb(f, "audit", "verify", NULL);
    assert_int_equal(ok.code, 0);
    char want[160];
    snprintf(want, sizeof want, "ok: 7 events, head %s\n", expected);
    assert_string_equal(ok.out, want);
    result_free(&ok);

    result with_head = run_hb(f, "audit", "verify", "--head", expected, NULL);
    assert_int_equal(with_head.code, 0);
    result_free(&with_head);

    result bad_head = run_hb(f, "audit", "verify", "--head", "seven", NULL);
    assert_int_equal(bad_head.code, 2);
    assert_contains(bad_head.err, "SEQ:HASH");
    result_free(&bad_head);

    /* Edit an event with raw SQL: verify names it and exits 1. */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,

                                  "UPDATE audit SET data = '{\"status\":500}' WHERE seq = 2;", NULL,
                                  NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    result bad = run_hb(f, "audit", "verify", NULL);
    assert_int_equal(bad.code, 1);
    assert_string_equal(bad.out, "");
    assert_string_equal(bad.err, "hb: event 2 was edited (hash mismatch)\n");
    result_free(&bad);
    result_free(&head);
}

static void truncation_caught_by_head(void **state)
{
    fixture *f = *state;
    populate();
    result head = run_hb(f, "audit", "head", NULL);
    head.out[strcspn(head.out, "\n")] = '\0';
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,

                                  "DELETE FROM audit WHERE seq = 7;", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    result plain = run_hb(f, "audit", "verify", NULL);
    assert_int_equal(plain.code, 0);
    assert_contains(plain.out, "ok: 6 events, head 6:");
    result with_head = run_hb(f, "audit", "verify", "--head", head.out, NULL);
    assert_int_equal(with_head.code, 1);
    assert_contains(with_head.err, "no longer matches the recorded head 7:");
    result_free(&plain);
    result_free(&with_head);
    result_free(&head);
}

static void store_errors_keep_their_status(void **state)
{
    fixture *f = *state;
    /* Garbage where the database should be: 5, naming the file. */
    char junk[4096];
    memset(junk, 'x', sizeof junk - 1);
    junk[sizeof junk - 1] = '\0';
    hbt_write(f->db, junk);
    result garbage = run_hb(f, "audit", "head", NULL);
    assert_int_equal(garbage.code, 5);
    assert_contains(garbage.err, f->db);
    result_free(&garbage);
    unlink(f->db);

    /* A new store that another connection holds locked: 4. */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    hbt_setenv("HB_BUSY_TIMEOUT_MS", "50");
    result locked = run_hb(f, "audit", "verify", NULL);
    assert_int_equal(locked.code, 4);
    assert_contains(locked.err, "locked by another hb process");
    result_free(&locked);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);

    /* A setting hb does not understand: 2, naming the variable. */
    hbt_setenv("HB_DURABILITY", "eventually");
    result setting = run_hb(f, "audit", "head", NULL);
    assert_int_equal(setting.code, 2);
    assert_contains(setting.err, "HB_DURABILITY");
    result_free(&setting);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(help_and_usage_errors),
        T(show_reads_like_a_trace),
        T(show_json_has_every_field),
        T(show_object_lists_changes_across_runs),
        T(head_and_verify),
        T(truncation_caught_by_head),
        T(store_errors_keep_their_status),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
