/* hb backtest NAME|FILE [--since 30d | --runs N] [--from FILE]
 * [--format text|json|markdown] [--fail-on-change]: what the version on
 * disk would have done with the runs the store (or a runs file from `hb
 * export runs`) recorded. The replay itself is scenario/backtest*.c; here
 * are the choice of runs, the variables the recorded runs had, and the
 * report. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/backtest.h"
#include "hb/cli.h"
#include "hb/credentials.h"
#include "hb/json_print.h"
#include "hb/services.h"
#include "hb/service_table.h"
#include "hb/settings.h"
#include "hb/util.h"
#include "hb/workflow.h"

static const char ABOUT[] =
    "Replays the runs the workflow handled (finished and waiting) under the\n"
    "version on disk: each with its recorded inputs, answers, events and clock;\n"
    "every read answered from the recorded reply to the same request (method,\n"
    "path and query, body), in order; every write planned, never sent. Nothing\n"
    "reaches any service and the recorded runs are not modified: the replays\n"
    "live in a scratch store that is removed afterwards.\n"
    "\n"
    "Per run: same (same path, same writes); changed, with the first step where\n"
    "the paths part, the old and new decision there and the writes added,\n"
    "removed or changed; or not replayable, with why (a read the run never\n"
    "made, an ask it was never asked, a body that was not kept). Then: \"changes\n"
    "the outcome of X of Y runs; Z not replayable\".\n"
    "\n"
    "--from reads the runs from a file `hb export runs` wrote (JSON Lines), so\n"
    "a merge-request pipeline needs no access to the team's store.\n";

static const char MORE[] =
    "Exit 0 when the backtest completed, whatever it found (with\n"
    "--fail-on-change: 1 when a run changed or could not be replayed); 2 for\n"
    "bad input (unknown workflow, a version that does not load, an unreadable\n"
    "runs file); 4 store busy; 5 store corrupted or internal error.\n";

void hb_cli_each_link_var(void (*cb)(const char *name, void *ud), void *ud)
{
    for (size_t i = 0; i < hb_service_count; i++) {
        const char *url_var = hb_service_defs[i].url_var;
        char web[64]; /* ZENDESK_URL -> ZENDESK_WEB_URL */
        snprintf(web, sizeof web, "%.*s_WEB_URL", (int)(strlen(url_var) - 4), url_var);
        cb(url_var, ud);
        cb(web, ud);
    }
}

typedef struct copy_ctx {
    hb_service_vars *to;
    hb_credentials *from;
} copy_ctx;

static void copy_var(const char *name, void *ud)
{
    copy_ctx *c = ud;
    const char *val = hb_credentials_getvar(c->from, name);
    if (val)
        hb_service_vars_set(c->to, name, val);
}

/* The non-secret variables of the live services (their URLs, where links
 * point): a recorded live run built its links from them. */
void hb_cli_live_link_vars(hb_service_vars *v, const char *home)
{
    char *path = hb_path_join(home, "credentials");
    copy_ctx c = {.to = v};
    hb_err ignored;
    if (hb_credentials_load(path, &c.from, &ignored) == HB_OK)
        hb_cli_each_link_var(copy_var, &c);
    hb_credentials_free(c.from);
    free(path);
}

/* Where a sandbox run's links pointed: HB_SANDBOX_WEB_URL, as the sandbox
 * sets ZENDESK_WEB_URL and GITLAB_WEB_URL. */
void hb_cli_sandbox_link_vars(hb_service_vars *v)
{
    char *url = hb_setting_text("HB_SANDBOX_WEB_URL");
    if (!url)
        url = hb_xstrdup(hb_setting_find("HB_SANDBOX_WEB_URL")->fallback);
    size_t n = strlen(url);
    while (n > 0 && url[n - 1] == '/')
        url[--n] = '\0';
    hb_service_vars_set(v, "ZENDESK_WEB_URL", url);
    hb_service_vars_set(v, "GITLAB_WEB_URL", url);
    free(url);
}

/* The runs of a runs file, one JSON object a line, that sel picks. */
static hb_status read_runs_file(const char *file, const hb_backtest_select *sel, cJSON *runs,
                                hb_err *e)
{
    size_t len;
    char *text = hb_read_file(file, &len, e);
    if (!text) {
        hb_err_wrap(e, "--from");
        return HB_EUSAGE;
    }
    hb_status st = HB_OK;
    int line = 0;
    cJSON *all = cJSON_CreateArray();
    for (char *p = text, *next; p && *p && st == HB_OK; p = next) {
        line++;
        next = strchr(p, '\n');
        if (next)
            *next++ = '\0';
        if (!*p)
            continue;
        cJSON *rec = cJSON_Parse(p);
        if (!cJSON_IsObject(rec) || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(rec, "id")))
            st = hb_err_set(e, HB_EUSAGE,
                            "%s:%d: not a recorded run (a JSON object with an id on one line, "
                            "as `hb export runs` writes)",
                            file, line);
        if (st == HB_OK && hb_backtest_selects(sel, rec))
            cJSON_AddItemToArray(all, rec);
        else
            cJSON_Delete(rec);
    }
    free(text);
    /* The latest `last`, as from the store. */
    int skip = sel->last > 0 ? cJSON_GetArraySize(all) - sel->last : 0;
    while (st == HB_OK && cJSON_GetArraySize(all) > 0) {
        cJSON *rec = cJSON_DetachItemFromArray(all, 0);
        if (skip-- > 0)
            cJSON_Delete(rec);
        else
            cJSON_AddItemToArray(runs, rec);
    }
    cJSON_Delete(all);
    return st;
}

int hb_cmd_backtest(int argc, char **argv)
{
    const char *target = NULL, *from = NULL, *format = "text";
    int64_t since = HB_RUNS_SINCE_DEFAULT_US, last = 0;
    bool fail_on_change = false, since_given = false;
    hb_option opts[] = {
        HB_WORKFLOW_ARG(&target),
        HB_RUNS_SINCE_OPTS(&since, &last,
                           "runs started in this past span (default 30d; with --from: all)"),
        HB_STRING("from", &from, "FILE",
                  "the runs of a file `hb export runs` wrote, not the store"),
        HB_CHOICE("format", &format, "text|json|markdown", "how the report is printed"),
        HB_FLAG("fail-on-change", &fail_on_change,
                "exit 1 when a run changed or could not be replayed (for pipelines)"),
        HB_OPT_END_,
    };
    hb_cli_spec spec = {.command = "backtest", .about = ABOUT, .options = opts, .more = MORE};
    char *file = NULL;
    hb_workflow *wf = NULL;
    int rc = hb_cli_parse_workflow(&spec, argc, argv, &target, &file, &wf);
    if (rc != HB_CLI_GO)
        return rc;
    since_given = hb_cli_given(argc, argv, "since");
    char *name = hb_xstrdup(wf->name);
    hb_workflow_free(wf);
    hb_backtest_select sel = {.workflow = name, .last = (int)last};

    hb_err e;
    hb_err_clear(&e);
    hb_cli_engine ce;
    hb_status st = hb_cli_engine_init(&ce, !from, &e);
    /* A runs file holds what its export chose: all of it unless told. */
    if (st == HB_OK && (since_given || (last == 0 && !from)))
        sel.since = hb_clock_time(&ce.clock) - since;
    cJSON *runs = cJSON_CreateArray();
    if (st == HB_OK)
        st = from ? read_runs_file(from, &sel, runs, &e)
                  : hb_backtest_collect(ce.eng.store, &sel, runs, &e);
    hb_service_vars *live = hb_service_vars_new(), *sandbox = hb_service_vars_new();
    cJSON *report = NULL;
    if (st == HB_OK) {
        hb_cli_live_link_vars(live, ce.home);
        hb_cli_sandbox_link_vars(sandbox);
        hb_backtest_options o = {
            .engine = &ce.eng, .workflow_file = file, .live_vars = live, .sandbox_vars = sandbox};
        st = hb_backtest_run(&o, runs, &report, &e);
    }
    if (st == HB_OK) {
        char *out =
            !strcmp(format, "json") ? hb_json_print(report) : hb_backtest_format(report, format);
        fputs(out, stdout);
        if (!strcmp(format, "json"))
            fputc('\n', stdout);
        free(out);
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(report, "changed");
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(report, "not_replayable");
        if (fail_on_change && (c->valuedouble > 0 || n->valuedouble > 0))
            st = HB_EFAILED;
    } else {
        hb_cli_error("%s", e.msg);
    }
    cJSON_Delete(report);
    cJSON_Delete(runs);
    hb_service_vars_free(live);
    hb_service_vars_free(sandbox);
    hb_cli_engine_free(&ce);
    free(file);
    free(name);
    return st;
}
