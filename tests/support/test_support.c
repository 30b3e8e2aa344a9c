#define _GNU_SOURCE
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb/settings.h"
#include "hb/util.h"
#include "test_support.h"

char *hbt_tempdir(void)
{
    const char *base = getenv("TMPDIR");
    char *tmpl = hb_xasprintf("%s/hbtest.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpl))
        fail_msg("mkdtemp failed");
    return tmpl;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void hbt_rmtree(const char *path)
{
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void hbt_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        fail_msg("cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

void hbt_setenv(const char *name, const char *value)
{
    setenv(name, value, 1);
    hb_settings_reload();
}

void hbt_unsetenv(const char *name)
{
    unsetenv(name);
    hb_settings_reload();
}
