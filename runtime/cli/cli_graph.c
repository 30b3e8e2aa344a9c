/* hb graph NAME|FILE [--format mermaid|dot]: the decision graph of a
 * workflow, read from its structure without running it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/cli.h"
#include "hb/graph.h"
#include "hb/paths.h"
#include "hb/util.h"
#include "hb/workflow.h"

int hb_cmd_graph(int argc, char **argv)
{
    const char *target = NULL;
    const char *format = "mermaid";
    const hb_option options[] = {
        HB_WORKFLOW_ARG(&target),
        HB_STRING("format", &format, "mermaid|dot", "Mermaid (the default) or Graphviz DOT"),
        HB_OPT_END_,
    };
    const hb_cli_spec spec = {
        .command = "graph",
        .about = "Prints the workflow's decision graph from its static structure (nothing\n"
                 "runs): tasks, choices and asks as decisions with their labels on the edges,\n"
                 "waits with their timeout edges, on_error edges, succeed/fail styled apart.\n"
                 "Mermaid (the default) renders in GitLab merge requests and issues; DOT\n"
                 "renders with Graphviz (`hb graph x --format dot | dot -Tsvg > x.svg`).\n",
        .options = options,
    };
    hb_workflow *wf = NULL;
    int rc = hb_cli_parse_workflow(&spec, argc, argv, &target, NULL, &wf);
    if (rc != HB_CLI_GO)
        return rc;
    hb_err e;
    hb_graph_format f;
    if (hb_graph_format_parse(format, &f, &e) != HB_OK) {
        hb_cli_error("%s", e.msg);
        hb_workflow_free(wf);
        return HB_EUSAGE;
    }
    hb_graph g;
    hb_graph_build(wf, &g);
    hb_buf out;
    hb_buf_init(&out);
    hb_graph_render(&g, f, &out);
    fwrite(out.data, 1, out.len, stdout);
    hb_buf_free(&out);
    hb_graph_free(&g);
    hb_workflow_free(wf);
    return HB_OK;
}
