/* The sandbox's GitLab API over real HTTP: projects by id and by
 * URL-encoded path, issues, notes (of issues and merge requests), templates,
 * pagination headers and Link, auth and errors in GitLab's shapes. */
#include <stdlib.h>
#include <string.h>

#include "hb/util.h"
#include "sandbox_test.h"

#define OPS  "/api/v4/projects/gitlab-com%2Fsupport%2Fsupport-ops%2Fzendesk-organizations"
#define META "/api/v4/projects/gitlab-com%2Fsupport%2Fsupport-team-meta"

static void project_by_encoded_path_and_id(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_gitlab(t, "GET", OPS, NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(sbt_num_at(r.json, "id"), 20001);
    assert_string_equal(sbt_str_at(r.json, "path_with_namespace"),
                        "gitlab-com/support/support-ops/zendesk-organizations");
    assert_null(sbt_json_at(r.json, "issues"));
    sbt_resp_free(&r);

    r = sbt_gitlab(t, "GET", "/api/v4/projects/20002/issues/1", NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(sbt_str_at(r.json, "references.full"),
                        "gitlab-com/gl-security/corp/cust-support-ops/issue-tracker#1");
    sbt_resp_free(&r);

    /* an unencoded slash is a different path, not the project */
    r = sbt_gitlab(t, "GET", "/api/v4/projects/gitlab-com/support/support-team-meta", NULL);
    assert_int_equal(r.status, 404);
    sbt_resp_free(&r);
    r = sbt_gitlab(t, "GET", "/api/v4/projects/gitlab-com%2Fnope/issues", NULL);
    assert_int_equal(r.status, 404);
    assert_string_equal(sbt_str_at(r.json, "message"), "404 Project Not Found");
    sbt_resp_free(&r);
}

static void create_issue_and_read_it_back(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_gitlab(t, "POST", OPS "/issues",
                            "{\"title\":\"Offering migration: ticket 1001\","
                            "\"description\":\"Support level: premium\",\"labels\":\"a,b\"}");
    assert_int_equal(r.status, 201);
    assert_int_equal(sbt_num_at(r.json, "iid"), 3);
    assert_int_equal(sbt_num_at(r.json, "project_id"), 20001);
    assert_string_equal(sbt_str_at(r.json, "state"), "opened");
    assert_string_equal(sbt_str_at(r.json, "labels[1]"), "b");
    assert_string_equal(sbt_str_at(r.json, "references.short"), "#3");
    assert_string_equal(sbt_str_at(r.json, "author.username"), "hb-sandbox-bot");
    sbt_resp_free(&r);

    r = sbt_gitlab(t, "GET", OPS "/issues/3", NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(sbt_str_at(r.json, "description"), "Support level: premium");
    sbt_resp_free(&r);

    /* form bodies work too, as with curl -d */
    const char *form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    char *auth = hb_xasprintf("PRIVATE-TOKEN: %s", sbt_var(t, "GITLAB_TOKEN"));
    const char *headers[] = {auth, form[0], NULL};
    r = sbt_request(t, "POST", META "/issues", headers, "title=RFC%3A+new+macro&labels=RFC");
    assert_int_equal(r.status, 201);
    assert_string_equal(sbt_str_at(r.json, "title"), "RFC: new macro");
    assert_int_equal(sbt_num_at(r.json, "iid"), 1);
    sbt_resp_free(&r);
    free(auth);

    r = sbt_gitlab(t, "POST", OPS "/issues", "{\"description\":\"no title\"}");
    assert_int_equal(r.status, 400);
    assert_string_equal(sbt_str_at(r.json, "message"), "400 (Bad request) \"title\" not given");
    sbt_resp_free(&r);
    r = sbt_gitlab(t, "GET", OPS "/issues/99", NULL);
    assert_int_equal(r.status, 404);
    assert_string_equal(sbt_str_at(r.json, "message"), "404 Not found");
    sbt_resp_free(&r);
}

static void list_filters_and_pagination_headers(void **state)
{
    sbt *t = *state;
    for (int i = 0; i < 3; i++) {
        char *body = hb_xasprintf("{\"title\":\"extra %d\",\"labels\":\"extra\"}", i);
        sbt_resp r = sbt_gitlab(t, "POST", OPS "/issues", body);
        assert_int_equal(r.status, 201);
        sbt_resp_free(&r);
        free(body);
    }
    sbt_resp r = sbt_gitlab(t, "GET", OPS "/issues?labels=extra&per_page=2&sort=asc", NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(r.json), 2);
    assert_string_equal(sbt_str_at(r.json, "[0].title"), "extra 0");
    char *total = sbt_header(&r, "x-total"), *pages = sbt_header(&r, "x-total-pages");
    char *next = sbt_header(&r, "x-next-page"), *page = sbt_header(&r, "x-page");
    char *link = sbt_header(&r, "link");
    assert_string_equal(total, "3");
    assert_string_equal(pages, "2");
    assert_string_equal(next, "2");
    assert_string_equal(page, "1");
    assert_non_null(strstr(link, "rel=\"next\""));
    /* the Link keeps the encoded project path and the filters */
    assert_non_null(strstr(link, "zendesk-organizations/issues?labels=extra"));
    assert_non_null(strstr(link, "page=2&per_page=2>; rel=\"next\""));
    free(total);
    free(pages);
    free(next);
    free(page);
    free(link);
    char *ratelimit = sbt_header(&r, "ratelimit-remaining");
    assert_non_null(ratelimit);
    free(ratelimit);
    sbt_resp_free(&r);

    r = sbt_gitlab(t, "GET", OPS "/issues?labels=extra&per_page=2&page=2&sort=asc", NULL);
    assert_int_equal(cJSON_GetArraySize(r.json), 1);
    next = sbt_header(&r, "x-next-page");
    assert_string_equal(next, ""); /* empty on the last page */
    free(next);
    link = sbt_header(&r, "link");
    assert_null(strstr(link, "rel=\"next\""));
    free(link);
    sbt_resp_free(&r);

    r = sbt_gitlab(t, "GET", OPS "/issues?state=closed", NULL);
    assert_int_equal(cJSON_GetArraySize(r.json), 1);
    assert_int_equal(sbt_num_at(r.json, "[0].iid"), 1);
    sbt_resp_free(&r);
    r = sbt_gitlab(t, "GET", OPS "/issues?search=hooli", NULL);
    assert_int_equal(cJSON_GetArraySize(r.json), 1);
    sbt_resp_free(&r);
    r = sbt_gitlab(t, "GET", OPS "/issues?labels=extra,Org%20notes", NULL);
    assert_int_equal(cJSON_GetArraySize(r.json), 0); /* every label must match */
    sbt_resp_free(&r);
}

static void update_labels_and_state(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_gitlab(t, "PUT", OPS "/issues/2",
                            "{\"add_labels\":\"done,checked\",\"remove_labels\":\"Org notes\","
                            "\"state_event\":\"close\",\"description\":\"finished\"}");
    assert_int_equal(r.status, 200);
    assert_string_equal(sbt_str_at(r.json, "state"), "closed");
    assert_non_null(sbt_str_at(r.json, "closed_at"));
    assert_int_equal(cJSON_GetArraySize(sbt_json_at(r.json, "labels")), 2);
    assert_string_equal(sbt_str_at(r.json, "labels[0]"), "done");
    assert_string_equal(sbt_str_at(r.json, "description"), "finished");
    sbt_resp_free(&r);

    r = sbt_gitlab(t, "PUT", OPS "/issues/2", "{\"state_event\":\"reopen\"}");
    assert_string_equal(sbt_str_at(r.json, "state"), "opened");
    assert_true(cJSON_IsNull(sbt_json_at(r.json, "closed_at")));
    sbt_resp_free(&r);

    r = sbt_gitlab(t, "PUT", OPS "/issues/2", "{\"state_event\":\"archive\"}");
    assert_int_equal(r.status, 400);
    sbt_resp_free(&r);
}

static void notes_sorted_both_ways(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_gitlab(t, "POST", OPS "/issues/2/notes", "{\"body\":\"first\"}");
    assert_int_equal(r.status, 201);
    assert_false(cJSON_IsTrue(sbt_json_at(r.json, "system")));
    assert_string_equal(sbt_str_at(r.json, "noteable_type"), "Issue");
    sbt_resp_free(&r);
    r = sbt_gitlab(t, "POST", OPS "/issues/2/notes", "{\"body\":\"second\",\"internal\":true}");
    assert_int_equal(r.status, 201);
    assert_true(cJSON_IsTrue(sbt_json_at(r.json, "internal")));
    sbt_resp_free(&r);

    r = sbt_gitlab(t, "GET", OPS "/issues/2/notes", NULL); /* newest first by default */
    assert_int_equal(r.status, 200);
    assert_string_equal(sbt_str_at(r.json, "[0].body"), "second");
    sbt_resp_free(&r);
    r = sbt_gitlab(t, "GET", OPS "/issues/2/notes?sort=asc&order_by=created_at", NULL);
    assert_string_equal(sbt_str_at(r.json, "[0].body"), "first");
    sbt_resp_free(&r);

    r = sbt_gitlab(t, "POST", OPS "/issues/2/notes", "{}");
    assert_int_equal(r.status, 400);
    sbt_resp_free(&r);
    r = sbt_gitlab(t, "GET", OPS "/issues/1/notes?sort=asc", NULL);
    assert_int_equal(cJSON_GetArraySize(r.json), 2);
    assert_true(cJSON_IsTrue(sbt_json_at(r.json, "[1].system")));
    sbt_resp_free(&r);
}

/* The comment a merge request pipeline posts (the hb-diff job of
 * .ci/workflow-review.gitlab-ci.yml): form-encoded as curl sends it, 201 with
 * the note, listed back, and 404 for a merge request the project lacks. */
static void merge_request_notes(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_request(t, "POST", "/__sandbox/patch", NULL,
                             "{\"gitlab\":{\"projects\":{\"gitlab-com/support/support-team-meta\":"
                             "{\"merge_requests\":[{\"iid\":7,\"id\":5007,\"title\":\"Workflow "
                             "change\",\"state\":\"opened\"}]}}}}");
    assert_int_equal(r.status, 200);
    sbt_resp_free(&r);
    char *auth = hb_xasprintf("PRIVATE-TOKEN: %s", sbt_var(t, "GITLAB_TOKEN"));
    const char *form[] = {auth, "Content-Type: application/x-www-form-urlencoded", NULL};
    r = sbt_request(t, "POST", META "/merge_requests/7/notes", form,
                    "body=%23%23%23+Workflow+changes%0Aone+%26+two");
    assert_int_equal(r.status, 201);
    assert_string_equal(sbt_str_at(r.json, "body"), "### Workflow changes\none & two");
    assert_string_equal(sbt_str_at(r.json, "noteable_type"), "MergeRequest");
    assert_int_equal((int)sbt_json_at(r.json, "noteable_iid")->valuedouble, 7);
    assert_int_equal((int)sbt_json_at(r.json, "noteable_id")->valuedouble, 5007);
    assert_false(cJSON_IsTrue(sbt_json_at(r.json, "system")));
    sbt_resp_free(&r);
    r = sbt_gitlab(t, "GET", META "/merge_requests/7/notes", NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(r.json), 1);
    assert_string_equal(sbt_str_at(r.json, "[0].body"), "### Workflow changes\none & two");
    sbt_resp_free(&r);
    r = sbt_gitlab(t, "POST", META "/merge_requests/8/notes", "{\"body\":\"x\"}");
    assert_int_equal(r.status, 404);
    assert_string_equal(sbt_str_at(r.json, "message"), "404 Not found");
    sbt_resp_free(&r);
    const char *wrong[] = {"PRIVATE-TOKEN: glpat-wrong", NULL};
    r = sbt_request(t, "POST", META "/merge_requests/7/notes", wrong, "body=x");
    assert_int_equal(r.status, 401);
    sbt_resp_free(&r);
    free(auth);
}

static void issue_templates(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_gitlab(
        t, "GET",
        "/api/v4/projects/gitlab-com%2Fgl-security%2Fcorp%2Fcust-support-ops%2Fissue-tracker"
        "/templates/issues/Bug",
        NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(sbt_str_at(r.json, "name"), "Bug");
    assert_non_null(strstr(sbt_str_at(r.json, "content"), "Bug report"));
    sbt_resp_free(&r);
    r = sbt_gitlab(t, "GET", META "/templates/issues/RFC", NULL);
    assert_int_equal(r.status, 200);
    sbt_resp_free(&r);
    r = sbt_gitlab(t, "GET", META "/templates/issues/Nope", NULL);
    assert_int_equal(r.status, 404);
    sbt_resp_free(&r);
}

static void authentication(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_request(t, "GET", OPS "/issues", NULL, NULL);
    assert_int_equal(r.status, 401);
    assert_string_equal(sbt_str_at(r.json, "message"), "401 Unauthorized");
    sbt_resp_free(&r);
    const char *wrong[] = {"PRIVATE-TOKEN: glpat-wrong", NULL};
    r = sbt_request(t, "GET", OPS "/issues", wrong, NULL);
    assert_int_equal(r.status, 401);
    sbt_resp_free(&r);
    char *bearer = hb_xasprintf("Authorization: Bearer %s", sbt_var(t, "GITLAB_TOKEN"));
    const char *ok[] = {bearer, NULL};
    r = sbt_request(t, "GET", OPS "/issues", ok, NULL);
    assert_int_equal(r.status, 200);
    sbt_resp_free(&r);
    free(bearer);
}

/* Members including inherited ones: a user who is a member several times
 * shows once, with the highest role; not a member is GitLab's 404. */
static void members_with_inherited_roles(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_gitlab(t, "GET", "/api/v4/groups/massive-dynamic/members/all/4", NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(sbt_str_at(r.json, "username"), "lena.lund");
    assert_int_equal(sbt_num_at(r.json, "access_level"), 50);
    assert_non_null(sbt_json_at(r.json, "expires_at"));
    sbt_resp_free(&r);

    r = sbt_gitlab(t, "GET", "/api/v4/groups/30101/members/all/2", NULL);
    assert_int_equal(r.status, 404);
    assert_string_equal(sbt_str_at(r.json, "message"), "404 Not found");
    sbt_resp_free(&r);

    /* Priya: Developer of gitlab-com, Maintainer of gitlab-com/support */
    r = sbt_gitlab(t, "GET", META "/members/all/3", NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(sbt_num_at(r.json, "access_level"), 40);
    sbt_resp_free(&r);
    r = sbt_gitlab(t, "GET", "/api/v4/groups/gitlab-com%2Fsupport/members/all", NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(r.json), 2);
    char *total = sbt_header(&r, "x-total");
    assert_string_equal(total, "2");
    free(total);
    sbt_resp_free(&r);
    r = sbt_gitlab(t, "GET", META "/members/all?query=SOFIA", NULL);
    assert_int_equal(cJSON_GetArraySize(r.json), 1);
    assert_string_equal(sbt_str_at(r.json, "[0].username"), "sofia.ops");
    sbt_resp_free(&r);

    r = sbt_gitlab(t, "GET", "/api/v4/groups/no-such-group/members/all", NULL);
    assert_int_equal(r.status, 404);
    assert_string_equal(sbt_str_at(r.json, "message"), "404 Group Not Found");
    sbt_resp_free(&r);
}

static void users_by_username_and_search(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_gitlab(t, "GET", "/api/v4/users?username=Lena.Lund", NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(r.json), 1);
    assert_int_equal(sbt_num_at(r.json, "[0].id"), 4);
    assert_null(sbt_json_at(r.json, "[0].email")); /* a list shows no emails */
    sbt_resp_free(&r);
    r = sbt_gitlab(t, "GET", "/api/v4/users?search=mo%40massive.example", NULL);
    assert_int_equal(cJSON_GetArraySize(r.json), 1);
    assert_string_equal(sbt_str_at(r.json, "[0].username"), "mo.massive");
    sbt_resp_free(&r);
    r = sbt_gitlab(t, "GET", "/api/v4/users?search=massive.exam", NULL);
    assert_int_equal(cJSON_GetArraySize(r.json), 0); /* an email matches only whole */
    sbt_resp_free(&r);
    r = sbt_gitlab(t, "GET", "/api/v4/users?search=ops", NULL);
    assert_int_equal(cJSON_GetArraySize(r.json), 1);
    sbt_resp_free(&r);
}

static void every_gitlab_route_is_covered(void **state)
{
    (void)state;
    sbt_assert_routes_covered("gitlab");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(project_by_encoded_path_and_id, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(create_issue_and_read_it_back, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(list_filters_and_pagination_headers, sbt_setup,
                                        sbt_teardown),
        cmocka_unit_test_setup_teardown(update_labels_and_state, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(notes_sorted_both_ways, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(merge_request_notes, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(issue_templates, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(authentication, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(members_with_inherited_roles, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(users_by_username_and_search, sbt_setup, sbt_teardown),
        cmocka_unit_test(every_gitlab_route_is_covered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
