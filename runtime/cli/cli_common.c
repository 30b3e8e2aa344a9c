/* Helpers shared by the command files. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include "hb/cli.h"
#include "hb/file_kind.h"
#include "hb/workflow_find.h"
#include "hb/workflow.h"

void hb_cli_verror(const char *fmt, va_list ap)
{
    fputs("hb: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void hb_cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hb_cli_verror(fmt, ap);
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
    hb_status st = hb_file_expect_workflow(file, &e);
    if (st != HB_OK) {
        hb_cli_error("%s", e.msg);
        free(file);
        return st;
    }
    st = hb_workflow_load_file(file, wf_out, &e);
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

int hb_cli_parse_workflow(const hb_cli_spec *spec, int argc, char **argv, const char *const *target,
                          char **file_out, hb_workflow **wf_out)
{
    int rc = hb_cli_parse(spec, argc, argv);
    if (rc != HB_CLI_GO)
        return rc;
    rc = hb_cli_load_workflow(*target, file_out, wf_out);
    return rc == HB_OK ? HB_CLI_GO : rc;
}
