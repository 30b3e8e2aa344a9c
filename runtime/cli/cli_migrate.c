/* hb migrate RUN | --workflow NAME --to-current [--map OLD=NEW]... [--apply]
 * [--reason TEXT]: waiting runs moved onto the version of their workflow on
 * disk. A dry run by default; the engine checks and applies
 * (engine_migrate.c); here are which runs, which file, and the lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/cli.h"
#include "hb/engine.h"
#include "hb/sha256.h"
#include "hb/store.h"
#include "hb/util.h"
#include "hb/workflow_find.h"

static const char ABOUT[] =
    "Moves waiting runs onto the version of their workflow on disk. A run\n"
    "resumes under the version it started with (its sources are pinned); after\n"
    "a change that should reach the runs already waiting, migrate them. A run\n"
    "moves when its current step is in the version on disk (or --map names its\n"
    "new id), is the same kind of wait, and the steps from there on find the\n"
    "ctx.vars they read; otherwise it is refused, with why, and left as it is.\n"
    "\n"
    "Without --apply nothing changes: each run's line says what would happen.\n"
    "With --apply each run that can move moves, and the audit trail records a\n"
    "`migrated` event: by, reason, both versions and steps. `hb runs\n"
    "--outdated` lists the runs a change left behind; `hb backtest` shows what\n"
    "the new version would have done with the runs already handled.\n";

static const char MORE[] =
    "exit: 0 every run named can move (or moved, with --apply; or is already\n"
    "      on the version on disk), 1 one or more were refused (the others\n"
    "      moved, with --apply), 2 bad input (unknown run, a run not waiting,\n"
    "      a version that does not load, a bad --map), 4 busy, 5 store\n"
    "      corrupted or internal error\n";

typedef struct args {
    const char *run, *workflow, *reason, *actor;
    bool to_current, apply;
    hb_kv *map;
    size_t nmap;
} args;

static hb_status add_map(void *ud, const char *text, hb_err *e)
{
    args *a = ud;
    hb_kv kv;
    if (hb_kv_parse(text, &kv, e) != HB_OK)
        return hb_err_set(e, HB_EUSAGE, "--map %s: give OLD=NEW step ids", text);
    a->map = hb_xrealloc(a->map, (a->nmap + 1) * sizeof *a->map);
    a->map[a->nmap++] = kv;
    return HB_OK;
}

/* The version on disk of a run's workflow: the file it started from, else
 * the workflow of that name on HB_WORKFLOW_PATH. */
static char *file_of(const hb_run *r, hb_err *e)
{
    if (r->workflow_file && hb_file_exists(r->workflow_file))
        return hb_xstrdup(r->workflow_file);
    return hb_workflow_find(r->workflow, e);
}

typedef struct pick_ctx {
    char **ids;
    size_t n;
    char version[65];
} pick_ctx;

static int pick(const hb_run *r, void *ud)
{
    pick_ctx *c = ud;
    if (r->status != HB_RUN_WAITING || !strcmp(r->version, c->version))
        return 0;
    c->ids = hb_xrealloc(c->ids, (c->n + 1) * sizeof *c->ids);
    c->ids[c->n++] = hb_xstrdup(r->id);
    return 0;
}

/* One run: its line on stdout; *refused counts a refusal. */
static hb_status one(const hb_engine *eng, const args *a, const char *id, const char *file,
                     int *refused, hb_err *e)
{
    hb_migrate_request req = {.run_id = id,
                              .workflow_file = file,
                              .map = a->map,
                              .nmap = a->nmap,
                              .apply = a->apply,
                              .actor = a->actor,
                              .reason = a->reason};
    hb_migrate_result r;
    hb_status st = hb_engine_migrate(eng, &req, &r, e);
    if (st == HB_OK) {
        if (r.current)
            printf("%s  already on the version on disk (step %s)\n", id, r.from_step);
        else if (r.refused) {
            printf("%s  refused: %s\n", id, r.refused);
            (*refused)++;
        } else
            printf("%s  %s: step %s -> %s, version %.12s -> %.12s%s\n", id,
                   r.applied ? "moved" : "can move", r.from_step, r.to_step, r.from_version,
                   r.to_version, r.applied ? "" : " (dry run: --apply moves it)");
    }
    hb_migrate_result_free(&r);
    return st;
}

int hb_cmd_migrate(int argc, char **argv)
{
    args a = {0};
    const hb_option options[] = {
        HB_ARG_OPTIONAL("RUN", &a.run, "the waiting run to move"),
        HB_STRING("workflow", &a.workflow, "NAME",
                  "every waiting run of this workflow not on the version on disk"),
        HB_FLAG("to-current", &a.to_current, "onto the version on disk (required)"),
        HB_EACH("map", add_map, &a, "OLD=NEW", "the run's step OLD is called NEW now"),
        HB_FLAG("apply", &a.apply, "move them (without it: a dry run)"),
        HB_STRING("reason", &a.reason, "TEXT", "why, for the audit trail"),
        HB_ACTOR_OPT(&a.actor),
        HB_OPT_END_,
    };
    const hb_cli_spec spec = {
        .command = "migrate",
        .usage = "hb migrate RUN --to-current [--map OLD=NEW]... [--apply] [--reason TEXT]\n"
                 "       hb migrate --workflow NAME --to-current [--map OLD=NEW]... [--apply]",
        .about = ABOUT,
        .options = options,
        .more = MORE,
    };
    int rc = hb_cli_parse(&spec, argc, argv);
    if (rc != HB_CLI_GO) {
        hb_kv_free(a.map, a.nmap);
        return rc;
    }
    if (!a.run == !a.workflow || !a.to_current) {
        hb_kv_free(a.map, a.nmap);
        return hb_cli_usage_error(&spec, !a.to_current ? "say where to: --to-current"
                                         : a.run       ? "name a run or --workflow, not both"
                                                       : "name a run, or --workflow NAME");
    }
    char *default_actor = a.actor ? NULL : hb_default_actor();
    if (!a.actor)
        a.actor = default_actor;
    hb_err e;
    hb_err_clear(&e);
    hb_cli_engine ce;
    int refused = 0;
    char *file = NULL;
    pick_ctx pc = {0};
    hb_status st = hb_cli_engine_init(&ce, true, &e);
    if (st == HB_OK && a.run) {
        hb_run r = {0};
        if ((st = ce.eng.store->ops->run_get(ce.eng.store, a.run, &r, &e)) == HB_OK &&
            !(file = file_of(&r, &e)))
            st = HB_EUSAGE;
        hb_run_free(&r);
        if (st == HB_OK)
            st = one(&ce.eng, &a, a.run, file, &refused, &e);
    } else if (st == HB_OK) {
        size_t len;
        char *src = NULL;
        if (!(file = hb_workflow_find(a.workflow, &e)) || !(src = hb_read_file(file, &len, &e)))
            st = HB_EUSAGE;
        else
            hb_sha256_hex(src, len, pc.version);
        free(src);
        hb_run_filter f = {.workflow = a.workflow, .status = HB_RUN_WAITING};
        if (st == HB_OK)
            st = ce.eng.store->ops->run_list(ce.eng.store, &f, pick, &pc, &e);
        if (st == HB_OK && pc.n == 0)
            printf("no waiting run of %s is on another version than the one on disk\n", a.workflow);
        for (size_t i = 0; i < pc.n && st == HB_OK; i++)
            st = one(&ce.eng, &a, pc.ids[i], file, &refused, &e);
    }
    if (st != HB_OK)
        hb_cli_error("%s", e.msg);
    else if (refused)
        st = HB_EFAILED;
    for (size_t i = 0; i < pc.n; i++)
        free(pc.ids[i]);
    free(pc.ids);
    free(file);
    hb_cli_engine_free(&ce);
    hb_kv_free(a.map, a.nmap);
    free(default_actor);
    return (int)st;
}
