/* Redaction by field name and by known secret value (see redact.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hb/http.h"
#include "hb/json_print.h"
#include "hb/redact.h"
#include "hb/util.h"

#define MIN_SCRUB_LEN 4

struct hb_secrets {
    char **values;
    size_t n;
};

hb_secrets *hb_secrets_new(void)
{
    return hb_xcalloc(1, sizeof(hb_secrets));
}

void hb_secrets_free(hb_secrets *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        hb_wipe_free(s->values[i]);
    free(s->values);
    free(s);
}

static void remember(hb_secrets *s, const char *value)
{
    if (strlen(value) < MIN_SCRUB_LEN)
        return;
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->values[i], value))
            return;
    s->values = hb_xrealloc(s->values, (s->n + 1) * sizeof *s->values);
    /* Kept longest first, so a secret that contains another is replaced
     * whole before the shorter one could cut it apart. */
    size_t len = strlen(value), at = s->n;
    while (at > 0 && strlen(s->values[at - 1]) < len) {
        s->values[at] = s->values[at - 1];
        at--;
    }
    s->values[at] = hb_xstrdup(value);
    s->n++;
}

void hb_secrets_add(hb_secrets *s, const char *value)
{
    if (!s || !value || strlen(value) < MIN_SCRUB_LEN)
        return;
    remember(s, value);
    char *b64 = hb_base64_encode(value, strlen(value));
    remember(s, b64);
    /* Without padding too: some encoders leave it out. */
    size_t n = strlen(b64);
    while (n > 0 && b64[n - 1] == '=')
        b64[--n] = '\0';
    remember(s, b64);
    free(b64);
    char *escaped = hb_http_escape(value);
    remember(s, escaped);
    free(escaped);
}

bool hb_secrets_found(const hb_secrets *s, const char *text, size_t len)
{
    if (!s || !text)
        return false;
    for (size_t i = 0; i < s->n; i++) {
        size_t vlen = strlen(s->values[i]);
        for (size_t at = 0; at + vlen <= len; at++)
            if (text[at] == s->values[i][0] && !memcmp(text + at, s->values[i], vlen))
                return true;
    }
    return false;
}

static char *replace_all(const char *text, size_t len, const char *needle, size_t *out_len)
{
    size_t nlen = strlen(needle);
    hb_buf b;
    hb_buf_init(&b);
    hb_buf_append(&b, "", 0);
    size_t at = 0;
    while (at < len) {
        if (at + nlen <= len && text[at] == needle[0] && !memcmp(text + at, needle, nlen)) {
            hb_buf_puts(&b, HB_REDACTED);
            at += nlen;
        } else {
            hb_buf_putc(&b, text[at++]);
        }
    }
    *out_len = b.len;
    return hb_buf_take(&b);
}

char *hb_secrets_scrub(const hb_secrets *s, const char *text, size_t len, size_t *out_len)
{
    char *cur = hb_xstrndup(text ? text : "", text ? len : 0);
    size_t cur_len = text ? len : 0;
    for (size_t i = 0; s && i < s->n; i++) {
        if (!hb_secrets_found(&(hb_secrets){.values = &s->values[i], .n = 1}, cur, cur_len))
            continue;
        size_t n;
        char *next = replace_all(cur, cur_len, s->values[i], &n);
        free(cur);
        cur = next;
        cur_len = n;
    }
    if (out_len)
        *out_len = cur_len;
    return cur;
}

void hb_secrets_scrub_json(const hb_secrets *s, cJSON *v)
{
    if (!s || !v)
        return;
    if (v->string && hb_secrets_found(s, v->string, strlen(v->string))) {
        char *clean = hb_secrets_scrub(s, v->string, strlen(v->string), NULL);
        if (!(v->type & cJSON_StringIsConst))
            cJSON_free(v->string);
        v->type &= ~cJSON_StringIsConst;
        v->string = cJSON_malloc(strlen(clean) + 1);
        strcpy(v->string, clean);
        free(clean);
    }
    if (cJSON_IsString(v) && v->valuestring &&
        hb_secrets_found(s, v->valuestring, strlen(v->valuestring))) {
        char *clean = hb_secrets_scrub(s, v->valuestring, strlen(v->valuestring), NULL);
        cJSON_SetValuestring(v, clean);
        free(clean);
    }
    for (cJSON *c = v->child; c; c = c->next)
        hb_secrets_scrub_json(s, c);
}

bool hb_redact_is_secret_key(const char *key)
{
    static const char *const exact[] = {
        "password",     "passwd",        "secret",        "token",
        "access_token", "refresh_token", "id_token",      "api_key",
        "apikey",       "authorization", "client_secret", "private_token",
        "signature",    "cookie",        "set-cookie",    NULL,
    };
    static const char *const suffixes[] = {"_token",    "-token", "_secret", "-secret",
                                           "_password", "_key",   NULL};
    for (const char *const *p = exact; *p; p++)
        if (!strcasecmp(key, *p))
            return true;
    size_t n = strlen(key);
    for (const char *const *p = suffixes; *p; p++) {
        size_t m = strlen(*p);
        if (n > m && !strcasecmp(key + n - m, *p))
            return true;
    }
    return false;
}

void hb_redact_json_keys(cJSON *v)
{
    if (!v)
        return;
    for (cJSON *c = v->child; c; c = c->next) {
        if (cJSON_IsObject(v) && c->string && hb_redact_is_secret_key(c->string) &&
            !cJSON_IsNull(c)) {
            cJSON *r = cJSON_CreateString(HB_REDACTED);
            /* The replacement keeps the key; ReplaceItemViaPointer does not. */
            r->string = c->string;
            r->type |= c->type & cJSON_StringIsConst;
            c->string = NULL;
            cJSON_ReplaceItemViaPointer(v, c, r);
            c = r;
            continue;
        }
        hb_redact_json_keys(c);
    }
}

char *hb_redact_form(const char *form)
{
    hb_buf b;
    hb_buf_init(&b);
    hb_buf_puts(&b, "");
    const char *p = form;
    while (*p) {
        const char *amp = strchr(p, '&');
        size_t plen = amp ? (size_t)(amp - p) : strlen(p);
        const char *eq = memchr(p, '=', plen);
        char *name = hb_xstrndup(p, eq ? (size_t)(eq - p) : plen);
        if (eq && hb_redact_is_secret_key(name)) {
            hb_buf_append(&b, p, (size_t)(eq - p) + 1);
            hb_buf_puts(&b, HB_REDACTED);
        } else {
            hb_buf_append(&b, p, plen);
        }
        free(name);
        if (!amp)
            break;
        hb_buf_putc(&b, '&');
        p = amp + 1;
    }
    return hb_buf_take(&b);
}

char *hb_redact_path(const hb_secrets *s, const char *path)
{
    const char *q = strchr(path, '?');
    char *joined;
    if (q) {
        char *query = hb_redact_form(q + 1);
        joined = hb_xasprintf("%.*s?%s", (int)(q - path), path, query);
        free(query);
    } else {
        joined = hb_xstrdup(path);
    }
    char *clean = hb_secrets_scrub(s, joined, strlen(joined), NULL);
    free(joined);
    return clean;
}

static bool looks_like_form(const char *body, size_t len)
{
    if (len == 0 || memchr(body, '\n', len) || memchr(body, ' ', len))
        return false;
    return memchr(body, '=', len) != NULL;
}

char *hb_redact_body(const hb_secrets *s, const char *body, size_t len, size_t max, size_t *out_len)
{
    char *text = NULL;
    cJSON *json = cJSON_ParseWithLength(body, len);
    if (json) {
        hb_redact_json_keys(json);
        text = hb_json_print(json);
        cJSON_Delete(json);
    } else if (looks_like_form(body, len)) {
        char *tmp = hb_xstrndup(body, len);
        text = hb_redact_form(tmp);
        free(tmp);
    } else {
        text = hb_xstrndup(body, len);
    }
    size_t n;
    char *clean = hb_secrets_scrub(s, text, strlen(text), &n);
    free(text);
    if (n > max) {
        char note[96];
        int m = snprintf(note, sizeof note, "\n[hb: %zu more bytes not stored]", n - max);
        clean = hb_xrealloc(clean, max + (size_t)m + 1);
        memcpy(clean + max, note, (size_t)m + 1);
        n = max + (size_t)m;
    }
    if (out_len)
        *out_len = n;
    return clean;
}
