/* Shared by diff.c (pairing steps, the report) and diff_body.c (function
 * source and settings of a step). */
#ifndef HB_DIFF_INTERNAL_H
#define HB_DIFF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hb/diff.h"
#include "hb/lua_host.h"

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

/* One line of an edit script: ' ' kept, '-' only in a, '+' only in b. a and
 * b are the line's index in its version (for '+', a is where it goes in a;
 * for '-', b is where it would be in b). */
typedef struct hb_line_edit {
    char op;
    size_t a, b;
} hb_line_edit;

/* The edit script turning a into b (hb_line_diff's comparison); *out is
 * newly allocated. Returns its length. */
size_t hb_line_edits(char *const *a, size_t na, char *const *b, size_t nb, hb_line_edit **out);

/* git for hb diff (diff_git.c): the text of file (relative to dir) at rev,
 * HB_EUSAGE naming `shown` and git's reason when it cannot be read; the top
 * of the work tree dir is in, or NULL outside one. */
hb_status hb_git_show(const char *dir, const char *rev, const char *file, const char *shown,
                      hb_buf *out, hb_err *e);
char *hb_git_toplevel(const char *dir);

/* The modules of a version (diff_modules.c). hb_diff_load_new keeps what
 * loading needs; its hooks record (and at a revision serve) what the loader
 * reads; hb_diff_modules_close adds what the version requires without
 * loading it, and sorts the list. */
hb_diff_load *hb_diff_load_new(hb_diff_side *side, const char *home);
void hb_diff_load_hooks(hb_diff_load *l, hb_lua_modules *mods);
void hb_diff_modules_close(hb_diff_load *l);
void hb_diff_load_free(hb_diff_load *l);
void hb_diff_modules_free(hb_diff_side *s);

/* A copy of the text the version's loader ran for the chunk named source:
 * a lib/ module as the side read it (at its revision), else the file.
 * NULL when neither can be read. */
char *hb_diff_loaded_text(const hb_diff_side *side, const char *source, size_t *len);

/* Appends module added / removed / changed lines (with hunks) to d. */
void hb_diff_compare_modules(const hb_diff_side *o, const hb_diff_side *n, hb_diff *d);

void hb_step_facts_read(const hb_diff_side *side, const hb_step *s, step_facts *f);
void hb_step_facts_free(step_facts *f, const hb_step *s);
void hb_fn_text_free(fn_text *t);
bool hb_fn_same_body(const fn_text *a, const fn_text *b);

/* Same body: everything but the id and the targets (a rename of a target is
 * not a change of the step that points at it). */
bool hb_step_same_body(const hb_step *a, const step_facts *fa, const hb_step *b,
                       const step_facts *fb);

#endif
