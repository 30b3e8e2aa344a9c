/* GitLab: group and project members including inherited ones
 * (GET /groups/:id/members/all[/:user_id], the same under /projects), and
 * users by username or search (GET /users?username=|search=).
 *
 * Stored groups are gitlab.groups [{id, name, path, full_path, members:
 * [{user_id, access_level}]}]; a project may hold members the same way. A
 * group's or project's ancestors are the groups whose full_path is a prefix
 * of its own ("gitlab-com" for "gitlab-com/support/x"); as on GitLab, a user
 * who is a member several times shows once, with the highest access level.
 * gitlab.users may carry `email` (what an administrator's search matches)
 * and `public_email`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gitlab_internal.h"

/* Is `ancestor` the full path of a group above (or at) `path`? */
static bool is_ancestor(const char *ancestor, const char *path)
{
    size_t n = strlen(ancestor);
    return !strncasecmp(ancestor, path, n) && (path[n] == '\0' || path[n] == '/');
}

/* Adds the members of one group or project to best[] (user id -> highest
 * access level), growing it as needed. */
typedef struct member_set {
    int64_t *user;
    int64_t *level;
    size_t n;
} member_set;

static void add_members(member_set *m, const cJSON *holder)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(holder, "members"))
    {
        int64_t user = 0, level = 0;
        if (!sb_get_int(e, "user_id", &user) || !sb_get_int(e, "access_level", &level))
            continue;
        size_t i = 0;
        while (i < m->n && m->user[i] != user)
            i++;
        if (i == m->n) {
            m->user = hb_xrealloc(m->user, (m->n + 1) * sizeof *m->user);
            m->level = hb_xrealloc(m->level, (m->n + 1) * sizeof *m->level);
            m->user[i] = user;
            m->level[i] = level;
            m->n++;
        } else if (level > m->level[i]) {
            m->level[i] = level;
        }
    }
}

/* Every member of the group or project (holder), inherited ones included. */
static void collect(sb_ctx *cx, const cJSON *holder, const char *path, member_set *m)
{
    add_members(m, holder);
    const cJSON *g;
    cJSON_ArrayForEach(g, sb_coll(cx->data, "gitlab", "groups"))
    {
        const char *gp = sb_get_str(g, "full_path");
        if (g != holder && gp && path && is_ancestor(gp, path))
            add_members(m, g);
    }
}

static cJSON *render_member(sb_ctx *cx, int64_t user, int64_t level)
{
    cJSON *out = sb_gl_render_user(cx, user);
    cJSON_AddNumberToObject(out, "access_level", (double)level);
    cJSON_AddNullToObject(out, "expires_at");
    cJSON_AddStringToObject(out, "membership_state", "active");
    return out;
}

static bool user_exists(sb_ctx *cx, int64_t id)
{
    return sb_find_int(sb_coll(cx->data, "gitlab", "users"), "id", id) != NULL;
}

/* One member (route parameter user_id) or the list, filtered by ?query=
 * (username or name, case aside). */
static void reply_members(sb_ctx *cx, const cJSON *holder, const char *path)
{
    member_set m = {0};
    collect(cx, holder, path, &m);
    const char *one = sb_param(cx, "user_id");
    if (one) {
        int64_t want;
        cJSON *found = NULL;
        for (size_t i = 0; sb_parse_int(one, &want) && i < m.n && !found; i++)
            if (m.user[i] == want && user_exists(cx, want))
                found = render_member(cx, m.user[i], m.level[i]);
        if (found)
            sb_reply_json(cx, 200, found);
        else
            sb_gitlab_error(cx, 404, "404 Not found");
    } else {
        const char *query = sb_query(cx, "query");
        cJSON *list = cJSON_CreateArray();
        for (size_t i = 0; i < m.n; i++) {
            if (!user_exists(cx, m.user[i]))
                continue;
            cJSON *r = render_member(cx, m.user[i], m.level[i]);
            const char *u = sb_get_str(r, "username"), *nm = sb_get_str(r, "name");
            if (query && *query && !sb_contains_ci(u, query) && !sb_contains_ci(nm, query)) {
                cJSON_Delete(r);
                continue;
            }
            cJSON_AddItemToArray(list, r);
        }
        sb_gl_reply_page(cx, list);
    }
    free(m.user);
    free(m.level);
}

void sb_h_gl_group_members(sb_ctx *cx)
{
    const cJSON *group = sb_gl_find_by_id_or_path(cx, "groups", "full_path");
    if (!group) {
        sb_gitlab_error(cx, 404, "404 Group Not Found");
        return;
    }
    reply_members(cx, group, sb_get_str(group, "full_path"));
}

void sb_h_gl_project_members(sb_ctx *cx)
{
    const cJSON *project = sb_gl_find_project(cx);
    if (!project) {
        sb_gitlab_error(cx, 404, "404 Project Not Found");
        return;
    }
    reply_members(cx, project, sb_get_str(project, "path_with_namespace"));
}

/* ?username= matches one user exactly (case aside); ?search= matches
 * usernames and names containing it, and an email given whole. */
void sb_h_gl_users(sb_ctx *cx)
{
    const char *username = sb_query(cx, "username");
    const char *search = sb_query(cx, "search");
    cJSON *list = cJSON_CreateArray();
    const cJSON *u;
    cJSON_ArrayForEach(u, sb_coll(cx->data, "gitlab", "users"))
    {
        const char *name = sb_get_str(u, "username"), *full = sb_get_str(u, "name");
        const char *email = sb_get_str(u, "email"), *pub = sb_get_str(u, "public_email");
        bool hit = true;
        if (username)
            hit = name && !strcasecmp(name, username);
        if (hit && search && *search)
            hit = sb_contains_ci(name, search) || sb_contains_ci(full, search) ||
                  (email && !strcasecmp(email, search)) || (pub && !strcasecmp(pub, search));
        int64_t id = 0;
        if (hit && sb_get_int(u, "id", &id))
            cJSON_AddItemToArray(list, sb_gl_render_user(cx, id));
    }
    sb_gl_reply_page(cx, list);
}
