/* Finding workflows by name: the folders of HB_WORKFLOW_PATH (default
 * ./workflows, then the installed share folder), first occurrence of a name
 * wins. */
#ifndef HB_WORKFLOW_FIND_H
#define HB_WORKFLOW_FIND_H

#include <stddef.h>

#include "hb/error.h"

/* The folders searched for workflows, in order: HB_WORKFLOW_PATH
 * (colon-separated) or ./workflows then <share>/workflows. */
typedef struct hb_workflow_dirs {
    char **dirs;
    size_t n;
} hb_workflow_dirs;

void hb_workflow_dirs_get(hb_workflow_dirs *d);
void hb_workflow_dirs_free(hb_workflow_dirs *d);

/* Resolves NAME (or a path to a .lua file) to a file. HB_EUSAGE when
 * unknown, the message suggesting close names. Newly allocated. */
char *hb_workflow_find(const char *name_or_path, hb_err *e);

/* Calls cb for each workflow name found on the path (first occurrence of a
 * name wins), sorted by name. */
void hb_workflow_each(void (*cb)(const char *name, const char *file, void *ud), void *ud);

#endif
