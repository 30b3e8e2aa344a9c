/* hb run / hb resume / hb cancel. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb/cli.h"
#include "hb/engine.h"
#include "hb/util.h"
#include "hb/workflow_find.h"

static const char EXIT_CODES[] =
    "exit: 0 succeeded (or a dry run's plan), 1 failed, 2 bad input, 3 paused,\n"
    "      4 busy, 5 store corrupted or internal error\n";

/* What run and resume share: the request and the options that fill it. */
typedef struct parsed {
    hb_run_request req;
    const char *workflow; /* run: NAME|FILE */
    bool no_input;
    bool json;
    const char *actor; /* --actor, else NULL */
    const char *event; /* --event NAME[=JSON] */
    const char *sandbox_patch_file;
    char *sandbox_patch;
    char *default_actor;
    char *event_name;
    char *workflow_file;
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

/* After parsing: the workflow's file, the actor, the event, whether a
 * person is there to ask. */
static hb_status settle(parsed *p, hb_err *e)
{
    if (!p->actor)
        p->default_actor = hb_default_actor();
    p->req.actor = p->actor ? p->actor : p->default_actor;
    if (p->event) {
        const char *eq = strchr(p->event, '=');
        p->event_name = hb_xstrndup(p->event, eq ? (size_t)(eq - p->event) : strlen(p->event));
        p->req.event_name = p->event_name;
        p->req.event_json = eq ? eq + 1 : NULL;
    }
    p->req.ask = hb_cli_terminal_ask(p->no_input);
    if (p->sandbox_patch_file) {
        p->sandbox_patch = hb_read_file(p->sandbox_patch_file, NULL, e);
        if (!p->sandbox_patch)
            return hb_err_wrap(e, "--sandbox-patch");
        p->req.sandbox_patch = p->sandbox_patch;
    }
    if (!p->workflow)
        return HB_OK;
    p->workflow_file = hb_workflow_find(p->workflow, e);
    p->req.workflow_file = p->workflow_file;
    return p->workflow_file ? HB_OK : HB_EUSAGE;
}

static void free_parsed(parsed *p)
{
    hb_kv_free(p->req.inputs, p->req.ninputs);
    hb_kv_free(p->req.answers, p->req.nanswers);
    free(p->event_name);
    free(p->sandbox_patch);
    free(p->default_actor);
    free(p->workflow_file);
}

static int finish(hb_status st, const hb_err *e)
{
    if (st != HB_OK && st != HB_EPAUSED)
        hb_cli_error("%s", e->msg);
    return (int)st;
}

/* Parses, then starts, resumes or cancels the run; frees what parsing made. */
static int parse_and_go(const hb_cli_spec *spec, parsed *p, int argc, char **argv,
                        hb_cli_engine_fn fn)
{
    int rc = hb_cli_parse(spec, argc, argv);
    if (rc == HB_CLI_GO) {
        hb_err e;
        hb_err_clear(&e);
        hb_status st = settle(p, &e);
        rc = finish(st == HB_OK ? hb_cli_engine_go(fn, &p->req, p->json, &e) : st, &e);
    }
    free_parsed(p);
    return rc;
}

int hb_cmd_run(int argc, char **argv)
{
    parsed p = {0};
    const hb_option options[] = {
        HB_WORKFLOW_ARG(&p.workflow),
        HB_ARGS("INPUT=VALUE", add_input, &p, "an input of the workflow"),
        HB_EACH("answer", add_answer, &p, "STEP=VALUE",
                "answer an ask step in advance (repeatable)"),
        HB_FLAG("sandbox", &p.req.sandbox,
                "run against the built-in sandbox, never a live service"),
        HB_STRING("sandbox-patch", &p.sandbox_patch_file, "FILE",
                  "with --sandbox: apply this patch (JSON, the format of\n"
                  "POST /__sandbox/patch) to the sandbox's data first; it stays"),
        HB_FLAG("dry-run", &p.req.dry_run,
                "send no change: reads go through, writes are planned;\n"
                "stops at the first wait and prints the plan"),
        HB_FLAG("allow-duplicate", &p.req.allow_duplicate,
                "start even if a run with the same inputs is active"),
        HB_ACTOR_OPT(&p.actor),
        HB_FLAG("no-input", &p.no_input, "never prompt; an unanswered ask pauses the run"),
        HB_FLAG("json", &p.json, "print the result as one JSON object"),
        HB_OPT_END_,
    };
    const hb_cli_spec spec = {
        .command = "run",
        .about = "Starts a run of a workflow. Prints the run id, then status=S step=T, on\n"
                 "stdout; the trace of each step goes to stderr.\n",
        .options = options,
        .more = EXIT_CODES,
    };
    return parse_and_go(&spec, &p, argc, argv, hb_engine_start);
}

int hb_cmd_resume(int argc, char **argv)
{
    parsed p = {0};
    const hb_option options[] = {
        HB_ARG("RUN", &p.req.run_id, "the run's id"),
        HB_EACH("answer", add_answer, &p, "STEP=VALUE",
                "answer the ask the run waits on (repeatable)"),
        HB_STRING("event", &p.event, "NAME[=JSON]", "deliver the event a wait step waits for"),
        HB_ACTOR_OPT(&p.actor),
        HB_FLAG("no-input", &p.no_input, "never prompt; an unanswered ask pauses the run"),
        HB_FLAG("json", &p.json, "print the result as one JSON object"),
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
    return parse_and_go(&spec, &p, argc, argv, hb_engine_resume);
}

int hb_cmd_cancel(int argc, char **argv)
{
    parsed p = {0};
    const hb_option options[] = {
        HB_ARG("RUN", &p.req.run_id, "the run's id"),
        HB_STRING("reason", &p.req.reason, "TEXT",
                  "why, kept in the audit trail with who cancelled it"),
        HB_ACTOR_OPT(&p.actor),
        HB_OPT_END_,
    };
    const hb_cli_spec spec = {
        .command = "cancel",
        .about = "Cancels a waiting run; it can no longer be resumed. The audit trail keeps\n"
                 "who cancelled it and, with --reason, why.\n",
        .options = options,
    };
    return parse_and_go(&spec, &p, argc, argv, hb_engine_cancel);
}
