/* Helpers shared by the command files. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include "hb/cli.h"
#include "hb/workflow_find.h"
#include "hb/workflow.h"

bool hb_cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return true;
        if (!strcmp(argv[i], "--"))
            break;
    }
    return false;
}

void hb_cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("hb: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int hb_cli_load_workflow(const char *target, char **file_out, hb_workflow **wf_out)
{
    hb_err e;
    *wf_out = NULL;
    char *file = hb_workflow_find(target, &e);
    if (!file) {
        hb_cli_error("%s", e.msg);
        return HB_EUSAGE;
    }
    hb_status st = hb_workflow_load_file(file, wf_out, &e);
    if (st != HB_OK) {
        fprintf(stderr, "%s\n", e.msg);
        free(file);
        return st;
    }
    if (file_out)
        *file_out = file;
    else
        free(file);
    return HB_OK;
}
