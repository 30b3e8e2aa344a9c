/* The scripted loopback peer (see http_peer.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "hb/util.h"
#include "http_peer.h"
#include "test_support.h"

typedef struct canned {
    char *method;
    char *path;
    int status;
    char *headers;
    char *body;
    size_t body_len;
    int delay_ms;
    struct canned *next;
} canned;

struct hbt_peer {
    struct MHD_Daemon *daemon;
    char url[64];
    pthread_mutex_t lock;
    canned *replies; /* in the order queued */
    hbt_request **log;
    size_t nlog;
};

/* One request while it is being received. */
typedef struct pending {
    bool started;
    char *uri;
    hb_buf body;
} pending;

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *con)
{
    (void)cls;
    (void)con;
    pending *pd = hb_xcalloc(1, sizeof *pd);
    pd->uri = hb_xstrdup(uri);
    hb_buf_init(&pd->body);
    return pd;
}

static void on_completed(void *cls, struct MHD_Connection *con, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)con;
    (void)toe;
    pending *pd = *req_cls;
    if (!pd)
        return;
    free(pd->uri);
    hb_buf_free(&pd->body);
    free(pd);
    *req_cls = NULL;
}

/* Keeps %2F as sent: the handler sees the raw path. */
static size_t keep_raw(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s);
}

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    (void)kind;
    char *lower = hb_xstrdup(key);
    for (char *p = lower; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    cJSON_AddStringToObject(cls, lower, value ? value : "");
    free(lower);
    return MHD_YES;
}

static bool path_matches(const canned *c, const hbt_request *r)
{
    if (strcmp(c->method, r->method) != 0)
        return false;
    return strchr(c->path, '?') ? !strcmp(c->path, r->uri) : !strcmp(c->path, r->path);
}

static bool same_key(const canned *a, const canned *b)
{
    return !strcmp(a->method, b->method) && !strcmp(a->path, b->path);
}

/* Finds the reply for r and copies what to send into *out. A reply keyed by
 * the whole URI wins over one keyed by the path; a reply is consumed unless
 * it is the last queued for its key. Called with the lock held. */
static bool take_reply(hbt_peer *p, const hbt_request *r, canned *out)
{
    canned **slot = NULL;
    for (int pass = 0; pass < 2 && !slot; pass++)
        for (canned **c = &p->replies; *c; c = &(*c)->next)
            if ((strchr((*c)->path, '?') != NULL) == (pass == 0) && path_matches(*c, r)) {
                slot = c;
                break;
            }
    if (!slot)
        return false;
    canned *found = *slot;
    out->status = found->status;
    out->delay_ms = found->delay_ms;
    out->headers = found->headers ? hb_xstrdup(found->headers) : NULL;
    out->body = hb_xstrndup(found->body, found->body_len);
    out->body_len = found->body_len;
    for (canned *c = found->next; c; c = c->next)
        if (same_key(c, found)) {
            *slot = found->next;
            free(found->method);
            free(found->path);
            free(found->headers);
            free(found->body);
            free(found);
            break;
        }
    return true;
}

static void canned_free(canned *c)
{
    free(c->method);
    free(c->path);
    free(c->headers);
    free(c->body);
    free(c);
}

static void add_reply_headers(struct MHD_Response *resp, const char *headers)
{
    if (!headers)
        return;
    char *copy = hb_xstrdup(headers);
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        char *v = colon + 1;
        while (*v == ' ')
            v++;
        MHD_add_response_header(resp, line, v);
    }
    free(copy);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    (void)url;
    (void)version;
    hbt_peer *p = cls;
    pending *pd = *req_cls;
    if (!pd->started) {
        pd->started = true;
        return MHD_YES;
    }
    if (*upload_data_size) {
        hb_buf_append(&pd->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    hbt_request *r = hb_xcalloc(1, sizeof *r);
    r->method = hb_xstrdup(method);
    r->uri = hb_xstrdup(pd->uri);
    char *q = strchr(pd->uri, '?');
    r->path = q ? hb_xstrndup(pd->uri, (size_t)(q - pd->uri)) : hb_xstrdup(pd->uri);
    r->query = hb_xstrdup(q ? q + 1 : "");
    r->headers = cJSON_CreateObject();
    MHD_get_connection_values(con, MHD_HEADER_KIND, collect_header, r->headers);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
        r->client_port = ntohs(((const struct sockaddr_in *)ci->client_addr)->sin_port);
    r->body_len = pd->body.len;
    r->body = hb_xstrndup(pd->body.data ? pd->body.data : "", pd->body.len);

    pthread_mutex_lock(&p->lock);
    p->log = hb_xrealloc(p->log, (p->nlog + 1) * sizeof *p->log);
    p->log[p->nlog++] = r;
    canned reply = {0};
    bool found = take_reply(p, r, &reply);
    pthread_mutex_unlock(&p->lock);
    if (!found) {
        reply.status = 404;
        reply.body = hb_xstrdup("{\"error\":\"no canned reply\"}");
        reply.body_len = strlen(reply.body);
    }

    if (reply.delay_ms > 0)
        usleep((useconds_t)reply.delay_ms * 1000);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(reply.body_len, reply.body, MHD_RESPMEM_MUST_COPY);
    add_reply_headers(resp, reply.headers);
    enum MHD_Result ok = MHD_queue_response(con, (unsigned)reply.status, resp);
    MHD_destroy_response(resp);
    free(reply.headers);
    free(reply.body);
    return ok;
}

hbt_peer *hbt_peer_start(void)
{
    hbt_peer *p = hb_xcalloc(1, sizeof *p);
    pthread_mutex_init(&p->lock, NULL);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    p->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
                                 NULL, NULL, on_request, p, MHD_OPTION_SOCK_ADDR,
                                 (struct sockaddr *)&addr, MHD_OPTION_URI_LOG_CALLBACK, on_uri,
                                 NULL, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
                                 MHD_OPTION_UNESCAPE_CALLBACK, keep_raw, NULL, MHD_OPTION_END);
    if (!p->daemon)
        fail_msg("cannot start the test HTTP peer");
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(p->daemon, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(p->url, sizeof p->url, "http://127.0.0.1:%u", (unsigned)info->port);
    return p;
}

void hbt_peer_stop(hbt_peer *p)
{
    if (!p)
        return;
    MHD_stop_daemon(p->daemon);
    for (canned *c = p->replies, *next; c; c = next) {
        next = c->next;
        canned_free(c);
    }
    for (size_t i = 0; i < p->nlog; i++) {
        hbt_request *r = p->log[i];
        free(r->method);
        free(r->uri);
        free(r->path);
        free(r->query);
        free(r->body);
        cJSON_Delete(r->headers);
        free(r);
    }
    free(p->log);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

const char *hbt_peer_url(const hbt_peer *p)
{
    return p->url;
}

void hbt_peer_reply_ex(hbt_peer *p, const char *method, const char *path, const hbt_reply *r)
{
    canned *c = hb_xcalloc(1, sizeof *c);
    c->method = hb_xstrdup(method);
    c->path = hb_xstrdup(path);
    c->status = r->status;
    c->headers = r->headers ? hb_xstrdup(r->headers) : NULL;
    c->body_len = r->body ? (r->body_len ? r->body_len : strlen(r->body)) : 0;
    c->body = hb_xstrndup(r->body ? r->body : "", c->body_len);
    c->delay_ms = r->delay_ms;
    pthread_mutex_lock(&p->lock);
    canned **tail = &p->replies;
    while (*tail)
        tail = &(*tail)->next;
    *tail = c;
    pthread_mutex_unlock(&p->lock);
}

void hbt_peer_reply(hbt_peer *p, const char *method, const char *path, int status,
                    const char *headers, const char *body)
{
    hbt_reply r = {.status = status, .headers = headers, .body = body};
    hbt_peer_reply_ex(p, method, path, &r);
}

size_t hbt_peer_nrequests(hbt_peer *p)
{
    pthread_mutex_lock(&p->lock);
    size_t n = p->nlog;
    pthread_mutex_unlock(&p->lock);
    return n;
}

const hbt_request *hbt_peer_request(hbt_peer *p, size_t i)
{
    pthread_mutex_lock(&p->lock);
    const hbt_request *r = i < p->nlog ? p->log[i] : NULL;
    pthread_mutex_unlock(&p->lock);
    if (!r)
        fail_msg("the peer received no request #%zu", i);
    return r;
}

size_t hbt_peer_count(hbt_peer *p, const char *method, const char *path)
{
    size_t n = 0;
    pthread_mutex_lock(&p->lock);
    for (size_t i = 0; i < p->nlog; i++)
        if ((!method || !strcmp(p->log[i]->method, method)) && !strcmp(p->log[i]->path, path))
            n++;
    pthread_mutex_unlock(&p->lock);
    return n;
}

const char *hbt_request_header(const hbt_request *r, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->headers, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int hbt_closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &len) != 0)
        fail_msg("cannot find a free port");
    int port = ntohs(addr.sin_port);
    close(fd);
    return port;
}
