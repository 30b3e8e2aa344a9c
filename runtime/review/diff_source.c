/* The two versions hb diff compares: a file in the working tree, or a file
 * at a git revision; a workflow (loaded as a run would load it, with the
 * modules it loads) or a module. A workflow that does not load still gives
 * what could be read, beside its problems. */
#include <lua.h>
#include <stdlib.h>
#include <string.h>

#include "diff_internal.h"
#include "hb/file_kind.h"
#include "hb/lua_host.h"
#include "hb/paths.h"
#include "hb/workflow_find.h"

#define MAX_STAND_INS 32

/* The name in "file:line: undeclared global 'NAME'", the sandbox guard's
 * message, or NULL. */
static char *undeclared_name(const char *msg)
{
    const char *p = strstr(msg, "undeclared global '");
    if (!p || strstr(msg, "assignment to undeclared global"))
        return NULL;
    p += strlen("undeclared global '");
    const char *end = strchr(p, '\'');
    return end && end > p ? hb_xstrndup(p, (size_t)(end - p)) : NULL;
}

/* One attempt: a fresh state whose module hooks record (and, at a revision,
 * serve) the modules it requires, with a stand-in string for each name in
 * stand_ins. */
static hb_status load_once(hb_diff_side *side, char **stand_ins, size_t n, hb_err *e)
{
    hb_lua_limits limits;
    hb_status st = hb_lua_limits_from_env(&limits, e);
    if (st != HB_OK)
        return st;
    hb_lua_modules mods = {0};
    hb_diff_load_hooks(side->load, &mods);
    hb_lua *lua = hb_lua_new(&limits, &mods, e);
    if (!lua)
        return e->code;
    for (size_t i = 0; i < n; i++) {
        char *text = hb_xasprintf("(undeclared %s)", stand_ins[i]);
        lua_pushstring(hb_lua_state(lua), text);
        hb_lua_set_workflow_global(lua, stand_ins[i]);
        free(text);
    }
    return hb_workflow_load_readable(lua, side->label, side->src, side->len, &side->wf, e);
}

/* The most common way a change breaks a workflow's top level is a bare name
 * (`next = done`): the guard stops the file at the first one and nothing
 * can be read. To still show the steps, the file is loaded again with a
 * stand-in string, "(undeclared done)", for each such name, until it reads
 * or fails for another reason. The problems kept are the real ones: each
 * undeclared name where it was read, and what the last attempt reported
 * that does not stem from a stand-in. */
static void keep_real_problems(hb_buf *problems, const char *msg)
{
    char *copy = hb_xstrdup(msg), *save = NULL;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
        if (!strstr(l, "(undeclared "))
            hb_buf_printf(problems, "\n%s", l);
    free(copy);
}

static void load_workflow(hb_diff_side *side)
{
    hb_err e;
    if (load_once(side, NULL, 0, &e) == HB_OK)
        return;
    hb_buf problems;
    hb_buf_init(&problems);
    hb_buf_puts(&problems, e.msg);
    char *stand_ins[MAX_STAND_INS];
    size_t n = 0;
    char *name = side->wf ? NULL : undeclared_name(e.msg);
    while (name && n < MAX_STAND_INS) {
        for (size_t i = 0; i < n && name; i++)
            if (!strcmp(stand_ins[i], name)) {
                free(name);
                name = NULL;
            }
        if (!name)
            break;
        stand_ins[n++] = name;
        if (load_once(side, stand_ins, n, &e) == HB_OK)
            break;
        name = side->wf ? NULL : undeclared_name(e.msg);
        if (name)
            hb_buf_printf(&problems, "\n%s", e.msg); /* another bare name */
        else
            keep_real_problems(&problems, e.msg);
    }
    free(n == MAX_STAND_INS ? name : NULL);
    for (size_t i = 0; i < n; i++)
        free(stand_ins[i]);
    side->problems = hb_buf_take(&problems);
}

/* A path when it looks like one, else a workflow name on the search path. */
static char *resolve(const char *name_or_path, bool must_exist, hb_err *e)
{
    bool is_path = strchr(name_or_path, '/') || hb_str_ends_with(name_or_path, ".lua");
    if (is_path && !must_exist)
        return hb_xstrdup(name_or_path);
    return hb_workflow_find(name_or_path, e);
}

static hb_status read_version(const char *spec, hb_diff_side *side, hb_err *e)
{
    const char *at = strrchr(spec, '@');
    bool is_rev = at && at != spec && at[1] && !hb_file_exists(spec);
    if (!is_rev) {
        side->path = resolve(spec, true, e);
        if (!side->path)
            return HB_EUSAGE;
        side->label = hb_xstrdup(side->path);
        side->src = hb_read_file(side->path, &side->len, e);
        return side->src ? HB_OK : HB_EUSAGE;
    }
    if (at[1] == '-')
        return hb_err_set(e, HB_EUSAGE, "'%s' is not a revision (it starts with '-')", at + 1);
    char *name = hb_xstrndup(spec, (size_t)(at - spec));
    side->rev = hb_xstrdup(at + 1);
    side->path = resolve(name, false, e);
    free(name);
    if (!side->path)
        return HB_EUSAGE;
    side->label = hb_xasprintf("%s@%s", side->path, side->rev);
    char *dir = hb_dirname(side->path);
    char *base = hb_basename_noext(side->path, NULL);
    hb_buf text;
    hb_buf_init(&text);
    hb_status st = hb_git_show(dir, side->rev, base, side->path, &text, e);
    free(dir);
    free(base);
    if (st != HB_OK) {
        hb_buf_free(&text);
        return st;
    }
    side->len = text.len;
    side->src = text.data ? hb_buf_take(&text) : hb_xstrdup("");
    return HB_OK;
}

hb_status hb_diff_side_load(const char *spec, hb_diff_side *side, hb_err *e)
{
    memset(side, 0, sizeof *side);
    hb_status st = read_version(spec, side, e);
    if (st != HB_OK)
        return st;
    hb_file_info info;
    hb_file_info_of(side->path, &info);
    if (info.kind == HB_FILE_SCENARIOS) {
        st = hb_file_expect_workflow(side->path, e);
        hb_file_info_free(&info);
        return st;
    }
    char *home = info.kind == HB_FILE_LIB_MODULE ? hb_xstrdup(info.home) : hb_dirname(side->path);
    side->load = hb_diff_load_new(side, home);
    free(home);
    if (info.kind == HB_FILE_WORKFLOW) {
        load_workflow(side);
    } else {
        side->kind = HB_DIFF_MODULE;
        side->module = hb_xstrdup(info.name);
    }
    hb_file_info_free(&info);
    hb_diff_modules_close(side->load);
    return HB_OK;
}

void hb_diff_side_free(hb_diff_side *side)
{
    hb_workflow_free(side->wf); /* its state may still hold module texts: first */
    hb_diff_modules_free(side);
    hb_diff_load_free(side->load);
    free(side->label);
    free(side->path);
    free(side->rev);
    free(side->src);
    free(side->module);
    free(side->problems);
    memset(side, 0, sizeof *side);
}
