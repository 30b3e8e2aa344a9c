/* What the transport allows and how long it waits: limits from the
 * environment, the URL rule (TLS except on loopback), origin checks for
 * next-page links, Retry-After and backoff arithmetic. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "hb/http.h"
#include "hb/settings.h"

hb_status hb_http_limits_from_env(hb_http_limits *l, hb_err *e)
{
    int64_t connect_ms, total_ms, max_mb, attempts, wait_ms, base_ms;
    hb_status st;
    if ((st = hb_setting_int("HB_HTTP_CONNECT_TIMEOUT_MS", &connect_ms, e)) != HB_OK ||
        (st = hb_setting_int("HB_HTTP_TIMEOUT_MS", &total_ms, e)) != HB_OK ||
        (st = hb_setting_int("HB_HTTP_MAX_RESPONSE_MB", &max_mb, e)) != HB_OK ||
        (st = hb_setting_int("HB_HTTP_MAX_ATTEMPTS", &attempts, e)) != HB_OK ||
        (st = hb_setting_int("HB_HTTP_MAX_WAIT_MS", &wait_ms, e)) != HB_OK ||
        (st = hb_setting_int("HB_HTTP_BACKOFF_BASE_MS", &base_ms, e)) != HB_OK)
        return st;
    l->connect_timeout_ms = (long)connect_ms;
    l->timeout_ms = (long)total_ms;
    l->max_response = (size_t)max_mb * 1024 * 1024;
    l->max_attempts = (int)attempts;
    l->max_wait_ms = wait_ms;
    l->backoff_base_ms = base_ms;
    l->backoff_max_ms = 30000;
    return HB_OK;
}

static char *url_part(CURLU *u, CURLUPart part, unsigned flags)
{
    char *v = NULL;
    if (curl_url_get(u, part, &v, flags) != CURLUE_OK)
        return NULL;
    char *copy = hb_xstrdup(v);
    curl_free(v);
    return copy;
}

static bool is_loopback_host(const char *host)
{
    if (!strcasecmp(host, "localhost"))
        return true;
    struct in_addr v4;
    if (inet_pton(AF_INET, host, &v4) == 1)
        return (ntohl(v4.s_addr) >> 24) == 127;
    /* curl reports an IPv6 host in brackets. */
    size_t n = strlen(host);
    if (n > 2 && host[0] == '[' && host[n - 1] == ']') {
        char inner[64];
        if (n - 2 >= sizeof inner)
            return false;
        memcpy(inner, host + 1, n - 2);
        inner[n - 2] = '\0';
        struct in6_addr v6;
        return inet_pton(AF_INET6, inner, &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
    }
    return false;
}

hb_status hb_http_check_url(const char *url, const char *what, hb_err *e)
{
    CURLU *u = curl_url();
    if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
        curl_url_cleanup(u);
        return hb_err_set(e, HB_EUSAGE, "%s is not a URL: '%s'", what, url);
    }
    char *scheme = url_part(u, CURLUPART_SCHEME, 0);
    char *host = url_part(u, CURLUPART_HOST, 0);
    char *user = url_part(u, CURLUPART_USER, 0);
    char *password = url_part(u, CURLUPART_PASSWORD, 0);
    curl_url_cleanup(u);
    hb_status st = HB_OK;
    if (user || password)
        /* The URL is not echoed: its user:password part may be a secret. */
        st = hb_err_set(e, HB_EUSAGE,
                        "%s must not carry a user name or password; set the service's "
                        "credential variables instead",
                        what);
    else if (!scheme || !host)
        st = hb_err_set(e, HB_EUSAGE, "%s is not a URL: '%s'", what, url);
    else if (!strcasecmp(scheme, "http") && !is_loopback_host(host))
        st = hb_err_set(e, HB_EUSAGE,
                        "%s uses plain http:// to %s; only loopback addresses (127.0.0.0/8, "
                        "::1, localhost) may be reached without TLS: use https://",
                        what, host);
    else if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0)
        st = hb_err_set(e, HB_EUSAGE, "%s must be an https:// URL, not %s://", what, scheme);
    free(scheme);
    free(host);
    free(user);
    free(password);
    return st;
}

typedef struct origin {
    char *scheme, *host, *port;
} origin;

static bool origin_of(const char *url, origin *o)
{
    memset(o, 0, sizeof *o);
    CURLU *u = curl_url();
    if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
        curl_url_cleanup(u);
        return false;
    }
    o->scheme = url_part(u, CURLUPART_SCHEME, 0);
    o->host = url_part(u, CURLUPART_HOST, 0);
    o->port = url_part(u, CURLUPART_PORT, CURLU_DEFAULT_PORT);
    curl_url_cleanup(u);
    return o->scheme && o->host && o->port;
}

static void origin_free(origin *o)
{
    free(o->scheme);
    free(o->host);
    free(o->port);
}

bool hb_http_same_origin(const char *base, const char *url)
{
    origin a = {0}, b = {0};
    bool ok = origin_of(base, &a) && origin_of(url, &b) && !strcasecmp(a.scheme, b.scheme) &&
              !strcasecmp(a.host, b.host) && !strcmp(a.port, b.port);
    origin_free(&a);
    origin_free(&b);
    return ok;
}

char *hb_http_escape(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    hb_buf b;
    hb_buf_init(&b);
    hb_buf_puts(&b, "");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            hb_buf_putc(&b, (char)*p);
        } else {
            hb_buf_putc(&b, '%');
            hb_buf_putc(&b, hex[*p >> 4]);
            hb_buf_putc(&b, hex[*p & 15]);
        }
    }
    return hb_buf_take(&b);
}

int64_t hb_http_retry_after_ms(const char *value, hb_time_us now_wall)
{
    if (!value)
        return -1;
    while (*value == ' ')
        value++;
    if (!*value)
        return -1;
    if (isdigit((unsigned char)*value)) {
        char *end = NULL;
        errno = 0;
        long long secs = strtoll(value, &end, 10);
        while (end && *end == ' ')
            end++;
        if (errno || (end && *end) || secs < 0)
            return -1;
        if (secs > 86400LL * 365)
            secs = 86400LL * 365;
        return secs * 1000;
    }
    time_t at = curl_getdate(value, NULL);
    if (at == (time_t)-1)
        return -1;
    int64_t delta_ms = (int64_t)at * 1000 - now_wall / 1000;
    return delta_ms > 0 ? delta_ms : 0;
}

int64_t hb_http_backoff_ms(const hb_http_limits *l, int attempt, uint32_t rnd)
{
    int64_t d = l->backoff_base_ms;
    for (int i = 1; i < attempt && d < l->backoff_max_ms; i++)
        d *= 2;
    if (d > l->backoff_max_ms)
        d = l->backoff_max_ms;
    int64_t half = d / 2;
    return half + (int64_t)(rnd % (uint64_t)(d - half + 1));
}

void hb_http_sleep_ms(int64_t ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}
