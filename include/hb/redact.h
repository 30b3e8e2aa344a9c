/* Keeping secrets out of everything hb writes: the audit trail, stored
 * bodies, error messages, stdout and stderr.
 *
 * Two complementary mechanisms:
 *  - by name: JSON keys, form fields and query parameters that name a
 *    secret (access_token, client_secret, password, ..._token, ...) have
 *    their values replaced by "[redacted]";
 *  - by value: every secret hb knows (the credentials it used, their base64
 *    and percent-encoded forms, the tokens services issued to it) is
 *    replaced wherever it occurs, whatever the field is called. */
#ifndef HB_REDACT_H
#define HB_REDACT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "hb/secrets.h"

#define HB_REDACTED HB_SECRET_REDACTED

/* A handle on the process's registry of secrets (hb/secrets.h): what one
 * hb_secrets learns, every scrub in the process removes. */
typedef struct hb_secrets hb_secrets;

hb_secrets *hb_secrets_new(void);
/* Frees the handle; the values stay registered for the process. NULL is
 * fine. */
void hb_secrets_free(hb_secrets *s);
/* Remembers value, its base64 form and its percent-encoded form. Values
 * shorter than 4 bytes are too common to scrub by value; they are still
 * covered by name. */
void hb_secrets_add(hb_secrets *s, const char *value);
/* True when any remembered secret occurs in text. */
bool hb_secrets_found(const hb_secrets *s, const char *text, size_t len);
/* A newly allocated copy of text with every remembered secret replaced. */
char *hb_secrets_scrub(const hb_secrets *s, const char *text, size_t len, size_t *out_len);
/* The same, in place, over every string (and object key) in a JSON tree. */
void hb_secrets_scrub_json(const hb_secrets *s, cJSON *v);

/* True when a field of this name holds a secret (case-insensitive). */
bool hb_redact_is_secret_key(const char *key);
/* Replaces the values of secret-named keys in a JSON tree, in place. */
void hb_redact_json_keys(cJSON *v);
/* a=1&client_secret=x -> a=1&client_secret=[redacted] (newly allocated);
 * also used for the query part of a URL or path. */
char *hb_redact_form(const char *form);
/* A path or URL with its query's secret-named parameters redacted and any
 * remembered secret scrubbed (s may be NULL). */
char *hb_redact_path(const hb_secrets *s, const char *path);
/* A body as the audit trail stores it: JSON gets its secret-named keys
 * redacted, a form body its secret-named fields; then remembered secrets are
 * scrubbed and the text is cut to max bytes (with a note saying how much was
 * left out). Newly allocated. */
char *hb_redact_body(const hb_secrets *s, const char *body, size_t len, size_t max,
                     size_t *out_len);

#endif
