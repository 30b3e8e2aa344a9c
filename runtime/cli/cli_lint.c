/* hb lint [NAME|FILE...] [--format text|gitlab]: problems in workflows and
 * their scenario files, one a line as file:line[:col]: severity: message.
 * Exit 1 on any error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/cli.h"
#include "hb/lint.h"
#include "hb/scenario.h"
#include "hb/workflow_find.h"
#include "hb/util.h"

typedef struct lint_run {
    hb_lint_report report;
    hb_status failure; /* a file that could not be checked at all */
} lint_run;

static void lint_one(lint_run *run, const char *file)
{
    hb_err e;
    hb_status st = hb_lint_file(file, &run->report, &e);
    if (st != HB_OK) {
        hb_cli_error("%s: %s", file, e.msg);
        if (run->failure == HB_OK || st > run->failure)
            run->failure = st;
    }
}

/* A workflow, and its scenario file when it has one: they change together. */
static void lint_found(const char *name, const char *file, void *ud)
{
    lint_one(ud, file);
    char *scenarios = hb_scenario_file_for(file, name);
    if (hb_file_exists(scenarios))
        lint_one(ud, scenarios);
    free(scenarios);
}

int hb_cmd_lint(int argc, char **argv)
{
    const char *format = "text";
    hb_cli_list targets = {0};
    const hb_option options[] = {
        HB_ARGS("NAME|FILE", hb_cli_collect, &targets,
                "workflows or files to check (default: every workflow on\n"
                "HB_WORKFLOW_PATH, with its scenario file)"),
        HB_CHOICE("format", &format, "text|gitlab",
                  "problem lines, or a GitLab Code Quality report (JSON)"),
        HB_OPT_END_,
    };
    const hb_cli_spec spec = {
        .command = "lint",
        .about = "Checks workflows without running their steps: Lua syntax, structure\n"
                 "(unknown targets, unreachable steps, loops with no way out, duplicate ids,\n"
                 "a last step that is not terminal), undeclared globals, services used but\n"
                 "not in `uses` and declared but unused, inputs never read, steps without a\n"
                 "description, a missing title or handbook reference.\n"
                 "\n"
                 "A scenario file (tests/NAME_test.lua) is checked as one: the scenario\n"
                 "language's globals, and every step, answer, input, event and status it\n"
                 "names against its workflow. Without arguments, each workflow's scenario\n"
                 "file is checked with it.\n",
        .options = options,
        .more = "Prints `file:line[:col]: error|warning: message` lines. A summary goes to\n"
                "stderr. Exit 1 when any error is found; warnings alone exit 0.\n",
    };
    lint_run run = {.failure = HB_OK};
    int rc = hb_cli_parse(&spec, argc, argv);
    if (rc != HB_CLI_GO)
        goto out;
    for (size_t i = 0; i < targets.n; i++) {
        hb_err e;
        char *file = hb_workflow_find(targets.items[i], &e);
        if (!file) {
            hb_cli_error("%s", e.msg);
            rc = HB_EUSAGE;
            goto out;
        }
        lint_one(&run, file);
        free(file);
    }
    if (targets.n == 0)
        hb_workflow_each(lint_found, &run);

    hb_lint_sort(&run.report);
    hb_buf text;
    hb_buf_init(&text);
    if (!strcmp(format, "gitlab"))
        hb_lint_format_gitlab(&run.report, &text);
    else
        hb_lint_format_text(&run.report, &text);
    fwrite(text.data ? text.data : "", 1, text.len, stdout);
    hb_buf_free(&text);
    size_t errors = hb_lint_count(&run.report, HB_LINT_ERROR);
    size_t warnings = hb_lint_count(&run.report, HB_LINT_WARNING);
    fprintf(stderr, "hb lint: %zu error%s, %zu warning%s in %zu file%s\n", errors,
            errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s", run.report.files,
            run.report.files == 1 ? "" : "s");
    rc = run.failure != HB_OK ? run.failure : errors ? HB_EFAILED : HB_OK;
out:
    hb_lint_report_free(&run.report);
    hb_cli_list_free(&targets);
    return rc;
}
