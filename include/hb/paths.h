/* Where hb finds its files with no configuration: next to an installed
 * binary (<prefix>/share/hb), else the source tree it was built from.
 * Finding a workflow by name is in workflow_find.h. */
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
/* $HB_WORKFLOW_PATH, else "./workflows:<share>/workflows": the folders
 * searched for a workflow by name, colon-separated. Newly allocated. */
char *hb_workflow_path(void);

#endif
