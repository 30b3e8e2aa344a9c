/* hb worker: advances runs whose timer or condition check is due, and runs
 * left "running" by a process that died. Several workers (or a worker and a
 * person's hb resume) share a store safely: each run is claimed with a lease
 * before it is touched, and a run held by someone else is skipped. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hb/cli.h"
#include "hb/clock.h"
#include "hb/engine.h"
#include "hb/store.h"
#include "hb/util.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

typedef struct due_list {
    char (*ids)[HB_RUN_ID_LEN + 1];
    size_t n;
} due_list;

static int collect(const hb_run *r, void *ud)
{
    due_list *d = ud;
    d->ids = hb_xrealloc(d->ids, (d->n + 1) * sizeof *d->ids);
    memcpy(d->ids[d->n++], r->id, HB_RUN_ID_LEN + 1);
    return 0;
}

/* Runs that are due now, and runs stuck in "running" (their holder may be
 * dead: the claim decides). */
static hb_status find_due(hb_store *s, hb_time_us now, due_list *d, hb_err *e)
{
    hb_run_filter waiting = {.status = HB_RUN_WAITING, .due_before = now};
    hb_status st = s->ops->run_list(s, &waiting, collect, d, e);
    hb_run_filter running = {.status = HB_RUN_RUNNING};
    if (st == HB_OK)
        st = s->ops->run_list(s, &running, collect, d, e);
    return st;
}

/* One pass over the due runs; returns the number advanced. */
static hb_status pass(const char *actor, int *advanced, hb_err *e)
{
    due_list d = {0};
    hb_cli_engine ce;
    hb_status st = hb_cli_engine_init(&ce, true, e);
    if (st != HB_OK || (st = find_due(ce.eng.store, hb_clock_time(&ce.clock), &d, e)) != HB_OK)
        goto out;
    for (size_t i = 0; i < d.n && !stop_requested; i++) {
        hb_run_request req = {.run_id = d.ids[i], .actor = actor, .only_if_due = true};
        hb_err re;
        hb_err_clear(&re);
        hb_status rs = hb_engine_resume(&ce.eng, &req, &re);
        if (rs == HB_EBUSY)
            continue; /* another worker or person holds it */
        (*advanced)++;
        if (rs != HB_OK && rs != HB_EPAUSED)
            fprintf(stderr, "hb worker: run %s: %s\n", d.ids[i], re.msg);
        if (rs == HB_EINTERNAL) {
            st = hb_err_set(e, rs, "%s", re.msg);
            goto out;
        }
    }
out:
    hb_cli_engine_free(&ce);
    free(d.ids);
    return st;
}

int hb_cmd_worker(int argc, char **argv)
{
    bool once = false;
    int64_t interval = 60;
    const char *actor_opt = NULL;
    const hb_option options[] = {
        HB_FLAG("once", &once, "check once and exit (for cron)"),
        HB_INT("interval", &interval, "SECONDS", 1, 86400,
               "seconds between checks (default 60, at most a day)"),
        HB_ACTOR_OPT(&actor_opt),
        HB_OPT_END_,
    };
    const hb_cli_spec spec = {
        .command = "worker",
        .about = "Advances waiting runs whose timer, timeout or condition check is due, and\n"
                 "completes runs whose process died mid-step. Each run uses its recorded\n"
                 "target (sandbox runs against the sandbox state under HB_HOME).\n"
                 "--once checks once and exits (for cron); otherwise it checks every\n"
                 "--interval seconds until SIGTERM or SIGINT, then finishes the current\n"
                 "step and exits 0.\n",
        .options = options,
    };
    int rc = hb_cli_parse(&spec, argc, argv);
    if (rc != HB_CLI_GO)
        return rc;
    char *default_actor = actor_opt ? NULL : hb_default_actor();
    const char *actor = actor_opt ? actor_opt : default_actor;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    rc = HB_OK;
    do {
        int advanced = 0;
        hb_err e;
        hb_status st = pass(actor, &advanced, &e);
        if (st != HB_OK) {
            hb_cli_error("%s", e.msg);
            rc = st;
            break;
        }
        if (once || stop_requested)
            break;
        struct timespec ts = {.tv_sec = (time_t)interval, .tv_nsec = 0};
        while (!stop_requested && nanosleep(&ts, &ts) != 0)
            ;
    } while (!stop_requested);
    free(default_actor);
    return rc;
}
