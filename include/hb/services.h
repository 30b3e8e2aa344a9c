/* The service bindings' C side: Zendesk, GitLab, Zuora and Salesforce over
 * the HTTP transport (http.h), with per-service auth, retries, uniform
 * errors, dry run, forbid rules, redaction and an audit event for every
 * call. The intent-level operations live in stdlib/<service>.lua and reach
 * this through services_lua.c (hbi.request).
 *
 * Variables read through cfg->getvar (never setenv):
 *   ZENDESK_URL + (ZENDESK_EMAIL + ZENDESK_API_TOKEN | ZENDESK_OAUTH_TOKEN)
 *   GITLAB_URL GITLAB_TOKEN
 *   ZUORA_URL ZUORA_CLIENT_ID ZUORA_CLIENT_SECRET [ZUORA_API_VERSION]
 *   SALESFORCE_URL SALESFORCE_CLIENT_ID SALESFORCE_CLIENT_SECRET
 * *_URL carry no API suffix; https://, or http:// to loopback only.
 * ZENDESK_WEB_URL, GITLAB_WEB_URL (optional): where links for people point.
 * Process environment: HB_HTTP_* (http.h), HB_AUDIT_BODY_MAX_KB (64). */
#ifndef HB_SERVICES_H
#define HB_SERVICES_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "hb/clock.h"
#include "hb/error.h"

/* Where the bindings' audit events go. The engine implements it for a run
 * step; `hb call` for its one-step run; tests may leave both NULL. */
typedef struct hb_service_audit {
    void *ud;
    /* Appends one audit event of `type` ("intent" | "api_call") with this
       data to the current run (the engine adds run, step, actor) in a
       transaction of its own. */
    hb_status (*event)(void *ud, const char *type, const cJSON *data, hb_err *e);
    /* Stores a redacted, size-capped body; writes its sha256 digest. The
       bindings redact and cap before calling: the sink stores as given. */
    hb_status (*body)(void *ud, const char *content, size_t len, char digest[65], hb_err *e);
} hb_service_audit;

/* hb backtest: a run replayed against what an earlier run recorded. Every
 * request is put to `answer` instead of the network: a read it has no
 * recording of fails (the source remembers why the run cannot be
 * replayed), a write it has none of is planned as in a dry run. Nothing
 * is ever sent, no token is fetched, and credentials it lacks are stood
 * in for (services_replay.c), so a pipeline needs none. */
typedef struct hb_replay_query {
    const char *service;
    const char *op;
    const char *method;
    const char *path; /* path and query below the origin, redacted as audited */
    const char *body; /* the request body, redacted and capped as audited; or NULL */
    bool write;
} hb_replay_query;

typedef struct hb_service_replay {
    void *ud;
    /* HB_OK with the recorded reply's status and body (newly allocated, NULL
     * when it had none); HB_EFAILED when nothing recorded answers q. */
    hb_status (*answer)(void *ud, const hb_replay_query *q, long *status, char **body);
    /* Variables as the recorded run had them where known (web links end up
     * in bodies); NULL for the rest, which get stand-ins. May be NULL. */
    const char *(*getvar)(void *ud, const char *name);
} hb_service_replay;

typedef struct hb_services_config {
    /* Credentials and URLs by name. Live target: hb_credentials_getvar
       (credentials.h). Sandbox: the sandbox's variables. */
    const char *(*getvar)(void *ud, const char *name);
    void *getvar_ud;
    bool dry_run;              /* writes are recorded as planned, not sent */
    const char *const *forbid; /* NULL-terminated op or capability names; may be NULL */
    /* The services the workflow declares (NULL-terminated): a request to
     * any other is refused. NULL only where no workflow is involved (tests
     * of the transport): every service then. */
    const char *const *uses;
    const char *workflow; /* named in forbid messages; may be NULL */
    hb_service_audit audit;
    /* The run's clock, for the time an exactly-once search starts from;
     * NULL: HB_NOW, else the wall clock. Must outlive the hb_services. */
    const hb_clock *clock;
    /* Told before each wait between two attempts of one call, for a person
     * watching ("zendesk 429, attempt 2/5 in 4 s"); NULL: nobody. The
     * attempts themselves are audited (api_call), this is not. */
    void (*progress)(void *ud, const char *message);
    void *progress_ud;
    /* hb backtest: answers instead of the network (above); NULL: none. It
     * replaces getvar. Must outlive the hb_services. */
    const hb_service_replay *replay;
} hb_services_config;

typedef struct hb_services hb_services;

/* Reads the HB_HTTP_* limits; services are connected lazily, on first use,
 * so a workflow needs credentials only for the services it calls. NULL with
 * e set (HB_EUSAGE) on a bad setting. The config is copied; the strings it
 * points to (forbid, workflow) must outlive the hb_services. */
hb_services *hb_services_new(const hb_services_config *cfg, hb_err *e);
void hb_services_free(hb_services *s);

/* One request of a binding operation. What it may do is the operation's
 * (service_table.h): hb_services_call refuses an operation it does not
 * know, another service's, a service outside `uses`, a method or a write's
 * path the operation does not use; whether it writes, may be repeated and
 * what it exercises for `forbid` follow from the table and the body, never
 * from the caller. */
typedef struct hb_service_request {
    const char *service; /* "zendesk" ...: must be op's; may be NULL */
    const char *op;      /* "zendesk.tickets.update": service_table.h */
    const char *method;  /* GET POST PUT PATCH DELETE */
    /* Path below the service's URL ("/api/v2/tickets/1.json"), or an
       absolute next-page URL, which must have the service's origin. */
    const char *path;
    const char *query;  /* encoded query without '?', appended; may be NULL */
    const cJSON *body;  /* JSON body; may be NULL */
    const char *form;   /* form-encoded body instead of JSON; may be NULL */
    const char *object; /* "zendesk:ticket:123": what a write changes; may be NULL */
    /* The run/step marker a non-idempotent write carries in the object it
       creates (hb_services_next_marker); recorded in its intent and
       api_call events. May be NULL. */
    const char *marker;
    /* Capability names this call exercises ("zendesk.public_reply"),
       NULL-terminated; may be NULL. hb adds some itself (a Zendesk body with
       a public comment is a public reply whatever the operation). */
    const char *const *capabilities;
} hb_service_request;

typedef struct hb_service_response {
    long status;    /* HTTP status of the final attempt; 0 when none */
    cJSON *body;    /* parsed JSON body; NULL when empty (204) or planned */
    cJSON *headers; /* lower-case name -> value of the final response */
    bool planned;   /* dry run: the write was recorded, not sent */
    /* On HB_EFAILED from the service: {service, status, code, message,
       details, request_id}; code is a string, details any JSON or null. */
    cJSON *error;
} hb_service_response;

void hb_service_response_free(hb_service_response *r);

/* One operation: the table's checks, forbid, intent (writes), auth, the
 * exchange with retries, an api_call event per attempt, the uniform error.
 *  HB_OK        the service did it (or, dry run, the write is planned);
 *  HB_EFAILED   the service refused or could not be reached: out->error
 *               holds the uniform error, e->msg a one-line summary; a
 *               forbidden operation, or a service outside `uses`, also
 *               returns HB_EFAILED, with no out->error and nothing sent;
 *  HB_EUSAGE    missing credentials, a bad URL, or a request its operation
 *               does not allow (unknown, another service's, a method or a
 *               write's path it does not use);
 *  HB_EINTERNAL the audit sink failed (nothing more may be sent).
 * No message or error value ever holds a secret. */
hb_status hb_services_call(hb_services *s, const hb_service_request *req, hb_service_response *out,
                           hb_err *e);

/* Checks that a service is configured (its URL and credentials), sending
 * nothing: HB_EUSAGE naming what is missing, as a call would fail. Lets a
 * caller refuse before it records anything. */
hb_status hb_services_check(hb_services *s, const char *service, hb_err *e);

/* Where a service's web pages are, for links people follow (a ticket's
 * agent page, an issue): <SERVICE>_WEB_URL when set (the sandbox sets it
 * to its stable public URL), else <SERVICE>_URL; without a trailing '/'.
 * Newly allocated; NULL when neither is set or usable. */
char *hb_services_web_base(hb_services *s, const char *service);

/* The value of `forbid` that refuses req (by its operation, or by a
 * capability it would exercise: "<service>.write" for any write,
 * "<service>.delete" for an HTTP DELETE, "zendesk.public_reply" for a
 * Zendesk write carrying a comment the customer sees), or NULL. */
const char *hb_services_forbidden_by(const hb_services *s, const hb_service_request *req);

/* Exactly-once writes. A non-idempotent write (a created issue, note or
 * comment) carries a marker hb:<run>:<step>:<visit>:<n>: visit counts the
 * run's entries into the step by transitions (so a loop back to a step gets
 * new markers; engine_once.c says what continues a visit), n the step's
 * marked writes in this execution, reset when it starts. A step re-entered
 * (after a crash, a failure, or by a task's next attempt) runs the same
 * code, so its n-th write gets the marker its earlier execution gave the
 * n-th write.
 *
 * The engine calls hb_services_begin_step at every step start, and on
 * re-entry hands over, as `pending`, every marker the run's audit trail
 * shows an intent for (object: marker -> RFC 3339 time of the intent), to
 * which each intent recorded since adds its own (a task's next attempt, an
 * on_error path back to the step):
 * the binding looks for such a change by listing before it writes again.
 * Without begin_step (hb call) writes carry no marker. */
void hb_services_begin_step(hb_services *s, const char *run, const char *step, long visit);
void hb_services_set_pending(hb_services *s, const cJSON *pending);
/* The next marker of this step execution into out, or false when no step
 * is set. *pending_since: NULL, or the time of the recorded intent with
 * this marker (the write may have happened). */
bool hb_services_next_marker(hb_services *s, char *out, size_t cap, const char **pending_since);
/* Audits the key of an object a write created, known only from the reply
 * (a GitLab issue's iid): a `created` event {service, op, object: created,
 * in: the write's object}, so `hb audit show --object`
 * finds it by its own key. */
hb_status hb_services_audit_created(hb_services *s, const char *service, const char *op,
                                    const char *in, const char *created, hb_err *e);
/* Audits a change found (by its marker) instead of written again: a
 * `note` event {kind: "reconciled", service, op, object, marker, found}. */
hb_status hb_services_audit_reconciled(hb_services *s, const char *service, const char *op,
                                       const char *object, const char *marker, const char *found,
                                       hb_err *e);

/* A small table of variables for getvar when they do not come from the
 * environment (the sandbox's URLs and credentials): never setenv. Values
 * are wiped when freed. */
typedef struct hb_service_vars hb_service_vars;
hb_service_vars *hb_service_vars_new(void);
void hb_service_vars_free(hb_service_vars *v);
void hb_service_vars_set(hb_service_vars *v, const char *name, const char *value);
/* Same, shaped as hb_sandbox_each_var's callback (ud is the table). */
void hb_service_vars_set_cb(const char *name, const char *value, void *ud);
/* The getvar callback: ud is the table. */
const char *hb_service_vars_get(void *ud, const char *name);

/* Registers hbi.request, hbi.escape and hbi.service_error in the host's
 * stdlib environment, bound to s (kept in the Lua registry; s must outlive
 * the state's use of them). services_lua.c documents the Lua contract. */
typedef struct hb_lua hb_lua;
hb_status hb_services_open_lua(hb_services *s, hb_lua *h, hb_err *e);

/* The status of the last hbi.request that raised instead of returning
 * (HB_EUSAGE configuration, HB_EFAILED forbidden, HB_EINTERNAL / HB_EBUSY
 * the audit store), HB_OK when none did: lets the embedder pick the exit
 * code for a raised message. */
hb_status hb_services_lua_last_status(hb_lua *h);

/* Whether a service call made through h since the last take failed as an
 * outage (not reached, 408, 429 or 5xx after the transport's own retries),
 * as opposed to a refusal; clears it. What retry.on = "outage" asks. */
bool hb_services_lua_take_outage(hb_lua *h);

#endif
