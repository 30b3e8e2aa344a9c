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

static const char ABOUT[] =
    "Writes a Markdown page generated from the workflow: title, handbook\n"
    "reference, inputs, services, forbidden operations, every step in order with\n"
    "its description and where it leads, and the Mermaid graph.\n";

int hb_cmd_doc(int argc, char **argv)
{
    const char *target = NULL, *out_path = NULL;
    const hb_option options[] = {
        HB_WORKFLOW_ARG(&target),
        HB_STRING("out", &out_path, "FILE", "write the page to FILE (atomically), not stdout"),
        HB_OPT_END_,
    };
    const hb_cli_spec spec = {
        .command = "doc",
        .about = ABOUT,
        .options = options,
    };
    hb_err e;
    char *file = NULL;
    hb_workflow *wf = NULL;
    int rc = hb_cli_parse_workflow(&spec, argc, argv, &target, &file, &wf);
    if (rc != HB_CLI_GO)
        return rc;
    hb_buf page;
    hb_buf_init(&page);
    hb_doc_render(wf, file, &page);
    hb_workflow_free(wf);
    free(file);
    rc = HB_OK;
    if (out_path) {
        rc = hb_write_file_atomic(out_path, page.data, page.len, 0644, &e);
        if (rc != HB_OK)
            hb_cli_error("%s", e.msg);
    } else {
        fwrite(page.data, 1, page.len, stdout);
    }
    hb_buf_free(&page);
    return rc;
}
