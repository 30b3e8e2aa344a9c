/* Shared by the lint rule files (lint.c, lint_services.c) and the source
 * position helpers (lint_source.c). */
#ifndef HB_LINT_INTERNAL_H
#define HB_LINT_INTERNAL_H

#include <stddef.h>

#include "hb/chunk_facts.h"
#include "hb/lint.h"
#include "hb/workflow.h"

typedef struct lint_source {
    const char *path;
    const char *text;
    size_t len;
} lint_source;

/* Column (1-based) of `name` used as a variable on the line, or 0. */
int hb_lint_column_of(const lint_source *src, int line, const char *name);
/* First line at or after `from` containing needle; else `from`. */
int hb_lint_line_containing(const lint_source *src, int from, const char *needle);
/* First line at or after `from` assigning the field `name`; else `from`. */
int hb_lint_line_assigning(const lint_source *src, int from, const char *name);

/* Service operations used and forbid entries, against what the bindings in
 * stdlib/ declare. wf is NULL when the file did not load. */
void hb_lint_check_services(const lint_source *src, const hb_chunk_facts *f, const hb_workflow *wf,
                            hb_lint_report *r);

#endif
