/* A scripted HTTP peer on loopback for transport tests (libmicrohttpd):
 * canned replies queued per (method, path) and a log of every request, so
 * tests assert on what was actually sent. Paths are kept raw: %2F stays
 * %2F, as GitLab project paths need. */
#ifndef HB_TEST_HTTP_PEER_H
#define HB_TEST_HTTP_PEER_H

#include <cjson/cJSON.h>
#include <stddef.h>

typedef struct hbt_peer hbt_peer;

typedef struct hbt_reply {
    int status;
    const char *headers; /* "Name: value" lines separated by '\n'; may be NULL */
    const char *body;    /* may be NULL */
    size_t body_len;     /* 0: strlen(body) */
    int delay_ms;        /* wait before answering */
} hbt_reply;

typedef struct hbt_request {
    char *method;
    char *uri;      /* raw path and query as sent */
    char *path;     /* raw path */
    char *query;    /* raw query without '?', or "" */
    cJSON *headers; /* lower-case name -> value */
    char *body;
    size_t body_len;
    int client_port; /* the same port twice: the same (kept-alive) connection */
} hbt_request;

/* Listens on 127.0.0.1 on a free port. */
hbt_peer *hbt_peer_start(void);
void hbt_peer_stop(hbt_peer *p);
/* "http://127.0.0.1:PORT" */
const char *hbt_peer_url(const hbt_peer *p);

/* Queues a reply for method and path. A path with '?' matches the whole raw
 * URI, one without matches the path whatever the query. Replies are used in
 * order; the last one repeats. Unmatched requests get 404. */
void hbt_peer_reply(hbt_peer *p, const char *method, const char *path, int status,
                    const char *headers, const char *body);
void hbt_peer_reply_ex(hbt_peer *p, const char *method, const char *path, const hbt_reply *r);

size_t hbt_peer_nrequests(hbt_peer *p);
/* The i-th request received (0-based); valid until the peer stops. */
const hbt_request *hbt_peer_request(hbt_peer *p, size_t i);
/* Requests with this method (NULL: any) and raw path. */
size_t hbt_peer_count(hbt_peer *p, const char *method, const char *path);
const char *hbt_request_header(const hbt_request *r, const char *name);

/* A loopback port nothing listens on (connections are refused). */
int hbt_closed_port(void);

#endif
