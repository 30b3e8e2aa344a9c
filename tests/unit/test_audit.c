/* The audit chain: appending, the exact hash form, and verify against real
 * tampering done with raw SQL on the database file. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hb/audit.h"
#include "hb/canonical_json.h"
#include "hb/sha256.h"
#include "hb/util.h"
#include "test_support.h"

#define RUN_A "01TESTRUN"
#define RUN_B "01OTHERRUN"

typedef struct fixture {
    char *dir;
    char *path;
    hb_store *store;
} fixture;

static void insert_run(hb_store *s, const char *id)
{
    hb_run r;
    memset(&r, 0, sizeof r);
    snprintf(r.id, sizeof r.id, "%s", id);
    r.workflow = "offering-migration";
    r.status = HB_RUN_RUNNING;
    r.target = HB_TARGET_SANDBOX;
    hb_err e;
    if (s->ops->run_insert(s, &r, &e) != HB_OK)
        fail_msg("run_insert: %s", e.msg);
}

static int setup(void **state)
{
    fixture *f = hb_xcalloc(1, sizeof *f);
    f->dir = hbt_tempdir();
    f->path = hb_path_join(f->dir, "hb.db");
    hb_store_options o = {.busy_timeout_ms = 5000};
    hb_err e;
    if (hb_store_open_sqlite(f->path, &o, &f->store, &e) != HB_OK)
        fail_msg("open: %s", e.msg);
    insert_run(f->store, RUN_A);
    insert_run(f->store, RUN_B);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    hb_store_close(f->store);
    hbt_rmtree(f->dir);
    free(f->path);
    free(f->dir);
    free(f);
    hbt_unsetenv("HB_NOW");
    return 0;
}

static void append(hb_store *s, const char *run, const char *type, const char *step,
                   const char *data_json)
{
    cJSON *data = data_json ? cJSON_Parse(data_json) : NULL;
    hb_err e;
    if (hb_audit_append_tx(s, run, type, step, "alice", data, &e) != HB_OK)
        fail_msg("append %s: %s", type, e.msg);
    cJSON_Delete(data);
}

/* n events over two runs; every third names a ticket as its object. */
static void append_chain(hb_store *s, int n)
{
    for (int i = 1; i <= n; i++) {
        char data[128];
        if (i % 3 == 0)
            snprintf(data, sizeof data, "{\"i\":%d,\"object\":\"zendesk:ticket:%d\"}", i, i % 2);
        else
            snprintf(data, sizeof data, "{\"i\":%d}", i);
        append(s, i % 2 ? RUN_A : RUN_B, "note", i % 4 ? "step" : NULL, data);
    }
}

static hb_status verify(hb_store *s, const char *head, int64_t *checked, hb_err *e)
{
    hb_err_clear(e);
    return hb_audit_verify(s, head, checked, e);
}

/* Raw SQL as someone with write access to the file would run it. */

static void tamper(fixture *f, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    char *err = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK)
        fail_msg("tamper: %s", err ? err : "?");
    sqlite3_close(db);
}

/* Hashes computed outside hb (sha256 of prev + canonical JSON, by a
 * JavaScript implementation): they pin the on-disk form for good. */
static void hash_matches_pinned_vectors(void **state)
{
    fixture *f = *state;
    hbt_setenv("HB_NOW", "2030-01-02T03:04:05Z");
    cJSON *data = cJSON_Parse("{\"message\":\"h\\u00e9llo\\n\",\"n\":1.5,\"b\":[true,null]}");
    hb_err e;
    hb_audit_event ev;
    assert_int_equal(hb_store_begin(f->store, &e), HB_OK);
    assert_int_equal(
        hb_audit_append(f->store, RUN_A, "note", "read_ticket", "alice", data, &ev, &e), HB_OK);
    assert_int_equal(hb_store_commit(f->store, &e), HB_OK);
    cJSON_Delete(data);
    assert_int_equal(ev.seq, 1);
    assert_string_equal(ev.ts, "2030-01-02T03:04:05.000000Z");
    assert_string_equal(ev.prev,
                        "0000000000000000000000000000000000000000000000000000000000000000");
    assert_string_equal(ev.data, "{\"b\":[true,null],\"message\":\"h\xc3\xa9llo\\n\",\"n\":1.5}");
    assert_string_equal(ev.hash,
                        "1de5be28aad005c1211700dc5c7be464d0c0f5f0de284cc5c5ba6aa78d8301c6");
    hb_audit_event_free(&ev);

    assert_int_equal(hb_store_begin(f->store, &e), HB_OK);
    assert_int_equal(hb_audit_append(f->store, RUN_A, "transition", NULL, "alice", NULL, &ev, &e),
                     HB_OK);
    assert_int_equal(hb_store_commit(f->store, &e), HB_OK);
    assert_int_equal(ev.seq, 2);
    assert_string_equal(ev.prev,
                        "1de5be28aad005c1211700dc5c7be464d0c0f5f0de284cc5c5ba6aa78d8301c6");
    assert_string_equal(ev.hash,
                        "831d635a7f1e3c5d048e99ab2213ffd6e0da5f7eee618c0c36e768c095b52585");
    hb_audit_event_free(&ev);
}

/* The hand-assembled hash text equals the generic canonical form of the
 * whole event object, whatever the strings hold. */
static void hash_matches_generic_canonical_form(void **state)
{
    fixture *f = *state;
    append(f->store, RUN_A, "api_call", "step \"quoted\" \xe2\x82\xac",
           "{\"z\":1e21,\"a\":\"\\u0001\",\"\\ud83d\\ude00\":0.1,\"\\ufb33\":[]}");
    hb_audit_event ev;
    hb_err e;
    assert_int_equal(hb_store_begin(f->store, &e), HB_OK);
    cJSON *d = cJSON_Parse("{\"nested\":{\"b\":2,\"a\":1}}");
    assert_int_equal(hb_audit_append(f->store, RUN_A, "note", NULL, "bob \\ \"b\"", d, &ev, &e),
                     HB_OK);
    assert_int_equal(hb_store_commit(f->store, &e), HB_OK);
    cJSON_Delete(d);

    cJSON *obj = cJSON_CreateObject();
    cJSON_AddNumberToObject(obj, "seq", (double)ev.seq);
    cJSON_AddStringToObject(obj, "run", ev.run);
    cJSON_AddStringToObject(obj, "ts", ev.ts);
    cJSON_AddStringToObject(obj, "type", ev.type);
    cJSON_AddNullToObject(obj, "step");
    cJSON_AddStringToObject(obj, "actor", ev.actor);
    cJSON_AddItemToObject(obj, "data", cJSON_Parse(ev.data));
    char *text = hb_canonical_json(obj, &e);
    assert_non_null(text);
    hb_buf b;
    hb_buf_init(&b);
    hb_buf_puts(&b, ev.prev);
    hb_buf_puts(&b, text);
    char expected[65];
    hb_sha256_hex(b.data, b.len, expected);
    assert_string_equal(ev.hash, expected);
    char recomputed[65];
    assert_int_equal(hb_audit_hash(&ev, recomputed, &e), HB_OK);
    assert_string_equal(recomputed, expected);
    hb_buf_free(&b);
    free(text);
    cJSON_Delete(obj);
    hb_audit_event_free(&ev);

    int64_t checked;
    assert_int_equal(verify(f->store, NULL, &checked, &e), HB_OK);
    assert_int_equal(checked, 2);
}

static void append_needs_a_transaction_and_an_object(void **state)
{
    fixture *f = *state;
    hb_err e;
    assert_int_equal(hb_audit_append(f->store, RUN_A, "note", NULL, "alice", NULL, NULL, &e),
                     HB_EINTERNAL);
    assert_non_null(strstr(e.msg, "outside a transaction"));
    cJSON *arr = cJSON_CreateArray();
    assert_int_equal(hb_audit_append_tx(f->store, RUN_A, "note", NULL, "alice", arr, &e),
                     HB_EINTERNAL);
    assert_false(hb_store_in_transaction(f->store));
    cJSON_Delete(arr);
    char head[96];
    assert_int_equal(hb_audit_head(f->store, head, &e), HB_OK);
    assert_string_equal(head, "0:0000000000000000000000000000000000000000000000000000000000000000");
}

typedef struct seen {
    int64_t seqs[64];
    int n;
} seen;

static int remember(const hb_audit_event *ev, void *ud)
{
    seen *s = ud;
    s->seqs[s->n++] = ev->seq;
    return 0;
}

static void iterates_by_run_and_object(void **state)
{
    fixture *f = *state;
    append_chain(f->store, 12);
    append(f->store, RUN_A, "note", NULL, "{\"object\":5}"); /* not a string: not indexed */
    hb_err e;
    seen all = {.n = 0}, by_run = {.n = 0}, by_object = {.n = 0};
    assert_int_equal(f->store->ops->audit_iter(f->store, NULL, remember, &all, &e), HB_OK);
    assert_int_equal(all.n, 13);
    assert_int_equal(f->store->ops->audit_iter(f->store, RUN_B, remember, &by_run, &e), HB_OK);
    assert_int_equal(by_run.n, 6);
    assert_int_equal(by_run.seqs[0], 2);
    assert_int_equal(by_run.seqs[5], 12);
    assert_int_equal(
        f->store->ops->audit_iter_object(f->store, "zendesk:ticket:1", remember, &by_object, &e),
        HB_OK);
    assert_int_equal(by_object.n, 2);
    assert_int_equal(by_object.seqs[0], 3);
    assert_int_equal(by_object.seqs[1], 9);
    int64_t checked;
    assert_int_equal(verify(f->store, NULL, &checked, &e), HB_OK);
    assert_int_equal(checked, 13);
}

static void intact_chain_verifies(void **state)
{
    fixture *f = *state;
    hb_err e;
    int64_t checked = -1;
    assert_int_equal(verify(f->store, NULL, &checked, &e), HB_OK);
    assert_int_equal(checked, 0);
    append_chain(f->store, 10);
    char head[96];
    assert_int_equal(hb_audit_head(f->store, head, &e), HB_OK);
    assert_true(hb_str_starts_with(head, "10:"));
    assert_int_equal(strlen(head), 3 + 64);
    assert_int_equal(verify(f->store, NULL, &checked, &e), HB_OK);
    assert_int_equal(checked, 10);
    assert_int_equal(verify(f->store, head, &checked, &e), HB_OK);
    char verified[96];
    assert_int_equal(hb_audit_verify_and_head(f->store, NULL, &checked, verified, &e), HB_OK);
    assert_string_equal(verified, head);
    /* An older head recorded earlier is still part of the chain. */
    append(f->store, RUN_A, "note", NULL, NULL);
    assert_int_equal(verify(f->store, head, &checked, &e), HB_OK);
    assert_int_equal(verify(f->store,
                            "0:0000000000000000000000000000000000000000000000000000000000000000",
                            &checked, &e),
                     HB_OK);
}

static void bad_head_syntax_is_a_usage_error(void **state)
{
    fixture *f = *state;
    append_chain(f->store, 2);
    static const char *bad[] = {
        "",
        "12",
        "x:abc",
        "3:abc",
        "-1:" /* short */,
        "2:zz00000000000000000000000000000000000000000000000000000000000000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hb_err e;
        int64_t checked;
        assert_int_equal(verify(f->store, bad[i], &checked, &e), HB_EUSAGE);
        assert_non_null(strstr(e.msg, "SEQ:HASH"));
    }
}

static void edited_event_is_named(void **state)
{
    fixture *f = *state;
    append_chain(f->store, 10);
    tamper(f, "UPDATE audit SET data = '{\"i\":700}' WHERE seq = 7");
    hb_err e;
    int64_t checked;
    assert_int_equal(verify(f->store, NULL, &checked, &e), HB_EFAILED);
    assert_string_equal(e.msg, "event 7 was edited (hash mismatch)");
    assert_int_equal(checked, 6);
}

static void edited_actor_is_named(void **state)
{
    fixture *f = *state;
    append_chain(f->store, 5);
    tamper(f, "UPDATE audit SET actor = 'mallory' WHERE seq = 2");
    hb_err e;
    assert_int_equal(verify(f->store, NULL, NULL, &e), HB_EFAILED);
    assert_string_equal(e.msg, "event 2 was edited (hash mismatch)");
}

static void removed_event_is_named(void **state)
{
    fixture *f = *state;
    append_chain(f->store, 10);
    tamper(f, "DELETE FROM audit WHERE seq = 5");
    hb_err e;
    assert_int_equal(verify(f->store, NULL, NULL, &e), HB_EFAILED);
    assert_string_equal(e.msg, "event 5 is missing (seq jumps from 4 to 6)");
}

static void swapped_events_are_named(void **state)
{
    fixture *f = *state;
    append_chain(f->store, 6);
    tamper(f, "CREATE TEMP TABLE saved AS SELECT * FROM audit WHERE seq IN (3, 4);"
              "UPDATE audit SET (run, ts, type, step, actor, data, prev, hash, object) ="
              "  (SELECT run, ts, type, step, actor, data, prev, hash, object FROM saved"
              "   WHERE saved.seq = 7 - audit.seq) WHERE seq IN (3, 4);");
    hb_err e;
    assert_int_equal(verify(f->store, NULL, NULL, &e), HB_EFAILED);
    assert_string_equal(e.msg, "event 3 does not chain to event 2 (reordered or rewritten)");
}

static void edited_object_index_is_named(void **state)
{
    fixture *f = *state;
    append_chain(f->store, 6);
    /* Hiding event 3 from `audit show --object` without touching the chain. */
    tamper(f, "UPDATE audit SET object = NULL WHERE seq = 3");
    hb_err e;
    assert_int_equal(verify(f->store, NULL, NULL, &e), HB_EFAILED);
    assert_non_null(strstr(e.msg, "event 3 was edited (its object column"));
}

static void truncated_tail_needs_the_head(void **state)
{
    fixture *f = *state;
    append_chain(f->store, 8);
    char head[96];
    hb_err e;
    assert_int_equal(hb_audit_head(f->store, head, &e), HB_OK);
    tamper(f, "DELETE FROM audit WHERE seq = 8");
    int64_t checked;
    assert_int_equal(verify(f->store, NULL, &checked, &e), HB_OK);
    assert_int_equal(checked, 7);
    assert_int_equal(verify(f->store, head, &checked, &e), HB_EFAILED);
    char expected[256];
    snprintf(expected, sizeof expected,
             "the chain no longer matches the recorded head %s (truncated or rewritten)", head);
    assert_string_equal(e.msg, expected);
}

typedef struct rewrite {
    hb_audit_event events[32];
    int n;
} rewrite;

static int keep_event(const hb_audit_event *ev, void *ud)
{
    rewrite *r = ud;
    hb_audit_event *copy = &r->events[r->n++];
    *copy = *ev;
    copy->step = ev->step ? hb_xstrdup(ev->step) : NULL;
    copy->actor = hb_xstrdup(ev->actor);
    copy->data = hb_xstrdup(ev->data);
    copy->object = ev->object ? hb_xstrdup(ev->object) : NULL;
    return 0;
}

/* Whoever can write the file can edit an event and recompute every hash
 * after it: the chain then checks out, and only a recorded head tells. */
static void rewritten_chain_needs_the_head(void **state)
{
    fixture *f = *state;
    append_chain(f->store, 6);
    char head[96];
    hb_err e;
    assert_int_equal(hb_audit_head(f->store, head, &e), HB_OK);
    rewrite r = {.n = 0};
    assert_int_equal(f->store->ops->audit_iter(f->store, NULL, keep_event, &r, &e), HB_OK);
    hb_buf sql;
    hb_buf_init(&sql);
    free(r.events[2].data);
    r.events[2].data = hb_xstrdup("{\"i\":\"rewritten\",\"object\":\"zendesk:ticket:1\"}");
    for (int i = 2; i < r.n; i++) {
        memcpy(r.events[i].prev, r.events[i - 1].hash, 65);
        assert_int_equal(hb_audit_hash(&r.events[i], r.events[i].hash, &e), HB_OK);
        char *row = sqlite3_mprintf("UPDATE audit SET data = %Q, prev = %Q, hash = %Q "
                                    "WHERE seq = %lld;",
                                    r.events[i].data, r.events[i].prev, r.events[i].hash,
                                    (long long)r.events[i].seq);
        hb_buf_puts(&sql, row);
        sqlite3_free(row);
    }
    tamper(f, sql.data);
    hb_buf_free(&sql);
    for (int i = 0; i < r.n; i++)
        hb_audit_event_free(&r.events[i]);
    int64_t checked;
    assert_int_equal(verify(f->store, NULL, &checked, &e), HB_OK);
    assert_int_equal(checked, 6);
    assert_int_equal(verify(f->store, head, &checked, &e), HB_EFAILED);
    assert_non_null(strstr(e.msg, "no longer matches the recorded head"));
}

/* Several processes appending at once still make one gapless chain: each
 * append reads the head under the write lock. */
static void concurrent_appenders_keep_one_chain(void **state)
{
    fixture *f = *state;
    enum { WRITERS = 4, EACH = 25 };
    pid_t pids[WRITERS];
    for (int w = 0; w < WRITERS; w++) {
        pids[w] = fork();
        assert_true(pids[w] >= 0);
        if (pids[w] == 0) {
            hb_store *s = NULL;
            hb_store_options o = {.busy_timeout_ms = 10000};
            hb_err e;
            int failed = hb_store_open_sqlite(f->path, &o, &s, &e) != HB_OK;
            for (int i = 0; i < EACH && !failed; i++) {
                cJSON *d = cJSON_CreateObject();
                cJSON_AddNumberToObject(d, "writer", w);
                cJSON_AddNumberToObject(d, "i", i);
                failed = hb_audit_append_tx(s, RUN_A, "note", NULL, "w", d, &e) != HB_OK;
                cJSON_Delete(d);
            }
            if (failed)
                fprintf(stderr, "writer %d: %s\n", w, e.msg);
            hb_store_close(s);
            _exit(failed);
        }
    }
    for (int w = 0; w < WRITERS; w++) {
        int status = 0;
        waitpid(pids[w], &status, 0);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    hb_err e;
    int64_t checked;
    assert_int_equal(verify(f->store, NULL, &checked, &e), HB_OK);
    assert_int_equal(checked, WRITERS * EACH);
}

static void bodies_are_stored_by_digest(void **state)
{
    fixture *f = *state;
    char digest[65];
    hb_err e;
    const char *body = "{\"ticket\":{\"id\":1}}";
    assert_int_equal(hb_audit_put_body(f->store, body, strlen(body), digest, &e), HB_OK);
    char expected[65];
    hb_sha256_hex(body, strlen(body), expected);
    assert_string_equal(digest, expected);
    char *got;
    size_t len;
    assert_int_equal(f->store->ops->body_get(f->store, digest, &got, &len, &e), HB_OK);
    assert_string_equal(got, body);
    free(got);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(hash_matches_pinned_vectors),
        T(hash_matches_generic_canonical_form),
        T(append_needs_a_transaction_and_an_object),
        T(iterates_by_run_and_object),
        T(intact_chain_verifies),
        T(bad_head_syntax_is_a_usage_error),
        T(edited_event_is_named),
        T(edited_actor_is_named),
        T(removed_event_is_named),
        T(swapped_events_are_named),
        T(edited_object_index_is_named),
        T(truncated_tail_needs_the_head),
        T(rewritten_chain_needs_the_head),
        T(concurrent_appenders_keep_one_chain),
        T(bodies_are_stored_by_digest),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
