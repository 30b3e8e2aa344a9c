/* The hash-chained audit trail (README "Where state lives, and the audit
 * trail"). One chain per store; hash = sha256_hex(prev || canonical JSON of
 * {seq, run, ts, type, step, actor, data}). */
#ifndef HB_AUDIT_H
#define HB_AUDIT_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "hb/store.h"

/* Appends one event. Must run inside a transaction the caller began (so an
 * event commits together with the state change it records). data may be
 * NULL ({}); step may be NULL. ts is taken from the store's clock. */
hb_status hb_audit_append(hb_store *s, const char *run, const char *type, const char *step,
                          const char *actor, const cJSON *data, hb_audit_event *out, hb_err *e);

/* The same in a transaction of its own. */
hb_status hb_audit_append_tx(hb_store *s, const char *run, const char *type, const char *step,
                             const char *actor, const cJSON *data, hb_err *e);

/* Computes an event's hash from its fields (prev included). */
hb_status hb_audit_hash(const hb_audit_event *ev, char out[65], hb_err *e);

/* Stores a body (request or response) by its sha256 and returns the digest. */
hb_status hb_audit_put_body(hb_store *s, const char *content, size_t len, char digest[65],
                            hb_err *e);

/* Walks the whole chain. HB_OK when intact; HB_EFAILED with e naming the
 * first bad event (edited, removed, reordered) or a head mismatch. head may
 * be NULL or "SEQ:HASH" as printed by hb_audit_head. */
hb_status hb_audit_verify(hb_store *s, const char *head, int64_t *events_checked, hb_err *e);

/* hb_audit_verify that also reports, when the chain is intact, the head it
 * verified ("SEQ:HASH", "0:000…0" when empty) in verified_head (may be
 * NULL): reading the head separately could see a newer event. */
hb_status hb_audit_verify_and_head(hb_store *s, const char *head, int64_t *events_checked,
                                   char verified_head[96], hb_err *e);

/* "SEQ:HASH" of the last event ("0:000…0" for an empty chain). */
hb_status hb_audit_head(hb_store *s, char out[96], hb_err *e);

/* A one-line summary of an event's data for people, e.g. for api_call
 * "GET zendesk /api/v2/tickets/1 → 200 (34 ms)", for a transition
 * "ask → done [yes]". Newly allocated; never NULL. */
char *hb_audit_summary(const hb_audit_event *ev);

/* What a write's request body (JSON, as stored) changes, in words:
 * "internal note \"Thanks\"; status = pending", "tags = a, b". NULL when
 * the body is not a JSON object or names nothing. Newly allocated. */
char *hb_audit_change_text(const char *body);

#endif
