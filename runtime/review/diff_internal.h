/* Shared by diff.c (pairing steps, the report) and diff_body.c (function
 * source and settings of a step). */
#ifndef HB_DIFF_INTERNAL_H
#define HB_DIFF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hb/diff.h"

/* The source of one function: its lines, trimmed to start at `function`
 * and end after its last `end`, so neighbouring fields on the same line (a
 * branch's label and next) do not count as part of its body. */
typedef struct fn_text {
    char **lines;
    size_t n;
    int first, last; /* line range in its file */
    char *file;      /* that file when it is not the workflow's (a lib module), else NULL */
    bool comparison; /* a `when` helper: lines[0] is its comparison, no lines */
} fn_text;

#define NSETTINGS    8
#define MAX_STEP_FNS 6

/* A step's comparable contents besides id, description and targets. */
typedef struct step_facts {
    const char *setting_names[NSETTINGS];
    char *settings[NSETTINGS]; /* NULL when unset */
    const char *fn_names[MAX_STEP_FNS];
    fn_text fns[MAX_STEP_FNS];
    size_t nfns;
    fn_text *whens; /* one per edge; empty for a branch without `when` */
} step_facts;

bool hb_diff_same_str(const char *a, const char *b);

void hb_step_facts_read(const hb_diff_side *side, const hb_step *s, step_facts *f);
void hb_step_facts_free(step_facts *f, const hb_step *s);
void hb_fn_text_free(fn_text *t);
bool hb_fn_same_body(const fn_text *a, const fn_text *b);

/* Same body: everything but the id and the targets (a rename of a target is
 * not a change of the step that points at it). */
bool hb_step_same_body(const hb_step *a, const step_facts *fa, const hb_step *b,
                       const step_facts *fb);

#endif
