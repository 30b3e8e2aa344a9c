/* The sandbox's Zendesk API over real HTTP: tickets and their audits,
 * tags, comments with both paging styles, organizations, ticket forms,
 * users, search, auth and errors in Zendesk's shapes. */
#include <stdlib.h>
#include <string.h>

#include "hb/util.h"
#include "sandbox_test.h"

static void ticket_show(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_zendesk(t, "GET", "/api/v2/tickets/1001.json", NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(sbt_num_at(r.json, "ticket.id"), 1001);
    assert_int_equal(sbt_num_at(r.json, "ticket.organization_id"), 2001);
    assert_null(sbt_json_at(r.json, "ticket.comments"));
    assert_non_null(strstr(sbt_str_at(r.json, "ticket.url"), "/api/v2/tickets/1001.json"));
    char *remaining = sbt_header(&r, "x-rate-limit-remaining");
    assert_non_null(remaining);
    free(remaining);
    sbt_resp_free(&r);

    r = sbt_zendesk(t, "GET", "/api/v2/tickets/1001", NULL); /* .json is optional */
    assert_int_equal(r.status, 200);
    sbt_resp_free(&r);

    r = sbt_zendesk(t, "GET", "/api/v2/tickets/424242.json", NULL);
    assert_int_equal(r.status, 404);
    assert_string_equal(sbt_str_at(r.json, "error"), "RecordNotFound");
    sbt_resp_free(&r);
}

static void update_appends_public_comment_by_default(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_zendesk(t, "PUT", "/api/v2/tickets/1001.json",
                             "{\"ticket\":{\"comment\":{\"body\":\"We will support you.\"}}}");
    assert_int_equal(r.status, 200);
    cJSON *ev = sbt_json_at(r.json, "audit.events[0]");
    assert_string_equal(sbt_str_at(ev, "type"), "Comment");
    assert_true(cJSON_IsTrue(sbt_json_at(ev, "public")));
    assert_int_equal(sbt_num_at(r.json, "audit.ticket_id"), 1001);
    sbt_resp_free(&r);

    r = sbt_zendesk(t, "PUT", "/api/v2/tickets/1001.json",
                    "{\"ticket\":{\"comment\":{\"body\":\"internal\",\"public\":false}}}");
    assert_int_equal(r.status, 200);
    sbt_resp_free(&r);

    r = sbt_zendesk(t, "GET", "/api/v2/tickets/1001/comments.json", NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(sbt_num_at(r.json, "count"), 3);
    assert_string_equal(sbt_str_at(r.json, "comments[1].body"), "We will support you.");
    assert_true(cJSON_IsTrue(sbt_json_at(r.json, "comments[1].public")));
    assert_true(cJSON_IsFalse(sbt_json_at(r.json, "comments[2].public")));
    /* the API user is the seeded agent, so the note has a real author */
    assert_int_equal(sbt_num_at(r.json, "comments[2].author_id"), 501);
    sbt_resp_free(&r);
}

static void update_fields_records_changes(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_zendesk(
        t, "PUT", "/api/v2/tickets/1013.json",
        "{\"ticket\":{\"ticket_form_id\":360004,\"status\":\"pending\","
        "\"custom_fields\":[{\"id\":900001,\"value\":\"portal\"}],"
        "\"email_ccs\":[{\"user_email\":\"olivia.owner@gitlab.example\",\"action\":\"put\"},"
        "{\"user_email\":\"new.person@vandelay.example\",\"action\":\"put\"}],"
        "\"additional_tags\":[\"support_ops\"],\"remove_tags\":[\"saas\"]}}");
    assert_int_equal(r.status, 200);
    assert_int_equal(sbt_num_at(r.json, "ticket.ticket_form_id"), 360004);
    assert_string_equal(sbt_str_at(r.json, "ticket.status"), "pending");
    assert_string_equal(sbt_str_at(r.json, "ticket.custom_fields[0].value"), "portal");
    assert_int_equal(sbt_num_at(r.json, "ticket.email_cc_ids[0]"), 503);
    assert_int_equal(cJSON_GetArraySize(sbt_json_at(r.json, "ticket.email_cc_ids")), 2);
    assert_string_equal(sbt_str_at(r.json, "ticket.tags[0]"), "support_ops");
    assert_int_equal(cJSON_GetArraySize(sbt_json_at(r.json, "ticket.tags")), 1);
    bool saw_form_change = false;
    cJSON *ev;
    cJSON_ArrayForEach(ev, sbt_json_at(r.json, "audit.events"))
    {
        const char *field = sbt_str_at(ev, "field_name");
        if (field && !strcmp(field, "ticket_form_id")) {
            saw_form_change = true;
            assert_int_equal(sbt_num_at(ev, "previous_value"), 360001);
        }
    }
    assert_true(saw_form_change);
    sbt_resp_free(&r);

    /* an unknown address became an end user */
    r = sbt_zendesk(t, "GET", "/api/v2/search.json?query=email:new.person@vandelay.example", NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(sbt_num_at(r.json, "count"), 1);
    assert_string_equal(sbt_str_at(r.json, "results[0].role"), "end-user");
    sbt_resp_free(&r);
}

static void update_errors_in_zendesk_shape(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_zendesk(t, "PUT", "/api/v2/tickets/1017.json",
                             "{\"ticket\":{\"comment\":{\"body\":\"late\"}}}");
    assert_int_equal(r.status, 422);
    assert_string_equal(sbt_str_at(r.json, "error"), "RecordInvalid");
    assert_string_equal(sbt_str_at(r.json, "details.status[0].description"),
                        "Status: closed prevents ticket update");
    sbt_resp_free(&r);

    r = sbt_zendesk(t, "PUT", "/api/v2/tickets/1001.json", "{\"ticket\":{\"ticket_form_id\":1}}");
    assert_int_equal(r.status, 422);
    assert_non_null(sbt_json_at(r.json, "details.ticket_form_id"));
    sbt_resp_free(&r);

    r = sbt_zendesk(t, "PUT", "/api/v2/tickets/1001.json", "{\"ticket\":{\"status\":\"done\"}}");
    assert_int_equal(r.status, 422);
    sbt_resp_free(&r);

    r = sbt_zendesk(t, "PUT", "/api/v2/tickets/1001.json", "{\"status\":\"open\"}");
    assert_int_equal(r.status, 400);
    assert_non_null(sbt_str_at(r.json, "error.message"));
    sbt_resp_free(&r);

    /* nothing of the refused updates reached the ticket */
    r = sbt_zendesk(t, "GET", "/api/v2/tickets/1001.json", NULL);
    assert_string_equal(sbt_str_at(r.json, "ticket.status"), "open");
    assert_int_equal(sbt_num_at(r.json, "ticket.ticket_form_id"), 360001);
    sbt_resp_free(&r);
}

static void ticket_tags(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_zendesk(t, "GET", "/api/v2/tickets/1002/tags.json", NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(sbt_json_at(r.json, "tags")), 3);
    sbt_resp_free(&r);

    r = sbt_zendesk(t, "PUT", "/api/v2/tickets/1002/tags.json", "{\"tags\":[\"Needs_Ops\"]}");
    assert_int_equal(r.status, 200);
    assert_string_equal(sbt_str_at(r.json, "tags[3]"), "needs_ops");
    sbt_resp_free(&r);

    r = sbt_zendesk(t, "DELETE", "/api/v2/tickets/1002/tags.json",
                    "{\"tags\":[\"self_managed_ultimate\"]}");
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(sbt_json_at(r.json, "tags")), 3);
    sbt_resp_free(&r);

    r = sbt_zendesk(t, "POST", "/api/v2/tickets/1002/tags.json", "{\"tags\":[\"only\"]}");
    assert_int_equal(r.status, 201);
    assert_int_equal(cJSON_GetArraySize(sbt_json_at(r.json, "tags")), 1);
    sbt_resp_free(&r);

    r = sbt_zendesk(
        t, "PUT", "/api/v2/tickets/1002/tags.json",
        "{\"tags\":[\"x\"],\"safe_update\":true,\"updated_stamp\":\"2001-01-01T00:00:00Z\"}");
    assert_int_equal(r.status, 409);
    assert_string_equal(sbt_str_at(r.json, "error"), "UpdateConflict");
    sbt_resp_free(&r);

    r = sbt_zendesk(t, "PUT", "/api/v2/tickets/1017/tags.json", "{\"tags\":[\"x\"]}");
    assert_int_equal(r.status, 422);
    sbt_resp_free(&r);

    r = sbt_zendesk(t, "GET", "/api/v2/tickets/1002.json", NULL);
    assert_string_equal(sbt_str_at(r.json, "ticket.tags[0]"), "only");
    sbt_resp_free(&r);
}

static void organizations_and_their_tags(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_zendesk(t, "GET", "/api/v2/organizations/2002.json", NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(sbt_str_at(r.json, "organization.organization_fields.zuora_account_number"),
                        "A00002002");
    assert_int_equal(cJSON_GetArraySize(sbt_json_at(r.json, "organization.tags")), 2);
    sbt_resp_free(&r);

    r = sbt_zendesk(t, "PUT", "/api/v2/organizations/2001.json",
                    "{\"organization\":{\"notes\":\"Migrating to SaaS\","
                    "\"organization_fields\":{\"migration\":\"approved\"}}}");
    assert_int_equal(r.status, 200);
    assert_string_equal(sbt_str_at(r.json, "organization.notes"), "Migrating to SaaS");
    /* fields merge: the Zuora link survives */
    assert_string_equal(sbt_str_at(r.json, "organization.organization_fields.zuora_account_number"),
                        "A00002001");
    assert_string_equal(sbt_str_at(r.json, "organization.organization_fields.migration"),
                        "approved");
    sbt_resp_free(&r);

    r = sbt_zendesk(t, "PUT", "/api/v2/organizations/2001/tags.json",
                    "{\"tags\":[\"saas_premium\"]}");
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(sbt_json_at(r.json, "tags")), 2);
    sbt_resp_free(&r);
    r = sbt_zendesk(t, "DELETE", "/api/v2/organizations/2001/tags.json",
                    "{\"tags\":[\"self_managed_premium\"]}");
    assert_int_equal(r.status, 200);
    sbt_resp_free(&r);
    r = sbt_zendesk(t, "GET", "/api/v2/organizations/2001/tags.json", NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(sbt_json_at(r.json, "tags")), 1);
    assert_string_equal(sbt_str_at(r.json, "tags[0]"), "saas_premium");
    sbt_resp_free(&r);
    r = sbt_zendesk(t, "POST", "/api/v2/organizations/2001/tags.json",
                    "{\"tags\":[\"self_managed_premium\",\"saas_premium\"]}");
    assert_int_equal(r.status, 201);
    assert_int_equal(cJSON_GetArraySize(sbt_json_at(r.json, "tags")), 2);
    sbt_resp_free(&r);

    r = sbt_zendesk(t, "PUT", "/api/v2/organizations/9.json", "{\"organization\":{}}");
    assert_int_equal(r.status, 404);
    sbt_resp_free(&r);
}

static void comments_offset_and_cursor_paging(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_zendesk(t, "GET", "/api/v2/tickets/1002/comments.json?per_page=1", NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(sbt_num_at(r.json, "count"), 2);
    assert_true(cJSON_IsNull(sbt_json_at(r.json, "previous_page")));
    const char *next = sbt_str_at(r.json, "next_page");
    assert_non_null(next);
    assert_non_null(strstr(next, "page=2"));
    assert_true(cJSON_IsTrue(sbt_json_at(r.json, "comments[0].public")));
    sbt_resp_free(&r);

    r = sbt_zendesk(t, "GET", "/api/v2/tickets/1002/comments.json?page=2&per_page=1", NULL);
    assert_true(cJSON_IsFalse(sbt_json_at(r.json, "comments[0].public")));
    assert_non_null(strstr(sbt_str_at(r.json, "comments[0].body"), "offering migration"));
    assert_true(cJSON_IsNull(sbt_json_at(r.json, "next_page")));
    assert_non_null(sbt_str_at(r.json, "previous_page"));
    sbt_resp_free(&r);

    r = sbt_zendesk(t, "GET", "/api/v2/tickets/1002/comments.json?page%5Bsize%5D=1", NULL);
    assert_true(cJSON_IsTrue(sbt_json_at(r.json, "meta.has_more")));
    char *link = strdup(sbt_str_at(r.json, "links.next"));
    sbt_resp_free(&r);
    const char *path = strstr(link, "/api/v2/");
    r = sbt_zendesk(t, "GET", path, NULL);
    free(link);
    assert_int_equal(r.status, 200);
    assert_true(cJSON_IsFalse(sbt_json_at(r.json, "meta.has_more")));
    assert_true(cJSON_IsFalse(sbt_json_at(r.json, "comments[0].public")));
    assert_true(cJSON_IsNull(sbt_json_at(r.json, "links.next")));
    sbt_resp_free(&r);
}

/* An update's ticket.metadata is kept as its audit's metadata.custom and
 * listed by the audits API, newest first on request: hb finds its
 * exactly-once marker there. An update that changes nothing makes no
 * audit, as on the real API. */
static void audits_keep_the_update_metadata(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_zendesk(t, "PUT", "/api/v2/tickets/1001.json",
                             "{\"ticket\":{\"comment\":{\"body\":\"first\",\"public\":false},"
                             "\"metadata\":{\"hb_marker\":\"hb:R1:s:1:1\"}}}");
    assert_int_equal(r.status, 200);
    assert_string_equal(sbt_str_at(r.json, "audit.metadata.custom.hb_marker"), "hb:R1:s:1:1");
    assert_non_null(sbt_json_at(r.json, "audit.metadata.system"));
    int64_t first_audit = (int64_t)sbt_num_at(r.json, "audit.id");
    sbt_resp_free(&r);
    r = sbt_zendesk(t, "PUT", "/api/v2/tickets/1001.json",
                    "{\"ticket\":{\"comment\":{\"body\":\"second\",\"public\":true}}}");
    assert_int_equal(r.status, 200);
    sbt_resp_free(&r);
    r = sbt_zendesk(t, "PUT", "/api/v2/tickets/1001.json",
                    "{\"ticket\":{\"metadata\":{\"hb_marker\":\"unchanged\"}}}");
    assert_int_equal(r.status, 200);
    sbt_resp_free(&r);

    r = sbt_zendesk(t, "GET", "/api/v2/tickets/1001/audits.json", NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(sbt_num_at(r.json, "count"), 2);
    assert_int_equal(sbt_num_at(r.json, "audits[0].id"), first_audit);
    assert_int_equal(sbt_num_at(r.json, "audits[0].ticket_id"), 1001);
    assert_string_equal(sbt_str_at(r.json, "audits[0].metadata.custom.hb_marker"), "hb:R1:s:1:1");
    assert_string_equal(sbt_str_at(r.json, "audits[0].events[0].type"), "Comment");
    assert_string_equal(sbt_str_at(r.json, "audits[0].events[0].body"), "first");
    assert_null(sbt_json_at(r.json, "audits[1].metadata.custom.hb_marker"));
    sbt_resp_free(&r);

    r = sbt_zendesk(t, "GET", "/api/v2/tickets/1001/audits?sort_order=desc&page%5Bsize%5D=1", NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(sbt_str_at(r.json, "audits[0].events[0].body"), "second");
    assert_true(cJSON_IsTrue(sbt_json_at(r.json, "meta.has_more")));
    sbt_resp_free(&r);

    r = sbt_zendesk(t, "GET", "/api/v2/tickets/1001.json", NULL);
    assert_null(sbt_json_at(r.json, "ticket.audits"));
    sbt_resp_free(&r);
    r = sbt_zendesk(t, "GET", "/api/v2/tickets/424242/audits.json", NULL);
    assert_int_equal(r.status, 404);
    sbt_resp_free(&r);
}

static void attachments_tell_screenshot_tickets_apart(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_zendesk(t, "GET", "/api/v2/tickets/1004/comments.json", NULL);
    assert_string_equal(sbt_str_at(r.json, "comments[1].attachments[0].file_name"),
                        "admin-dashboard.png");
    assert_string_equal(sbt_str_at(r.json, "comments[1].attachments[0].content_type"), "image/png");
    sbt_resp_free(&r);
    r = sbt_zendesk(t, "GET", "/api/v2/tickets/1005/comments.json", NULL);
    assert_string_equal(sbt_str_at(r.json, "comments[0].attachments[0].content_type"),
                        "text/plain");
    sbt_resp_free(&r);
}

static void forms_and_users(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_zendesk(t, "GET", "/api/v2/ticket_forms.json", NULL);
    assert_int_equal(r.status, 200);
    int total = cJSON_GetArraySize(sbt_json_at(r.json, "ticket_forms"));
    bool ops = false;
    cJSON *f;
    cJSON_ArrayForEach(f, sbt_json_at(r.json, "ticket_forms"))
    {
        ops = ops || !strcmp(sbt_str_at(f, "name"), "Support Ops");
    }
    assert_true(ops);
    sbt_resp_free(&r);
    r = sbt_zendesk(t, "GET", "/api/v2/ticket_forms.json?active=true", NULL);
    assert_int_equal(cJSON_GetArraySize(sbt_json_at(r.json, "ticket_forms")), total - 1);
    sbt_resp_free(&r);

    r = sbt_zendesk(t, "GET", "/api/v2/users/503.json", NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(sbt_str_at(r.json, "user.email"), "olivia.owner@gitlab.example");
    sbt_resp_free(&r);
    r = sbt_zendesk(t, "GET", "/api/v2/users/1.json", NULL);
    assert_int_equal(r.status, 404);
    sbt_resp_free(&r);
}

static int result_count(sbt *t, const char *query)
{
    char *path = hb_xasprintf("/api/v2/search.json?query=%s", query);
    sbt_resp r = sbt_zendesk(t, "GET", path, NULL);
    free(path);
    assert_int_equal(r.status, 200);
    int n = (int)sbt_num_at(r.json, "count");
    sbt_resp_free(&r);
    return n;
}

static void search_basics(void **state)
{
    sbt *t = *state;
    assert_int_equal(result_count(t, "type%3Aticket+tags%3Alnr_merge_subscriptions"), 2);
    assert_int_equal(result_count(t, "type:ticket%20organization:2004"), 1);
    assert_int_equal(result_count(t, "type:ticket%20status:closed"), 1);
    assert_int_equal(result_count(t, "type:ticket%20status%3Csolved%20organization:2001"), 3);
    assert_int_equal(result_count(t, "type:ticket%20tags:star%20-tags:lnr_trial_extension"), 7);
    assert_int_equal(result_count(t, "type:organization%20tags:saas_ultimate"), 1);
    assert_int_equal(result_count(t, "type:ticket%20screenshot"), 1);
    assert_int_equal(
        result_count(t, "type:ticket%20status:open%20status:closed%20organization:2001"), 4);

    sbt_resp r = sbt_zendesk(
        t, "GET", "/api/v2/search.json?query=type:ticket%20tags:star&per_page=2&page=1", NULL);
    assert_int_equal(cJSON_GetArraySize(sbt_json_at(r.json, "results")), 2);
    assert_string_equal(sbt_str_at(r.json, "results[0].result_type"), "ticket");
    assert_non_null(strstr(sbt_str_at(r.json, "next_page"), "page=2"));
    sbt_resp_free(&r);

    r = sbt_zendesk(t, "GET", "/api/v2/search.json?query=type:ticket&per_page=100&page=11", NULL);
    assert_int_equal(r.status, 422);
    sbt_resp_free(&r);
    r = sbt_zendesk(t, "GET", "/api/v2/search.json?query=shoe_size:9", NULL);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(sbt_str_at(r.json, "description"), "shoe_size"));
    sbt_resp_free(&r);
}

static void authentication(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_request(t, "GET", "/api/v2/tickets/1001.json", NULL, NULL);
    assert_int_equal(r.status, 401);
    assert_string_equal(sbt_str_at(r.json, "error"), "Couldn't authenticate you");
    sbt_resp_free(&r);

    const char *wrong[] = {"Authorization: Basic c29tZW9uZUBleGFtcGxlLmNvbS90b2tlbjpub3BlCg==",
                           NULL};
    r = sbt_request(t, "GET", "/api/v2/tickets/1001.json", wrong, NULL);
    assert_int_equal(r.status, 401);
    sbt_resp_free(&r);

    char *bearer = hb_xasprintf("Authorization: Bearer %s", sbt_var(t, "ZENDESK_API_TOKEN"));
    const char *ok[] = {bearer, NULL};
    r = sbt_request(t, "GET", "/api/v2/tickets/1001.json", ok, NULL);
    assert_int_equal(r.status, 200);
    sbt_resp_free(&r);
    free(bearer);
}

static void users_search_and_their_requested_tickets(void **state)
{
    sbt *t = *state;
    sbt_resp r =
        sbt_zendesk(t, "GET", "/api/v2/users/search.json?query=LENA%40massive.example", NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(sbt_num_at(r.json, "count"), 1);
    assert_int_equal(sbt_num_at(r.json, "users[0].id"), 612);
    assert_non_null(strstr(sbt_str_at(r.json, "users[0].url"), "/api/v2/users/612.json"));
    sbt_resp_free(&r);
    r = sbt_zendesk(t, "GET",
                    "/api/v2/users/search?query=email%3A%22olivia.owner%40gitlab.example%22", NULL);
    assert_int_equal(sbt_num_at(r.json, "users[0].id"), 503);
    sbt_resp_free(&r);
    r = sbt_zendesk(t, "GET", "/api/v2/users/search?query=Ow", NULL); /* a bare word: names */
    assert_int_equal(sbt_num_at(r.json, "count"), 1);
    sbt_resp_free(&r);
    r = sbt_zendesk(t, "GET", "/api/v2/users/search", NULL);
    assert_int_equal(r.status, 400);
    sbt_resp_free(&r);

    r = sbt_zendesk(t, "GET", "/api/v2/users/612/tickets/requested.json", NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(sbt_num_at(r.json, "count"), 2);
    assert_int_equal(sbt_num_at(r.json, "tickets[0].id"), 1015);
    assert_int_equal(sbt_num_at(r.json, "tickets[1].requester_id"), 612);
    assert_true(cJSON_IsNull(sbt_json_at(r.json, "next_page")));
    sbt_resp_free(&r);
    r = sbt_zendesk(t, "GET", "/api/v2/users/612/tickets/requested.json?per_page=1", NULL);
    assert_non_null(strstr(sbt_str_at(r.json, "next_page"), "page=2"));
    sbt_resp_free(&r);
    r = sbt_zendesk(t, "GET", "/api/v2/users/9999/tickets/requested.json", NULL);
    assert_int_equal(r.status, 404);
    assert_string_equal(sbt_str_at(r.json, "error"), "RecordNotFound");
    sbt_resp_free(&r);
}

static void ticket_fields_list(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_zendesk(t, "GET", "/api/v2/ticket_fields.json", NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(sbt_num_at(r.json, "ticket_fields[0].id"), 900001);
    assert_string_equal(sbt_str_at(r.json, "ticket_fields[0].title"), "Problem offering");
    assert_string_equal(sbt_str_at(r.json, "ticket_fields[0].raw_title"), "Problem offering");
    assert_string_equal(sbt_str_at(r.json, "ticket_fields[0].custom_field_options[1].value"),
                        "saas");
    assert_non_null(
        strstr(sbt_str_at(r.json, "ticket_fields[0].url"), "/api/v2/ticket_fields/900001.json"));
    sbt_resp_free(&r);
    r = sbt_zendesk(t, "GET", "/api/v2/ticket_fields.json?page%5Bsize%5D=1", NULL);
    assert_true(cJSON_IsTrue(sbt_json_at(r.json, "meta.has_more")));
    sbt_resp_free(&r);
}

static void every_zendesk_route_is_covered(void **state)
{
    (void)state;
    sbt_assert_routes_covered("zendesk");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(ticket_show, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(update_appends_public_comment_by_default, sbt_setup,
                                        sbt_teardown),
        cmocka_unit_test_setup_teardown(update_fields_records_changes, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(update_errors_in_zendesk_shape, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(ticket_tags, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(organizations_and_their_tags, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(comments_offset_and_cursor_paging, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(audits_keep_the_update_metadata, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(attachments_tell_screenshot_tickets_apart, sbt_setup,
                                        sbt_teardown),
        cmocka_unit_test_setup_teardown(forms_and_users, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(search_basics, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(authentication, sbt_setup, sbt_teardown),
        cmocka_unit_test_setup_teardown(users_search_and_their_requested_tickets, sbt_setup,
                                        sbt_teardown),
        cmocka_unit_test_setup_teardown(ticket_fields_list, sbt_setup, sbt_teardown),
        cmocka_unit_test(every_zendesk_route_is_covered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
