/* hb test: scenario tests for workflow authors. */
#include <stdio.h>
#include <string.h>

#include "hb/cli.h"
#include "hb/scenario.h"

static const char USAGE[] =
    "usage: hb test [NAME...] [--coverage] [--verbose]\n"
    "\n"
    "Runs each workflow's scenarios (workflows/tests/NAME_test.lua) against a\n"
    "fresh in-process sandbox and a throwaway store. Prints one line per\n"
    "scenario and `N passed, N failed`; exits 1 on any failure. --coverage also\n"
    "lists every choice branch, ask option, on_timeout and on_error edge with\n"
    "whether a scenario took it, and exits 1 when any is untaken.\n";

int hb_cmd_test(int argc, char **argv)
{
    if (hb_cli_wants_help(argc, argv)) {
        fputs(USAGE, stdout);
        return HB_OK;
    }
    hb_test_options o = {.out = stdout};
    const char *names[64];
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--coverage"))
            o.coverage = true;
        else if (!strcmp(argv[i], "--verbose") || !strcmp(argv[i], "-v"))
            o.verbose = true;
        else if (argv[i][0] == '-') {
            hb_cli_error("unknown option '%s'\n%s", argv[i], USAGE);
            return HB_EUSAGE;
        } else if (o.nnames < 64)
            names[o.nnames++] = argv[i];
    }
    o.names = names;
    hb_test_totals t;
    hb_err e;
    hb_err_clear(&e);
    hb_status st = hb_test_run(&o, &t, &e);
    if (st != HB_OK && st != HB_EFAILED)
        hb_cli_error("%s", e.msg);
    return st;
}
