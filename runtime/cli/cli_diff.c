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
    "--format mermaid prints the new graph instead, with added, changed and\n"
    "removed steps marked, for a merge request.\n";

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

static void print_diff(const hb_diff_side sides[2], bool mermaid)
{
    hb_diff d;
    hb_diff_compare(&sides[0], &sides[1], &d);
    hb_buf out;
    hb_buf_init(&out);
    if (mermaid) {
        hb_graph g;
        hb_diff_graph(&sides[0], &sides[1], &d, &g);
        hb_graph_render(&g, HB_GRAPH_MERMAID, &out);
        hb_graph_free(&g);
    } else {
        hb_buf_printf(&out, "--- %s\n+++ %s\n", sides[0].label, sides[1].label);
        if (d.nchanges)
            hb_buf_append(&out, d.text.data, d.text.len);
        else
            hb_buf_puts(&out, "no changes\n");
        affected a = {.old_side = &sides[0], .new_side = &sides[1], .d = &d};
        hb_buf_init(&a.out);
        list_affected_runs(&a);
        if (a.count)
            hb_buf_printf(&out, "waiting runs in steps this change touches:\n%s", a.out.data);
        hb_buf_free(&a.out);
    }
    fwrite(out.data, 1, out.len, stdout);
    hb_buf_free(&out);
    hb_diff_free(&d);
}

int hb_cmd_diff(int argc, char **argv)
{
    const char *specs[2] = {NULL, NULL};
    const char *format = "text";
    const hb_option options[] = {
        HB_ARG("OLD", &specs[0], "FILE, NAME, FILE@REV or NAME@REV"),
        HB_ARG("NEW", &specs[1], "the same, the version to compare it with"),
        HB_CHOICE("format", &format, "text|mermaid", "one change a line, or the marked graph"),
        HB_OPT_END_,
    };
    const hb_cli_spec spec = {.command = "diff", .about = ABOUT, .options = options};
    int rc = hb_cli_parse(&spec, argc, argv);
    if (rc != HB_CLI_GO)
        return rc;
    bool mermaid = !strcmp(format, "mermaid");

    hb_diff_side sides[2];
    memset(sides, 0, sizeof sides);
    hb_status st = HB_OK;
    for (size_t i = 0; i < 2; i++) {
        hb_err e;
        if ((st = hb_diff_side_load(specs[i], &sides[i], &e)) != HB_OK) {
            fprintf(stderr, "%s\n", e.msg);
            goto out;
        }
    }
    print_diff(sides, mermaid);
out:
    hb_diff_side_free(&sides[0]);
    hb_diff_side_free(&sides[1]);
    return st;
}
