/* hb run / hb resume / hb cancel. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb/cli.h"
#include "hb/engine.h"
#include "hb/util.h"

static const char EXIT_CODES[] =
    "exit: 0 succeeded (or a dry run's plan), 1 failed, 2 bad input, 3 paused,\n"
    "      4 busy, 5 store corrupted or internal error\n";

/* What run and resume share: the request and the options that fill it. */
typedef struct parsed {
    hb_run_request req;
    bool no_input;
    const char *actor; /* --actor, else NULL */
    const char *event; /* --event NAME[=JSON] */
    char *default_actor;
} parsed;

static hb_status add_kv(hb_kv **list, size_t *n, const char *text, hb_err *e)
{
    hb_kv kv;
    hb_status st = hb_kv_parse(text, &kv, e);
    if (st != HB_OK)
        return st;
    *list = hb_xrealloc(*list, (*n + 1) * sizeof **list);
    (*list)[(*n)++] = kv;
    return HB_OK;
}

static hb_status add_input(void *ud, const char *text, hb_err *e)
{
    parsed *p = ud;
    return add_kv(&p->req.inputs, &p->req.ninputs, text, e);
}

static hb_status add_answer(void *ud, const char *text, hb_err *e)
{
    parsed *p = ud;
    return add_kv(&p->req.answers, &p->req.nanswers, text, e);
}

/* After parsing: the actor, the event, whether a person is there to ask. */
static void settle(parsed *p)
{
    if (!p->actor)
        p->default_actor = hb_default_actor();
    p->req.actor = p->actor ? p->actor : p->default_actor;
    if (p->event) {
        const char *eq = strchr(p->event, '=');
        p->req.event_name = eq ? hb_xstrndup(p->event, (size_t)(eq - p->event)) : p->event;
        p->req.event_json = eq ? eq + 1 : NULL;
    }
    const char *ci = getenv("CI");
    p->req.interactive = !p->no_input && isatty(STDIN_FILENO) && !(ci && *ci);
}

static void free_parsed(parsed *p)
{
    hb_kv_free(p->req.inputs, p->req.ninputs);
    hb_kv_free(p->req.answers, p->req.nanswers);
    if (p->event && p->req.event_name != p->event)
        free((char *)p->req.event_name);
    free(p->default_actor);
}

static int finish(hb_status st, const hb_err *e)
{
    if (st != HB_OK && st != HB_EPAUSED)
        hb_cli_error("%s", e->msg);
    return (int)st;
}

/* Parses, then starts (start) or resumes the run; frees what parsing made. */
static int parse_and_go(const hb_cli_spec *spec, parsed *p, int argc, char **argv, bool start)
{
    int rc = hb_cli_parse(spec, argc, argv);
    if (rc == HB_CLI_GO) {
        settle(p);
        hb_err e;
        hb_err_clear(&e);
        rc = finish(start ? hb_engine_start(&p->req, &e) : hb_engine_resume(&p->req, &e), &e);
    }
    free_parsed(p);
    return rc;
}

int hb_cmd_run(int argc, char **argv)
{
    parsed p = {0};
    const hb_option options[] = {
        HB_ARG("NAME|FILE", &p.req.workflow, "a workflow on HB_WORKFLOW_PATH, or its file"),
        HB_ARGS("INPUT=VALUE", add_input, &p, "an input of the workflow"),
        HB_EACH("answer", add_answer, &p, "STEP=VALUE",
                "answer an ask step in advance (repeatable)"),
        HB_FLAG("sandbox", &p.req.sandbox,
                "run against the built-in sandbox, never a live service"),
        HB_FLAG("dry-run", &p.req.dry_run,
                "send no change: reads go through, writes are planned;\n"
                "stops at the first wait and prints the plan"),
        HB_FLAG("allow-duplicate", &p.req.allow_duplicate,
                "start even if a run with the same inputs is active"),
        HB_STRING("actor", &p.actor, "NAME",
                  "who is acting, for the audit trail (default $HB_ACTOR or\nthe login name)"),
        HB_FLAG("no-input", &p.no_input, "never prompt; an unanswered ask pauses the run"),
        HB_FLAG("json", &p.req.json_output, "print the result as one JSON object"),
        HB_OPT_END_,
    };
    const hb_cli_spec spec = {
        .command = "run",
        .about = "Starts a run of a workflow. Prints the run id, then status=S step=T, on\n"
                 "stdout; the trace of each step goes to stderr.\n",
        .options = options,
        .more = EXIT_CODES,
    };
    return parse_and_go(&spec, &p, argc, argv, true);
}

int hb_cmd_resume(int argc, char **argv)
{
    parsed p = {0};
    const hb_option options[] = {
        HB_ARG("RUN", &p.req.run_id, "the run's id"),
        HB_EACH("answer", add_answer, &p, "STEP=VALUE",
                "answer the ask the run waits on (repeatable)"),
        HB_STRING("event", &p.event, "NAME[=JSON]", "deliver the event a wait step waits for"),
        HB_STRING("actor", &p.actor, "NAME", "who is acting (default $HB_ACTOR or the login name)"),
        HB_FLAG("no-input", &p.no_input, "never prompt; an unanswered ask pauses the run"),
        HB_FLAG("json", &p.req.json_output, "print the result as one JSON object"),
        HB_FLAG("sandbox", &p.req.sandbox, "expect a sandbox run (refused for a live run)"),
        HB_OPT_END_,
    };
    const hb_cli_spec spec = {
        .command = "resume",
        .about = "Continues a waiting run under the workflow version it started with, against\n"
                 "its recorded target (sandbox or live).\n",
        .options = options,
        .more = EXIT_CODES,
    };
    return parse_and_go(&spec, &p, argc, argv, false);
}

int hb_cmd_cancel(int argc, char **argv)
{
    const char *run = NULL, *actor = NULL;
    const hb_option options[] = {
        HB_ARG("RUN", &run, "the run's id"),
        HB_STRING("actor", &actor, "NAME", "who is acting (default $HB_ACTOR or the login name)"),
        HB_OPT_END_,
    };
    const hb_cli_spec spec = {
        .command = "cancel",
        .about = "Cancels a waiting run; it can no longer be resumed.\n",
        .options = options,
    };
    int rc = hb_cli_parse(&spec, argc, argv);
    if (rc != HB_CLI_GO)
        return rc;
    char *default_actor = actor ? NULL : hb_default_actor();
    hb_err e;
    hb_err_clear(&e);
    rc = finish(hb_engine_cancel(run, actor ? actor : default_actor, &e), &e);
    free(default_actor);
    return rc;
}
