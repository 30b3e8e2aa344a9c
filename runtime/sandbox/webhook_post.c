/* One webhook attempt: an HTTP/1.1 POST over a plain socket to a loopback
 * receiver. The sandbox layer has no HTTP client of its own (libcurl
 * belongs to http/), and loopback http:// is all a stand-in needs: the
 * sandbox serves only this machine, so it sends only to it too. Every step
 * waits in short slices, so the whole exchange ends by its deadline and at
 * once when the sandbox stops. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hb/clock.h"
#include "webhooks_internal.h"

#define SLICE_MS        100
#define KEPT_BODY_BYTES 512
#define MAX_HEAD_BYTES  65536

void sb_hook_target_free(sb_hook_target *t)
{
    free(t->host);
    free(t->path);
    free(t->host_header);
    memset(t, 0, sizeof *t);
}

static bool is_loopback(const char *host, bool *v6)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, host, &a4) == 1) {
        *v6 = false;
        return (ntohl(a4.s_addr) >> 24) == 127;
    }
    if (inet_pton(AF_INET6, host, &a6) == 1) {
        *v6 = true;
        return IN6_IS_ADDR_LOOPBACK(&a6);
    }
    return false;
}

hb_status sb_hook_target_parse(const char *url, sb_hook_target *out, hb_err *e)
{
    memset(out, 0, sizeof *out);
    if (!hb_str_starts_with(url, "http://"))
        return hb_err_set(e, HB_EUSAGE,
                          "'%s' is not an http:// URL (the sandbox delivers webhooks only to "
                          "this machine, without TLS)",
                          url);
    const char *p = url + 7;
    const char *host_end;
    char *host;
    if (*p == '[') {
        host_end = strchr(p, ']');
        if (!host_end)
            return hb_err_set(e, HB_EUSAGE, "'%s' has an unclosed [ in its host", url);
        host = hb_xstrndup(p + 1, (size_t)(host_end - p - 1));
        host_end++;
    } else {
        host_end = p + strcspn(p, ":/?");
        host = hb_xstrndup(p, (size_t)(host_end - p));
    }
    if (!strcasecmp(host, "localhost")) {
        free(host);
        host = hb_xstrdup("127.0.0.1");
    }
    bool v6 = false;
    if (!is_loopback(host, &v6)) {
        hb_err_set(e, HB_EUSAGE,
                   "'%s' is not on this machine: the sandbox delivers webhooks only to "
                   "loopback addresses (127.0.0.1, ::1 or localhost)",
                   url);
        free(host);
        return HB_EUSAGE;
    }
    /* hb_parse_int wants the whole text: the port ends at the path. */
    int64_t port = 0;
    const char *digits = *host_end == ':' ? host_end + 1 : "";
    char *num = hb_xstrndup(digits, strcspn(digits, "/?"));
    bool ok = hb_parse_int(num, 1, 65535, &port) == HB_INT_OK;
    free(num);
    if (!ok) {
        free(host);
        return hb_err_set(e, HB_EUSAGE, "'%s' needs a port between 1 and 65535", url);
    }
    const char *path = host_end + (*host_end == ':' ? 1 + strcspn(host_end + 1, "/?") : 0);
    out->host = host;
    out->port = (int)port;
    out->v6 = v6;
    out->path = *path == '/' ? hb_xstrdup(path) : hb_xasprintf("/%s", path);
    out->host_header =
        v6 ? hb_xasprintf("[%s]:%d", host, out->port) : hb_xasprintf("%s:%d", host, out->port);
    return HB_OK;
}

typedef struct exchange {
    int fd;
    int64_t deadline_us; /* monotonic */
    atomic_bool *stop;
    sb_hook_result *out;
} exchange;

static void fail(exchange *x, const char *what)
{
    if (!x->out->error[0])
        snprintf(x->out->error, sizeof x->out->error, "%s", what);
}

/* Waits for events on the socket in slices; false (with the reason) on the
 * deadline or a stop. */
static bool wait_for(exchange *x, short events, const char *doing)
{
    for (;;) {
        if (atomic_load(x->stop)) {
            fail(x, "the sandbox stopped");
            return false;
        }
        int64_t left_ms = (x->deadline_us - hb_clock_monotonic_us()) / 1000;
        if (left_ms <= 0) {
            char msg[120];
            snprintf(msg, sizeof msg, "timed out %s", doing);
            fail(x, msg);
            return false;
        }
        struct pollfd pfd = {.fd = x->fd, .events = events};
        int n = poll(&pfd, 1, (int)(left_ms < SLICE_MS ? left_ms : SLICE_MS));
        if (n > 0)
            return true;
        if (n < 0 && errno != EINTR) {
            fail(x, strerror(errno));
            return false;
        }
    }
}

static bool connect_to(exchange *x, const sb_hook_target *t)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t len;
    if (t->v6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)t->port);
        inet_pton(AF_INET6, t->host, &a->sin6_addr);
        len = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)t->port);
        inet_pton(AF_INET, t->host, &a->sin_addr);
        len = sizeof *a;
    }
    x->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (x->fd < 0) {
        fail(x, strerror(errno));
        return false;
    }
    if (connect(x->fd, (struct sockaddr *)&ss, len) == 0)
        return true;
    if (errno != EINPROGRESS) {
        fail(x, strerror(errno));
        return false;
    }
    if (!wait_for(x, POLLOUT, "connecting"))
        return false;
    int err = 0;
    socklen_t elen = sizeof err;
    getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &err, &elen);
    if (err) {
        fail(x, strerror(err));
        return false;
    }
    return true;
}

static bool send_all(exchange *x, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = send(x->fd, data, len, MSG_NOSIGNAL);
        if (n > 0) {
            data += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            fail(x, strerror(errno));
            return false;
        }
        if (!wait_for(x, POLLOUT, "sending"))
            return false;
    }
    return true;
}

/* Reads until the head is complete and then the body as far as
 * Content-Length says (or the close), keeping its first bytes. */
static void read_answer(exchange *x)
{
    hb_buf in;
    hb_buf_init(&in);
    size_t head_len = 0;
    long long content_length = -1;
    for (;;) {
        if (head_len && content_length >= 0 && in.len - head_len >= (size_t)content_length)
            break;
        if (head_len && in.len - head_len >= KEPT_BODY_BYTES)
            break;
        if (!wait_for(x, POLLIN, head_len ? "reading the answer" : "waiting for the answer"))
            break;
        char chunk[4096];
        ssize_t n = recv(x->fd, chunk, sizeof chunk, 0);
        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                continue;
            fail(x, strerror(errno));
            break;
        }
        hb_buf_append(&in, chunk, (size_t)n);
        if (!head_len) {
            char *end = strstr(in.data, "\r\n\r\n");
            if (!end) {
                if (in.len > MAX_HEAD_BYTES) {
                    fail(x, "the answer's head is too large");
                    break;
                }
                continue;
            }
            head_len = (size_t)(end - in.data) + 4;
            int status = 0;
            if (sscanf(in.data, "HTTP/%*d.%*d %d", &status) != 1 || status < 100 || status > 999) {
                fail(x, "the answer is not HTTP");
                break;
            }
            x->out->status = status;
            for (char *line = strstr(in.data, "\r\n"); line && line < end;
                 line = strstr(line + 2, "\r\n")) {
                if (!strncasecmp(line + 2, "Content-Length:", 15))
                    content_length = atoll(line + 17);
            }
        }
    }
    if (head_len && in.len > head_len) {
        size_t keep = in.len - head_len;
        x->out->body =
            hb_xstrndup(in.data + head_len, keep < KEPT_BODY_BYTES ? keep : KEPT_BODY_BYTES);
    }
    if (x->out->status && !head_len)
        x->out->status = 0;
    hb_buf_free(&in);
}

void sb_hook_post(const sb_hook_target *t, const char *const *headers, const char *body,
                  size_t body_len, int64_t timeout_ms, atomic_bool *stop, sb_hook_result *out)
{
    memset(out, 0, sizeof *out);
    exchange x = {.fd = -1,
                  .deadline_us = hb_clock_monotonic_us() + timeout_ms * 1000,
                  .stop = stop,
                  .out = out};
    hb_buf req;
    hb_buf_init(&req);
    hb_buf_printf(&req, "POST %s HTTP/1.1\r\nHost: %s\r\n", t->path, t->host_header);
    for (const char *const *h = headers; h && *h; h++)
        hb_buf_printf(&req, "%s\r\n", *h);
    hb_buf_printf(&req, "Content-Length: %zu\r\nConnection: close\r\n\r\n", body_len);
    hb_buf_append(&req, body, body_len);
    if (connect_to(&x, t) && send_all(&x, req.data, req.len))
        read_answer(&x);
    if (!out->status)
        fail(&x, "no answer");
    else
        out->error[0] = '\0';
    if (x.fd >= 0)
        close(x.fd);
    hb_buf_free(&req);
}
