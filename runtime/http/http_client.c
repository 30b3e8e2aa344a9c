/* One libcurl easy handle per service: the handle keeps its connection
 * alive between calls. Policy that must never vary per call (TLS checks,
 * protocols, no redirects, the size cap) is set once when the handle is
 * made; per-call options are reset on every exchange. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "hb/http.h"

struct hb_http {
    CURL *curl;
    hb_http_limits limits;
    char errbuf[CURL_ERROR_SIZE];
};

/* Per-exchange state the callbacks fill. */
typedef struct exchange {
    hb_http_response *out;
    size_t max;
    bool too_large;
} exchange;

/* curl_global_init is not thread-safe and must run once per process before
 * any handle exists: runs on threads of one process (a worker) may open
 * their first handles at the same moment. */
static pthread_once_t curl_ready = PTHREAD_ONCE_INIT;

static void curl_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void global_init_once(void)
{
    pthread_once(&curl_ready, curl_init);
}

void hb_http_response_init(hb_http_response *r)
{
    memset(r, 0, sizeof *r);
    hb_buf_init(&r->body);
    r->headers = cJSON_CreateObject();
}

void hb_http_response_free(hb_http_response *r)
{
    hb_buf_free(&r->body);
    cJSON_Delete(r->headers);
    r->headers = NULL;
}

const char *hb_http_header(const hb_http_response *r, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->headers, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

hb_http *hb_http_new(const hb_http_limits *limits, const char *user_agent)
{
    global_init_once();
    hb_http *h = hb_xcalloc(1, sizeof *h);
    h->limits = *limits;
    h->curl = curl_easy_init();
    if (!h->curl) {
        free(h);
        return NULL;
    }
    CURL *c = h->curl;
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
    curl_easy_setopt(c, CURLOPT_USERAGENT, user_agent);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, limits->connect_timeout_ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, limits->timeout_ms);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)limits->max_response);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    return h;
}

void hb_http_free(hb_http *h)
{
    if (!h)
        return;
    curl_easy_cleanup(h->curl);
    free(h);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    exchange *x = ud;
    size_t n = size * nmemb;
    if (x->out->body.len + n > x->max) {
        x->too_large = true;
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    }
    hb_buf_append(&x->out->body, data, n);
    return n;
}

static void add_header(cJSON *headers, const char *name, size_t name_len, const char *value,
                       size_t value_len)
{
    char *key = hb_xstrndup(name, name_len);
    for (char *p = key; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    char *val = hb_xstrndup(value, value_len);
    cJSON *old = cJSON_GetObjectItemCaseSensitive(headers, key);
    if (cJSON_IsString(old)) {
        char *joined = hb_xasprintf("%s, %s", old->valuestring, val);
        cJSON_ReplaceItemInObjectCaseSensitive(headers, key, cJSON_CreateString(joined));
        free(joined);
    } else {
        cJSON_AddStringToObject(headers, key, val);
    }
    free(key);
    free(val);
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
    exchange *x = ud;
    size_t n = size * nmemb;
    /* A status line starts a new response (after a 100 Continue, say): only
     * the last response's headers count. */
    if (n >= 5 && !memcmp(data, "HTTP/", 5)) {
        cJSON_Delete(x->out->headers);
        x->out->headers = cJSON_CreateObject();
        return n;
    }
    const char *colon = memchr(data, ':', n);
    if (!colon || colon == data)
        return n;
    const char *v = colon + 1;
    const char *end = data + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    add_header(x->out->headers, data, (size_t)(colon - data), v, (size_t)(end - v));
    return n;
}

static void set_method(CURL *c, const hb_http_request *req)
{
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    bool get = !strcmp(req->method, "GET");
    if (get && !req->body)
        return;
    if (!strcmp(req->method, "POST") || req->body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
    }
    if (strcmp(req->method, "POST") != 0)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
}

static hb_http_failure classify(CURL *c, CURLcode rc, bool too_large)
{
    if (too_large || rc == CURLE_FILESIZE_EXCEEDED)
        return HB_HTTP_TOO_LARGE;
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
        return HB_HTTP_NOT_SENT;
    case CURLE_OPERATION_TIMEDOUT: {
        /* No request bytes issued means the timeout struck while connecting. */
        long sent = 0;
        curl_easy_getinfo(c, CURLINFO_REQUEST_SIZE, &sent);
        return sent == 0 ? HB_HTTP_NOT_SENT : HB_HTTP_TIMEOUT;
    }
    default:
        return HB_HTTP_BROKEN;
    }
}

hb_status hb_http_perform(hb_http *h, const hb_http_request *req, hb_http_response *out)
{
    CURL *c = h->curl;
    exchange x = {.out = out, .max = h->limits.max_response};
    struct curl_slist *headers = NULL;
    /* Expect: 100-continue would add a round trip to every large write. */
    headers = curl_slist_append(headers, "Expect:");
    for (const char *const *p = req->headers; p && *p; p++)
        headers = curl_slist_append(headers, *p);

    h->errbuf[0] = '\0';
    curl_easy_setopt(c, CURLOPT_URL, req->url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &x);
    set_method(c, req);
    curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, req->fresh_connection ? 1L : 0L);

    CURLcode rc = curl_easy_perform(c);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(headers);

    if (rc == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
        return HB_OK;
    }
    out->status = 0;
    out->failure = classify(c, rc, x.too_large);
    if (out->failure == HB_HTTP_TOO_LARGE)
        snprintf(out->error, sizeof out->error, "the response is larger than %zu MB",
                 h->limits.max_response / (1024 * 1024));
    else
        snprintf(out->error, sizeof out->error, "%s",
                 h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc));
    return HB_EFAILED;
}
