/* Telling workflows, scenario files and modules apart by where they live
 * (see include/hb/file_kind.h): hb test and require find them by the same
 * places, so the path is the contract, and nothing needs to run. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "hb/file_kind.h"
#include "hb/paths.h"
#include "hb/util.h"

/* "a/b.lua" -> "a.b" */
static char *module_name(const char *rel)
{
    char *name = hb_xstrndup(rel, strlen(rel) - strlen(".lua"));
    for (char *p = name; *p; p++)
        if (*p == '/')
            *p = '.';
    return name;
}

/* The path below the stdlib folder, or NULL when it is not under it. */
static char *below_stdlib(const char *path)
{
    char *stdlib = hb_stdlib_dir();
    char *real_stdlib = realpath(stdlib, NULL);
    char *real = realpath(path, NULL);
    char *rel = NULL;
    size_t n = real_stdlib ? strlen(real_stdlib) : 0;
    if (real && n && !strncmp(real, real_stdlib, n) && real[n] == '/')
        rel = hb_xstrdup(real + n + 1);
    free(stdlib);
    free(real_stdlib);
    free(real);
    return rel;
}

void hb_file_info_of(const char *path, hb_file_info *out)
{
    memset(out, 0, sizeof *out);
    if (!hb_str_ends_with(path, ".lua"))
        return;
    char *dir = hb_dirname(path);
    char *dir_name = hb_basename_noext(dir, NULL);
    if (!strcmp(dir_name, "tests") && hb_str_ends_with(path, "_test.lua")) {
        out->kind = HB_FILE_SCENARIOS;
        out->name = hb_basename_noext(path, "_test.lua");
        out->home = hb_dirname(dir);
        free(dir);
        free(dir_name);
        return;
    }
    free(dir_name);
    free(dir);
    char *rel = below_stdlib(path);
    if (rel) {
        out->kind = HB_FILE_STDLIB_MODULE;
        out->name = module_name(rel);
        free(rel);
        return;
    }
    /* The last "lib" folder on the path, one or two folders up:
     * workflows/lib/a/b.lua is "a.b" (deeper, /usr/lib/x/y/z.lua is not). */
    const char *lib = NULL;
    for (const char *p = strstr(path, "lib/"); p; p = strstr(p + 1, "lib/"))
        if (p == path || p[-1] == '/')
            lib = p;
    size_t depth = 0;
    for (const char *p = lib ? lib + strlen("lib/") : ""; *p; p++)
        depth += *p == '/';
    if (lib && depth <= 1) {
        out->kind = HB_FILE_LIB_MODULE;
        out->name = module_name(lib + strlen("lib/"));
        out->home = lib == path ? hb_xstrdup(".") : hb_xstrndup(path, (size_t)(lib - path - 1));
        if (!*out->home) {
            free(out->home);
            out->home = hb_xstrdup("/");
        }
    }
}

void hb_file_info_free(hb_file_info *info)
{
    free(info->name);
    free(info->home);
    memset(info, 0, sizeof *info);
}

hb_status hb_file_expect_workflow(const char *path, hb_err *e)
{
    hb_file_info info;
    hb_file_info_of(path, &info);
    hb_status st = HB_OK;
    switch (info.kind) {
    case HB_FILE_SCENARIOS:
        st = hb_err_set(e, HB_EUSAGE,
                        "%s is the scenario file of workflow '%s', not a workflow: give the "
                        "workflow (%s) instead; `hb test %s` runs these scenarios, `hb lint %s` "
                        "checks them",
                        path, info.name, info.name, info.name, path);
        break;
    case HB_FILE_LIB_MODULE:
    case HB_FILE_STDLIB_MODULE:
        st = hb_err_set(e, HB_EUSAGE,
                        "%s is module '%s' (loaded with require), not a workflow: `hb diff "
                        "%s@REV %s` shows a change to it and the workflows it reaches",
                        path, info.name, path, path);
        break;
    case HB_FILE_WORKFLOW:
        break;
    }
    hb_file_info_free(&info);
    return st;
}
