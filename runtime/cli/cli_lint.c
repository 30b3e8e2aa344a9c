/* hb lint [NAME|FILE...] [--format text|gitlab]: problems in workflows, one
 * a line as file:line[:col]: severity: message. Exit 1 on any error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/cli.h"
#include "hb/lint.h"
#include "hb/workflow_find.h"
#include "hb/util.h"

static const char USAGE[] =
    "usage: hb lint [NAME|FILE ...] [--format text|gitlab]\n"
    "\n"
    "Checks workflows (all on HB_WORKFLOW_PATH when none is named) without\n"
    "running their steps: Lua syntax, structure (unknown targets, unreachable\n"
    "steps, loops with no way out, duplicate ids, a last step that is not\n"
    "terminal), undeclared globals, services used but not in `uses` and\n"
    "declared but unused, inputs never read, steps without a description,\n"
    "a missing title or handbook reference.\n"
    "\n"
    "Prints `file:line[:col]: error|warning: message` lines; --format gitlab\n"
    "prints a GitLab Code Quality report (JSON) instead. A summary goes to\n"
    "stderr. Exit 1 when any error is found; warnings alone exit 0.\n";

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

static void lint_found(const char *name, const char *file, void *ud)
{
    (void)name;
    lint_one(ud, file);
}

int hb_cmd_lint(int argc, char **argv)
{
    if (hb_cli_wants_help(argc, argv)) {
        fputs(USAGE, stdout);
        return HB_OK;
    }
    const char *format = "text";
    char **targets = hb_xcalloc((size_t)argc, sizeof *targets);
    size_t ntargets = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--format") && i + 1 < argc)
            format = argv[++i];
        else if (!strncmp(argv[i], "--format=", 9))
            format = argv[i] + 9;
        else if (argv[i][0] == '-') {
            hb_cli_error("unknown option '%s'", argv[i]);
            fputs(USAGE, stderr);
            free(targets);
            return HB_EUSAGE;
        } else
            targets[ntargets++] = argv[i];
    }
    bool gitlab = !strcmp(format, "gitlab");
    if (!gitlab && strcmp(format, "text")) {
        hb_cli_error("unknown lint format '%s' (use text or gitlab)", format);
        free(targets);
        return HB_EUSAGE;
    }
    lint_run run = {.failure = HB_OK};
    for (size_t i = 0; i < ntargets; i++) {
        hb_err e;
        char *file = hb_workflow_find(targets[i], &e);
        if (!file) {
            hb_cli_error("%s", e.msg);
            hb_lint_report_free(&run.report);
            free(targets);
            return HB_EUSAGE;
        }
        lint_one(&run, file);
        free(file);
    }
    if (ntargets == 0)
        hb_workflow_each(lint_found, &run);
    free(targets);

    hb_lint_sort(&run.report);
    hb_buf out;
    hb_buf_init(&out);
    if (gitlab)
        hb_lint_format_gitlab(&run.report, &out);
    else
        hb_lint_format_text(&run.report, &out);
    if (out.len)
        fwrite(out.data, 1, out.len, stdout);
    hb_buf_free(&out);
    size_t errors = hb_lint_count(&run.report, HB_LINT_ERROR);
    size_t warnings = hb_lint_count(&run.report, HB_LINT_WARNING);
    fprintf(stderr, "hb lint: %zu error%s, %zu warning%s in %zu file%s\n", errors,
            errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s", run.report.files,
            run.report.files == 1 ? "" : "s");
    hb_lint_report_free(&run.report);
    if (run.failure != HB_OK)
        return run.failure;
    return errors ? HB_EFAILED : HB_OK;
}
