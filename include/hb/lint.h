/* hb lint: problems in workflow files, each with file:line (and a column
 * where known), for editors and CI.
 *
 * Checks: Lua syntax; everything hb_workflow_load reports (unknown targets,
 * unreachable steps, no terminal reachable, duplicate ids, a last step that
 * is not terminal, field types); reads and writes of undeclared globals and
 * services used without `uses` (from the compiled chunk, see
 * chunk_facts.h); services declared but never used; inputs never read;
 * steps without a description; a missing title or handbook reference. */
#ifndef HB_LINT_H
#define HB_LINT_H

#include <stdbool.h>
#include <stddef.h>

#include "hb/error.h"
#include "hb/util.h"

typedef enum hb_lint_severity {
    HB_LINT_ERROR,
    HB_LINT_WARNING,
} hb_lint_severity;

typedef struct hb_lint_problem {
    char *file;
    int line;
    int col; /* 1-based; 0 when unknown */
    hb_lint_severity severity;
    const char *check; /* a stable rule name: "syntax", "structure", "undeclared-global", ... */
    char *message;
} hb_lint_problem;

typedef struct hb_lint_report {
    hb_lint_problem *items;
    size_t n;
    size_t files; /* files checked */
} hb_lint_report;

/* Checks one file, appending its problems. HB_EUSAGE when the file cannot
 * be read; HB_EINTERNAL when the compiled chunk cannot be analysed.
 * Problems found are not a failure of this call. */
hb_status hb_lint_file(const char *path, hb_lint_report *r, hb_err *e);

void hb_lint_add(hb_lint_report *r, const char *file, int line, int col, hb_lint_severity sev,
                 const char *check, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* By file, then line, then column; problems on one line keep their order. */
void hb_lint_sort(hb_lint_report *r);
size_t hb_lint_count(const hb_lint_report *r, hb_lint_severity sev);

/* `file:line[:col]: severity: message`, one problem a line. */
void hb_lint_format_text(const hb_lint_report *r, hb_buf *out);
/* A GitLab Code Quality report: a JSON array of {description, check_name,
 * fingerprint, severity, location: {path, lines: {begin}}}. The fingerprint
 * hashes file, rule and message (not the line, so moving code does not make
 * a problem look new), plus a counter for repeats. */
void hb_lint_format_gitlab(const hb_lint_report *r, hb_buf *out);

void hb_lint_report_free(hb_lint_report *r);

#endif
