/* Helpers for the cmocka tests: scratch folders and the hb binary. */
#ifndef HB_TEST_SUPPORT_H
#define HB_TEST_SUPPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

/* A fresh folder under $TMPDIR (or /tmp), newly allocated. */
char *hbt_tempdir(void);
/* rm -rf of a folder made by hbt_tempdir. */
void hbt_rmtree(const char *path);
/* Writes a file (creating it), aborting the test on failure. */
void hbt_write(const char *path, const char *text);
/* setenv / unsetenv of an HB_* setting, after which hb reads its settings
 * again: it reads them once (hb/settings.h), as a command does at start. */
void hbt_setenv(const char *name, const char *value);
void hbt_unsetenv(const char *name);

#endif
