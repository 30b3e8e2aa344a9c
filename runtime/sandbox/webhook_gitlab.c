/* GitLab's project webhooks for what a change did to the sandbox's issues:
 * an Issue Hook when one opens, closes, reopens or changes, a Note Hook
 * for a new note that is not a system note (GitLab sends none for those).
 * The shapes are the webhook's, not the API's: labels as objects, the
 * issue's fields under object_attributes, what changed under changes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "webhooks_internal.h"

static const cJSON *gitlab_list(const cJSON *data, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(data, "gitlab"), name);
}

static cJSON *copy_or_null(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return v ? cJSON_Duplicate(v, true) : cJSON_CreateNull();
}

static cJSON *user_of(const cJSON *data, int64_t id)
{
    const cJSON *u = sb_find_int(gitlab_list(data, "users"), "id", id);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddNumberToObject(out, "id", (double)id);
    const char *username = sb_get_str(u, "username");
    cJSON_AddStringToObject(out, "name", sb_get_str(u, "name") ? sb_get_str(u, "name") : "");
    cJSON_AddStringToObject(out, "username", username ? username : "");
    cJSON_AddNullToObject(out, "avatar_url");
    cJSON_AddStringToObject(out, "email", "[REDACTED]"); /* as GitLab sends it */
    return out;
}

static cJSON *project_of(const cJSON *p, const sb_hook_origin *o)
{
    const char *path = sb_get_str(p, "path_with_namespace");
    char *web = hb_xasprintf("%s/%s", o->web_url, path ? path : "");
    cJSON *out = cJSON_CreateObject();
    cJSON_AddItemToObject(out, "id", copy_or_null(p, "id"));
    cJSON_AddItemToObject(out, "name", copy_or_null(p, "name"));
    cJSON_AddItemToObject(out, "description", copy_or_null(p, "description"));
    cJSON_AddStringToObject(out, "web_url", web);
    cJSON_AddItemToObject(out, "path_with_namespace", copy_or_null(p, "path_with_namespace"));
    cJSON_AddItemToObject(out, "default_branch", copy_or_null(p, "default_branch"));
    cJSON_AddStringToObject(out, "homepage", web);
    free(web);
    return out;
}

/* The repository block, from the project block (project_of). */
static cJSON *repository_of(const cJSON *project)
{
    cJSON *out = cJSON_CreateObject();
    static const char *const from[] = {"name", "web_url", "description", "homepage"};
    static const char *const to[] = {"name", "url", "description", "homepage"};
    for (size_t i = 0; i < 4; i++)
        cJSON_AddItemToObject(out, to[i], copy_or_null(project, from[i]));
    return out;
}

/* The sandbox keeps labels by name; webhooks carry label objects. The id
 * is derived from the name so one label has one id in every event. */
static cJSON *labels_of(const cJSON *issue, const cJSON *project)
{
    cJSON *out = cJSON_CreateArray();
    const cJSON *l;
    cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(issue, "labels"))
    {
        if (!cJSON_IsString(l))
            continue;
        uint32_t h = 2166136261u;
        for (const char *c = l->valuestring; *c; c++)
            h = (h ^ (unsigned char)*c) * 16777619u;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "id", (double)(h % 1000000u + 1));
        cJSON_AddStringToObject(o, "title", l->valuestring);
        cJSON_AddStringToObject(o, "color", "#428BCA");
        cJSON_AddItemToObject(o, "project_id", copy_or_null(project, "id"));
        cJSON_AddStringToObject(o, "type", "ProjectLabel");
        cJSON_AddItemToArray(out, o);
    }
    return out;
}

static const char *state_of(const cJSON *issue)
{
    const char *s = sb_get_str(issue, "state");
    return s ? s : "opened";
}

static cJSON *issue_attrs(const cJSON *issue, const cJSON *project, const sb_hook_origin *o)
{
    int64_t iid = 0;
    sb_get_int(issue, "iid", &iid);
    const char *path = sb_get_str(project, "path_with_namespace");
    char *url = hb_xasprintf("%s/%s/-/issues/%lld", o->web_url, path ? path : "", (long long)iid);
    cJSON *a = cJSON_CreateObject();
    cJSON_AddItemToObject(a, "id", copy_or_null(issue, "id"));
    cJSON_AddNumberToObject(a, "iid", (double)iid);
    cJSON_AddItemToObject(a, "project_id", copy_or_null(project, "id"));
    cJSON_AddItemToObject(a, "title", copy_or_null(issue, "title"));
    cJSON_AddItemToObject(a, "description", copy_or_null(issue, "description"));
    cJSON_AddStringToObject(a, "state", state_of(issue));
    cJSON_AddNumberToObject(a, "state_id", strcmp(state_of(issue), "closed") ? 1 : 2);
    cJSON_AddItemToObject(a, "author_id", copy_or_null(issue, "author_id"));
    const cJSON *assignees = cJSON_GetObjectItemCaseSensitive(issue, "assignee_ids");
    cJSON_AddItemToObject(a, "assignee_ids",
                          cJSON_IsArray(assignees) ? cJSON_Duplicate(assignees, true)
                                                   : cJSON_CreateArray());
    cJSON_AddItemToObject(a, "assignee_id",
                          cJSON_GetArraySize(assignees) > 0
                              ? cJSON_Duplicate(assignees->child, true)
                              : cJSON_CreateNull());
    cJSON_AddItemToObject(a, "labels", labels_of(issue, project));
    cJSON_AddItemToObject(a, "created_at", copy_or_null(issue, "created_at"));
    cJSON_AddItemToObject(a, "updated_at", copy_or_null(issue, "updated_at"));
    cJSON_AddItemToObject(a, "closed_at", copy_or_null(issue, "closed_at"));
    cJSON_AddItemToObject(a, "due_date", copy_or_null(issue, "due_date"));
    cJSON_AddBoolToObject(
        a, "confidential",
        sb_truthy(cJSON_GetObjectItemCaseSensitive(issue, "confidential"), false));
    cJSON_AddStringToObject(a, "url", url);
    free(url);
    return a;
}

static int64_t api_user(const cJSON *data)
{
    int64_t id = 0;
    sb_get_int(cJSON_GetObjectItemCaseSensitive(data, "sandbox"), "gitlab_api_user", &id);
    return id;
}

static cJSON *envelope(const cJSON *data, const char *kind, int64_t user, const cJSON *project,
                       const sb_hook_origin *o)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "object_kind", kind);
    cJSON_AddStringToObject(p, "event_type", kind);
    cJSON_AddItemToObject(p, "user", user_of(data, user));
    cJSON_AddItemToObject(p, "project", project_of(project, o));
    return p;
}

static void add_change(cJSON *changes, const char *key, cJSON *previous, cJSON *current)
{
    cJSON *c = cJSON_AddObjectToObject(changes, key);
    cJSON_AddItemToObject(c, "previous", previous);
    cJSON_AddItemToObject(c, "current", current);
}

static bool field_changed(const cJSON *a, const cJSON *b, const char *key)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(a, key);
    const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, key);
    if (!x || !y)
        return (x == NULL) != (y == NULL) && !cJSON_IsNull(x ? x : y);
    return !cJSON_Compare(x, y, true);
}

/* What an update changed, GitLab's way ({"previous","current"} per field);
 * empty when nothing a webhook reports did. */
static cJSON *changes_of(const cJSON *issue, const cJSON *old, const cJSON *project)
{
    static const char *const plain[] = {
        "title", "description", "assignee_ids", "due_date", "confidential", "closed_at", NULL};
    cJSON *changes = cJSON_CreateObject();
    if (strcmp(state_of(issue), state_of(old)) != 0)
        add_change(changes, "state_id", cJSON_CreateNumber(strcmp(state_of(old), "closed") ? 1 : 2),
                   cJSON_CreateNumber(strcmp(state_of(issue), "closed") ? 1 : 2));
    for (const char *const *f = plain; *f; f++) {
        if (field_changed(old, issue, *f))
            add_change(changes, *f, copy_or_null(old, *f), copy_or_null(issue, *f));
    }
    if (field_changed(old, issue, "labels"))
        add_change(changes, "labels", labels_of(old, project), labels_of(issue, project));
    if (cJSON_GetArraySize(changes) > 0 && field_changed(old, issue, "updated_at"))
        add_change(changes, "updated_at", copy_or_null(old, "updated_at"),
                   copy_or_null(issue, "updated_at"));
    return changes;
}

static void issue_hook(const cJSON *data, const cJSON *project, const cJSON *issue,
                       const cJSON *old, const sb_hook_origin *o, sb_hook_events *out)
{
    cJSON *changes = old ? changes_of(issue, old, project) : cJSON_CreateObject();
    const char *action = "open";
    if (old) {
        bool was_closed = !strcmp(state_of(old), "closed");
        bool closed = !strcmp(state_of(issue), "closed");
        action = was_closed == closed ? "update" : closed ? "close" : "reopen";
        if (!strcmp(action, "update") && cJSON_GetArraySize(changes) == 0) {
            cJSON_Delete(changes);
            return;
        }
    }
    /* Who acted: the API's user, else whom the issue names for it. */
    int64_t user = 0;
    bool named = !strcmp(action, "close") && sb_get_int(issue, "closed_by_id", &user);
    if (o->api)
        user = api_user(data);
    else if (!named && !sb_get_int(issue, "updated_by_id", &user))
        sb_get_int(issue, "author_id", &user);
    cJSON *p = envelope(data, "issue", user, project, o);
    cJSON *attrs = issue_attrs(issue, project, o);
    cJSON_AddStringToObject(attrs, "action", action);
    cJSON_AddItemToObject(p, "object_attributes", attrs);
    cJSON_AddItemToObject(p, "labels", labels_of(issue, project));
    cJSON_AddItemToObject(p, "changes", changes);
    cJSON_AddItemToObject(p, "repository",
                          repository_of(cJSON_GetObjectItemCaseSensitive(p, "project")));
    sb_hook_events_add(out, SB_GITLAB, "Issue Hook", p);
}

static void note_hook(const cJSON *data, const cJSON *project, const cJSON *issue, const cJSON *n,
                      const sb_hook_origin *o, sb_hook_events *out)
{
    int64_t user = 0;
    if (!sb_get_int(n, "author_id", &user) && o->api)
        user = api_user(data);
    cJSON *p = envelope(data, "note", user, project, o);
    cJSON_AddItemToObject(p, "project_id", copy_or_null(project, "id"));
    cJSON *issue_obj = issue_attrs(issue, project, o);
    int64_t note_id = 0;
    sb_get_int(n, "id", &note_id);
    const char *issue_url = sb_get_str(issue_obj, "url");
    char *url = hb_xasprintf("%s#note_%lld", issue_url ? issue_url : "", (long long)note_id);
    cJSON *a = cJSON_CreateObject();
    cJSON_AddNumberToObject(a, "id", (double)note_id);
    const char *body = sb_get_str(n, "body");
    cJSON_AddStringToObject(a, "note", body ? body : "");
    cJSON_AddStringToObject(a, "noteable_type", "Issue");
    cJSON_AddItemToObject(a, "noteable_id", copy_or_null(issue, "id"));
    cJSON_AddNumberToObject(a, "author_id", (double)user);
    cJSON_AddItemToObject(a, "project_id", copy_or_null(project, "id"));
    cJSON_AddItemToObject(a, "created_at", copy_or_null(n, "created_at"));
    cJSON_AddItemToObject(a, "updated_at", copy_or_null(n, "created_at"));
    cJSON_AddFalseToObject(a, "system");
    cJSON_AddBoolToObject(a, "internal",
                          sb_truthy(cJSON_GetObjectItemCaseSensitive(n, "internal"), false));
    cJSON_AddStringToObject(a, "action", "create");
    cJSON_AddStringToObject(a, "url", url);
    free(url);
    cJSON_AddItemToObject(p, "object_attributes", a);
    cJSON_AddItemToObject(p, "repository",
                          repository_of(cJSON_GetObjectItemCaseSensitive(p, "project")));
    cJSON_AddItemToObject(p, "issue", issue_obj);
    sb_hook_events_add(out, SB_GITLAB, "Note Hook", p);
}

static void project_events(const cJSON *data, const cJSON *project, const cJSON *old_project,
                           const sb_hook_origin *o, sb_hook_events *out)
{
    const cJSON *old_issues = cJSON_GetObjectItemCaseSensitive(old_project, "issues");
    const cJSON *issue;
    cJSON_ArrayForEach(issue, cJSON_GetObjectItemCaseSensitive(project, "issues"))
    {
        int64_t iid;
        if (!sb_get_int(issue, "iid", &iid))
            continue;
        const cJSON *old = sb_find_int(old_issues, "iid", iid);
        /* A note closing an issue comes before the close, as on GitLab. */
        const cJSON *old_notes = cJSON_GetObjectItemCaseSensitive(old, "notes");
        const cJSON *n;
        cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(issue, "notes"))
        {
            int64_t id;
            if (sb_get_int(n, "id", &id) && !(old && sb_find_int(old_notes, "id", id)) &&
                !sb_truthy(cJSON_GetObjectItemCaseSensitive(n, "system"), false))
                note_hook(data, project, issue, n, o, out);
        }
        issue_hook(data, project, issue, old, o, out);
    }
}

void sb_gl_hook_events(const cJSON *data, const cJSON *before, const sb_hook_origin *o,
                       sb_hook_events *out)
{
    const cJSON *p;
    cJSON_ArrayForEach(p, gitlab_list(data, "projects"))
    {
        int64_t id;
        if (sb_get_int(p, "id", &id))
            project_events(data, p, sb_find_int(before, "id", id), o, out);
    }
}
