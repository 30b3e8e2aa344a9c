/* Canonical JSON (RFC 8785, JCS): object keys sorted by their UTF-16 code
 * units, no insignificant whitespace, ECMAScript number and string forms.
 * The audit chain hashes this form, so it must never change. */
#ifndef HB_CANONICAL_JSON_H
#define HB_CANONICAL_JSON_H

#include <cjson/cJSON.h>

#include "hb/error.h"
#include "hb/util.h"

/* Returns a newly allocated string, or NULL with e set (HB_EUSAGE) when the
 * value cannot be represented: NaN, infinity, invalid UTF-8, a duplicate
 * object key or a raw cJSON node. */
char *hb_canonical_json(const cJSON *value, hb_err *e);

/* The same, appended to out. On failure out holds a partial text. */
hb_status hb_canonical_json_append(hb_buf *out, const cJSON *value, hb_err *e);

/* Appends one string as a canonical JSON string literal (quotes included). */
hb_status hb_canonical_json_append_string(hb_buf *out, const char *s, hb_err *e);

/* Appends a number in ECMAScript Number.prototype.toString form. */
hb_status hb_canonical_json_append_number(hb_buf *out, double v, hb_err *e);

#endif
