/* hb_workflow_vars_read_from: the ctx.vars the steps reachable from a step
 * read and do not set, as hb migrate checks them against a run's vars. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hb/util.h"
#include "hb/workflow.h"
#include "test_support.h"

static const char FLOW[] =
    "return workflow \"vars-flow\" {\n"
    "  title = \"t\", handbook = \"h\",\n"
    "  task \"first\" { \"Sets a from z.\", run = function(ctx) ctx.vars.a = ctx.vars.z end },\n"
    "  wait \"pause\" { \"Waits.\", event = \"go\" },\n"
    "  choice \"route\" { \"Which way?\",\n"
    "    { label = \"B\", when = is_set(\"vars.b\"), next = \"use_alias\" },\n"
    "    { label = \"else\", next = \"done\" },\n"
    "  },\n"
    "  task \"use_alias\" { \"Reads c, sets and reads d.\", run = function(ctx)\n"
    "      local v = ctx.vars\n"
    "      v.d, v.e = v.c, 2\n"
    "      ctx.log(tostring(v.d) .. tostring(ctx.vars.a))\n"
    "    end },\n"
    "  succeed \"done\" { \"Done.\" },\n"
    "}\n";

static bool has(char **names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], name))
            return true;
    return false;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static void test_reads_from_a_step(void **state)
{
    (void)state;
    hbt_setenv("HB_STDLIB", HB_TEST_FIXTURES "/../../stdlib");
    char *dir = hbt_tempdir();
    char *file = hb_path_join(dir, "vars-flow.lua");
    hbt_write(file, FLOW);
    hb_workflow *wf = NULL;
    hb_err e;
    assert_int_equal(hb_workflow_load_file(file, &wf, &e), HB_OK);

    size_t n;
    char **names = hb_workflow_vars_read_from(wf, (size_t)hb_workflow_step_index(wf, "pause"), &n);
    /* b (a `when` helper's fact), c (through the alias) and a: read, not set
     * from here on; d and e are set there; z is read before the wait. */
    assert_true(has(names, n, "b"));
    assert_true(has(names, n, "c"));
    assert_true(has(names, n, "a"));
    assert_false(has(names, n, "d"));
    assert_false(has(names, n, "e"));
    assert_false(has(names, n, "z"));
    assert_int_equal(n, 3);
    free_names(names, n);

    /* From the first step on, a is set by the run itself; z is read. */
    names = hb_workflow_vars_read_from(wf, 0, &n);
    assert_false(has(names, n, "a"));
    assert_true(has(names, n, "z"));
    assert_true(has(names, n, "b"));
    free_names(names, n);

    /* The end reads nothing. */
    names = hb_workflow_vars_read_from(wf, (size_t)hb_workflow_step_index(wf, "done"), &n);
    assert_int_equal(n, 0);
    free_names(names, n);

    hb_workflow_free(wf);
    free(file);
    hbt_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_from_a_step),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
