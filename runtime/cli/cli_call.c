/* hb call SERVICE.FUNC ARGS… [--sandbox] [--dry-run] [--compact]
 *
 * Invokes one binding operation from the shell and prints its JSON result
 * (a list operation: one array of every item of every page): indented as
 * jq prints it for a person at a terminal, one line for a pipe or a file
 * (what scripts and jq read best) or with --compact. Each ARG is
 * JSON when it parses as JSON, a string otherwise. A service error prints
 * the uniform error as JSON and exits 1. The call is a one-step run of the
 * engine's (hb_engine_call): this file only reads the arguments and prints. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hb/cli.h"
#include "hb/engine.h"
#include "hb/util.h"

static const char ABOUT[] =
    "Runs one binding operation and prints its JSON result; a list operation\n"
    "prints one array of every item of every page. Each ARG is JSON when it\n"
    "parses as JSON (123, '{\"status\":\"open\"}'), a string otherwise. On a terminal\n"
    "the JSON is indented two spaces a level (as jq prints it); otherwise, or with\n"
    "--compact, it is one line.\n";

static const char MORE[] =
    "Examples:\n"
    "  hb call zendesk.tickets.get 123\n"
    "  hb call gitlab.issues.list group/project '{\"labels\":[\"bug\"]}'\n"
    "  hb call zuora.subscriptions.get A-S00001234\n"
    "  hb call salesforce.query \"SELECT Id FROM Opportunity LIMIT 5\"\n\n"
    "Exit codes: 0 ok, 1 the service refused (the error is printed as JSON),\n"
    "2 usage or configuration, 4 store busy, 5 internal.\n";

static hb_status add_arg(void *args, const char *text, hb_err *e)
{
    (void)e;
    cJSON *v = cJSON_Parse(text);
    cJSON_AddItemToArray(args, v ? v : cJSON_CreateString(text));
    return HB_OK;
}

int hb_cmd_call(int argc, char **argv)
{
    hb_call_request req = {.args = NULL};
    cJSON *args = cJSON_CreateArray();
    hb_cli_report report = {.call = true};
    bool compact = false;
    const hb_option options[] = {
        HB_ARG("SERVICE.FUNC", &req.operation, "the operation, e.g. zendesk.tickets.get"),
        HB_ARGS("ARG", add_arg, args, "its arguments: JSON when they parse as JSON, else strings"),
        HB_FLAG("sandbox", &req.sandbox,
                "against the built-in sandbox ($HB_HOME/sandbox/state.json)"),
        HB_FLAG("dry-run", &req.dry_run,
                "reads go through; writes are recorded as planned, not sent"),
        HB_FLAG("compact", &compact, "one line of JSON, even on a terminal"),
        HB_FLAG("json", &compact, "the same as --compact"),
        HB_OPT_END_,
    };
    const hb_cli_spec spec = {.command = "call", .about = ABOUT, .options = options, .more = MORE};
    int rc = hb_cli_parse(&spec, argc, argv);
    if (rc != HB_CLI_GO)
        goto out;
    report.json = compact || !isatty(STDOUT_FILENO);
    hb_err e;
    hb_err_clear(&e);
    char *actor = hb_default_actor();
    hb_engine_reporter reporter = hb_cli_reporter(&report);
    req.args = args;
    req.actor = actor;
    req.reporter = &reporter;
    hb_cli_engine ce;
    rc = hb_cli_engine_init(&ce, true, &e);
    if (rc == HB_OK)
        rc = hb_engine_call(&ce.eng, &req, &e);
    if (rc != HB_OK)
        hb_cli_error("%s", e.msg);
    hb_cli_engine_free(&ce);
    free(actor);
out:
    cJSON_Delete(args);
    return rc;
}
