/* Zendesk: finding users (GET /users/search?query=), the tickets a user
 * requested (GET /users/{id}/tickets/requested) and the ticket fields
 * (GET /ticket_fields), each paged as Zendesk pages them. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zendesk_internal.h"

/* The query's term: `email:x`, `name:x` or a bare term (quotes dropped),
 * and which property it names (NULL: email exactly, or a name containing it). */
static char *query_term(const char *query, const char **property)
{
    *property = NULL;
    while (isspace((unsigned char)*query))
        query++;
    if (!strncasecmp(query, "email:", 6)) {
        *property = "email";
        query += 6;
    } else if (!strncasecmp(query, "name:", 5)) {
        *property = "name";
        query += 5;
    }
    size_t len = strlen(query);
    while (len && isspace((unsigned char)query[len - 1]))
        len--;
    if (len >= 2 && query[0] == '"' && query[len - 1] == '"') {
        query++;
        len -= 2;
    }
    return hb_xstrndup(query, len);
}

static bool user_matches(const cJSON *u, const char *term, const char *property)
{
    const char *email = sb_get_str(u, "email"), *name = sb_get_str(u, "name");
    bool email_hit = email && !strcasecmp(email, term);
    if (property && !strcmp(property, "email"))
        return email_hit;
    if (property && !strcmp(property, "name"))
        return sb_contains_ci(name, term);
    return email_hit || sb_contains_ci(name, term);
}

void sb_h_zd_user_search(sb_ctx *cx)
{
    const char *query = sb_query(cx, "query");
    const char *external_id = sb_query(cx, "external_id");
    if ((!query || !*query) && (!external_id || !*external_id)) {
        sb_zendesk_error(cx, 400, "InvalidEndpoint", "Specify either query or external_id");
        return;
    }
    const char *property = NULL;
    char *term = query && *query ? query_term(query, &property) : NULL;
    cJSON *found = cJSON_CreateArray();
    const cJSON *u;
    cJSON_ArrayForEach(u, sb_coll(cx->data, "zendesk", "users"))
    {
        const char *ext = sb_get_str(u, "external_id");
        bool hit = term ? user_matches(u, term, property)
                        : ext && external_id && !strcmp(ext, external_id);
        if (hit)
            cJSON_AddItemToArray(found, sb_zd_render_with_url(cx, u, "users"));
    }
    free(term);
    sb_zd_reply_page(cx, found, "users", "/api/v2/users/search.json");
}

void sb_h_zd_user_requested(sb_ctx *cx)
{
    const cJSON *user = sb_zd_find(cx, "users");
    if (!user) {
        sb_zendesk_not_found(cx);
        return;
    }
    int64_t id = 0;
    sb_get_int(user, "id", &id);
    cJSON *tickets = cJSON_CreateArray();
    const cJSON *t;
    cJSON_ArrayForEach(t, sb_coll(cx->data, "zendesk", "tickets"))
    {
        int64_t requester = 0;
        if (sb_get_int(t, "requester_id", &requester) && requester == id)
            cJSON_AddItemToArray(tickets, sb_zd_render_ticket(cx, t));
    }
    char *path = hb_xasprintf("/api/v2/users/%lld/tickets/requested.json", (long long)id);
    sb_zd_reply_page(cx, tickets, "tickets", path);
    free(path);
}

void sb_h_zd_ticket_fields(sb_ctx *cx)
{
    cJSON *fields = cJSON_CreateArray();
    const cJSON *f;
    cJSON_ArrayForEach(f, sb_coll(cx->data, "zendesk", "ticket_fields"))
    {
        cJSON *out = sb_zd_render_with_url(cx, f, "ticket_fields");
        /* raw_title is what an admin typed; the API shows it beside title. */
        if (!cJSON_GetObjectItemCaseSensitive(out, "raw_title") && sb_get_str(f, "title"))
            cJSON_AddStringToObject(out, "raw_title", sb_get_str(f, "title"));
        cJSON_AddItemToArray(fields, out);
    }
    sb_zd_reply_page(cx, fields, "ticket_fields", "/api/v2/ticket_fields.json");
}
