/* The process's registry of secret values and the scrubbing of them
 * (secrets.h), including the guarded stdout and stderr. */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb/secrets.h"
#include "hb/util.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char **values; /* longest first, so a secret holding another goes whole */
static size_t nvalues;

static void remember_locked(const char *value)
{
    size_t len = strlen(value);
    if (len < HB_SECRET_MIN_LEN)
        return;
    for (size_t i = 0; i < nvalues; i++)
        if (!strcmp(values[i], value))
            return;
    values = hb_xrealloc(values, (nvalues + 1) * sizeof *values);
    size_t at = nvalues;
    while (at > 0 && strlen(values[at - 1]) < len) {
        values[at] = values[at - 1];
        at--;
    }
    values[at] = hb_xstrdup(value);
    nvalues++;
}

/* RFC 3986: everything but the unreserved characters as %XX. */
static char *percent_encoded(const char *value)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = hb_xmalloc(3 * strlen(value) + 1), *o = out;
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~';
        if (plain) {
            *o++ = (char)*p;
        } else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        }
    }
    *o = '\0';
    return out;
}

/* As it appears inside a JSON string. */
static char *json_escaped(const char *value)
{
    cJSON *s = cJSON_CreateString(value);
    char *text = s ? cJSON_PrintUnformatted(s) : NULL;
    cJSON_Delete(s);
    if (!text)
        return hb_xstrdup(value);
    size_t n = strlen(text);
    char *out = hb_xstrndup(text + 1, n >= 2 ? n - 2 : 0); /* without the quotes */
    cJSON_free(text);
    return out;
}

void hb_secret_register(const char *value)
{
    if (!value || strlen(value) < HB_SECRET_MIN_LEN)
        return;
    char *b64 = hb_base64_encode(value, strlen(value));
    char *pct = percent_encoded(value);
    char *json = json_escaped(value);
    pthread_mutex_lock(&mu);
    remember_locked(value);
    remember_locked(b64);
    size_t n = strlen(b64);
    while (n > 0 && b64[n - 1] == '=')
        b64[--n] = '\0';
    remember_locked(b64); /* some encoders leave the padding out */
    remember_locked(pct);
    remember_locked(json);
    pthread_mutex_unlock(&mu);
    free(b64);
    free(pct);
    free(json);
}

static const char *find(const char *text, size_t len, const char *needle, size_t nlen)
{
    if (nlen == 0 || nlen > len)
        return NULL;
    return memmem(text, len, needle, nlen);
}

static bool found_locked(const char *text, size_t len)
{
    for (size_t i = 0; i < nvalues; i++)
        if (find(text, len, values[i], strlen(values[i])))
            return true;
    return false;
}

bool hb_secret_found(const char *text, size_t len)
{
    if (!text)
        return false;
    pthread_mutex_lock(&mu);
    bool found = found_locked(text, len);
    pthread_mutex_unlock(&mu);
    return found;
}

/* Replaces every occurrence of every value; NULL when there was none. */
static char *scrub_locked(const char *text, size_t len, size_t *out_len)
{
    char *cur = NULL;
    size_t cur_len = len;
    for (size_t i = 0; i < nvalues; i++) {
        const char *src = cur ? cur : text;
        size_t vlen = strlen(values[i]);
        const char *hit = find(src, cur_len, values[i], vlen);
        if (!hit)
            continue;
        hb_buf b;
        hb_buf_init(&b);
        hb_buf_append(&b, "", 0);
        const char *at = src, *end = src + cur_len;
        while (hit) {
            hb_buf_append(&b, at, (size_t)(hit - at));
            hb_buf_puts(&b, HB_SECRET_REDACTED);
            at = hit + vlen;
            hit = find(at, (size_t)(end - at), values[i], vlen);
        }
        hb_buf_append(&b, at, (size_t)(end - at));
        free(cur);
        cur_len = b.len;
        cur = hb_buf_take(&b);
    }
    if (cur && out_len)
        *out_len = cur_len;
    return cur;
}

char *hb_secret_scrub(const char *text, size_t len, size_t *out_len)
{
    if (!text)
        return NULL;
    pthread_mutex_lock(&mu);
    char *out = nvalues ? scrub_locked(text, len, out_len) : NULL;
    pthread_mutex_unlock(&mu);
    return out;
}

void hb_secret_scrub_buffer(char *buf, size_t cap)
{
    if (!buf || cap == 0)
        return;
    char *clean = hb_secret_scrub(buf, strnlen(buf, cap - 1), NULL);
    if (!clean)
        return;
    snprintf(buf, cap, "%s", clean);
    free(clean);
}

/* Replaces the string *s (cJSON's memory) by its scrubbed copy; owned says
 * whether the old one is cJSON's to free (a constant key is not). */
static bool scrub_string(char **s, bool owned)
{
    if (!*s)
        return false;
    char *clean = hb_secret_scrub(*s, strlen(*s), NULL);
    if (!clean)
        return false;
    char *copy = cJSON_malloc(strlen(clean) + 1);
    strcpy(copy, clean);
    free(clean);
    if (owned)
        cJSON_free(*s);
    *s = copy;
    return true;
}

bool hb_secret_scrub_json(cJSON *v)
{
    if (!v)
        return false;
    bool changed = false;
    if (v->string && scrub_string(&v->string, !(v->type & cJSON_StringIsConst))) {
        v->type &= ~cJSON_StringIsConst;
        changed = true;
    }
    if (cJSON_IsString(v) && scrub_string(&v->valuestring, true))
        changed = true;
    for (cJSON *c = v->child; c; c = c->next)
        changed = hb_secret_scrub_json(c) || changed;
    return changed;
}

size_t hb_secret_partial_tail(const char *text, size_t len)
{
    size_t best = 0;
    pthread_mutex_lock(&mu);
    for (size_t i = 0; i < nvalues; i++) {
        size_t vlen = strlen(values[i]);
        for (size_t k = vlen - 1 < len ? vlen - 1 : len; k > best; k--)
            if (!memcmp(text + len - k, values[i], k)) {
                best = k;
                break;
            }
    }
    pthread_mutex_unlock(&mu);
    return best;
}

/* --- guarded stdout and stderr ----------------------------------------- */

typedef struct guard {
    int fd;
    hb_buf held; /* the start of what may be a secret, until the rest comes */
} guard;

static guard guards[2];

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static ssize_t guarded_write(void *cookie, const char *buf, size_t n)
{
    guard *g = cookie;
    hb_buf_append(&g->held, buf, n);
    size_t len = g->held.len;
    char *clean = hb_secret_scrub(g->held.data, len, &len);
    const char *text = clean ? clean : g->held.data;
    size_t keep = hb_secret_partial_tail(text, len);
    write_all(g->fd, text, len - keep);
    memmove(g->held.data, text + len - keep, keep);
    g->held.len = keep;
    g->held.data[keep] = '\0';
    free(clean);
    return (ssize_t)n;
}

/* At exit the rest goes out; the start of a secret that never finished is
 * still part of one. */
static void release_held(void)
{
    fflush(stdout);
    fflush(stderr);
    for (size_t i = 0; i < 2; i++) {
        guard *g = &guards[i];
        if (g->held.len >= HB_SECRET_MIN_LEN)
            write_all(g->fd, HB_SECRET_REDACTED, strlen(HB_SECRET_REDACTED));
        else if (g->held.len)
            write_all(g->fd, g->held.data, g->held.len);
        g->held.len = 0;
    }
}

static FILE *guarded(guard *g, int fd, int mode)
{
    g->fd = fd;
    hb_buf_init(&g->held);
    hb_buf_append(&g->held, "", 0);
    cookie_io_functions_t io = {.write = guarded_write};
    FILE *f = fopencookie(g, "w", io);
    if (f)
        setvbuf(f, NULL, mode, BUFSIZ);
    return f;
}

void hb_secret_guard_stdio(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    fflush(stdout);
    fflush(stderr);
    FILE *out = guarded(&guards[0], STDOUT_FILENO, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF);
    FILE *err = guarded(&guards[1], STDERR_FILENO, _IONBF);
    if (!out || !err)
        return; /* nothing to guard with: the unguarded streams stay */
    stdout = out;
    stderr = err;
    atexit(release_held);
}
