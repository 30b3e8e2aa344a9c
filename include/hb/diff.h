/* hb diff: what a change to a workflow changes, step by step, for review.
 *
 * Steps are paired by id; an unpaired old step and an unpaired new step with
 * the same body (kind, description, labels, settings and function source)
 * are a rename. For each pair it reports changed descriptions, transitions
 * (targets compared through renames), branch and option labels, settings,
 * and the source lines of changed functions; for the workflow, changes to
 * title, handbook, uses and forbid (as capabilities gained or lost) and
 * inputs; and every module the versions load, in hunks of changed lines
 * named by the function they fall in. */
#ifndef HB_DIFF_H
#define HB_DIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "hb/error.h"
#include "hb/graph.h"
#include "hb/util.h"
#include "hb/workflow.h"

/* A module a version loads (stdlib/ or the workflow's lib/), with its text
 * in that version. */
typedef struct hb_diff_module {
    char *name; /* as required: "messages", "support.time" */
    char *path; /* as shown: "workflows/lib/messages.lua", "stdlib/support.lua" */
    bool stdlib;
    char *src; /* NULL when the version does not have it */
    size_t len;
} hb_diff_module;

typedef enum hb_diff_kind {
    HB_DIFF_WORKFLOW,
    HB_DIFF_MODULE, /* a file of lib/ or stdlib/ */
} hb_diff_kind;

typedef struct hb_diff_load hb_diff_load;

/* One version of a workflow, or of a module. */
typedef struct hb_diff_side {
    char *label; /* as shown: "workflows/x.lua" or "workflows/x.lua@main" */
    char *path;  /* the file in the working tree */
    char *rev;   /* the git revision, or NULL for the working tree */
    char *src;   /* its source text */
    size_t len;
    hb_diff_kind kind;
    char *module;    /* a module's name ("messages"), else NULL */
    hb_workflow *wf; /* NULL for a module, or when the file did not load far
                        enough to read any step */
    char *problems;  /* what loading reported ("file:line: message" lines), or
                        NULL when the version loads cleanly */
    /* What a run of it would load and pin: every module it requires while
     * loading, the services of `uses`, and every constant `require "x"` of
     * its functions and of those modules; sorted, lib/ first. For a module:
     * itself and what it requires. */
    hb_diff_module *modules;
    size_t nmodules;
    hb_diff_load *load; /* private: what loading a revision needs */
} hb_diff_side;

/* Loads FILE, NAME, FILE@REV or NAME@REV. A revision is read with
 * `git -C <folder> show REV:./<file>` (git run directly, never through a
 * shell), and so are the lib/ modules it loads; stdlib/ modules are read at
 * REV for the comparison when stdlib/ is in the same git work tree. A file
 * that does not load is still HB_OK: its problems (the loader's
 * "file:line: message" lines) are in side->problems, beside whatever could
 * be read. HB_EUSAGE when the version cannot be found or read, or is a
 * scenario file (named as such). */
hb_status hb_diff_side_load(const char *spec, hb_diff_side *side, hb_err *e);
void hb_diff_side_free(hb_diff_side *side);

/* The workflows beside a module that load it (its lib/'s folder for a lib/
 * module, HB_WORKFLOW_PATH for a stdlib/ one), read at the side's revision:
 * "name (file)" lines appended to out. Returns how many. */
size_t hb_diff_module_reach(const hb_diff_side *module_side, hb_buf *out);

typedef enum hb_step_fate {
    HB_FATE_SAME,
    HB_FATE_CHANGED,
    HB_FATE_RENAMED, /* possibly with other changes to its transitions */
    HB_FATE_ADDED,
    HB_FATE_REMOVED,
} hb_step_fate;

typedef struct hb_diff {
    hb_buf text;             /* the report, one change a line (function bodies indented) */
    size_t nchanges;         /* 0: the two versions do the same */
    size_t nmodules_changed; /* modules added, removed or changed (in nchanges) */
    hb_buf outside;          /* the lines of changes no step shows (workflow fields, modules) */
    bool steps_compared;     /* false when a version has no steps to compare */
    hb_step_fate *old_fate;
    int *old_to_new; /* index of the paired new step, or -1 */
    hb_step_fate *new_fate;
    int *new_to_old;
} hb_diff;

void hb_diff_compare(const hb_diff_side *old_side, const hb_diff_side *new_side, hb_diff *d);
void hb_diff_free(hb_diff *d);

/* The new version's graph with added, changed and renamed steps marked (a
 * renamed one names its old id), removed steps (with their old edges) and
 * the old targets of changed transitions drawn greyed out, the changes no
 * step shows in a note, and a legend. */
void hb_diff_graph(const hb_diff_side *old_side, const hb_diff_side *new_side, const hb_diff *d,
                   hb_graph *g);

/* Lines of `a` and `b` compared ignoring leading and trailing blanks; writes
 * each line prefixed "- ", "+ " or "  " after `indent`. */
void hb_line_diff(char *const *a, size_t na, char *const *b, size_t nb, const char *indent,
                  hb_buf *out);

#endif
