/* The exact-integer printer, compact and pretty: every JSON text hb writes
 * goes through it, so integers up to 2^53 - 1 keep all their digits. */
#include <stdlib.h>
#include <string.h>

#include "hb/json_print.h"
#include "test_support.h"

static void expect_pretty(const char *json, const char *expected)
{
    cJSON *tree = cJSON_Parse(json);
    assert_non_null(tree);
    char *out = hb_json_print_pretty(tree);
    if (strcmp(out, expected) != 0)
        fail_msg("%s printed as\n%s\nexpected\n%s", json, out, expected);
    /* and it reads back to the same compact text */
    cJSON *again = cJSON_Parse(out);
    char *a = hb_json_print(tree), *b = hb_json_print(again);
    assert_string_equal(a, b);
    free(a);
    free(b);
    cJSON_Delete(again);
    cJSON_Delete(tree);
    free(out);
}

static void pretty_is_indented_as_jq_does(void **state)
{
    (void)state;
    /* The expected texts are what `jq .` prints for the same input. */
    expect_pretty("{\"a\":1,\"b\":[true,null,\"x\\n\"],\"c\":{},\"d\":[],\"e\":{\"f\":[{}]}}",
                  "{\n"
                  "  \"a\": 1,\n"
                  "  \"b\": [\n"
                  "    true,\n"
                  "    null,\n"
                  "    \"x\\n\"\n"
                  "  ],\n"
                  "  \"c\": {},\n"
                  "  \"d\": [],\n"
                  "  \"e\": {\n"
                  "    \"f\": [\n"
                  "      {}\n"
                  "    ]\n"
                  "  }\n"
                  "}");
    expect_pretty("[]", "[]");
    expect_pretty("\"s\"", "\"s\"");
}

static void the_largest_exact_integers_keep_their_digits(void **state)
{
    (void)state;
    expect_pretty("{\"id\":9007199254740991,\"neg\":-9007199254740991,\"half\":0.5}",
                  "{\n"
                  "  \"id\": 9007199254740991,\n"
                  "  \"neg\": -9007199254740991,\n"
                  "  \"half\": 0.5\n"
                  "}");
    cJSON *tree = cJSON_Parse("[9007199254740991,1e300,0.1]");
    char *compact = hb_json_print(tree);
    /* jq -c prints the same; cJSON_PrintUnformatted gives 9.00719925474099e+15. */
    assert_string_equal(compact, "[9007199254740991,1e+300,0.1]");
    free(compact);
    cJSON_Delete(tree);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pretty_is_indented_as_jq_does),
        cmocka_unit_test(the_largest_exact_integers_keep_their_digits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
