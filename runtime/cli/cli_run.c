/* hb run / hb resume / hb cancel. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb/cli.h"
#include "hb/engine.h"
#include "hb/util.h"

static const char RUN_USAGE[] =
    "usage: hb run NAME|FILE [INPUT=VALUE ...] [options]\n"
    "\n"
    "Starts a run of a workflow. Prints the run id, then status=S step=T, on\n"
    "stdout; the trace of each step goes to stderr.\n"
    "\n"
    "options:\n"
    "  --answer STEP=VALUE  answer an ask step in advance (repeatable)\n"
    "  --sandbox            run against the built-in sandbox, never a live service\n"
    "  --dry-run            send no change: reads go through, writes are planned;\n"
    "                       stops at the first wait and prints the plan\n"
    "  --allow-duplicate    start even if a run with the same inputs is active\n"
    "  --actor NAME         who is acting, for the audit trail (default $HB_ACTOR or\n"
    "                       the login name)\n"
    "  --no-input           never prompt; an unanswered ask pauses the run\n"
    "  --json               print the result as one JSON object\n"
    "\n"
    "exit: 0 succeeded (or a dry run's plan), 1 failed, 2 bad input, 3 paused,\n"
    "      4 busy, 5 store corrupted or internal error\n";

static const char RESUME_USAGE[] =
    "usage: hb resume RUN [--answer STEP=VALUE]... [--event NAME[=JSON]] [options]\n"
    "\n"
    "Continues a waiting run under the workflow version it started with, against\n"
    "its recorded target (sandbox or live).\n"
    "\n"
    "options: --answer STEP=VALUE, --event NAME[=JSON], --actor NAME, --no-input,\n"
    "         --json, --sandbox (refused for a live run)\n";

static const char CANCEL_USAGE[] = "usage: hb cancel RUN [--actor NAME]\n"
                                   "\nCancels a waiting run; it can no longer be resumed.\n";

typedef struct parsed {
    hb_run_request req;
    bool no_input;
    const char *positional;
} parsed;

static const char *default_actor(void)
{
    const char *a = getenv("HB_ACTOR");
    return a && *a ? a : hb_login_name();
}

static bool add_kv(hb_kv **list, size_t *n, const char *arg)
{
    hb_err e;
    hb_kv kv;
    if (hb_kv_parse(arg, &kv, &e) != HB_OK) {
        hb_cli_error("%s", e.msg);
        return false;
    }
    *list = hb_xrealloc(*list, (*n + 1) * sizeof **list);
    (*list)[(*n)++] = kv;
    return true;
}

/* Parses options shared by run and resume; HB_EUSAGE after printing why. */
static hb_status parse(int argc, char **argv, bool is_run, parsed *p)
{
    memset(p, 0, sizeof *p);
    p->req.actor = default_actor();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (!strcmp(a, "--answer") && has_value) {
            if (!add_kv(&p->req.answers, &p->req.nanswers, argv[++i]))
                return HB_EUSAGE;
        } else if (!strncmp(a, "--answer=", 9)) {
            if (!add_kv(&p->req.answers, &p->req.nanswers, a + 9))
                return HB_EUSAGE;
        } else if (!strcmp(a, "--event") && has_value && !is_run) {
            char *ev = argv[++i];
            char *eq = strchr(ev, '=');
            if (eq) {
                *eq = '\0';
                p->req.event_json = eq + 1;
            }
            p->req.event_name = ev;
        } else if (!strcmp(a, "--actor") && has_value) {
            p->req.actor = argv[++i];
        } else if (!strcmp(a, "--sandbox")) {
            p->req.sandbox = true;
        } else if (!strcmp(a, "--dry-run") && is_run) {
            p->req.dry_run = true;
        } else if (!strcmp(a, "--allow-duplicate") && is_run) {
            p->req.allow_duplicate = true;
        } else if (!strcmp(a, "--json")) {
            p->req.json_output = true;
        } else if (!strcmp(a, "--no-input")) {
            p->no_input = true;
        } else if (a[0] == '-' && a[1] == '-') {
            hb_cli_error("unknown or incomplete option '%s' (see hb %s --help)", a, argv[0]);
            return HB_EUSAGE;
        } else if (!p->positional) {
            p->positional = a;
        } else if (is_run) {
            if (!add_kv(&p->req.inputs, &p->req.ninputs, a))
                return HB_EUSAGE;
        } else {
            hb_cli_error("unexpected argument '%s' (see hb %s --help)", a, argv[0]);
            return HB_EUSAGE;
        }
    }
    if (!p->positional) {
        hb_cli_error("%s", is_run ? "which workflow? usage: hb run NAME [INPUT=VALUE ...]"
                                  : "which run? usage: hb resume RUN");
        return HB_EUSAGE;
    }
    const char *ci = getenv("CI");
    p->req.interactive = !p->no_input && isatty(STDIN_FILENO) && !(ci && *ci);
    return HB_OK;
}

static void free_parsed(parsed *p)
{
    hb_kv_free(p->req.inputs, p->req.ninputs);
    hb_kv_free(p->req.answers, p->req.nanswers);
}

static int finish(hb_status st, const hb_err *e)
{
    if (st != HB_OK && st != HB_EPAUSED)
        hb_cli_error("%s", e->msg);
    return (int)st;
}

int hb_cmd_run(int argc, char **argv)
{
    if (hb_cli_wants_help(argc, argv)) {
        fputs(RUN_USAGE, stdout);
        return HB_OK;
    }
    parsed p;
    if (parse(argc, argv, true, &p) != HB_OK) {
        free_parsed(&p);
        return HB_EUSAGE;
    }
    p.req.workflow = p.positional;
    hb_err e;
    hb_err_clear(&e);
    hb_status st = hb_engine_start(&p.req, &e);
    free_parsed(&p);
    return finish(st, &e);
}

int hb_cmd_resume(int argc, char **argv)
{
    if (hb_cli_wants_help(argc, argv)) {
        fputs(RESUME_USAGE, stdout);
        return HB_OK;
    }
    parsed p;
    if (parse(argc, argv, false, &p) != HB_OK) {
        free_parsed(&p);
        return HB_EUSAGE;
    }
    p.req.run_id = p.positional;
    hb_err e;
    hb_err_clear(&e);
    hb_status st = hb_engine_resume(&p.req, &e);
    free_parsed(&p);
    return finish(st, &e);
}

int hb_cmd_cancel(int argc, char **argv)
{
    if (hb_cli_wants_help(argc, argv)) {
        fputs(CANCEL_USAGE, stdout);
        return HB_OK;
    }
    const char *run = NULL, *actor = default_actor();
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--actor") && i + 1 < argc)
            actor = argv[++i];
        else if (argv[i][0] != '-' && !run)
            run = argv[i];
        else {
            hb_cli_error("unexpected argument '%s'\n%s", argv[i], CANCEL_USAGE);
            return HB_EUSAGE;
        }
    }
    if (!run) {
        hb_cli_error("which run?\n%s", CANCEL_USAGE);
        return HB_EUSAGE;
    }
    hb_err e;
    hb_err_clear(&e);
    return finish(hb_engine_cancel(run, actor, &e), &e);
}
