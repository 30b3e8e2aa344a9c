/* Canonical JSON (RFC 8785, JCS): object keys sorted by their UTF-16 code
 * units, no insignificant whitespace, ECMAScript number and string forms.
 * The audit chain hashes this form, so it must never change. */
#ifndef HB_CANONICAL_JSON_H
#define HB_CANONICAL_JSON_H

#include <cjson/cJSON.h>

#include "hb/error.h"

/* Returns a newly allocated string, or NULL with e set when the value cannot
 * be represented (NaN, infinity, invalid UTF-8). */
char *hb_canonical_json(const cJSON *value, hb_err *e);

#endif
