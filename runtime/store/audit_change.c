/* What a write changed, in words, from its stored request body (already
 * redacted when it was stored): a support engineer reading `hb audit show
 * --object` sees "internal note: ..." or "status = pending", not only that
 * a PUT happened. A reading aid like audit_summary.c: the body itself is
 * `hb audit body DIGEST`. */
#include <stdlib.h>
#include <string.h>

#include "hb/audit.h"
#include "hb/canonical_json.h"
#include "hb/util.h"

/* A value cut to this many bytes keeps the line readable. */
#define VALUE_MAX_BYTES 80

static void put_text(hb_buf *out, const char *s)
{
    size_t n = strlen(s);
    size_t cut = n > VALUE_MAX_BYTES ? VALUE_MAX_BYTES : n;
    while (cut < n && cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
        cut--; /* never split a UTF-8 sequence */
    hb_buf_putc(out, '"');
    for (size_t i = 0; i < cut; i++)
        hb_buf_putc(out, (unsigned char)s[i] < 0x20 ? ' ' : s[i]);
    hb_buf_puts(out, cut < n ? "…\"" : "\"");
}

static void put_value(hb_buf *out, const cJSON *v)
{
    if (cJSON_IsString(v)) {
        put_text(out, v->valuestring);
        return;
    }
    if (cJSON_IsArray(v) && cJSON_GetArraySize(v) > 0 && cJSON_IsString(v->child)) {
        const cJSON *item;
        bool first = true;
        cJSON_ArrayForEach(item, v)
        {
            hb_buf_printf(out, "%s%s", first ? "" : ", ",
                          cJSON_IsString(item) ? item->valuestring : "?");
            first = false;
        }
        return;
    }
    char *text = hb_canonical_json(v, NULL);
    if (text && strlen(text) > VALUE_MAX_BYTES)
        strcpy(text + VALUE_MAX_BYTES - 3, "...");
    hb_buf_puts(out, text ? text : "?");
    free(text);
}

/* A Zendesk comment: public unless it says public = false (Zendesk's own
 * default), its text the body, html_body or plain_body. */
static void put_comment(hb_buf *out, const cJSON *c)
{
    const cJSON *pub = cJSON_GetObjectItemCaseSensitive(c, "public");
    hb_buf_puts(out, cJSON_IsFalse(pub) ? "internal note " : "public reply ");
    static const char *const TEXT[] = {"body", "html_body", "plain_body"};
    for (size_t i = 0; i < 3; i++) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(c, TEXT[i]);
        if (cJSON_IsString(t)) {
            put_text(out, t->valuestring);
            return;
        }
    }
    put_value(out, c);
}

/* hb's exactly-once marker on a Zendesk update ({"metadata": {"hb_marker":
 * ...}}) is hb's own bookkeeping, not a change the engineer made: the
 * change line leaves it out (the body keeps it). */
static bool is_hb_marker(const cJSON *f)
{
    return f->string && strcmp(f->string, "metadata") == 0 && cJSON_IsObject(f) && f->child &&
           !f->child->next && f->child->string && strcmp(f->child->string, "hb_marker") == 0;
}

char *hb_audit_change_text(const char *body)
{
    cJSON *root = body ? cJSON_Parse(body) : NULL;
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return NULL;
    }
    /* {"ticket": {...}} and the like: the fields are inside. */
    const cJSON *fields = root;
    if (root->child && !root->child->next && cJSON_IsObject(root->child))
        fields = root->child;
    hb_buf out;
    hb_buf_init(&out);
    const cJSON *comment = cJSON_GetObjectItemCaseSensitive(fields, "comment");
    if (cJSON_IsObject(comment))
        put_comment(&out, comment);
    const cJSON *f;
    cJSON_ArrayForEach(f, fields)
    {
        if ((f == comment && cJSON_IsObject(comment)) || is_hb_marker(f))
            continue;
        hb_buf_printf(&out, "%s%s = ", out.len ? "; " : "", f->string ? f->string : "?");
        put_value(&out, f);
    }
    cJSON_Delete(root);
    if (!out.len) {
        hb_buf_free(&out);
        return NULL;
    }
    return hb_buf_take(&out);
}
