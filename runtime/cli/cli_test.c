/* hb test: scenario tests for workflow authors. */
#include <stdio.h>
#include <string.h>

#include "hb/cli.h"
#include "hb/engine.h"
#include "hb/scenario.h"

int hb_cmd_test(int argc, char **argv)
{
    hb_test_options o = {.out = stdout};
    hb_cli_list names = {0};
    const hb_option options[] = {
        HB_ARGS("NAME", hb_cli_collect, &names,
                "workflows to test (default: every one with scenarios)"),
        HB_FLAG("coverage", &o.coverage,
                "list every choice branch, ask option, on_timeout and\n"
                "on_error edge with whether a scenario took it, and\n"
                "every workflow that has no scenario file"),
        {.kind = HB_OPT_FLAG,
         .name = "verbose",
         .short_name = 'v',
         .value = &o.verbose,
         .help = "print each scenario's report, passed ones too"},
        HB_OPT_END_,
    };
    const hb_cli_spec spec = {
        .command = "test",
        .about = "Runs each workflow's scenarios (workflows/tests/NAME_test.lua) against a\n"
                 "fresh in-process sandbox and a throwaway store. Prints one line per\n"
                 "scenario and `N passed, N failed`; exits 1 on any failure, and with\n"
                 "--coverage when any edge is untaken or any workflow has no scenarios.\n",
        .options = options,
    };
    int rc = hb_cli_parse(&spec, argc, argv);
    if (rc != HB_CLI_GO)
        goto out;
    o.names = names.items;
    o.nnames = names.n;
    hb_test_totals t;
    hb_err e;
    hb_err_clear(&e);
    /* The limits and stdlib from the settings; each scenario brings its
     * own store, clock and sandbox. */
    hb_cli_engine ce;
    rc = hb_cli_engine_init(&ce, false, &e);
    o.engine = &ce.eng;
    if (rc == HB_OK)
        rc = hb_test_run(&o, &t, &e);
    if (rc != HB_OK && rc != HB_EFAILED)
        hb_cli_error("%s", e.msg);
    hb_cli_engine_free(&ce);
out:
    hb_cli_list_free(&names);
    return rc;
}
