/* hb retry RUN [--from STEP] [--force] [--reason TEXT]: a failed run goes on
 * again from its failed step (or an earlier one) without repeating the
 * writes it made. The engine decides and records it (engine_retry.c). */
#include <stdlib.h>

#include "hb/cli.h"
#include "hb/engine.h"
#include "hb/util.h"

static const char MORE[] =
    "The run keeps its inputs, ctx.vars as it last saved them and the workflow\n"
    "version it started with. Each exactly-once write the steps make again\n"
    "carries the marker it had, so one already made (say a reply whose answer\n"
    "was a 500) is found, not sent again. --from a step after which the run\n"
    "made writes is refused unless --force: the run may not take the same path\n"
    "this time. The audit trail records a `retried` event: by, reason, from.\n"
    "exit: 0 succeeded, 1 failed again, 2 bad input (the run is not failed, the\n"
    "      step is unknown or refused; nothing changed), 3 paused, 4 busy,\n"
    "      5 store corrupted or internal error\n";

int hb_cmd_retry(int argc, char **argv)
{
    hb_run_request req = {0};
    const char *actor = NULL;
    bool no_input = false, json = false;
    const hb_option options[] = {
        HB_ARG("RUN", &req.run_id, "the failed run's id"),
        HB_STRING("from", &req.retry_from, "STEP",
                  "re-enter this step, one the run reached (default: the failed one)"),
        HB_FLAG("force", &req.retry_force,
                "retry --from a step even though writes were made after it"),
        HB_STRING("reason", &req.reason, "TEXT", "why, for the audit trail"),
        HB_ACTOR_OPT(&actor),
        HB_FLAG("no-input", &no_input, "never prompt; an unanswered ask pauses the run"),
        HB_FLAG("json", &json, "print the result as one JSON object"),
        HB_OPT_END_,
    };
    const hb_cli_spec spec = {
        .command = "retry",
        .about = "Continues a failed run from the step where it failed, or --from an\n"
                 "earlier step it reached, against its recorded target.\n",
        .options = options,
        .more = MORE,
    };
    int rc = hb_cli_parse(&spec, argc, argv);
    if (rc != HB_CLI_GO)
        return rc;
    char *default_actor = actor ? NULL : hb_default_actor();
    req.actor = actor ? actor : default_actor;
    req.ask = hb_cli_terminal_ask(no_input);
    hb_err e;
    hb_err_clear(&e);
    hb_status st = hb_cli_engine_go(hb_engine_retry, &req, json, &e);
    if (st != HB_OK && st != HB_EPAUSED)
        hb_cli_error("%s", e.msg);
    free(default_actor);
    return (int)st;
}
