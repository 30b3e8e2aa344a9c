/* hb diff OLD NEW [--format text|mermaid]: what a change to a workflow
 * changes, step by step; with a local store, the waiting runs it touches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/cli.h"
#include "hb/diff.h"
#include "hb/graph.h"
#include "hb/store.h"
#include "hb/util.h"

static const char ABOUT[] =
    "Compares two versions of a workflow. OLD and NEW are files or workflow\n"
    "names, optionally at a git revision: FILE@REV or NAME@REV (read with\n"
    "`git show`), e.g. `hb diff workflows/x.lua@main workflows/x.lua`.\n"
    "\n"
    "Reports, one change a line: steps added, removed and renamed (same body,\n"
    "new id); per step, changed descriptions, transitions, branch and option\n"
    "labels, settings and function bodies (as a line diff of their source);\n"
    "services gained or lost through uses and forbid; inputs; title.\n"
    "When $HB_HOME/hb.db exists, also lists the waiting runs of the workflow\n"
    "whose current step the change removes or alters.\n"
    "\n"
    "The modules a version loads (stdlib/ and lib/, as a run pins them) are\n"
    "compared too: the changed lines of each, named by the function they are\n"
    "in, so a change to lib/messages.lua shows in every workflow that sends\n"
    "those texts. OLD and NEW may be a module (a file in lib/ or stdlib/): the\n"
    "report then ends with the workflows that load it.\n"
    "\n"
    "--format mermaid prints the new graph instead, with added, changed and\n"
    "removed steps marked, for a merge request.\n";

static const char MORE[] =
    "Exit 0 (with --exit-code: 0 when the versions do the same, 1 when they\n"
    "differ); 2 when a version cannot be read or does not load: its problems go\n"
    "to stderr as file:line: message, and the report still shows what could be\n"
    "read.\n";

static const char *const KIND_NAME[] = {"workflow", "module"};

typedef struct affected {
    const hb_diff_side *old_side, *new_side;
    const hb_diff *d;
    hb_buf out;
    size_t count;
} affected;

static int check_run(const hb_run *run, void *ud)
{
    affected *a = ud;
    int i = run->step ? hb_workflow_step_index(a->old_side->wf, run->step) : -1;
    if (i < 0)
        return 0;
    const char *what = NULL;
    char renamed[512];
    switch (a->d->old_fate[i]) {
    case HB_FATE_REMOVED:
        what = "removes it";
        break;
    case HB_FATE_CHANGED:
        what = "alters it";
        break;
    case HB_FATE_RENAMED:
        snprintf(renamed, sizeof renamed, "renames it to %s",
                 a->new_side->wf->steps[a->d->old_to_new[i]].id);
        what = renamed;
        break;
    default:
        return 0;
    }
    hb_buf_printf(&a->out, "  %s waits in step %s: this change %s\n", run->id, run->step, what);
    if (a->d->old_fate[i] == HB_FATE_RENAMED)
        hb_buf_printf(&a->out, "    once it is on disk: hb migrate %s --to-current --map %s=%s\n",
                      run->id, run->step, a->new_side->wf->steps[a->d->old_to_new[i]].id);
    else if (a->d->old_fate[i] == HB_FATE_CHANGED)
        hb_buf_printf(&a->out, "    once it is on disk: hb migrate %s --to-current\n", run->id);
    a->count++;
    return 0;
}

/* Waiting runs resume under the version they pinned, but the people
 * handling them should know the process they are in has moved on. The
 * store is optional: without one there is nothing to list. */
static void list_affected_runs(affected *a)
{
    char *home = hb_home_dir();
    char *db = hb_path_join(home, "hb.db");
    free(home);
    hb_store *store = NULL;
    hb_err e;
    if (!hb_file_exists(db))
        goto out;
    hb_store_options opts;
    hb_store_options_from_env(&opts);
    if (hb_store_open_sqlite(db, &opts, &store, &e) != HB_OK) {
        hb_cli_error("not listing waiting runs: %s", e.msg);
        goto out;
    }
    hb_run_filter filter = {.status = HB_RUN_WAITING, .workflow = a->old_side->wf->name};
    if (store->ops->run_list(store, &filter, check_run, a, &e) != HB_OK)
        hb_cli_error("not listing waiting runs: %s", e.msg);
out:
    hb_store_close(store);
    free(db);
}

static void print_text(const hb_diff_side sides[2], const hb_diff *d, hb_buf *out)
{
    hb_buf_printf(out, "--- %s\n+++ %s\n", sides[0].label, sides[1].label);
    if (sides[1].kind == HB_DIFF_WORKFLOW && !d->steps_compared)
        hb_buf_printf(out, "steps not compared: %s does not load far enough to read them\n",
                      sides[sides[0].wf ? 1 : 0].label);
    if (d->nchanges)
        hb_buf_append(out, d->text.data, d->text.len);
    else if (d->steps_compared || sides[1].kind == HB_DIFF_MODULE)
        hb_buf_puts(out, "no changes\n");
    if (sides[1].kind == HB_DIFF_MODULE) {
        hb_buf reach;
        hb_buf_init(&reach);
        size_t n = hb_diff_module_reach(&sides[1], &reach);
        if (!n && sides[0].kind == HB_DIFF_MODULE)
            n = hb_diff_module_reach(&sides[0], &reach);
        if (n)
            hb_buf_printf(out, "workflows that load %s (%zu):\n%s", sides[1].module, n, reach.data);
        else
            hb_buf_printf(out, "workflows that load %s: none\n", sides[1].module);
        hb_buf_free(&reach);
        return;
    }
    if (!d->steps_compared)
        return;
    affected a = {.old_side = &sides[0], .new_side = &sides[1], .d = d};
    hb_buf_init(&a.out);
    list_affected_runs(&a);
    if (a.count)
        hb_buf_printf(out,
                      "waiting runs in steps this change touches:\n%s"
                      "(they resume under the version they started with unless moved: hb "
                      "migrate; what the change does to past runs: hb backtest)\n",
                      a.out.data);
    hb_buf_free(&a.out);
}

/* The loader's own "file:line: message" lines, so editors and CI jump to
 * them; the report on stdout still shows what could be read. */
static void print_problems(const hb_diff_side *side)
{
    if (!side->problems)
        return;
    hb_cli_error("%s does not load:", side->label);
    fprintf(stderr, "%s\n", side->problems);
}

int hb_cmd_diff(int argc, char **argv)
{
    const char *specs[2] = {NULL, NULL};
    const char *format = "text";
    bool exit_code = false;
    const hb_option options[] = {
        HB_ARG("OLD", &specs[0], "FILE, NAME, FILE@REV or NAME@REV"),
        HB_ARG("NEW", &specs[1], "the same, the version to compare it with"),
        HB_CHOICE("format", &format, "text|mermaid", "one change a line, or the marked graph"),
        HB_FLAG("exit-code", &exit_code, "exit 1 when the versions differ, 0 when they do not"),
        HB_OPT_END_,
    };
    const hb_cli_spec spec = {.command = "diff", .about = ABOUT, .options = options, .more = MORE};
    int rc = hb_cli_parse(&spec, argc, argv);
    if (rc != HB_CLI_GO)
        return rc;
    bool mermaid = !strcmp(format, "mermaid");

    hb_diff_side sides[2];
    memset(sides, 0, sizeof sides);
    hb_diff d;
    memset(&d, 0, sizeof d);
    hb_status st = HB_OK;
    for (size_t i = 0; i < 2; i++) {
        hb_err e;
        if ((st = hb_diff_side_load(specs[i], &sides[i], &e)) != HB_OK) {
            hb_cli_error("%s", e.msg);
            goto out;
        }
    }
    if (sides[0].kind != sides[1].kind) {
        st = hb_cli_usage_error(&spec, "%s is a %s and %s a %s: compare like with like",
                                sides[0].label, KIND_NAME[sides[0].kind], sides[1].label,
                                KIND_NAME[sides[1].kind]);
        goto out;
    }
    if (mermaid && (sides[1].kind == HB_DIFF_MODULE || !sides[1].wf)) {
        print_problems(&sides[1]);
        st = hb_cli_usage_error(
            &spec, "--format mermaid draws a workflow's steps, and %s %s", sides[1].label,
            sides[1].kind == HB_DIFF_MODULE ? "is a module" : "has none to read");
        goto out;
    }
    print_problems(&sides[0]);
    print_problems(&sides[1]);
    hb_diff_compare(&sides[0], &sides[1], &d);
    hb_buf text;
    hb_buf_init(&text);
    if (mermaid) {
        hb_graph g;
        hb_diff_graph(&sides[0], &sides[1], &d, &g);
        hb_graph_render(&g, HB_GRAPH_MERMAID, &text);
        hb_graph_free(&g);
    } else {
        print_text(sides, &d, &text);
    }
    fwrite(text.data, 1, text.len, stdout);
    hb_buf_free(&text);
    if (sides[0].problems || sides[1].problems)
        st = HB_EUSAGE;
    else if (exit_code && (d.nchanges || !d.steps_compared))
        st = HB_EFAILED;
out:
    hb_diff_free(&d);
    hb_diff_side_free(&sides[0]);
    hb_diff_side_free(&sides[1]);
    return st;
}
