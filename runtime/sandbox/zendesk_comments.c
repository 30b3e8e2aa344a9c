/* Zendesk comments: how they render (html_body, plain_body, public by
 * default, attachments), appending one from a ticket update, and listing
 * them with offset or cursor paging. */
#include <stdlib.h>
#include <string.h>

#include "zendesk_internal.h"

static void html_escape(hb_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<':
            hb_buf_puts(b, "&lt;");
            break;
        case '>':
            hb_buf_puts(b, "&gt;");
            break;
        case '&':
            hb_buf_puts(b, "&amp;");
            break;
        case '"':
            hb_buf_puts(b, "&quot;");
            break;
        case '\n':
            hb_buf_puts(b, "<br>");
            break;
        default:
            hb_buf_putc(b, *s);
        }
    }
}

cJSON *sb_zd_render_comment(const cJSON *c)
{
    cJSON *out = cJSON_Duplicate(c, true);
    const char *body = sb_get_str(c, "body");
    if (!body)
        body = "";
    if (!cJSON_GetObjectItemCaseSensitive(out, "type"))
        cJSON_AddStringToObject(out, "type", "Comment");
    if (!cJSON_GetObjectItemCaseSensitive(out, "body"))
        cJSON_AddStringToObject(out, "body", body);
    if (!cJSON_GetObjectItemCaseSensitive(out, "html_body")) {
        hb_buf h;
        hb_buf_init(&h);
        hb_buf_puts(&h, "<div class=\"zd-comment\" dir=\"auto\"><p>");
        html_escape(&h, body);
        hb_buf_puts(&h, "</p></div>");
        cJSON_AddStringToObject(out, "html_body", h.data);
        hb_buf_free(&h);
    }
    if (!cJSON_GetObjectItemCaseSensitive(out, "plain_body"))
        cJSON_AddStringToObject(out, "plain_body", body);
    if (!cJSON_GetObjectItemCaseSensitive(out, "public"))
        cJSON_AddTrueToObject(out, "public");
    sb_ensure_array(out, "attachments");
    return out;
}

/* Appends a comment given in an update; returns the audit event for it. */
cJSON *sb_zd_add_comment(sb_ctx *cx, cJSON *t, const cJSON *in, int64_t audit_id)
{
    cJSON *comments = sb_ensure_array(t, "comments");
    char now[32];
    sb_now_seconds(now);
    int64_t author = sb_zd_api_user(cx);
    sb_get_int(in, "author_id", &author);
    const char *body = sb_get_str(in, "body");
    cJSON *c = cJSON_CreateObject();
    /* Comment ids are unique across tickets, as on the real API. */
    int64_t floor = sb_max_nested_int(sb_coll(cx->data, "zendesk", "tickets"), "comments", "id");
    cJSON_AddNumberToObject(c, "id", (double)sb_next_id(cx, "zendesk.comment", floor));
    cJSON_AddStringToObject(c, "type", "Comment");
    cJSON_AddNumberToObject(c, "author_id", (double)author);
    cJSON_AddStringToObject(c, "body", body ? body : sb_get_str(in, "html_body"));
    if (sb_get_str(in, "html_body"))
        cJSON_AddStringToObject(c, "html_body", sb_get_str(in, "html_body"));
    /* Like the real API: a comment is public unless it says otherwise. */
    cJSON_AddBoolToObject(c, "public",
                          sb_truthy(cJSON_GetObjectItemCaseSensitive(in, "public"), true));
    cJSON_AddArrayToObject(c, "attachments");
    cJSON_AddNumberToObject(c, "audit_id", (double)audit_id);
    cJSON *via = cJSON_AddObjectToObject(c, "via");
    cJSON_AddStringToObject(via, "channel", "api");
    cJSON_AddStringToObject(c, "created_at", now);
    cJSON_AddItemToArray(comments, c);
    return sb_zd_render_comment(c);
}

void sb_h_zd_ticket_comments(sb_ctx *cx)
{
    cJSON *t = sb_zd_find(cx, "tickets");
    if (!t) {
        sb_zendesk_not_found(cx);
        return;
    }
    cJSON *all = cJSON_CreateArray();
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(t, "comments"))
    {
        cJSON_AddItemToArray(all, sb_zd_render_comment(c));
    }
    all = sb_zd_sort_order(cx, all);
    char *path = hb_xasprintf("/api/v2/tickets/%s/comments.json", sb_param(cx, "id"));
    sb_zd_reply_page(cx, all, "comments", path);
    free(path);
}
