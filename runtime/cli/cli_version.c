/* hb version: the version string, for bug reports and scripts. */
#include <stdio.h>

#include "hb/cli.h"
#include "hb/error.h"

int hb_cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("hb %s\n", HB_VERSION);
    return HB_OK;
}
