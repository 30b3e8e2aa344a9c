/* Helpers shared by the command files. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hb/cli.h"

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
