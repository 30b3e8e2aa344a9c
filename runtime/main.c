/* hb: run customer-support handbook processes as Lua workflows.
 * main() only dispatches; each command lives in runtime/cli/cli_<name>.c. */
#include <stdio.h>
#include <string.h>

#include "hb/cli.h"
#include "hb/error.h"
#include "hb/secrets.h"
#include "hb/settings.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: hb COMMAND [ARGS...]\n\ncommands:\n");
    for (const hb_command *c = hb_commands; c->name; c++)
        fprintf(out, "  %-9s %s\n", c->name, c->summary);
    fprintf(out, "\n`hb COMMAND --help` describes one command. Exit codes: 0 ok, 1 failed,\n"
                 "2 usage or input error, 3 paused, 4 busy, 5 store corrupted or internal.\n");
}

int main(int argc, char **argv)
{
    /* Whatever any command prints passes the secrets registry first. */
    hb_secret_guard_stdio();
    if (argc < 2) {
        usage(stderr);
        return HB_EUSAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return HB_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("hb %s\n", HB_VERSION);
        return HB_OK;
    }
    for (const hb_command *c = hb_commands; c->name; c++) {
        if (strcmp(c->name, argv[1]) != 0)
            continue;
        /* A setting hb does not understand stops every command before it
         * does anything, except the one that shows them all and --help. */
        hb_err e;
        if (c->fn != hb_cmd_config && !hb_cli_wants_help(argc - 1, argv + 1) &&
            hb_settings_load(&e) != HB_OK) {
            fprintf(stderr, "hb: %s\n", e.msg);
            return HB_EUSAGE;
        }
        return c->fn(argc - 1, argv + 1);
    }
    fprintf(stderr, "hb: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return HB_EUSAGE;
}
