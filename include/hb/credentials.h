/* Where live credentials come from: the environment first, then the file
 * $HB_HOME/credentials (NAME=value lines, # comments). The file is refused
 * when anyone but its owner may read or write it. Credentials never travel
 * on argv and are never put into the environment by hb. */
#ifndef HB_CREDENTIALS_H
#define HB_CREDENTIALS_H

#include "hb/error.h"

typedef struct hb_credentials hb_credentials;

/* Reads the file at path (NULL: $HB_HOME/credentials). A missing file is
 * not an error (the environment may hold everything). HB_EUSAGE when the
 * file is group- or world-accessible ("chmod 600 ...") or a line is not
 * NAME=value (the message names the line number, never its text). */
hb_status hb_credentials_load(const char *path, hb_credentials **out, hb_err *e);

/* Forgets the values (their memory is wiped) and frees. NULL is fine. */
void hb_credentials_free(hb_credentials *c);

/* The hb_services_config getvar callback for the live target: the
 * environment variable when set and non-empty, else the file's value, else
 * NULL. ud is the hb_credentials (may be NULL: environment only). */
const char *hb_credentials_getvar(void *ud, const char *name);

#endif
