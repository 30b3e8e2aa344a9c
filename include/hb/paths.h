/* Where hb finds its files with no configuration: next to an installed
 * binary (<prefix>/share/hb), else the source tree it was built from. */
#ifndef HB_PATHS_H
#define HB_PATHS_H

#include <stddef.h>

#include "hb/error.h"

/* The share folder holding stdlib/ and workflows/: $HB_SHARE_DIR, else
 * <exe>/../share/hb when it exists, else the source tree (build tree use),
 * else the configured install folder. Newly allocated. */
char *hb_share_dir(void);
/* $HB_STDLIB, else <share>/stdlib. Newly allocated. */
char *hb_stdlib_dir(void);

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
