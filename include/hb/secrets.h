/* Every secret this process knows, scrubbed by value from everything hb
 * stores, prints or logs.
 *
 * Redaction by field name (redact.h) misses a secret that sits in a field
 * with an ordinary name: Zuora's token response carries the token again as
 * `jti`, a customer pastes a token into a ticket, a workflow copies one into
 * ctx.vars, a note or an error. So every credential hb is given and every
 * token it obtains is registered here the moment it is known, and the
 * places where data leaves the process scrub every registered value, in
 * whatever field or header it appears:
 *  - error messages (hb_err_set and hb_err_wrap),
 *  - the audit trail and stored bodies (store/audit.c),
 *  - the run row: ctx.vars, answers, events, the wait, the error
 *    (hb_run_scrub, store.c),
 *  - stdout and stderr (hb_secret_guard_stdio, installed by main).
 * A value is registered with its base64 forms (with and without padding),
 * its percent-encoded and its JSON-escaped form. Values shorter than
 * HB_SECRET_MIN_LEN are too common to scrub by value (field names still
 * cover them). Thread-safe. */
#ifndef HB_SECRETS_H
#define HB_SECRETS_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#define HB_SECRET_MIN_LEN  4
#define HB_SECRET_REDACTED "[redacted]"

/* Remembers value (and its encoded forms) for the rest of the process. */
void hb_secret_register(const char *value);

/* True when any registered secret occurs in text. */
bool hb_secret_found(const char *text, size_t len);
/* A newly allocated copy of text with every registered secret replaced by
 * [redacted]; NULL when there is nothing to replace (the text is clean). */
char *hb_secret_scrub(const char *text, size_t len, size_t *out_len);
/* The same in a NUL-terminated buffer of cap bytes, cut to fit. */
void hb_secret_scrub_buffer(char *buf, size_t cap);
/* The same over every string and object key of a JSON tree, in place;
 * true when something was replaced. */
bool hb_secret_scrub_json(cJSON *v);

/* How many bytes at the end of text could be the start of a secret (to be
 * held back until the rest arrives, when text is one piece of a stream). */
size_t hb_secret_partial_tail(const char *text, size_t len);

/* Replaces stdout and stderr by streams that scrub every registered secret
 * from what goes through them (a secret cut across two writes included)
 * and pass the rest to the same file descriptors; what is held back is
 * written at exit. Call once, first thing in main. */
void hb_secret_guard_stdio(void);

#endif
