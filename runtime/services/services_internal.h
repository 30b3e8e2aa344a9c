/* Shared by the service binding files: services.c (the call and its
 * retries), services_auth.c (credentials, tokens), services_errors.c (the
 * uniform error), services_audit.c (intent and api_call events),
 * services_once.c (exactly-once markers) and services_lua.c (the bridge to
 * Lua, which reads the run's clock). */
#ifndef HB_SERVICES_INTERNAL_H
#define HB_SERVICES_INTERNAL_H

#include <stdint.h>

#include "hb/clock.h"
#include "hb/http.h"
#include "hb/redact.h"
#include "hb/service_table.h"
#include "hb/services.h"

typedef struct svc_conn {
    const hb_service_def *def;
    const char *name;
    bool ready;               /* credentials resolved and checked */
    char *url;                /* *_URL without a trailing '/' */
    char *api_base;           /* where API calls go: url, or Salesforce's instance_url */
    hb_http *http;            /* one handle, one kept-alive connection */
    char *auth_header;        /* a secret: never logged */
    hb_time_us token_expires; /* wall clock; 0 = until refused */
    char *client_id;
    char *client_secret;
    char *version_header; /* Zuora-Version */
} svc_conn;

struct hb_services {
    hb_services_config cfg;
    hb_http_limits limits;
    size_t body_max; /* HB_AUDIT_BODY_MAX_KB */
    hb_secrets *secrets;
    svc_conn *conns; /* one per hb_service_defs entry */
    unsigned int rng;
    char user_agent[64];
    char *marker_prefix; /* "hb:<run>:<step>:<visit>", NULL outside a step */
    long marker_count;   /* marked writes in this step execution */
    cJSON *pending;      /* marker -> intent time, from an interrupted execution */
};

/* One exchange as the retry loop and the audit see it. */
typedef struct svc_call {
    svc_conn *conn;
    const char *op;
    const char *method;
    char *url;        /* absolute */
    char *audit_path; /* path + query, redacted */
    const char *body; /* serialized request body or NULL */
    size_t body_len;
    const char *content_type;
    bool write;
    bool idempotent;
    bool token_fetch; /* no auth header; no re-auth on 401 */
    const char *object;
    const char *marker;
    char request_digest[65]; /* "" when no body was stored */
} svc_call;

/* What the retry loop ended with, for the uniform error. */
typedef struct svc_outcome {
    int attempts;
    char gave_up[200]; /* why retrying stopped early, or "" */
} svc_outcome;

/* services.c */
hb_status svc_exchange(hb_services *s, svc_call *k, hb_http_response *resp, svc_outcome *oc,
                       hb_err *e);

/* services_auth.c */
hb_status svc_prepare(hb_services *s, svc_conn *c, hb_err *e);
/* Makes sure an OAuth service holds a usable token (fetching one when it
 * has none or it expired). On a refused fetch: HB_EFAILED with *error set. */
hb_status svc_ensure_token(hb_services *s, svc_conn *c, bool force, cJSON **error, hb_err *e);
bool svc_uses_oauth(const svc_conn *c);
void svc_conn_free(svc_conn *c);

/* services_errors.c */
cJSON *svc_error_from_response(const hb_services *s, const char *service, const hb_http_response *r,
                               const cJSON *body);
cJSON *svc_error_transport(const hb_services *s, const char *service, const hb_http_response *r);
cJSON *svc_error_make(const char *service, long status, const char *code, const char *message,
                      cJSON *details, const char *request_id);
/* Zuora answers HTTP 200 with success:false: true when body says so. */
bool svc_body_says_failure(const cJSON *body);
const char *svc_request_id(const hb_http_response *r, const cJSON *body);
/* -1 when the service did not say. */
long long svc_ratelimit_remaining(const hb_http_response *r);
/* "zendesk answered 404 RecordNotFound: Not found" into e. */
hb_status svc_error_to_err(const cJSON *error, const char *op, hb_err *e);

/* services_replay.c: hb backtest (hb_service_replay). The getvar of a
 * replay (ud: the hb_service_replay): its variables, else stand-ins. */
const char *svc_replay_getvar(void *ud, const char *name);
/* Answers k from the recording into resp (HB_OK a reply, HB_EFAILED none
 * or a recorded failure), or, a write nobody recorded, sets *planned. */
hb_status svc_replay_exchange(hb_services *s, const svc_call *k, hb_http_response *resp,
                              bool *planned);

/* services_audit.c */
hb_status svc_audit_body(hb_services *s, const char *body, size_t len, char digest[65], hb_err *e);
hb_status svc_audit_intent(hb_services *s, const svc_call *k, hb_err *e);
/* services_once.c: an intent with this marker is recorded; from now on the
 * marker is pending (a later execution of the step looks for its write). */
void svc_once_intended(hb_services *s, const char *marker);
hb_status svc_audit_api_call(hb_services *s, const svc_call *k, const hb_http_response *r,
                             int attempt, double ms, hb_err *e);

#endif
