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

static const char USAGE[] =
    "usage: hb doc NAME|FILE [--out FILE]\n"
    "\n"
    "Writes a Markdown page generated from the workflow: title, handbook\n"
    "reference, inputs, services, forbidden operations, every step in order with\n"
    "its description and where it leads, and the Mermaid graph. Prints to stdout\n"
    "unless --out names a file.\n";

int hb_cmd_doc(int argc, char **argv)
{
    if (hb_cli_wants_help(argc, argv)) {
        fputs(USAGE, stdout);
        return HB_OK;
    }
    const char *target = NULL, *out_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--out") && i + 1 < argc) {
            out_path = argv[++i];
        } else if (!strncmp(argv[i], "--out=", 6)) {
            out_path = argv[i] + 6;
        } else if (argv[i][0] == '-' || target) {
            hb_cli_error("unexpected argument '%s'", argv[i]);
            fputs(USAGE, stderr);
            return HB_EUSAGE;
        } else {
            target = argv[i];
        }
    }
    if (!target) {
        fputs(USAGE, stderr);
        return HB_EUSAGE;
    }
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
