/* hb diff: what a change to a workflow changes, step by step, for review.
 *
 * Steps are paired by id; an unpaired old step and an unpaired new step with
 * the same body (kind, description, labels, settings and function source)
 * are a rename. For each pair it reports changed descriptions, transitions
 * (targets compared through renames), branch and option labels, settings,
 * and the source lines of changed functions; for the workflow, changes to
 * title, handbook, uses and forbid (as capabilities gained or lost) and
 * inputs. */
#ifndef HB_DIFF_H
#define HB_DIFF_H

#include <stddef.h>

#include "hb/error.h"
#include "hb/graph.h"
#include "hb/util.h"
#include "hb/workflow.h"

/* One version of a workflow. */
typedef struct hb_diff_side {
    char *label; /* as shown: "workflows/x.lua" or "workflows/x.lua@main" */
    char *path;  /* the file in the working tree */
    char *rev;   /* the git revision, or NULL for the working tree */
    char *src;   /* its source text */
    size_t len;
    hb_workflow *wf;
} hb_diff_side;

/* Loads FILE, NAME, FILE@REV or NAME@REV. A revision is read with
 * `git -C <folder> show REV:./<file>` (git run directly, never through a
 * shell). Load errors keep the loader's "file:line: message" form. */
hb_status hb_diff_side_load(const char *spec, hb_diff_side *side, hb_err *e);
void hb_diff_side_free(hb_diff_side *side);

typedef enum hb_step_fate {
    HB_FATE_SAME,
    HB_FATE_CHANGED,
    HB_FATE_RENAMED, /* possibly with other changes to its transitions */
    HB_FATE_ADDED,
    HB_FATE_REMOVED,
} hb_step_fate;

typedef struct hb_diff {
    hb_buf text;     /* the report, one change a line (function bodies indented) */
    size_t nchanges; /* 0: the two versions do the same */
    hb_step_fate *old_fate;
    int *old_to_new; /* index of the paired new step, or -1 */
    hb_step_fate *new_fate;
    int *new_to_old;
} hb_diff;

void hb_diff_compare(const hb_diff_side *old_side, const hb_diff_side *new_side, hb_diff *d);
void hb_diff_free(hb_diff *d);

/* The new version's graph with added and changed steps marked, and removed
 * steps (with their old edges) drawn greyed out. */
void hb_diff_graph(const hb_diff_side *old_side, const hb_diff_side *new_side, const hb_diff *d,
                   hb_graph *g);

/* Lines of `a` and `b` compared ignoring leading and trailing blanks; writes
 * each line prefixed "- ", "+ " or "  " after `indent`. */
void hb_line_diff(char *const *a, size_t na, char *const *b, size_t nb, const char *indent,
                  hb_buf *out);

#endif
