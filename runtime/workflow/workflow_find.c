/* Finding workflows by name on HB_WORKFLOW_PATH. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "hb/paths.h"
#include "hb/util.h"
#include "hb/workflow_find.h"

static void dirs_add(hb_workflow_dirs *d, const char *dir)
{
    for (size_t i = 0; i < d->n; i++)
        if (!strcmp(d->dirs[i], dir))
            return;
    d->dirs = hb_xrealloc(d->dirs, (d->n + 1) * sizeof *d->dirs);
    d->dirs[d->n++] = hb_xstrdup(dir);
}

void hb_workflow_dirs_get(hb_workflow_dirs *d)
{
    d->dirs = NULL;
    d->n = 0;
    char *path = hb_workflow_path();
    char *save = NULL;
    for (char *tok = strtok_r(path, ":", &save); tok; tok = strtok_r(NULL, ":", &save))
        if (*tok)
            dirs_add(d, tok);
    free(path);
}

void hb_workflow_dirs_free(hb_workflow_dirs *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->dirs[i]);
    free(d->dirs);
    d->dirs = NULL;
    d->n = 0;
}

typedef struct entry {
    char *name;
    char *file;
} entry;

static int compare_entries(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->name, ((const entry *)b)->name);
}

static entry *collect(size_t *n_out)
{
    hb_workflow_dirs d;
    hb_workflow_dirs_get(&d);
    entry *list = NULL;
    size_t n = 0;
    for (size_t i = 0; i < d.n; i++) {
        DIR *dir = opendir(d.dirs[i]);
        if (!dir)
            continue;
        struct dirent *de;
        while ((de = readdir(dir))) {
            if (de->d_name[0] == '.' || !hb_str_ends_with(de->d_name, ".lua"))
                continue;
            char *name = hb_basename_noext(de->d_name, ".lua");
            bool seen = false;
            for (size_t k = 0; k < n && !seen; k++)
                seen = !strcmp(list[k].name, name);
            if (seen) {
                free(name);
                continue;
            }
            list = hb_xrealloc(list, (n + 1) * sizeof *list);
            list[n].name = name;
            list[n].file = hb_path_join(d.dirs[i], de->d_name);
            n++;
        }
        closedir(dir);
    }
    hb_workflow_dirs_free(&d);
    if (n)
        qsort(list, n, sizeof *list, compare_entries);
    *n_out = n;
    return list;
}

static void free_entries(entry *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(list[i].name);
        free(list[i].file);
    }
    free(list);
}

void hb_workflow_each(void (*cb)(const char *name, const char *file, void *ud), void *ud)
{
    size_t n;
    entry *list = collect(&n);
    for (size_t i = 0; i < n; i++)
        cb(list[i].name, list[i].file, ud);
    free_entries(list, n);
}

char *hb_workflow_find(const char *name_or_path, hb_err *e)
{
    if (strchr(name_or_path, '/') || hb_str_ends_with(name_or_path, ".lua")) {
        if (hb_file_exists(name_or_path))
            return hb_xstrdup(name_or_path);
        hb_err_set(e, HB_EUSAGE, "no workflow file %s", name_or_path);
        return NULL;
    }
    size_t n;
    entry *list = collect(&n);
    char *found = NULL;
    for (size_t i = 0; i < n && !found; i++)
        if (!strcmp(list[i].name, name_or_path))
            found = hb_xstrdup(list[i].file);
    if (!found) {
        hb_buf hint;
        hb_buf_init(&hint);
        for (size_t i = 0; i < n; i++) {
            size_t d = hb_edit_distance(list[i].name, name_or_path);
            bool close = d <= 3 || strstr(list[i].name, name_or_path) != NULL;
            if (close)
                hb_buf_printf(&hint, "%s%s", hint.len ? ", " : "", list[i].name);
        }
        hb_workflow_dirs d;
        hb_workflow_dirs_get(&d);
        hb_buf where;
        hb_buf_init(&where);
        for (size_t i = 0; i < d.n; i++)
            hb_buf_printf(&where, "%s%s", i ? ":" : "", d.dirs[i]);
        hb_workflow_dirs_free(&d);
        if (hint.len)
            hb_err_set(e, HB_EUSAGE, "unknown workflow '%s'; did you mean: %s?", name_or_path,
                       hint.data);
        else
            hb_err_set(e, HB_EUSAGE,
                       "unknown workflow '%s' (searched %s; `hb list` shows the workflows)",
                       name_or_path, where.data ? where.data : "");
        hb_buf_free(&hint);
        hb_buf_free(&where);
    }
    free_entries(list, n);
    return found;
}
