/* The sandbox's webhooks, shared by their files: the settings, the queue
 * and its sender thread (webhooks.c), the loopback HTTP POST that delivers
 * one attempt (webhook_post.c), and the events a change of state makes, in
 * each service's payload shape (webhook_zendesk.c, webhook_gitlab.c).
 *
 * Events come from comparing what a request changed: a copy of the watched
 * objects before the handler (sb_webhooks_snapshot) against the state after
 * it (sb_webhooks_emit), so an API write, a patch and whatever handler comes
 * next all send the same events without knowing about webhooks. */
#ifndef HB_SANDBOX_WEBHOOKS_INTERNAL_H
#define HB_SANDBOX_WEBHOOKS_INTERNAL_H

#include <stdatomic.h>

#include "sandbox_internal.h"

/* ---- webhook_post.c: one attempt ---- */

/* Where a subscription delivers: a loopback http:// URL. */
typedef struct sb_hook_target {
    char *host; /* numeric: 127.0.0.1 or ::1 */
    int port;
    char *path; /* with the query, "/" at least */
    char *host_header;
    bool v6;
} sb_hook_target;

/* Parses url: HB_EUSAGE naming what is wrong (not http, not loopback, no
 * port). */
hb_status sb_hook_target_parse(const char *url, sb_hook_target *out, hb_err *e);
void sb_hook_target_free(sb_hook_target *t);

typedef struct sb_hook_result {
    int status;      /* the HTTP status, 0 when none came back */
    char error[160]; /* why none came back, "" otherwise */
    char *body;      /* the start of the answer's body, or NULL */
} sb_hook_result;

/* POSTs body with the header lines ("Name: value") to the target, giving
 * up after timeout_ms in all or as soon as *stop is set. */
void sb_hook_post(const sb_hook_target *t, const char *const *headers, const char *body,
                  size_t body_len, int64_t timeout_ms, atomic_bool *stop, sb_hook_result *out);

/* ---- events (webhook_zendesk.c, webhook_gitlab.c) ---- */

typedef struct sb_hook_event {
    sb_service service; /* SB_ZENDESK or SB_GITLAB */
    char *kind;         /* zen:event-type:ticket.… or "Issue Hook", "Note Hook" */
    cJSON *payload;     /* the body */
} sb_hook_event;

typedef struct sb_hook_events {
    sb_hook_event *items;
    size_t n;
} sb_hook_events;

/* A random (version 4) UUID, for the ids in payloads and headers. */
void sb_hook_uuid(char out[37]);

/* Takes payload. */
void sb_hook_events_add(sb_hook_events *ev, sb_service service, const char *kind, cJSON *payload);
void sb_hook_events_free(sb_hook_events *ev);

/* What a change came through: the API (its user acted) or a patch (the
 * objects say who: a comment's author, an issue's closed_by_id). */
typedef struct sb_hook_origin {
    bool api;
    const char *base_url; /* the sandbox's own URL */
    const char *web_url;  /* where links point */
} sb_hook_origin;

/* Zendesk's event-subscribed ticket events, in the order they happened:
 * ticket.created for a new ticket, else comment_added (one per new
 * comment), status_changed and tags_changed. before is the zendesk.tickets
 * list before the change. Call holding the state (times are sb_now's). */
void sb_zd_hook_events(const cJSON *data, const cJSON *before, const sb_hook_origin *o,
                       sb_hook_events *out);

/* GitLab's Issue Hook (open, close, reopen, update) and Note Hook (a new
 * note that is not a system note) for the issues of every project. before
 * is the gitlab.projects list before the change. */
void sb_gl_hook_events(const cJSON *data, const cJSON *before, const sb_hook_origin *o,
                       sb_hook_events *out);

/* ---- webhooks.c: used by the dispatcher and the in-process patch ---- */

typedef struct sb_webhooks sb_webhooks;

/* Reads the settings (HB_SANDBOX_*_WEBHOOK_*) and starts the sender when a
 * URL is set; HB_EUSAGE naming a bad or missing one. */
hb_status sb_webhooks_open(hb_sandbox *sb, hb_err *e);
/* Gives what is queued one last attempt each (within the delivery
 * timeout), stops the sender and frees everything. */
void sb_webhooks_close(hb_sandbox *sb);
/* What the webhooks watch in data, copied, before a change; NULL when no
 * URL is set. Call holding the state. */
cJSON *sb_webhooks_snapshot(hb_sandbox *sb, const cJSON *data);
/* Compares data with before (which it takes; NULL: nothing) and queues one
 * delivery per event. Call holding the state, after the change. */
void sb_webhooks_emit(hb_sandbox *sb, const cJSON *data, cJSON *before, bool api);

#endif
