/* hb list / hb show: the workflows on HB_WORKFLOW_PATH and one in detail. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/cli.h"
#include "hb/workflow_find.h"
#include "hb/util.h"
#include "hb/workflow.h"

typedef struct list_ctx {
    int broken;
} list_ctx;

static void list_one(const char *name, const char *file, void *ud)
{
    list_ctx *c = ud;
    hb_workflow *wf = NULL;
    hb_err e;
    if (hb_workflow_load_file(file, &wf, &e) != HB_OK) {
        printf("%-32s (does not load: run `hb show %s`)\n", name, name);
        fflush(stdout);
        /* The first problem, with its file:line; hb show lists them all. */
        hb_cli_error("%.*s", (int)strcspn(e.msg, "\n"), e.msg);
        c->broken++;
        return;
    }
    printf("%-32s %s\n", name, wf->title ? wf->title : "");
    hb_workflow_free(wf);
}

int hb_cmd_list(int argc, char **argv)
{
    const hb_option options[] = {HB_OPT_END_};
    const hb_cli_spec spec = {
        .command = "list",
        .about = "Lists the workflows found on HB_WORKFLOW_PATH (default ./workflows, then the\n"
                 "installed ones) with their titles.\n",
        .options = options,
    };
    int rc = hb_cli_parse(&spec, argc, argv);
    if (rc != HB_CLI_GO)
        return rc;
    list_ctx c = {0};
    hb_workflow_each(list_one, &c);
    return HB_OK;
}

static void print_target(const char *label, const char *target)
{
    printf(" %s→ %s", label ? label : "", target ? target : "(end)");
}

int hb_cmd_show(int argc, char **argv)
{
    const char *target = NULL;
    const hb_option options[] = {
        HB_WORKFLOW_ARG(&target),
        HB_OPT_END_,
    };
    const hb_cli_spec spec = {
        .command = "show",
        .about = "Shows a workflow: title, handbook page, inputs, services, and every step\n"
                 "with where it leads.\n",
        .options = options,
    };
    char *file = NULL;
    hb_workflow *wf = NULL;
    int rc = hb_cli_parse_workflow(&spec, argc, argv, &target, &file, &wf);
    if (rc != HB_CLI_GO)
        return rc;
    printf("%s: %s\n", wf->name, wf->title ? wf->title : "(no title)");
    printf("file:     %s\n", file);
    if (wf->handbook)
        printf("handbook: %s\n", wf->handbook);
    printf("uses:    ");
    for (size_t i = 0; i < wf->nuses; i++)
        printf(" %s", wf->uses[i]);
    printf("%s\n", wf->nuses ? "" : " (no service)");
    if (wf->nforbid) {
        printf("forbids: ");
        for (size_t i = 0; i < wf->nforbid; i++)
            printf(" %s", wf->forbid[i]);
        printf("\n");
    }
    printf("inputs:  ");
    for (size_t i = 0; i < wf->ninputs; i++)
        printf(" %s=%s%s", wf->inputs[i].name, wf->inputs[i].type,
               wf->inputs[i].optional ? "?" : "");
    printf("%s\n\nsteps:\n", wf->ninputs ? "" : " (none)");
    for (size_t i = 0; i < wf->nsteps; i++) {
        const hb_step *s = &wf->steps[i];
        printf("  %zu. %s [%s] %s\n     ", i + 1, s->id, hb_step_kind_name(s->kind),
               s->description ? s->description : "");
        if (s->nedges) {
            for (size_t k = 0; k < s->nedges; k++) {
                char label[256];
                snprintf(label, sizeof label, "%s ", s->edges[k].label);
                print_target(label,
                             s->edges[k].target ? s->edges[k].target : hb_step_default_next(wf, i));
            }
        } else if (!hb_step_is_terminal(s)) {
            print_target(NULL, hb_step_default_next(wf, i));
        } else {
            printf(" (ends the run: %s)", hb_step_kind_name(s->kind));
        }
        if (s->on_error)
            print_target("on error ", s->on_error);
        if (s->on_timeout)
            print_target("on timeout ", s->on_timeout);
        printf("\n");
    }
    hb_workflow_free(wf);
    free(file);
    return HB_OK;
}
