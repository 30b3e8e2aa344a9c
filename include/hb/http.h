/* The HTTP transport under the service bindings: one libcurl easy handle per
 * service (so keep-alive reuses its connection), TLS verification always on,
 * plain http:// only to loopback, connect and total timeouts, a cap on the
 * response size, no redirects (a redirect could carry credentials to another
 * host). Also the retry arithmetic (Retry-After, backoff with jitter), kept
 * here as pure functions so it can be tested without a peer.
 *
 * Nothing in this file knows about services, credentials or the audit
 * trail; services.c builds on it. */
#ifndef HB_HTTP_H
#define HB_HTTP_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hb/clock.h"
#include "hb/error.h"
#include "hb/util.h"

typedef struct hb_http_limits {
    long connect_timeout_ms; /* HB_HTTP_CONNECT_TIMEOUT_MS, default 10000 */
    long timeout_ms;         /* HB_HTTP_TIMEOUT_MS, default 60000 (whole exchange) */
    size_t max_response;     /* HB_HTTP_MAX_RESPONSE_MB, default 32 (bytes here) */
    int max_attempts;        /* HB_HTTP_MAX_ATTEMPTS, default 5 */
    int64_t max_wait_ms;     /* HB_HTTP_MAX_WAIT_MS, default 120000: all waits together */
    int64_t backoff_base_ms; /* HB_HTTP_BACKOFF_BASE_MS, default 500 */
    int64_t backoff_max_ms;  /* one wait at most; default 30000 */
} hb_http_limits;

/* The settings above (hb/settings.h: their defaults and bounds). HB_EUSAGE
 * naming the variable when one is not understood or out of bounds. */
hb_status hb_http_limits_from_env(hb_http_limits *l, hb_err *e);

/* Why an exchange produced no HTTP response (or an unusable one). The
 * distinction between NOT_SENT and the rest decides whether a write that
 * is not idempotent may be retried. */
typedef enum hb_http_failure {
    HB_HTTP_NO_FAILURE = 0,
    HB_HTTP_NOT_SENT,  /* refused, DNS failure, connect timeout: provably not sent */
    HB_HTTP_TIMEOUT,   /* total timeout after the request may have been sent */
    HB_HTTP_TOO_LARGE, /* the response passed max_response */
    HB_HTTP_BROKEN,    /* any other transport failure (TLS, reset, ...) */
} hb_http_failure;

typedef struct hb_http_request {
    const char *method; /* GET POST PUT PATCH DELETE */
    const char *url;    /* absolute; checked with hb_http_check_url first */
    /* "Name: value" lines, NULL-terminated; may be NULL. */
    const char *const *headers;
    const char *body; /* may be NULL */
    size_t body_len;
    /* A new connection for this exchange. libcurl silently sends a request
     * again when a reused connection dies before answering; for a write
     * that must not repeat, only a fresh connection rules that out. */
    bool fresh_connection;
} hb_http_request;

typedef struct hb_http_response {
    long status;    /* 0 when failure != HB_HTTP_NO_FAILURE */
    hb_buf body;    /* raw body (NUL-terminated) */
    cJSON *headers; /* object: lower-case name -> value (repeats joined by ", ") */
    hb_http_failure failure;
    char error[256]; /* what went wrong on the wire, for messages; never a secret */
} hb_http_response;

void hb_http_response_init(hb_http_response *r);
void hb_http_response_free(hb_http_response *r);
/* A response header's value, or NULL. name is lower-case. */
const char *hb_http_header(const hb_http_response *r, const char *name);

typedef struct hb_http hb_http;

/* user_agent is sent on every request. */
hb_http *hb_http_new(const hb_http_limits *limits, const char *user_agent);
void hb_http_free(hb_http *h);

/* Performs one exchange on the handle's (reused) connection. Fills *out
 * (call hb_http_response_init first). Returns HB_OK whenever an HTTP
 * response arrived, whatever its status; HB_EFAILED with out->failure set
 * otherwise. */
hb_status hb_http_perform(hb_http *h, const hb_http_request *req, hb_http_response *out);

/* URL policy: https://, or http:// to 127.0.0.0/8, ::1 or localhost; no
 * user:password@ part. `what` names the setting in the message
 * ("ZENDESK_URL"). HB_EUSAGE when refused. */
hb_status hb_http_check_url(const char *url, const char *what, hb_err *e);

/* True when url has the same scheme, host and port as base. Used before
 * following a next-page link, so credentials go only where they belong. */
bool hb_http_same_origin(const char *base, const char *url);

/* Percent-encodes a component (RFC 3986 unreserved characters stay). */
char *hb_http_escape(const char *s);

/* Retry-After: delta seconds or an HTTP date. Returns milliseconds to wait
 * from `now_wall` (0 when the date is past), or -1 when absent or unreadable. */
int64_t hb_http_retry_after_ms(const char *value, hb_time_us now_wall);

/* Exponential backoff with jitter for attempt n (1 = first retry): a random
 * wait in [d/2, d] where d = min(base * 2^(n-1), max). `rnd` is any random
 * 32-bit value (callers pass their generator's output, tests a constant). */
int64_t hb_http_backoff_ms(const hb_http_limits *l, int attempt, uint32_t rnd);

/* Sleeps for ms milliseconds (restarting after signals). */
void hb_http_sleep_ms(int64_t ms);

#endif
