/* The shipped seed keeps serving every branch of the handbook processes
 * (workflows/sandbox/README.md says which data serves which branch). Read
 * through the APIs under a frozen clock, as a workflow would see it. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hb/clock.h"
#include "hb/util.h"
#include "sandbox_test.h"

#define NOW "2030-01-02T12:00:00Z"

static int setup(void **state)
{
    hbt_setenv("HB_NOW", NOW);
    *state = sbt_start(NULL);
    return 0;
}

static int teardown(void **state)
{
    sbt_stop(*state);
    hbt_unsetenv("HB_NOW");
    return 0;
}

static bool has_tag(cJSON *tags, const char *tag)
{
    cJSON *it;
    cJSON_ArrayForEach(it, tags)
    {
        if (!strcmp(it->valuestring, tag))
            return true;
    }
    return false;
}

static int support_level_tags(cJSON *tags)
{
    static const char *const levels[] = {"self_managed_premium", "self_managed_ultimate",
                                         "saas_premium", "saas_ultimate"};
    int n = 0;
    for (size_t i = 0; i < 4; i++)
        n += has_tag(tags, levels[i]);
    return n;
}

static void offering_migration_branches(void **state)
{
    sbt *t = *state;
    /* 1001: one paid offering, problem on the other → open the Ops issue */
    sbt_resp r = sbt_zendesk(t, "GET", "/api/v2/organizations/2001.json", NULL);
    assert_int_equal(support_level_tags(sbt_json_at(r.json, "organization.tags")), 1);
    sbt_resp_free(&r);
    /* 1002: Ops done, internal note marks the migration, two level tags */
    r = sbt_zendesk(t, "GET", "/api/v2/tickets/1002.json", NULL);
    assert_int_equal(support_level_tags(sbt_json_at(r.json, "ticket.tags")), 2);
    sbt_resp_free(&r);
    r = sbt_zendesk(t, "GET", "/api/v2/tickets/1002/comments.json", NULL);
    bool marked = false;
    cJSON *c;
    cJSON_ArrayForEach(c, sbt_json_at(r.json, "comments"))
    {
        marked = marked || (cJSON_IsFalse(sbt_json_at(c, "public")) &&
                            strcasestr(sbt_str_at(c, "body"), "offering migration"));
    }
    assert_true(marked);
    sbt_resp_free(&r);
    r = sbt_zendesk(t, "GET", "/api/v2/organizations/2002.json", NULL);
    assert_int_equal(support_level_tags(sbt_json_at(r.json, "organization.tags")), 2);
    assert_non_null(strcasestr(sbt_str_at(r.json, "organization.notes"), "migrat"));
    sbt_resp_free(&r);
    r = sbt_gitlab(t, "GET",
                   "/api/v4/projects/gitlab-com%2Fsupport%2Fsupport-ops%2Fzendesk-organizations/"
                   "issues?state=closed",
                   NULL);
    assert_int_equal(cJSON_GetArraySize(r.json), 1);
    sbt_resp_free(&r);
}

static double hours_until(const char *when)
{
    hb_time_us now, at;
    assert_int_equal(hb_time_parse(NOW, &now, NULL), HB_OK);
    assert_int_equal(hb_time_parse(when, &at, NULL), HB_OK);
    return (double)(at - now) / 3600e6;
}

static double term_end_hours(sbt *t, const char *number)
{
    char *path = hb_xasprintf("/v1/subscriptions/%s", number);
    sbt_resp r = sbt_zuora(t, "GET", path, NULL);
    free(path);
    double h = hours_until(sbt_str_at(r.json, "termEndDate"));
    sbt_resp_free(&r);
    return h;
}

static void license_and_renewal_branches(void **state)
{
    sbt *t = *state;
    double under = term_end_hours(t, "A-S00002081");
    assert_true(under > 0 && under < 24);
    assert_true(term_end_hours(t, "A-S00002101") > 24);
    assert_true(term_end_hours(t, "A-S00002091") == 24);
    double grace = term_end_hours(t, "A-S00002031"); /* ended three days ago */
    assert_true(grace < 0 && grace > -14 * 24 + 24);
    double grace_ending = term_end_hours(t, "A-S00002071"); /* 14-day grace ends today */
    assert_true(grace_ending < -12 * 24 && grace_ending > -14 * 24);

    sbt_resp r = sbt_zendesk(t, "GET", "/api/v2/tickets/1004/comments.json", NULL);
    assert_string_equal(sbt_str_at(r.json, "comments[1].attachments[0].file_name"),
                        "admin-dashboard.png");
    sbt_resp_free(&r);
    r = sbt_zendesk(t, "GET",
                    "/api/v2/search.json?query=type:ticket%20tags:star%20organization:2007", NULL);
    assert_int_equal(sbt_num_at(r.json, "count"), 1); /* 1005, without a screenshot */
    sbt_resp_free(&r);
    r = sbt_salesforce(t, "GET",
                       "/services/data/v60.0/query?q=SELECT+Id+FROM+Opportunity+WHERE+"
                       "Sales_Assisted_Trial__c+%3D+true",
                       NULL);
    assert_int_equal(sbt_num_at(r.json, "totalSize"), 1);
    sbt_resp_free(&r);
}

static const char *invoice_owner(sbt *t, const char *number, char *out, size_t n)
{
    char *path = hb_xasprintf("/v1/subscriptions/%s", number);
    sbt_resp r = sbt_zuora(t, "GET", path, NULL);
    free(path);
    snprintf(out, n, "%s|%s", sbt_str_at(r.json, "invoiceOwnerAccountNumber"),
             sbt_str_at(r.json, "accountNumber"));
    sbt_resp_free(&r);
    return out;
}

static void merge_and_split_branches(void **state)
{
    sbt *t = *state;
    char a[128], b[128];
    invoice_owner(t, "A-S00002041", a, sizeof a);
    invoice_owner(t, "A-S00002042", b, sizeof b);
    assert_string_equal(a, b); /* same invoice owner, same account */
    invoice_owner(t, "A-S00002051", a, sizeof a);
    invoice_owner(t, "A-S00002052", b, sizeof b);
    assert_string_not_equal(strchr(a, '|'), strchr(b, '|')); /* two accounts */
    *strchr(a, '|') = *strchr(b, '|') = '\0';
    assert_string_not_equal(a, b); /* different invoice owners */

    sbt_resp r = sbt_zuora(t, "POST", "/v1/action/query",
                           "{\"queryString\":\"select AccountNumber from Account where "
                           "PartnerAccount = true\"}");
    assert_string_equal(sbt_str_at(r.json, "records[0].AccountNumber"), "R00009001");
    sbt_resp_free(&r);

    r = sbt_salesforce(
        t, "GET",
        "/services/data/v60.0/query?q=SELECT+Type%2C+Owner.Email+FROM+Opportunity"
        "+WHERE+AccountId+%3D+%270015e0000UMBR01AAA%27+AND+Type+%3D+%27New+Business%27",
        NULL);
    assert_int_equal(sbt_num_at(r.json, "totalSize"), 2);
    char *owner = hb_xstrdup(sbt_str_at(r.json, "records[0].Owner.Email"));
    sbt_resp_free(&r);
    /* the opportunity owner is a Zendesk agent who can be copied on the ticket */
    char *q = hb_xasprintf("/api/v2/search.json?query=type:user%%20email:%s", owner);
    r = sbt_zendesk(t, "GET", q, NULL);
    assert_int_equal(sbt_num_at(r.json, "count"), 1);
    assert_string_equal(sbt_str_at(r.json, "results[0].role"), "agent");
    sbt_resp_free(&r);
    free(q);
    free(owner);
    r = sbt_salesforce(t, "GET",
                       "/services/data/v60.0/query?q=SELECT+Id+FROM+Opportunity+WHERE+"
                       "Type+%3D+%27Add-On+Business%27",
                       NULL);
    assert_true(sbt_num_at(r.json, "totalSize") >= 1);
    sbt_resp_free(&r);
    r = sbt_zuora(t, "GET", "/v1/accounts/A00002004/summary", NULL);
    assert_non_null(sbt_str_at(r.json, "basicInfo.salesRep"));
    sbt_resp_free(&r);
}

static void support_ops_branches(void **state)
{
    sbt *t = *state;
    sbt_resp r = sbt_zendesk(t, "GET", "/api/v2/tickets/1013.json", NULL);
    int64_t form = (int64_t)sbt_num_at(r.json, "ticket.ticket_form_id");
    sbt_resp_free(&r);
    r = sbt_zendesk(t, "GET", "/api/v2/ticket_forms.json", NULL);
    cJSON *f;
    int64_t ops = 0;
    cJSON_ArrayForEach(f, sbt_json_at(r.json, "ticket_forms"))
    {
        if (!strcmp(sbt_str_at(f, "name"), "Support Ops"))
            ops = (int64_t)sbt_num_at(f, "id");
    }
    assert_true(ops != 0 && ops != form); /* mis-filed: not on Support Ops yet */
    sbt_resp_free(&r);
    const char *templates[] = {
        "/api/v4/projects/gitlab-com%2Fgl-security%2Fcorp%2Fcust-support-ops%2Fissue-tracker/"
        "templates/issues/Bug",
        "/api/v4/projects/gitlab-com%2Fgl-security%2Fcorp%2Fcust-support-ops%2Fissue-tracker/"
        "templates/issues/Feature",
        "/api/v4/projects/gitlab-com%2Fsupport%2Fsupport-team-meta/templates/issues/RFC"};
    for (size_t i = 0; i < 3; i++) {
        r = sbt_gitlab(t, "GET", templates[i], NULL);
        assert_int_equal(r.status, 200);
        sbt_resp_free(&r);
    }
}

static void organizations_link_to_billing(void **state)
{
    sbt *t = *state;
    for (int id = 2001; id <= 2012; id++) {
        char *path = hb_xasprintf("/api/v2/organizations/%d.json", id);
        sbt_resp r = sbt_zendesk(t, "GET", path, NULL);
        free(path);
        const char *zuora =
            sbt_str_at(r.json, "organization.organization_fields.zuora_account_number");
        const char *sf =
            sbt_str_at(r.json, "organization.organization_fields.salesforce_account_id");
        assert_non_null(sf);
        char *sf_path = hb_xasprintf("/services/data/v60.0/sobjects/Account/%s", sf);
        char *zu_path = zuora ? hb_xasprintf("/v1/accounts/%s/summary", zuora) : NULL;
        sbt_resp_free(&r);
        r = sbt_salesforce(t, "GET", sf_path, NULL);
        assert_int_equal(r.status, 200);
        sbt_resp_free(&r);
        if (zu_path) {
            r = sbt_zuora(t, "GET", zu_path, NULL);
            assert_true(cJSON_IsTrue(sbt_json_at(r.json, "success")));
            sbt_resp_free(&r);
        }
        free(sf_path);
        free(zu_path);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(offering_migration_branches, setup, teardown),
        cmocka_unit_test_setup_teardown(license_and_renewal_branches, setup, teardown),
        cmocka_unit_test_setup_teardown(merge_and_split_branches, setup, teardown),
        cmocka_unit_test_setup_teardown(support_ops_branches, setup, teardown),
        cmocka_unit_test_setup_teardown(organizations_link_to_billing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
