/* Redaction by field name, and by known secret value through the
 * process's registry (see redact.h, secrets.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hb/http.h"
#include "hb/json_print.h"
#include "hb/redact.h"
#include "hb/secrets.h"
#include "hb/util.h"

/* By value, the registry is the process's (hb/secrets.h): a secret one
 * part of hb learns (a token) is scrubbed everywhere else too. The handle
 * stays, so the bindings say where their secrets go. */
struct hb_secrets {
    int unused;
};

hb_secrets *hb_secrets_new(void)
{
    return hb_xcalloc(1, sizeof(hb_secrets));
}

void hb_secrets_free(hb_secrets *s)
{
    free(s);
}

void hb_secrets_add(hb_secrets *s, const char *value)
{
    (void)s;
    hb_secret_register(value);
}

bool hb_secrets_found(const hb_secrets *s, const char *text, size_t len)
{
    (void)s;
    return hb_secret_found(text, len);
}

char *hb_secrets_scrub(const hb_secrets *s, const char *text, size_t len, size_t *out_len)
{
    (void)s;
    size_t n = text ? len : 0;
    char *clean = hb_secret_scrub(text ? text : "", n, &n);
    if (!clean)
        clean = hb_xstrndup(text ? text : "", n);
    if (out_len)
        *out_len = n;
    return clean;
}

void hb_secrets_scrub_json(const hb_secrets *s, cJSON *v)
{
    (void)s;
    hb_secret_scrub_json(v);
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
