/* The command table. One line per command; the functions live in
 * runtime/cli_<name>.c. */
#include "hb/cli.h"

int hb_cmd_audit(int argc, char **argv);
int hb_cmd_sandbox(int argc, char **argv);
int hb_cmd_version(int argc, char **argv);

const hb_command hb_commands[] = {
    {"audit", hb_cmd_audit, "show, head or verify the hash-chained audit trail"},
    {"sandbox", hb_cmd_sandbox, "serve the built-in stand-in for the four services"},
    {"version", hb_cmd_version, "print hb's version"},
    {NULL, NULL, NULL},
};
