/* Helpers shared by the GitLab handler files. */
#ifndef HB_SANDBOX_GITLAB_INTERNAL_H
#define HB_SANDBOX_GITLAB_INTERNAL_H

#include "sandbox_internal.h"

/* The object of gitlab.<collection> the {id} route parameter names: its id,
 * or its (decoded) path in path_field, case aside. */
cJSON *sb_gl_find_by_id_or_path(sb_ctx *cx, const char *collection, const char *path_field);
/* The project of the {id} route parameter: its id or path_with_namespace. */
cJSON *sb_gl_find_project(sb_ctx *cx);
/* The GitLab user the sandbox token belongs to (sandbox.gitlab_api_user). */
int64_t sb_gl_api_user(sb_ctx *cx);
cJSON *sb_gl_render_user(sb_ctx *cx, int64_t id);
cJSON *sb_gl_render_issue(sb_ctx *cx, const cJSON *project, const cJSON *issue);
/* A note of an issue or merge request (noteable_type "Issue" or
 * "MergeRequest"; issue is the noteable). */
cJSON *sb_gl_render_note(sb_ctx *cx, const cJSON *project, const cJSON *issue, const cJSON *n,
                         const char *noteable_type);
/* Replies 200 with one page (page, per_page ≤ 100) of items, which it
 * takes, and GitLab's pagination headers. */
void sb_gl_reply_page(sb_ctx *cx, cJSON *items);
/* Sorts rendered objects by ?order_by (created_at|updated_at) and ?sort. */
void sb_gl_sort_from_query(sb_ctx *cx, cJSON *arr, bool default_desc);

#endif
