/* hb version: the version string, for bug reports and scripts. */
#include <stdio.h>

#include "hb/cli.h"
#include "hb/error.h"

int hb_cmd_version(int argc, char **argv)
{
    const hb_option options[] = {HB_OPT_END_};
    const hb_cli_spec spec = {
        .command = "version", .about = "Prints hb's version.\n", .options = options};
    int rc = hb_cli_parse(&spec, argc, argv);
    if (rc != HB_CLI_GO)
        return rc;
    printf("hb %s\n", HB_VERSION);
    return HB_OK;
}
