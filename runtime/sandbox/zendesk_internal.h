/* Helpers shared by the Zendesk handler files. */
#ifndef HB_SANDBOX_ZENDESK_INTERNAL_H
#define HB_SANDBOX_ZENDESK_INTERNAL_H

#include "sandbox_internal.h"

/* The object of the {id} route parameter in zendesk.<collection>. */
cJSON *sb_zd_find(sb_ctx *cx, const char *collection);
/* The seeded agent the API credentials belong to (0 when unset). */
int64_t sb_zd_api_user(sb_ctx *cx);
cJSON *sb_zd_render_ticket(sb_ctx *cx, const cJSON *t);
/* A copy of a stored object with the API's `url` of it in collection. */
cJSON *sb_zd_render_with_url(sb_ctx *cx, const cJSON *obj, const char *collection);
cJSON *sb_zd_render_comment(const cJSON *c);
/* Appends the comment of a ticket update; returns its audit event. */
cJSON *sb_zd_add_comment(sb_ctx *cx, cJSON *t, const cJSON *in, int64_t audit_id);
/* Makes obj[key] an array when it is not one. */
/* Adds normalised tags from a list of strings (each may hold several). */
void sb_zd_add_tags(cJSON *tags, const cJSON *input);
void sb_zd_remove_tags(cJSON *tags, const cJSON *input);
/* 422 RecordInvalid with one detail. */
void sb_zd_reply_invalid(sb_ctx *cx, const char *field, const char *description);
/* True (having replied 409) when a safe_update carries a stale stamp. */
bool sb_zd_stale(sb_ctx *cx, const cJSON *obj, const cJSON *input);
/* items (taken) in the order the query's sort_order asks: as stored
 * (oldest first, "asc", the API's default) or reversed ("desc"). */
cJSON *sb_zd_sort_order(sb_ctx *cx, cJSON *items);
/* A ticket update's audit is kept with the ticket (hidden from the ticket
 * itself, as its comments are), with the metadata the update gave. */
cJSON *sb_zd_audit_metadata(const cJSON *update);
void sb_zd_keep_audit(cJSON *t, const cJSON *audit);
/* Replies with one page of items (taken) under key: cursor paging when the
 * query uses page[size]/page[after]/page[before], else offset paging
 * (page, per_page ≤ 100) with next_page/previous_page/count. */
void sb_zd_reply_page(sb_ctx *cx, cJSON *items, const char *key, const char *path);

#endif
