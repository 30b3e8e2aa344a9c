/* The handler's view of a request: the URI split into decoded segments and
 * query pairs, bodies as JSON or form fields, and the reply helpers. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hb/json_print.h"
#include "sandbox_internal.h"

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *sb_url_decode(const char *s, size_t n, bool plus_is_space)
{
    char *out = hb_xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out[o++] = (char)(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else if (s[i] == '+' && plus_is_space) {
            out[o++] = ' ';
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

void sb_url_encode(hb_buf *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~')
            hb_buf_putc(out, (char)*p);
        else
            hb_buf_printf(out, "%%%02X", *p);
    }
}

void sb_kv_free(sb_kv *kv, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(kv[i].name);
        free(kv[i].value);
    }
    free(kv);
}

void sb_parse_form(const char *text, size_t len, sb_kv **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    size_t cap = 0;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        if (stop > p) {
            const char *eq = memchr(p, '=', (size_t)(stop - p));
            const char *name_end = eq ? eq : stop;
            if (*count == cap) {
                cap = cap ? cap * 2 : 8;
                *out = hb_xrealloc(*out, cap * sizeof **out);
            }
            (*out)[*count].name = sb_url_decode(p, (size_t)(name_end - p), true);
            (*out)[*count].value =
                eq ? sb_url_decode(eq + 1, (size_t)(stop - eq - 1), true) : hb_xstrdup("");
            (*count)++;
        }
        p = stop + 1;
    }
}

void sb_request_parse_uri(sb_request *req, const char *raw_uri)
{
    const char *q = strchr(raw_uri, '?');
    size_t path_len = q ? (size_t)(q - raw_uri) : strlen(raw_uri);
    req->path = hb_xstrndup(raw_uri, path_len);
    req->query_string = hb_xstrdup(q ? q + 1 : "");
    sb_parse_form(req->query_string, strlen(req->query_string), &req->query, &req->nquery);

    bool zendesk = sb_service_for_path(req->path) == SB_ZENDESK;
    const char *p = req->path;
    while (*p == '/') {
        p++;
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (req->nsegs == SB_MAX_SEGS) {
            req->too_many_segs = true;
            break;
        }
        char *seg = sb_url_decode(p, len, false);
        if (!slash && zendesk && hb_str_ends_with(seg, ".json"))
            seg[strlen(seg) - 5] = '\0';
        req->segs[req->nsegs++] = seg;
        p += len;
    }
    /* "/api/v2/tickets/1/" and "/api/v2/tickets/1" name the same thing. */
    if (req->nsegs > 0 && !*req->segs[req->nsegs - 1]) {
        free(req->segs[--req->nsegs]);
    }
}

void sb_request_free(sb_request *req)
{
    free(req->method);
    free(req->path);
    free(req->query_string);
    sb_kv_free(req->query, req->nquery);
    sb_kv_free(req->headers, req->nheaders);
    hb_buf_free(&req->body);
    for (size_t i = 0; i < req->nsegs; i++)
        free(req->segs[i]);
    memset(req, 0, sizeof *req);
}

void sb_response_free(sb_response *r)
{
    free(r->content_type);
    hb_buf_free(&r->body);
    sb_kv_free(r->headers, r->nheaders);
    memset(r, 0, sizeof *r);
}

void sb_ctx_free(sb_ctx *cx)
{
    sb_response_free(&cx->resp);
    cJSON_Delete(cx->body_json);
    sb_kv_free(cx->form, cx->nform);
    cJSON_Delete(cx->params_obj);
    free(cx->base_url);
}

const char *sb_param(const sb_ctx *cx, const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; i < SB_MAX_PARAMS && cx->param_names[i]; i++) {
        if (!strncmp(cx->param_names[i], name, n) && cx->param_names[i][n] == '}')
            return cx->params[i];
    }
    return NULL;
}

static const char *kv_get(const sb_kv *kv, size_t count, const char *name, bool ci)
{
    for (size_t i = 0; i < count; i++) {
        if (ci ? !strcasecmp(kv[i].name, name) : !strcmp(kv[i].name, name))
            return kv[i].value;
    }
    return NULL;
}

const char *sb_query(const sb_ctx *cx, const char *name)
{
    return kv_get(cx->req->query, cx->req->nquery, name, false);
}

const char *sb_header(const sb_ctx *cx, const char *name)
{
    return kv_get(cx->req->headers, cx->req->nheaders, name, true);
}

static bool body_is_form(const sb_ctx *cx)
{
    const char *ct = sb_header(cx, "Content-Type");
    return ct && !strncasecmp(ct, "application/x-www-form-urlencoded", 33);
}

cJSON *sb_body_json(sb_ctx *cx)
{
    if (!cx->body_json_parsed) {
        cx->body_json_parsed = true;
        /* Parsed whatever the Content-Type says, so `curl -d '{…}'` works. */
        if (cx->req->body.len > 0)
            cx->body_json = cJSON_ParseWithLength(cx->req->body.data, cx->req->body.len);
    }
    return cx->body_json;
}

const char *sb_form(sb_ctx *cx, const char *name)
{
    if (!cx->form_parsed) {
        cx->form_parsed = true;
        if (cx->req->body.len > 0 && body_is_form(cx))
            sb_parse_form(cx->req->body.data, cx->req->body.len, &cx->form, &cx->nform);
    }
    return kv_get(cx->form, cx->nform, name, false);
}

static void add_param(cJSON *obj, const char *name, const char *value)
{
    size_t n = strlen(name);
    if (n > 2 && !strcmp(name + n - 2, "[]")) {
        char *base = hb_xstrndup(name, n - 2);
        cJSON *arr = sb_ensure_array(obj, base);
        cJSON_AddItemToArray(arr, cJSON_CreateString(value));
        free(base);
        return;
    }
    sb_set(obj, name, cJSON_CreateString(value));
}

cJSON *sb_params(sb_ctx *cx)
{
    if (cx->params_obj)
        return cx->params_obj;
    cJSON *obj = cJSON_CreateObject();
    for (size_t i = 0; i < cx->req->nquery; i++)
        add_param(obj, cx->req->query[i].name, cx->req->query[i].value);
    sb_form(cx, "");
    for (size_t i = 0; i < cx->nform; i++)
        add_param(obj, cx->form[i].name, cx->form[i].value);
    cJSON *body = sb_body_json(cx);
    if (cJSON_IsObject(body)) {
        for (cJSON *it = body->child; it; it = it->next)
            sb_set(obj, it->string, cJSON_Duplicate(it, true));
    }
    cx->params_obj = obj;
    return obj;
}

const char *sb_web_url(const sb_ctx *cx)
{
    return cx->sb->web_url;
}

const char *sb_base_url(sb_ctx *cx)
{
    if (!cx->base_url) {
        const char *host = sb_header(cx, "Host");
        bool sane = host && *host && strlen(host) < 256 && !strpbrk(host, " /\\\"<>");
        cx->base_url = sane ? hb_xasprintf("http://%s", host) : hb_xstrdup(cx->sb->url);
    }
    return cx->base_url;
}

void sb_reply_text(sb_ctx *cx, int status, const char *content_type, const char *text)
{
    cx->resp.status = status;
    free(cx->resp.content_type);
    cx->resp.content_type = hb_xstrdup(content_type);
    hb_buf_reset(&cx->resp.body);
    hb_buf_puts(&cx->resp.body, text);
    cx->resp.has_body = true;
}

void sb_reply_json(sb_ctx *cx, int status, cJSON *body)
{
    char *text = hb_json_print(body);
    cJSON_Delete(body);
    sb_reply_text(cx, status, "application/json; charset=utf-8", text);
    free(text);
}

void sb_reply_empty(sb_ctx *cx, int status)
{
    cx->resp.status = status;
    free(cx->resp.content_type);
    cx->resp.content_type = NULL;
    hb_buf_reset(&cx->resp.body);
    cx->resp.has_body = false;
}

void sb_add_header(sb_ctx *cx, const char *name, const char *value)
{
    sb_response *r = &cx->resp;
    for (size_t i = 0; i < r->nheaders; i++) {
        if (!strcasecmp(r->headers[i].name, name)) {
            free(r->headers[i].value);
            r->headers[i].value = hb_xstrdup(value);
            return;
        }
    }
    r->headers = hb_xrealloc(r->headers, (r->nheaders + 1) * sizeof *r->headers);
    r->headers[r->nheaders].name = hb_xstrdup(name);
    r->headers[r->nheaders].value = hb_xstrdup(value);
    r->nheaders++;
}

void sb_add_headerf(sb_ctx *cx, const char *name, const char *fmt, ...)
{
    char value[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(value, sizeof value, fmt, ap);
    va_end(ap);
    sb_add_header(cx, name, value);
}
