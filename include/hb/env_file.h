/* NAME=value files: $HB_HOME/config (settings) and $HB_HOME/credentials
 * (secrets) share one reader. Lines are `NAME=value`, optionally preceded
 * by `export ` and with the value in matching quotes; blank lines and lines
 * starting with # add nothing. */
#ifndef HB_ENV_FILE_H
#define HB_ENV_FILE_H

#include <stddef.h>

#include "hb/error.h"

typedef struct hb_env_entry {
    char *name;
    char *value;
    int line;
} hb_env_entry;

typedef struct hb_env_file {
    hb_env_entry *items; /* in file order */
    size_t n;
} hb_env_file;

/* Reads path into *out. A missing file is an empty one. HB_EUSAGE when the
 * file is not a regular file, when its mode has any of refused_mode's bits
 * (077 for a file of secrets, 022 for one anyone else could change; the
 * message says what it holds and which chmod fixes it) or when a line is
 * not NAME=value (the message names the line number, never its text, which
 * may be a secret). The text read is wiped from memory. */
hb_status hb_env_file_read(const char *path, unsigned refused_mode, const char *holds,
                           hb_env_file *out, hb_err *e);
/* The last definition of name (as in a shell script), or NULL. */
const hb_env_entry *hb_env_file_get(const hb_env_file *f, const char *name);
/* Wipes the values and frees; *f is then empty. */
void hb_env_file_free(hb_env_file *f);

#endif
