/* hb doc NAME|FILE [--out FILE]: the Markdown handbook page generated from a
 * workflow. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/cli.h"
#include "hb/doc.h"
#include "hb/paths.h"
#include "hb/util.h"
#include "hb/workflow.h"

int hb_cmd_doc(int argc, char **argv)
{
    const char *target = NULL, *out_path = NULL;
    const hb_option options[] = {
        HB_ARG("NAME|FILE", &target, "a workflow on HB_WORKFLOW_PATH, or its file"),
        HB_STRING("out", &out_path, "FILE",
                  "write the page to FILE (atomically) instead of stdout"),
        HB_OPT_END_,
    };
    const hb_cli_spec spec = {
        .command = "doc",
        .about = "Writes a Markdown page generated from the workflow: title, handbook\n"
                 "reference, inputs, services, forbidden operations, every step in order with\n"
                 "its description and where it leads, and the Mermaid graph.\n",
        .options = options,
    };
    int rc = hb_cli_parse(&spec, argc, argv);
    if (rc != HB_CLI_GO)
        return rc;
    hb_err e;
    char *file = NULL;
    hb_workflow *wf = NULL;
    int st = hb_cli_load_workflow(target, &file, &wf);
    if (st != HB_OK)
        return st;
    hb_buf page;
    hb_buf_init(&page);
    hb_doc_render(wf, file, &page);
    hb_workflow_free(wf);
    free(file);
    st = HB_OK;
    if (out_path) {
        st = hb_write_file_atomic(out_path, page.data, page.len, 0644, &e);
        if (st != HB_OK)
            hb_cli_error("%s", e.msg);
    } else {
        fwrite(page.data, 1, page.len, stdout);
    }
    hb_buf_free(&page);
    return st;
}
