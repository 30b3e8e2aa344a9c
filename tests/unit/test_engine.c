/* The engine as its embedders use it (hb/engine.h): everything handed in,
 * nothing read from the process. A run lives on the clock, store and home
 * it is given even when HB_NOW and HB_HOME say otherwise; an unanswered ask
 * goes to the ask callback, never to stdin; what happens goes to the
 * reporter, never to stdout or stderr; and two runs go on at once on two
 * threads of one process, each on its own engine. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb/engine.h"
#include "hb/util.h"
#include "test_support.h"

#define T0 "2026-11-22T10:00:00Z"

static const char FLOW[] =
    "return workflow \"engine-test\" {\n"
    "  inputs = { n = \"integer\" },\n"
    "  task \"first\" {\n"
    "    \"Note the time.\",\n"
    "    run = function(ctx) ctx.vars.at = ctx.now(); ctx.log('n is', ctx.input.n) end,\n"
    "  },\n"
    "  ask \"pick\" {\n"
    "    \"Left or right?\",\n"
    "    options = { { \"left\", next = \"later\" }, { \"right\", next = \"done\" } },\n"
    "  },\n"
    "  wait \"later\" { \"An hour.\", after = \"1h\" },\n"
    "  succeed \"done\" { \"Done.\" },\n"
    "}\n";

typedef struct recorder {
    hb_buf trace; /* "begin:started step:first:ok ..." */
    hb_run_status status;
    char step[64];
    char run[HB_RUN_ID_LEN + 1];
    int asked;
    char question[256];
    const char *answer; /* what the ask callback answers (NULL: nobody) */
} recorder;

typedef struct env {
    char *root;
    char *home;
    char *flow;
    hb_clock clock;
    hb_engine eng;
    recorder rec;
    hb_engine_reporter reporter;
} env;

static void rec_begin(void *ud, const hb_run *run, const char *verb)
{
    (void)run;
    hb_buf_printf(&((recorder *)ud)->trace, "begin:%s ", verb);
}

static void rec_step(void *ud, const hb_run *run, const char *step, const char *kind,
                     const char *outcome, double ms)
{
    (void)run;
    (void)kind;
    (void)ms;
    hb_buf_printf(&((recorder *)ud)->trace, "%s:%s ", step, outcome);
}

static void rec_result(void *ud, const hb_run *run)
{
    recorder *r = ud;
    r->status = run->status;
    snprintf(r->step, sizeof r->step, "%s", run->step);
    snprintf(r->run, sizeof r->run, "%s", run->id);
}

static char *rec_ask(void *ud, const hb_engine_question *q)
{
    recorder *r = ud;
    r->asked++;
    snprintf(r->question, sizeof r->question, "%s [%s|%s]", q->text, q->options[0], q->options[1]);
    return r->answer ? hb_xstrdup(r->answer) : NULL;
}

static env *env_open(const char *now)
{
    env *v = calloc(1, sizeof *v);
    v->root = hbt_tempdir();
    v->home = hb_path_join(v->root, "home");
    v->flow = hb_path_join(v->root, "engine-test.lua");
    hbt_write(v->flow, FLOW);
    hb_err e;
    assert_int_equal(hb_mkdirs(v->home, 0700, &e), HB_OK);
    assert_int_equal(hb_time_parse(now, &v->clock.at, &e), HB_OK);
    v->clock.frozen = true;
    char *db = hb_path_join(v->home, "hb.db");
    hb_store_options so = {.busy_timeout_ms = 2000};
    assert_int_equal(hb_store_open_sqlite(db, &so, &v->eng.store, &e), HB_OK);
    free(db);
    hb_store_set_clock(v->eng.store, &v->clock);
    v->eng.clock = &v->clock;
    v->eng.lua_limits =
        (hb_lua_limits){.instructions = 100000000, .wall_ms = 30000, .memory_bytes = 64 << 20};
    v->eng.lease_seconds = 60;
    v->eng.stdlib_dir = HB_SOURCE_DIR "/stdlib";
    v->eng.home = v->home;
    hb_buf_init(&v->rec.trace);
    v->reporter = (hb_engine_reporter){
        .ud = &v->rec, .begin = rec_begin, .step = rec_step, .result = rec_result};
    return v;
}

static void env_close(env *v)
{
    hb_store_close(v->eng.store);
    hbt_rmtree(v->root);
    hb_buf_free(&v->rec.trace);
    free(v->root);
    free(v->home);
    free(v->flow);
    free(v);
}

static hb_kv N_IS_7[] = {{.key = "n", .value = "7"}};

static hb_run_request start_request(env *v)
{
    return (hb_run_request){.workflow_file = v->flow,
                            .inputs = N_IS_7,
                            .ninputs = 1,
                            .actor = "tester",
                            .ask = {.fn = rec_ask, .ud = &v->rec},
                            .reporter = &v->reporter};
}

static hb_run get_run(env *v, const char *id)
{
    hb_run r;
    memset(&r, 0, sizeof r);
    hb_err e;
    assert_int_equal(v->eng.store->ops->run_get(v->eng.store, id, &r, &e), HB_OK);
    return r;
}

static int first_event_ts(const hb_audit_event *ev, void *ud)
{
    snprintf(ud, 32, "%s", ev->ts);
    return 1;
}

/* HB_NOW and HB_HOME name another time and folder: the run must not see
 * them. */
static void runs_on_the_clock_and_store_it_is_given(void **state)
{
    (void)state;
    env *v = env_open(T0);
    char *elsewhere = hbt_tempdir();
    hbt_setenv("HB_NOW", "2031-05-05T05:05:05Z");
    hbt_setenv("HB_HOME", elsewhere);

    v->rec.answer = "left";
    hb_run_request req = start_request(v);
    hb_err e;
    assert_int_equal(hb_engine_start(&v->eng, &req, &e), HB_EPAUSED);
    hb_run r = get_run(v, req.run_id_out);
    assert_string_equal(r.step, "later");
    assert_non_null(strstr(r.vars_json, "\"at\":\"" T0 "\""));
    assert_non_null(strstr(r.wait_json, "\"due\":\"2026-11-22T11:00:00Z\""));
    char ts[32] = "";
    v->eng.store->ops->audit_iter(v->eng.store, r.id, first_event_ts, ts, &e);
    assert_true(!strncmp(ts, "2026-11-22T10:00:00", 19));
    hb_run_free(&r);

    /* Not due yet on the engine's clock, whatever HB_NOW says. */
    hb_run_request again = {.run_id = req.run_id_out, .actor = "worker", .only_if_due = true};
    assert_int_equal(hb_engine_resume(&v->eng, &again, &e), HB_OK);
    r = get_run(v, req.run_id_out);
    assert_int_equal(r.status, HB_RUN_WAITING);
    hb_run_free(&r);

    v->clock.at += 3601 * 1000000LL;
    assert_int_equal(hb_engine_resume(&v->eng, &again, &e), HB_OK);
    r = get_run(v, req.run_id_out);
    assert_int_equal(r.status, HB_RUN_SUCCEEDED);
    hb_run_free(&r);

    char *other_db = hb_path_join(elsewhere, "hb.db");
    assert_false(hb_file_exists(other_db));
    free(other_db);
    hbt_unsetenv("HB_NOW");
    hbt_unsetenv("HB_HOME");
    hbt_rmtree(elsewhere);
    free(elsewhere);
    env_close(v);
}

static void an_unanswered_ask_goes_to_the_callback(void **state)
{
    (void)state;
    env *v = env_open(T0);
    hb_err e;

    /* Nobody answers: the run waits at the ask. */
    hb_run_request req = start_request(v);
    assert_int_equal(hb_engine_start(&v->eng, &req, &e), HB_EPAUSED);
    assert_int_equal(v->rec.asked, 1);
    assert_string_equal(v->rec.question, "Left or right? [left|right]");
    assert_int_equal(v->rec.status, HB_RUN_WAITING);
    assert_string_equal(v->rec.step, "pick");

    /* An answer given with the request is not asked for again. */
    hb_kv answer[] = {{.key = "pick", .value = "right"}};
    hb_run_request resume = {.run_id = req.run_id_out,
                             .answers = answer,
                             .nanswers = 1,
                             .actor = "tester",
                             .ask = req.ask,
                             .reporter = &v->reporter};
    assert_int_equal(hb_engine_resume(&v->eng, &resume, &e), HB_OK);
    assert_int_equal(v->rec.asked, 1);
    assert_int_equal(v->rec.status, HB_RUN_SUCCEEDED);

    /* A dry run asks nobody. */
    hb_run_request dry = start_request(v);
    dry.dry_run = true;
    assert_int_equal(hb_engine_start(&v->eng, &dry, &e), HB_OK);
    assert_int_equal(v->rec.asked, 1);
    assert_int_equal(v->rec.status, HB_RUN_PLANNED);
    env_close(v);
}

/* Runs fd's output into a file while fn runs; returns what was written. */
static char *captured(int fd, hb_status (*fn)(env *), env *v, hb_status *st)
{
    char *path = hb_path_join(v->root, fd == 1 ? "stdout" : "stderr");
    fflush(NULL);
    int saved = dup(fd);
    int out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(out, fd);
    close(out);
    *st = fn(v);
    fflush(NULL);
    dup2(saved, fd);
    close(saved);
    size_t len = 0;
    hb_err e;
    char *text = hb_read_file(path, &len, &e);
    free(path);
    return text;
}

static hb_status start_answered(env *v)
{
    v->rec.answer = "right";
    hb_run_request req = start_request(v);
    hb_err e;
    return hb_engine_start(&v->eng, &req, &e);
}

static void reports_instead_of_printing(void **state)
{
    (void)state;
    env *v = env_open(T0);
    hb_status st;
    char *out = captured(1, start_answered, v, &st);
    assert_int_equal(st, HB_OK);
    assert_string_equal(out, "");
    free(out);
    char *err = captured(2, start_answered, v, &st);
    assert_int_equal(st, HB_OK);
    assert_string_equal(err, "");
    free(err);
    assert_non_null(strstr(v->rec.trace.data, "begin:started first:ok pick:right done:succeeded"));
    env_close(v);
}

static void *run_on_thread(void *ud)
{
    env *v = ud;
    v->rec.answer = "left";
    hb_run_request req = start_request(v);
    hb_err e;
    hb_status st = hb_engine_start(&v->eng, &req, &e);
    return (void *)(intptr_t)st;
}

static void two_runs_at_once_on_threads(void **state)
{
    (void)state;
    env *a = env_open("2026-01-01T08:00:00Z");
    env *b = env_open("2027-06-30T20:00:00Z");
    pthread_t ta, tb;
    pthread_create(&ta, NULL, run_on_thread, a);
    pthread_create(&tb, NULL, run_on_thread, b);
    void *ra, *rb;
    pthread_join(ta, &ra);
    pthread_join(tb, &rb);
    assert_int_equal((intptr_t)ra, HB_EPAUSED);
    assert_int_equal((intptr_t)rb, HB_EPAUSED);
    assert_int_equal(a->rec.status, HB_RUN_WAITING);
    assert_int_equal(b->rec.status, HB_RUN_WAITING);
    /* Each on its own clock, in its own store. */
    hb_run r = get_run(a, a->rec.run);
    assert_non_null(strstr(r.vars_json, "\"at\":\"2026-01-01T08:00:00Z\""));
    hb_run_free(&r);
    r = get_run(b, b->rec.run);
    assert_non_null(strstr(r.vars_json, "\"at\":\"2027-06-30T20:00:00Z\""));
    hb_run_free(&r);
    env_close(a);
    env_close(b);
}

/* Without a clock the engine would fall back to HB_NOW: it refuses instead. */
static void an_engine_missing_its_clock_refuses(void **state)
{
    (void)state;
    env *v = env_open(T0);
    v->eng.clock = NULL;
    hb_run_request req = start_request(v);
    hb_err e;
    assert_int_equal(hb_engine_start(&v->eng, &req, &e), HB_EINTERNAL);
    assert_string_equal(e.msg, "the engine was given no clock");
    assert_string_equal(req.run_id_out, "");
    env_close(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(runs_on_the_clock_and_store_it_is_given),
        cmocka_unit_test(an_unanswered_ask_goes_to_the_callback),
        cmocka_unit_test(reports_instead_of_printing),
        cmocka_unit_test(two_runs_at_once_on_threads),
        cmocka_unit_test(an_engine_missing_its_clock_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
