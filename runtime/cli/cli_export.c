/* hb export runs --workflow NAME [--since 30d | --runs N]: the recorded runs
 * of a workflow as JSON Lines (hb/backtest.h says what a line holds), for
 * `hb backtest --from FILE` in a pipeline that has no access to the team's
 * store. Bodies are as the store keeps them (redacted and capped when they
 * were recorded); every line is scrubbed of the secrets hb knows again. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/backtest.h"
#include "hb/cli.h"
#include "hb/credentials.h"
#include "hb/json_print.h"
#include "hb/secrets.h"
#include "hb/services.h"
#include "hb/service_table.h"
#include "hb/util.h"
#include "hb/workflow_find.h"

typedef struct links_ctx {
    const hb_service_vars *from;
    cJSON *to;
} links_ctx;

static void add_link(const char *name, void *ud)
{
    links_ctx *c = ud;
    const char *val = hb_service_vars_get((void *)c->from, name);
    if (val)
        cJSON_AddStringToObject(c->to, name, val);
}

/* Where the run's links pointed (its target's *_URL and *_WEB_URL), so a
 * backtest elsewhere builds the same bodies. */
static void add_links(cJSON *rec, const hb_service_vars *live, const hb_service_vars *sandbox)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(rec, "target");
    links_ctx c = {.from = cJSON_IsString(t) && !strcmp(t->valuestring, "sandbox") ? sandbox : live,
                   .to = cJSON_AddObjectToObject(rec, "links")};
    hb_cli_each_link_var(add_link, &c);
}

/* Every credential hb could read is known to the scrubber before a line
 * is printed, whatever a workflow copied where. */
static void register_secrets(const char *home)
{
    char *path = hb_path_join(home, "credentials");
    hb_credentials *c = NULL;
    hb_err ignored;
    if (hb_credentials_load(path, &c, &ignored) == HB_OK)
        for (size_t i = 0; i < hb_service_count; i++)
            for (const char *const *s = hb_service_defs[i].secrets; s && *s; s++) {
                const char *val = hb_credentials_getvar(c, *s);
                if (val)
                    hb_secret_register(val);
            }
    hb_credentials_free(c);
    free(path);
}

static int cmd_runs(int argc, char **argv)
{
    const char *workflow = NULL;
    int64_t since = HB_RUNS_SINCE_DEFAULT_US, last = 0;
    bool since_given = false;
    hb_option opts[] = {
        HB_STRING("workflow", &workflow, "NAME", "the workflow whose runs to write (required)"),
        HB_RUNS_SINCE_OPTS(&since, &last, "runs started in this past span (default 30d)"),
        HB_OPT_END_,
    };
    const hb_cli_spec spec = {
        .command = "export runs",
        .about = "Writes the finished and waiting runs of a workflow as JSON Lines on stdout,\n"
                 "one recorded run a line: its row, its audit events and the request and\n"
                 "response bodies they name, redacted as the audit trail keeps them, with\n"
                 "the non-secret URLs its links were built from. `hb backtest --from FILE`\n"
                 "replays them; the store is only read.\n",
        .options = opts,
        .more = "exit: 0 written, 2 bad input (no --workflow, or an unknown one with no runs), 4 "
                "store busy, 5 store\n"
                "      corrupted or internal error\n",
    };
    int rc = hb_cli_parse(&spec, argc, argv);
    if (rc != HB_CLI_GO)
        return rc;
    if (!workflow)
        return hb_cli_usage_error(&spec, "name the workflow: --workflow NAME");
    since_given = hb_cli_given(argc, argv, "since");
    hb_err e;
    hb_err_clear(&e);
    hb_cli_engine ce;
    hb_status st = hb_cli_engine_init(&ce, true, &e);
    hb_backtest_select sel = {.workflow = workflow, .last = (int)last};
    cJSON *runs = cJSON_CreateArray();
    hb_service_vars *live = hb_service_vars_new(), *sandbox = hb_service_vars_new();
    if (st == HB_OK) {
        if (last == 0 || since_given)
            sel.since = hb_clock_time(&ce.clock) - since;
        register_secrets(ce.home);
        hb_cli_live_link_vars(live, ce.home);
        hb_cli_sandbox_link_vars(sandbox);
        st = hb_backtest_collect(ce.eng.store, &sel, runs, &e);
    }
    /* No run and no such workflow on the path: a misspelt name, not an
     * empty export (a workflow whose file is gone still exports its runs). */
    if (st == HB_OK && cJSON_GetArraySize(runs) == 0) {
        char *file = hb_workflow_find(workflow, &e);
        if (file)
            free(file);
        else
            st = HB_EUSAGE;
    }
    cJSON *rec;
    cJSON_ArrayForEach(rec, runs)
    {
        if (st != HB_OK)
            break;
        add_links(rec, live, sandbox);
        hb_secret_scrub_json(rec);
        char *line = hb_json_print(rec);
        printf("%s\n", line);
        free(line);
    }
    if (st != HB_OK)
        hb_cli_error("%s", e.msg);
    else
        fprintf(stderr, "hb: %d run%s of %s written\n", cJSON_GetArraySize(runs),
                cJSON_GetArraySize(runs) == 1 ? "" : "s", workflow);
    cJSON_Delete(runs);
    hb_service_vars_free(live);
    hb_service_vars_free(sandbox);
    hb_cli_engine_free(&ce);
    return (int)st;
}

int hb_cmd_export(int argc, char **argv)
{
    static const hb_subcommand subs[] = {
        {"runs", cmd_runs, "a workflow's recorded runs as JSON Lines, for hb backtest --from"},
        {NULL, NULL, NULL},
    };
    static const hb_cli_spec group = {
        .command = "export",
        .usage = "hb export runs --workflow NAME [--since DURATION | --runs N]",
        .about = "Writes what the store recorded in a form other tools and hosts can read.\n",
        .more = "`hb export COMMAND --help` describes one command.\n",
    };
    return hb_cli_dispatch(&group, subs, argc, argv);
}
