/* What a call means beyond the wire: the uniform error for each service's
 * error shapes, forbid rules (nothing sent), dry run (no write sent, the
 * intent recorded with its body), intent-before-write ordering, and links
 * that would carry credentials to another host. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services_fixture.h"
#include "test_support.h"

static int setup(void **state)
{
    hbt_services *f = hbt_services_setup();
    hbt_services_all_vars(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    hbt_services_teardown(*state);
    return 0;
}

/* Calls GET path on service with a canned reply; returns the error value. */
static cJSON *error_for(hbt_services *f, const char *service, const char *path, int status,
                        const char *headers, const char *body)
{
    hbt_peer_reply(f->peer, "GET", path, status, headers, body);
    hb_service_request req = {
        .service = service, .op = hbt_read_op(service), .method = "GET", .path = path};
    hb_service_response r;
    hb_err e;
    assert_int_equal(hbt_call(f, &req, &r, &e), HB_EFAILED);
    assert_non_null(r.error);
    cJSON *err = cJSON_Duplicate(r.error, true);
    hb_service_response_free(&r);
    return err;
}

static void uniform_errors(void **state)
{
    hbt_services *f = *state;
    cJSON *err = error_for(f, "zendesk", "/api/v2/tickets/404.json", 404, "X-Request-Id: rq-404",
                           "{\"error\":\"RecordNotFound\",\"description\":\"Not found\"}");
    assert_string_equal(hbt_str(err, "service"), "zendesk");
    assert_int_equal(hbt_num(err, "status"), 404);
    assert_string_equal(hbt_str(err, "code"), "RecordNotFound");
    assert_string_equal(hbt_str(err, "message"), "Not found");
    assert_string_equal(hbt_str(err, "request_id"), "rq-404");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(err, "details")));
    cJSON_Delete(err);

    err = error_for(f, "zendesk", "/api/v2/tickets/9.json", 422, NULL,
                    "{\"error\":\"RecordInvalid\",\"description\":\"Record validation errors\","
                    "\"details\":{\"status\":[{\"description\":\"Status: closed prevents ticket "
                    "update\"}]}}");
    assert_string_equal(hbt_str(err, "code"), "RecordInvalid");
    /* The reason lives in details; the message carries it for people. */
    assert_string_equal(hbt_str(err, "message"),
                        "Record validation errors: Status: closed prevents ticket update");
    assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(err, "details"), "status"));
    cJSON_Delete(err);

    err = error_for(f, "zendesk", "/api/v2/x.json", 400, NULL,
                    "{\"error\":{\"title\":\"Invalid attribute\",\"message\":\"You passed an "
                    "invalid value\"}}");
    assert_string_equal(hbt_str(err, "code"), "Invalid attribute");
    assert_string_equal(hbt_str(err, "message"), "You passed an invalid value");
    cJSON_Delete(err);

    err = error_for(f, "gitlab", "/api/v4/projects/9", 404, NULL,
                    "{\"message\":\"404 Project Not Found\"}");
    assert_string_equal(hbt_str(err, "code"), "http_404");
    assert_string_equal(hbt_str(err, "message"), "404 Project Not Found");
    cJSON_Delete(err);

    err = error_for(f, "gitlab", "/api/v4/projects/1/issues", 400, NULL,
                    "{\"message\":{\"title\":[\"can't be blank\"],\"labels\":[\"is invalid\"]}}");
    assert_string_equal(hbt_str(err, "message"), "title can't be blank; labels is invalid");
    assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(err, "details"), "title"));
    cJSON_Delete(err);

    char token[200];
    snprintf(token, sizeof token, "{\"access_token\":\"sf-issued-ONE\",\"instance_url\":\"%s\"}",
             hbt_peer_url(f->peer));
    hbt_peer_reply(f->peer, "POST", "/services/oauth2/token", 200, NULL, token);
    err = error_for(f, "salesforce", "/services/data/v60.0/sobjects/Opportunity/1", 400, NULL,
                    "[{\"message\":\"No such column 'Foo'\",\"errorCode\":\"INVALID_FIELD\","
                    "\"fields\":[\"Foo\"]}]");
    assert_string_equal(hbt_str(err, "code"), "INVALID_FIELD");
    assert_string_equal(hbt_str(err, "message"), "No such column 'Foo'");
    assert_true(cJSON_IsArray(cJSON_GetObjectItem(err, "details")));
    cJSON_Delete(err);

    err = error_for(f, "gitlab", "/api/v4/limited", 403, "Content-Type: text/plain",
                    "Forbidden\nby policy");
    assert_string_equal(hbt_str(err, "code"), "http_403");
    assert_string_equal(hbt_str(err, "message"), "Forbidden by policy");
    cJSON_Delete(err);
}

static void zuora_failure_on_http_200(void **state)
{
    hbt_services *f = *state;
    hbt_peer_reply(f->peer, "POST", "/oauth/token", 200, NULL,
                   "{\"access_token\":\"zuora-issued-ONE\",\"expires_in\":3599}");
    cJSON *err = error_for(f, "zuora", "/v1/subscriptions/A-S404", 200, NULL,
                           "{\"success\":false,\"processId\":\"P1\",\"reasons\":[{\"code\":"
                           "50000040,\"message\":\"Cannot find entity by key: 'A-S404'.\"}],"
                           "\"requestId\":\"zr-1\"}");
    assert_int_equal(hbt_num(err, "status"), 200);
    assert_string_equal(hbt_str(err, "code"), "50000040");
    assert_string_equal(hbt_str(err, "message"), "Cannot find entity by key: 'A-S404'.");
    assert_string_equal(hbt_str(err, "request_id"), "zr-1");
    assert_true(cJSON_IsArray(cJSON_GetObjectItem(err, "details")));
    cJSON_Delete(err);
}

static void malformed_json_body(void **state)
{
    hbt_services *f = *state;
    cJSON *err = error_for(f, "zendesk", "/api/v2/tickets/3.json", 200, NULL, "{\"ticket\": {");
    assert_string_equal(hbt_str(err, "code"), "malformed_response");
    assert_int_equal(hbt_num(err, "status"), 200);
    cJSON_Delete(err);
    /* Not retried: the same answer would come back. */
    assert_int_equal(hbt_peer_count(f->peer, "GET", "/api/v2/tickets/3.json"), 1);
}

static hb_service_request ticket_update(cJSON *body)
{
    hb_service_request req = {.service = "zendesk",
                              .op = "zendesk.tickets.update",
                              .method = "PUT",
                              .path = "/api/v2/tickets/5.json",
                              .body = body,
                              .object = "zendesk:ticket:5"};
    return req;
}

static void forbidden_operation_sends_nothing(void **state)
{
    hbt_services *f = *state;
    f->forbid[0] = "zendesk.tickets.update";
    cJSON *body = cJSON_Parse("{\"ticket\":{\"status\":\"solved\"}}");
    hb_service_request req = ticket_update(body);
    hb_err e;
    assert_int_equal(hbt_call(f, &req, NULL, &e), HB_EFAILED);
    assert_non_null(strstr(e.msg, "zendesk.tickets.update"));
    assert_non_null(strstr(e.msg, "forbid"));
    assert_non_null(strstr(e.msg, "test-workflow"));
    cJSON_Delete(body);
    assert_int_equal(hbt_peer_nrequests(f->peer), 0);
    assert_int_equal(cJSON_GetArraySize(f->events), 0);
}

static void public_reply_forbidden_whatever_the_operation(void **state)
{
    hbt_services *f = *state;
    f->forbid[0] = "zendesk.public_reply";
    hbt_peer_reply(f->peer, "PUT", "/api/v2/tickets/5.json", 200, NULL, "{\"ticket\":{\"id\":5}}");
    hb_err e;
    /* Zendesk's default for `public` is true: a comment without it is public. */
    cJSON *implicit = cJSON_Parse("{\"ticket\":{\"comment\":{\"body\":\"Hello\"}}}");
    hb_service_request req = ticket_update(implicit);
    assert_int_equal(hbt_call(f, &req, NULL, &e), HB_EFAILED);
    assert_non_null(strstr(e.msg, "zendesk.public_reply"));
    cJSON_Delete(implicit);

    cJSON *reply = cJSON_Parse("{\"ticket\":{\"comment\":{\"body\":\"Hi\",\"public\":true}}}");
    hb_service_request declared = {.service = "zendesk",
                                   .op = "zendesk.tickets.comment",
                                   .method = "PUT",
                                   .path = "/api/v2/tickets/5.json",
                                   .body = reply};
    assert_int_equal(hbt_call(f, &declared, NULL, &e), HB_EFAILED);
    assert_int_equal(hbt_peer_nrequests(f->peer), 0);
    cJSON_Delete(reply);

    cJSON *internal =
        cJSON_Parse("{\"ticket\":{\"comment\":{\"body\":\"Note\",\"public\":false}}}");
    req = ticket_update(internal);
    assert_int_equal(hbt_call(f, &req, NULL, &e), HB_OK);
    cJSON_Delete(internal);
    assert_int_equal(hbt_peer_count(f->peer, "PUT", "/api/v2/tickets/5.json"), 1);
}

/* What a request may do is its operation's, whatever the caller says. */
static void the_table_decides(void **state)
{
    hbt_services *f = *state;
    hb_err e;
    static const struct {
        hb_service_request req;
        const char *why;
    } refused[] = {
        {{.service = "zendesk",
          .op = "zendesk.tickets.delete",
          .method = "DELETE",
          .path = "/api/v2/tickets/5.json"},
         "not an operation"},
        {{.service = "gitlab",
          .op = "zendesk.tickets.get",
          .method = "GET",
          .path = "/api/v4/projects/1/issues/1"},
         "belongs to zendesk"},
        {{.service = "zendesk",
          .op = "zendesk.tickets.get",
          .method = "DELETE",
          .path = "/api/v2/tickets/5.json"},
         "does not use the HTTP method DELETE"},
        /* The tags operation's DELETE, aimed at the ticket itself. */
        {{.service = "zendesk",
          .op = "zendesk.tickets.remove_tags",
          .method = "DELETE",
          .path = "/api/v2/tickets/5.json"},
         "does not write to /api/v2/tickets/5.json"},
        {{.service = "zendesk",
          .op = "zendesk.tickets.add_tags",
          .method = "PUT",
          .path = "/api/v2/tickets/../users/1/tags.json"},
         "not plain"},
        {{.service = "zendesk", .op = "zendesk.search", .method = "GET", .path = "/admin/x"},
         "is not below zendesk's API"},
        {{.service = "gitlab",
          .op = "gitlab.issues.create",
          .method = "POST",
          .path = "/api/v4/projects/1/issues/2/notes"},
         "does not write to"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        hb_err_clear(&e);
        assert_int_equal(hbt_call(f, &refused[i].req, NULL, &e), HB_EUSAGE);
        if (!strstr(e.msg, refused[i].why))
            fail_msg("%s: '%s' lacks '%s'", refused[i].req.op, e.msg, refused[i].why);
    }
    assert_int_equal(hbt_peer_nrequests(f->peer), 0);
    assert_int_equal(cJSON_GetArraySize(f->events), 0);
}

/* A workflow reaches only the services in its uses. */
static void services_outside_uses_are_refused(void **state)
{
    hbt_services *f = *state;
    f->uses[0] = "zendesk";
    cJSON *body = cJSON_Parse("{\"title\":\"not mine to open\"}");
    hb_service_request req = {.service = "gitlab",
                              .op = "gitlab.issues.create",
                              .method = "POST",
                              .path = "/api/v4/projects/1/issues",
                              .body = body};
    hb_err e;
    assert_int_equal(hbt_call(f, &req, NULL, &e), HB_EFAILED);
    assert_non_null(strstr(e.msg, "does not declare gitlab in uses"));
    cJSON_Delete(body);
    hbt_peer_reply(f->peer, "GET", "/api/v2/tickets/5.json", 200, NULL, "{\"ticket\":{}}");
    hb_service_request read = {
        .op = "zendesk.tickets.get", .method = "GET", .path = "/api/v2/tickets/5.json"};
    assert_int_equal(hbt_call(f, &read, NULL, &e), HB_OK);
    assert_int_equal(hbt_peer_nrequests(f->peer), 1);
}

/* forbid = { "zendesk.delete" } means no HTTP DELETE to Zendesk, whatever
 * the operation; "gitlab.write" means no change to GitLab at all. */
static void method_classes_are_capabilities(void **state)
{
    hbt_services *f = *state;
    f->forbid[0] = "zendesk.delete";
    f->forbid[1] = "gitlab.write";
    hbt_peer_reply(f->peer, "PUT", "/api/v2/tickets/5/tags.json", 200, NULL, "{\"tags\":[]}");
    hbt_peer_reply(f->peer, "GET", "/api/v4/projects/1/issues/2", 200, NULL, "{\"iid\":2}");
    cJSON *tags = cJSON_Parse("{\"tags\":[\"x\"]}");
    hb_service_request del = {.op = "zendesk.tickets.remove_tags",
                              .method = "DELETE",
                              .path = "/api/v2/tickets/5/tags.json",
                              .body = tags};
    hb_err e;
    assert_int_equal(hbt_call(f, &del, NULL, &e), HB_EFAILED);
    assert_non_null(strstr(e.msg, "\"zendesk.delete\""));
    hb_service_request add = del;
    add.op = "zendesk.tickets.add_tags";
    add.method = "PUT";
    assert_int_equal(hbt_call(f, &add, NULL, &e), HB_OK);
    cJSON *issue = cJSON_Parse("{\"title\":\"t\"}");
    hb_service_request create = {.op = "gitlab.issues.create",
                                 .method = "POST",
                                 .path = "/api/v4/projects/1/issues",
                                 .body = issue};
    assert_int_equal(hbt_call(f, &create, NULL, &e), HB_EFAILED);
    assert_non_null(strstr(e.msg, "\"gitlab.write\""));
    hb_service_request get = {
        .op = "gitlab.issues.get", .method = "GET", .path = "/api/v4/projects/1/issues/2"};
    assert_int_equal(hbt_call(f, &get, NULL, &e), HB_OK);
    assert_string_equal(hb_services_forbidden_by(hbt_services_get(f), &create), "gitlab.write");
    assert_null(hb_services_forbidden_by(hbt_services_get(f), &get));
    cJSON_Delete(tags);
    cJSON_Delete(issue);
    assert_int_equal(hbt_peer_nrequests(f->peer), 2);
}

static void dry_run_reads_but_sends_no_write(void **state)
{
    hbt_services *f = *state;
    f->dry_run = true;
    hbt_peer_reply(f->peer, "GET", "/api/v2/tickets/5.json", 200, NULL, "{\"ticket\":{\"id\":5}}");
    hb_service_request read = {.service = "zendesk",
                               .op = "zendesk.tickets.get",
                               .method = "GET",
                               .path = "/api/v2/tickets/5.json"};
    hb_err e;
    assert_int_equal(hbt_call(f, &read, NULL, &e), HB_OK);

    cJSON *body = cJSON_Parse("{\"ticket\":{\"status\":\"pending\"}}");
    hb_service_request write = ticket_update(body);
    hb_service_response r;
    assert_int_equal(hbt_call(f, &write, &r, &e), HB_OK);
    assert_true(r.planned);
    assert_null(r.body);
    hb_service_response_free(&r);
    cJSON_Delete(body);

    /* Salesforce: no token is fetched for a write that is not sent. */
    cJSON *sf = cJSON_Parse("{\"StageName\":\"Closed Won\"}");
    hb_service_request patch = {.service = "salesforce",
                                .op = "salesforce.sobjects.update",
                                .method = "PATCH",
                                .path = "/services/data/v60.0/sobjects/Opportunity/006B",
                                .body = sf,
                                .object = "salesforce:Opportunity:006B"};
    assert_int_equal(hbt_call(f, &patch, &r, &e), HB_OK);
    assert_true(r.planned);
    hb_service_response_free(&r);
    cJSON_Delete(sf);

    assert_int_equal(hbt_peer_nrequests(f->peer), 1);
    assert_string_equal(hbt_peer_request(f->peer, 0)->method, "GET");
    assert_int_equal(hbt_events(f, "intent"), 2);
    const cJSON *intent = hbt_event(f, "intent", 0);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(intent, "dry_run")));
    assert_string_equal(hbt_str(intent, "object"), "zendesk:ticket:5");
    assert_string_equal(hbt_str(intent, "op"), "zendesk.tickets.update");
    assert_string_equal(hbt_body(f, hbt_str(intent, "request_body")),
                        "{\"ticket\":{\"status\":\"pending\"}}");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(hbt_event(f, "api_call", 0), "dry_run")));
    assert_int_equal(hbt_events(f, "api_call"), 1);
}

static void intent_before_the_write_then_api_call(void **state)
{
    hbt_services *f = *state;
    hbt_peer_reply(f->peer, "PUT", "/api/v2/tickets/5.json", 200, NULL, "{\"ticket\":{\"id\":5}}");
    cJSON *body = cJSON_Parse("{\"ticket\":{\"status\":\"pending\",\"password\":\"hunter22\"}}");
    hb_service_request req = ticket_update(body);
    hb_err e;
    assert_int_equal(hbt_call(f, &req, NULL, &e), HB_OK);
    cJSON_Delete(body);
    assert_int_equal(cJSON_GetArraySize(f->events), 2);
    assert_string_equal(hbt_str(cJSON_GetArrayItem(f->events, 0), "type"), "intent");
    assert_string_equal(hbt_str(cJSON_GetArrayItem(f->events, 1), "type"), "api_call");
    const cJSON *call = hbt_event(f, "api_call", 0);
    assert_string_equal(hbt_str(call, "object"), "zendesk:ticket:5");
    assert_string_equal(hbt_str(call, "request_body"),
                        hbt_str(hbt_event(f, "intent", 0), "request_body"));
    /* The request was sent whole; the audit copy is redacted. */
    assert_non_null(strstr(hbt_peer_request(f->peer, 0)->body, "hunter22"));
    hbt_assert_not_in_audit(f, "hunter22");
}

static void links_to_another_host_are_refused(void **state)
{
    hbt_services *f = *state;
    hb_service_request req = {.service = "zendesk",
                              .op = "zendesk.search",
                              .method = "GET",
                              .path = "https://attacker.example/api/v2/search.json?page=2"};
    hb_err e;
    assert_int_equal(hbt_call(f, &req, NULL, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "credentials"));
    char same[160];
    snprintf(same, sizeof same, "%s/api/v2/search.json?page=2&query=x", hbt_peer_url(f->peer));
    hbt_peer_reply(f->peer, "GET", "/api/v2/search.json", 200, NULL, "{\"results\":[]}");
    req.path = same;
    assert_int_equal(hbt_call(f, &req, NULL, &e), HB_OK);
    assert_string_equal(hbt_peer_request(f->peer, 0)->query, "page=2&query=x");
    assert_string_equal(hbt_str(hbt_event(f, "api_call", 0), "path"),
                        "/api/v2/search.json?page=2&query=x");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(uniform_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(zuora_failure_on_http_200, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed_json_body, setup, teardown),
        cmocka_unit_test_setup_teardown(forbidden_operation_sends_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(public_reply_forbidden_whatever_the_operation, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(the_table_decides, setup, teardown),
        cmocka_unit_test_setup_teardown(services_outside_uses_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(method_classes_are_capabilities, setup, teardown),
        cmocka_unit_test_setup_teardown(dry_run_reads_but_sends_no_write, setup, teardown),
        cmocka_unit_test_setup_teardown(intent_before_the_write_then_api_call, setup, teardown),
        cmocka_unit_test_setup_teardown(links_to_another_host_are_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
