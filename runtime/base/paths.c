/* Locating the share folder and stdlib/ with no configuration. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb/paths.h"
#include "hb/settings.h"
#include "hb/util.h"

static char *exe_share_dir(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    char *bindir = hb_dirname(exe);
    char *share = hb_xasprintf("%s/../share/hb", bindir);
    free(bindir);
    char *stdlib = hb_path_join(share, "stdlib");
    bool ok = hb_dir_exists(stdlib);
    free(stdlib);
    if (!ok) {
        free(share);
        return NULL;
    }
    char *real = realpath(share, NULL);
    free(share);
    return real;
}

char *hb_share_dir(void)
{
    char *set = hb_setting_text("HB_SHARE_DIR");
    if (set)
        return set;
    char *installed = exe_share_dir();
    if (installed)
        return installed;
    if (hb_dir_exists(HB_SOURCE_DIR "/stdlib"))
        return hb_xstrdup(HB_SOURCE_DIR);
    return hb_xstrdup(HB_INSTALL_DATADIR);
}

char *hb_stdlib_dir(void)
{
    char *set = hb_setting_text("HB_STDLIB");
    if (set)
        return set;
    char *share = hb_share_dir();
    char *dir = hb_path_join(share, "stdlib");
    free(share);
    return dir;
}

char *hb_workflow_path(void)
{
    char *set = hb_setting_text("HB_WORKFLOW_PATH");
    if (set)
        return set;
    char *share = hb_share_dir();
    char *path = hb_xasprintf("./workflows:%s/workflows", share);
    free(share);
    return path;
}
