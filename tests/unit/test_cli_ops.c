/* `hb ops --json` lists exactly the operation table's operations that a
 * workflow can call (none internal, none twice, in the table's order),
 * each with the table's read or write, and words for every one of them
 * from the editor types: an operation added to the table without a line of
 * doc in stdlib/types/ fails here. And the types reader on its own. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hb/op_docs.h"
#include "hb/service_table.h"
#include "run_hb.h"
#include "test_support.h"

static void lists_the_table(void **state)
{
    (void)state;
    const char *env[] = {"HB_HOME=/nonexistent-hb-home", NULL};
    hbt_output o = hbt_run_hb((const char *[]){"ops", "--json", NULL}, env);
    assert_int_equal(o.status, 0);
    cJSON *list = cJSON_Parse(o.out);
    assert_true(cJSON_IsArray(list));
    int k = 0;
    for (size_t i = 0; i < hb_operation_count; i++) {
        const hb_operation_def *op = &hb_operation_defs[i];
        if (op->internal)
            continue;
        const cJSON *item = cJSON_GetArrayItem(list, k++);
        if (!item)
            fail_msg("hb ops leaves out %s", op->name);
        const char *name = cJSON_GetObjectItem(item, "name")->valuestring;
        if (strcmp(name, op->name))
            fail_msg("hb ops lists %s where the table has %s", name, op->name);
        assert_string_equal(cJSON_GetObjectItem(item, "access")->valuestring,
                            op->write ? "write" : "read");
        assert_string_equal(cJSON_GetObjectItem(item, "service")->valuestring, op->service);
        const char *summary = cJSON_GetObjectItem(item, "summary")->valuestring;
        if (!*summary)
            fail_msg("%s has no line of doc in stdlib/types/%s.lua", op->name, op->service);
    }
    assert_int_equal(cJSON_GetArraySize(list), k);
    cJSON_Delete(list);
    hbt_output_free(&o);
}

static void reads_a_types_file(void **state)
{
    (void)state;
    const char *text = "---@meta\n"
                       "---Not a doc: a class follows.\n"
                       "---@class x.Thing\n"
                       "\n"
                       "---The thing with this id,\n"
                       "---or nil.\n"
                       "---@param id integer\n"
                       "---@param opts? { a: string, b: integer }\n"
                       "---@return x.Thing|nil thing\n"
                       "---@return hb.ServiceError|nil err\n"
                       "function x.things.get(id, opts) end\n"
                       "\n"
                       "---@return fun(): x.Thing? iterator\n"
                       "function x.things.list() end\n";
    hb_op_docs d = {0};
    hb_op_docs_read(&d, text);
    assert_int_equal(d.n, 2);
    const hb_op_doc *get = hb_op_docs_find(&d, "x.things.get");
    assert_non_null(get);
    assert_string_equal(get->summary, "The thing with this id, or nil.");
    assert_int_equal(get->nparams, 2);
    assert_string_equal(get->params[1].name, "opts?");
    assert_string_equal(get->params[1].type, "{ a: string, b: integer }");
    assert_string_equal(get->returns, "x.Thing|nil, hb.ServiceError|nil");
    const hb_op_doc *list = hb_op_docs_find(&d, "x.things.list");
    assert_null(list->summary);
    assert_string_equal(list->returns, "fun(): x.Thing?");
    assert_null(hb_op_docs_find(&d, "x.Thing"));
    hb_op_docs_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lists_the_table),
        cmocka_unit_test(reads_a_types_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
