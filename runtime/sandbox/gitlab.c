/* GitLab REST API v4: projects (by id or URL-encoded path), issues, notes
 * on issues and merge requests, and issue templates, with offset
 * pagination headers and a Link header. Stored projects hold "issues" and
 * "merge_requests" (each with "notes", keyed by iid) and "templates"
 * ({name: content}); authors are ids into gitlab.users. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gitlab_internal.h"

cJSON *sb_gl_find_by_id_or_path(sb_ctx *cx, const char *collection, const char *path_field)
{
    const char *key = sb_param(cx, "id");
    cJSON *all = sb_coll(cx->data, "gitlab", collection);
    int64_t id;
    if (sb_parse_int(key, &id))
        return sb_find_int(all, "id", id);
    cJSON *p;
    cJSON_ArrayForEach(p, all)
    {
        const char *path = sb_get_str(p, path_field);
        if (path && !strcasecmp(path, key))
            return p;
    }
    return NULL;
}

cJSON *sb_gl_find_project(sb_ctx *cx)
{
    return sb_gl_find_by_id_or_path(cx, "projects", "path_with_namespace");
}

/* A project's "issues" or "merge_requests", created empty when missing. */
static cJSON *project_items(cJSON *project, const char *coll)
{
    return sb_ensure_array(project, coll);
}

static cJSON *project_issues(cJSON *project)
{
    return project_items(project, "issues");
}

/* Finds the project and its issue or merge request {iid}, replying 404 in
 * GitLab's words when missing. */
static bool find_item(sb_ctx *cx, const char *coll, cJSON **project, cJSON **item)
{
    *project = sb_gl_find_project(cx);
    if (!*project) {
        sb_gitlab_error(cx, 404, "404 Project Not Found");
        return false;
    }
    int64_t iid;
    *item = sb_parse_int(sb_param(cx, "iid"), &iid)
                ? sb_find_int(project_items(*project, coll), "iid", iid)
                : NULL;
    if (!*item) {
        sb_gitlab_error(cx, 404, "404 Not found");
        return false;
    }
    return true;
}

static bool find_issue(sb_ctx *cx, cJSON **project, cJSON **issue)
{
    return find_item(cx, "issues", project, issue);
}

/* ---- handlers ---- */

void sb_h_gl_project_get(sb_ctx *cx)
{
    cJSON *project = sb_gl_find_project(cx);
    if (!project) {
        sb_gitlab_error(cx, 404, "404 Project Not Found");
        return;
    }
    static const char *const hidden[] = {"issues", "templates", NULL};
    cJSON *out = sb_copy_without(project, hidden);
    const char *path = sb_get_str(project, "path_with_namespace");
    char *web = hb_xasprintf("%s/%s", sb_web_url(cx), path ? path : "");
    sb_set(out, "web_url", cJSON_CreateString(web));
    free(web);
    sb_reply_json(cx, 200, out);
}

/* "a,b" or ["a","b"] → a fresh array of label strings. */
static cJSON *label_list(const cJSON *v)
{
    cJSON *out = cJSON_CreateArray();
    if (cJSON_IsArray(v)) {
        const cJSON *it;
        cJSON_ArrayForEach(it, v)
        {
            if (cJSON_IsString(it) && *it->valuestring && !sb_array_has_str(out, it->valuestring))
                cJSON_AddItemToArray(out, cJSON_CreateString(it->valuestring));
        }
    } else if (cJSON_IsString(v)) {
        char *copy = hb_xstrdup(v->valuestring);
        for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ",")) {
            while (*tok == ' ')
                tok++;
            if (*tok && !sb_array_has_str(out, tok))
                cJSON_AddItemToArray(out, cJSON_CreateString(tok));
        }
        free(copy);
    }
    return out;
}

static cJSON *id_list(const cJSON *v)
{
    cJSON *out = cJSON_CreateArray();
    cJSON *strings = cJSON_IsArray(v) ? NULL : label_list(v);
    const cJSON *source = strings ? strings : v, *it;
    cJSON_ArrayForEach(it, source)
    {
        int64_t id;
        if (cJSON_IsNumber(it))
            cJSON_AddItemToArray(out, cJSON_CreateNumber(it->valuedouble));
        else if (cJSON_IsString(it) && sb_parse_int(it->valuestring, &id))
            cJSON_AddItemToArray(out, cJSON_CreateNumber((double)id));
    }
    cJSON_Delete(strings);
    return out;
}

static void copy_param(cJSON *issue, const cJSON *params, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(params, key);
    if (cJSON_IsString(v) || cJSON_IsNull(v))
        sb_set(issue, key, cJSON_Duplicate(v, true));
}

void sb_h_gl_issue_create(sb_ctx *cx)
{
    cJSON *project = sb_gl_find_project(cx);
    if (!project) {
        sb_gitlab_error(cx, 404, "404 Project Not Found");
        return;
    }
    cJSON *params = sb_params(cx);
    const char *title = sb_get_str(params, "title");
    if (!title || !*title) {
        sb_gitlab_error(cx, 400, "400 (Bad request) \"title\" not given");
        return;
    }
    cJSON *issues = project_issues(project);
    int64_t pid = 0;
    sb_get_int(project, "id", &pid);
    char counter[64];
    snprintf(counter, sizeof counter, "gitlab.iid.%lld", (long long)pid);
    char now[32];
    sb_now_millis(now);
    cJSON *issue = cJSON_CreateObject();
    cJSON_AddNumberToObject(
        issue, "id",
        (double)sb_next_id(
            cx, "gitlab.issue",
            sb_max_nested_int(sb_coll(cx->data, "gitlab", "projects"), "issues", "id")));
    cJSON_AddNumberToObject(issue, "iid",
                            (double)sb_next_id(cx, counter, sb_max_int(issues, "iid")));
    cJSON_AddStringToObject(issue, "title", title);
    copy_param(issue, params, "description");
    copy_param(issue, params, "due_date");
    cJSON_AddStringToObject(issue, "state", "opened");
    cJSON_AddItemToObject(issue, "labels",
                          label_list(cJSON_GetObjectItemCaseSensitive(params, "labels")));
    cJSON_AddItemToObject(issue, "assignee_ids",
                          id_list(cJSON_GetObjectItemCaseSensitive(params, "assignee_ids")));
    cJSON_AddBoolToObject(
        issue, "confidential",
        sb_truthy(cJSON_GetObjectItemCaseSensitive(params, "confidential"), false));
    cJSON_AddNumberToObject(issue, "author_id", (double)sb_gl_api_user(cx));
    cJSON_AddStringToObject(issue, "created_at", now);
    cJSON_AddStringToObject(issue, "updated_at", now);
    cJSON_AddArrayToObject(issue, "notes");
    cJSON_AddItemToArray(issues, issue);
    cx->changed = true;
    sb_reply_json(cx, 201, sb_gl_render_issue(cx, project, issue));
}

static bool has_all_labels(const cJSON *issue, const cJSON *wanted)
{
    const cJSON *have = cJSON_GetObjectItemCaseSensitive(issue, "labels");
    const cJSON *w;
    cJSON_ArrayForEach(w, wanted)
    {
        if (!strcasecmp(w->valuestring, "None"))
            return cJSON_GetArraySize(have) == 0;
        if (!strcasecmp(w->valuestring, "Any")) {
            if (cJSON_GetArraySize(have) == 0)
                return false;
            continue;
        }
        if (!sb_array_has_str(have, w->valuestring))
            return false;
    }
    return true;
}

static bool issue_listed(sb_ctx *cx, const cJSON *issue, const cJSON *labels, const cJSON *iids)
{
    const char *state = sb_query(cx, "state");
    const char *have = sb_get_str(issue, "state");
    if (state && strcmp(state, "all") != 0 && (!have || strcmp(have, state) != 0))
        return false;
    if (!has_all_labels(issue, labels))
        return false;
    const char *search = sb_query(cx, "search");
    if (search && *search) {
        const char *t = sb_get_str(issue, "title"), *d = sb_get_str(issue, "description");
        if (!sb_contains_ci(t, search) && !sb_contains_ci(d, search))
            return false;
    }
    int64_t iid = 0;
    sb_get_int(issue, "iid", &iid);
    if (cJSON_GetArraySize(iids) > 0) {
        bool found = false;
        const cJSON *i;
        cJSON_ArrayForEach(i, iids)
        {
            found = found || (int64_t)i->valuedouble == iid;
        }
        if (!found)
            return false;
    }
    int64_t author;
    const char *want_author = sb_query(cx, "author_id");
    if (want_author && (!sb_get_int(issue, "author_id", &author) ||
                        !sb_parse_int(want_author, &iid) || author != iid))
        return false;
    return true;
}

void sb_h_gl_issue_list(sb_ctx *cx)
{
    cJSON *project = sb_gl_find_project(cx);
    if (!project) {
        sb_gitlab_error(cx, 404, "404 Project Not Found");
        return;
    }
    cJSON *params = sb_params(cx);
    cJSON *labels = label_list(cJSON_GetObjectItemCaseSensitive(params, "labels"));
    cJSON *iids = id_list(cJSON_GetObjectItemCaseSensitive(params, "iids"));
    cJSON *out = cJSON_CreateArray();
    const cJSON *issue;
    cJSON_ArrayForEach(issue, project_issues(project))
    {
        if (issue_listed(cx, issue, labels, iids))
            cJSON_AddItemToArray(out, sb_gl_render_issue(cx, project, issue));
    }
    cJSON_Delete(labels);
    cJSON_Delete(iids);
    sb_gl_sort_from_query(cx, out, true);
    sb_gl_reply_page(cx, out);
}

void sb_h_gl_issue_get(sb_ctx *cx)
{
    cJSON *project, *issue;
    if (find_issue(cx, &project, &issue))
        sb_reply_json(cx, 200, sb_gl_render_issue(cx, project, issue));
}

/* Note ids are unique across projects, issues and merge requests, as on
 * the real API. */
static int64_t max_note_id(sb_ctx *cx)
{
    int64_t max = 0;
    const cJSON *p;
    static const char *const colls[] = {"issues", "merge_requests"};
    cJSON_ArrayForEach(p, sb_coll(cx->data, "gitlab", "projects"))
    {
        for (size_t c = 0; c < 2; c++) {
            int64_t m =
                sb_max_nested_int(cJSON_GetObjectItemCaseSensitive(p, colls[c]), "notes", "id");
            if (m > max)
                max = m;
        }
    }
    return max;
}

static void add_system_note(sb_ctx *cx, cJSON *issue, const char *body, const char *now)
{
    cJSON *notes = sb_ensure_array(issue, "notes");
    cJSON *n = cJSON_CreateObject();
    cJSON_AddNumberToObject(n, "id", (double)sb_next_id(cx, "gitlab.note", max_note_id(cx)));
    cJSON_AddStringToObject(n, "body", body);
    cJSON_AddNumberToObject(n, "author_id", (double)sb_gl_api_user(cx));
    cJSON_AddTrueToObject(n, "system");
    cJSON_AddStringToObject(n, "created_at", now);
    cJSON_AddItemToArray(notes, n);
}

static void change_labels(sb_ctx *cx, cJSON *issue, cJSON *params, const char *now)
{
    cJSON *labels = sb_ensure_array(issue, "labels");
    cJSON *before = cJSON_Duplicate(labels, true);
    const cJSON *set = cJSON_GetObjectItemCaseSensitive(params, "labels");
    if (set) {
        labels = label_list(set);
        sb_set(issue, "labels", labels);
    }
    cJSON *add = label_list(cJSON_GetObjectItemCaseSensitive(params, "add_labels"));
    cJSON *remove = label_list(cJSON_GetObjectItemCaseSensitive(params, "remove_labels"));
    const cJSON *l;
    cJSON_ArrayForEach(l, add)
    {
        if (!sb_array_has_str(labels, l->valuestring))
            cJSON_AddItemToArray(labels, cJSON_CreateString(l->valuestring));
    }
    for (cJSON *it = labels->child, *next; it; it = next) {
        next = it->next;
        if (sb_array_has_str(remove, it->valuestring))
            cJSON_Delete(cJSON_DetachItemViaPointer(labels, it));
    }
    hb_buf note;
    hb_buf_init(&note);
    cJSON_ArrayForEach(l, labels)
    {
        if (!sb_array_has_str(before, l->valuestring))
            hb_buf_printf(&note, "%s~\"%s\"", note.len ? " " : "added ", l->valuestring);
    }
    size_t added_len = note.len;
    cJSON_ArrayForEach(l, before)
    {
        if (!sb_array_has_str(labels, l->valuestring))
            hb_buf_printf(&note, "%s~\"%s\"",
                          note.len == added_len ? (added_len ? " and removed " : "removed ") : " ",
                          l->valuestring);
    }
    if (note.len)
        add_system_note(cx, issue, note.data, now);
    hb_buf_free(&note);
    cJSON_Delete(before);
    cJSON_Delete(add);
    cJSON_Delete(remove);
}

void sb_h_gl_issue_update(sb_ctx *cx)
{
    cJSON *project, *issue;
    if (!find_issue(cx, &project, &issue))
        return;
    cJSON *params = sb_params(cx);
    const char *event = sb_get_str(params, "state_event");
    if (event && strcmp(event, "close") != 0 && strcmp(event, "reopen") != 0) {
        cJSON *body = cJSON_CreateObject();
        cJSON_AddStringToObject(body, "error", "state_event does not have a valid value");
        sb_reply_json(cx, 400, body);
        return;
    }
    const cJSON *title = cJSON_GetObjectItemCaseSensitive(params, "title");
    if (title && (!cJSON_IsString(title) || !*title->valuestring)) {
        cJSON *body = cJSON_CreateObject();
        cJSON *msg = cJSON_AddObjectToObject(body, "message");
        cJSON *list = cJSON_AddArrayToObject(msg, "title");
        cJSON_AddItemToArray(list, cJSON_CreateString("can't be blank"));
        sb_reply_json(cx, 400, body);
        return;
    }
    char now[32];
    sb_now_millis(now);
    copy_param(issue, params, "title");
    copy_param(issue, params, "description");
    copy_param(issue, params, "due_date");
    const cJSON *conf = cJSON_GetObjectItemCaseSensitive(params, "confidential");
    if (conf)
        sb_set(issue, "confidential", cJSON_CreateBool(sb_truthy(conf, false)));
    const cJSON *assignees = cJSON_GetObjectItemCaseSensitive(params, "assignee_ids");
    if (assignees)
        sb_set(issue, "assignee_ids", id_list(assignees));
    change_labels(cx, issue, params, now);
    const char *state = sb_get_str(issue, "state");
    bool closed = state && !strcmp(state, "closed");
    if (event && !strcmp(event, "close") && !closed) {
        sb_set(issue, "state", cJSON_CreateString("closed"));
        sb_set(issue, "closed_at", cJSON_CreateString(now));
        sb_set(issue, "closed_by_id", cJSON_CreateNumber((double)sb_gl_api_user(cx)));
        add_system_note(cx, issue, "closed", now);
    } else if (event && !strcmp(event, "reopen") && closed) {
        sb_set(issue, "state", cJSON_CreateString("opened"));
        sb_set(issue, "closed_at", cJSON_CreateNull());
        cJSON_DeleteItemFromObjectCaseSensitive(issue, "closed_by_id");
        add_system_note(cx, issue, "reopened", now);
    }
    sb_set(issue, "updated_at", cJSON_CreateString(now));
    cx->changed = true;
    sb_reply_json(cx, 200, sb_gl_render_issue(cx, project, issue));
}

/* POST .../issues/{iid}/notes and .../merge_requests/{iid}/notes: the
 * comment a workflow (or a CI job) leaves, 201 with the note. */
static void create_note(sb_ctx *cx, const char *coll, const char *noteable_type)
{
    cJSON *project, *item;
    if (!find_item(cx, coll, &project, &item))
        return;
    cJSON *params = sb_params(cx);
    const char *body = sb_get_str(params, "body");
    if (!body || !*body) {
        sb_gitlab_error(cx, 400, "400 (Bad request) \"body\" not given");
        return;
    }
    cJSON *notes = sb_ensure_array(item, "notes");
    char now[32];
    sb_now_millis(now);
    bool internal = sb_truthy(cJSON_GetObjectItemCaseSensitive(params, "internal"), false) ||
                    sb_truthy(cJSON_GetObjectItemCaseSensitive(params, "confidential"), false);
    cJSON *n = cJSON_CreateObject();
    cJSON_AddNumberToObject(n, "id", (double)sb_next_id(cx, "gitlab.note", max_note_id(cx)));
    cJSON_AddStringToObject(n, "body", body);
    cJSON_AddNumberToObject(n, "author_id", (double)sb_gl_api_user(cx));
    cJSON_AddFalseToObject(n, "system");
    cJSON_AddBoolToObject(n, "internal", internal);
    cJSON_AddStringToObject(n, "created_at", now);
    cJSON_AddItemToArray(notes, n);
    sb_set(item, "updated_at", cJSON_CreateString(now));
    cx->changed = true;
    sb_reply_json(cx, 201, sb_gl_render_note(cx, project, item, n, noteable_type));
}

static void list_notes(sb_ctx *cx, const char *coll, const char *noteable_type)
{
    cJSON *project, *item;
    if (!find_item(cx, coll, &project, &item))
        return;
    cJSON *out = cJSON_CreateArray();
    const cJSON *n;
    cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(item, "notes"))
    {
        cJSON_AddItemToArray(out, sb_gl_render_note(cx, project, item, n, noteable_type));
    }
    sb_gl_sort_from_query(cx, out, true); /* GitLab lists notes newest first */
    sb_gl_reply_page(cx, out);
}

void sb_h_gl_note_create(sb_ctx *cx)
{
    create_note(cx, "issues", "Issue");
}

void sb_h_gl_note_list(sb_ctx *cx)
{
    list_notes(cx, "issues", "Issue");
}

void sb_h_gl_mr_note_create(sb_ctx *cx)
{
    create_note(cx, "merge_requests", "MergeRequest");
}

void sb_h_gl_mr_note_list(sb_ctx *cx)
{
    list_notes(cx, "merge_requests", "MergeRequest");
}

void sb_h_gl_template_get(sb_ctx *cx)
{
    cJSON *project = sb_gl_find_project(cx);
    if (!project) {
        sb_gitlab_error(cx, 404, "404 Project Not Found");
        return;
    }
    const char *name = sb_param(cx, "name");
    const cJSON *templates = cJSON_GetObjectItemCaseSensitive(project, "templates");
    const char *content = sb_get_str(templates, name);
    if (!content) {
        sb_gitlab_error(cx, 404, "404 Template Not Found");
        return;
    }
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "name", name);
    cJSON_AddStringToObject(body, "content", content);
    sb_reply_json(cx, 200, body);
}
