/* What a .lua file of a workflow folder is, from where it lives, so the
 * review tools treat a scenario file or a module as what it is instead of
 * failing to read it as a workflow:
 *   <dir>/tests/<name>_test.lua   the scenario file of workflow <name>
 *   <dir>/lib/<a>/<b>.lua         module "a.b" of the workflows in <dir>
 *                                 (lib/<b>.lua or one folder deeper)
 *   <stdlib>/<a>/<b>.lua          stdlib module "a.b"
 * Anything else is taken for a workflow. */
#ifndef HB_FILE_KIND_H
#define HB_FILE_KIND_H

#include <stdbool.h>

#include "hb/error.h"

typedef enum hb_file_kind {
    HB_FILE_WORKFLOW,
    HB_FILE_SCENARIOS,
    HB_FILE_LIB_MODULE,
    HB_FILE_STDLIB_MODULE,
} hb_file_kind;

typedef struct hb_file_info {
    hb_file_kind kind;
    char *name; /* the workflow a scenario file tests, a module's name; else NULL */
    char *home; /* the workflow folder holding tests/ or lib/; else NULL */
} hb_file_info;

void hb_file_info_of(const char *path, hb_file_info *out);
void hb_file_info_free(hb_file_info *info);

/* HB_OK for a workflow; HB_EUSAGE for a scenario file or a module, with a
 * message that names what it is and what to give or run instead. */
hb_status hb_file_expect_workflow(const char *path, hb_err *e);

#endif
