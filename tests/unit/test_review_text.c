/* Pure text parts of the review tools: the line diff of function bodies and
 * the Mermaid/DOT rendering of a graph model (ids that Mermaid cannot take,
 * labels that need escaping). */
#include <stdlib.h>
#include <string.h>

#include "hb/diff.h"
#include "hb/graph.h"
#include "hb/util.h"
#include "test_support.h"

static char *diff_of(char **a, size_t na, char **b, size_t nb)
{
    hb_buf out;
    hb_buf_init(&out);
    hb_line_diff(a, na, b, nb, "> ", &out);
    return hb_buf_take(&out);
}

static void line_diff_marks_changes(void **state)
{
    (void)state;
    char *a[] = {"function(ctx)", "  local t = get()", "  use(t)", "end"};
    char *b[] = {"function(ctx)", "  local t = get(1)", "  use(t)", "  log(t)", "end"};
    char *out = diff_of(a, 4, b, 5);
    assert_string_equal(out, ">   function(ctx)\n"
                             "> -   local t = get()\n"
                             "> +   local t = get(1)\n"
                             ">     use(t)\n"
                             "> +   log(t)\n"
                             ">   end\n");
    free(out);
}

static void line_diff_ignores_indentation(void **state)
{
    (void)state;
    char *a[] = {"x = 1", "y = 2"};
    char *b[] = {"    x = 1  ", "\ty = 2"};
    char *out = diff_of(a, 2, b, 2);
    assert_null(strstr(out, "> -"));
    assert_null(strstr(out, "> +"));
    free(out);
    char *c[] = {"x = 1"};
    out = diff_of(c, 1, NULL, 0);
    assert_string_equal(out, "> - x = 1\n");
    free(out);
}

static char *render(const hb_graph *g, hb_graph_format f)
{
    hb_buf out;
    hb_buf_init(&out);
    hb_graph_render(g, f, &out);
    return hb_buf_take(&out);
}

static void mermaid_ids_are_safe_and_distinct(void **state)
{
    (void)state;
    hb_graph g;
    memset(&g, 0, sizeof g);
    g.name = hb_xstrdup("ids");
    hb_graph_add_node(&g, "end", "The end", HB_SHAPE_SUCCEED);
    hb_graph_add_node(&g, "a-b", "Dash", HB_SHAPE_TASK);
    hb_graph_add_node(&g, "a_b", "Underscore", HB_SHAPE_TASK);
    hb_graph_add_node(&g, "graph", NULL, HB_SHAPE_DECISION);
    hb_graph_add_edge(&g, "a-b", "a_b", "go | on", HB_EDGE_NORMAL);
    hb_graph_add_edge(&g, "a_b", "graph", NULL, HB_EDGE_EXCEPTION);
    hb_graph_add_edge(&g, "graph", "end", "yes", HB_EDGE_REMOVED);
    char *m = render(&g, HB_GRAPH_MERMAID);
    assert_non_null(strstr(m, "    end_step([\"The end\"])\n"));
    assert_non_null(strstr(m, "    a_b[\"Dash\"]\n"));
    assert_non_null(strstr(m, "    a_b_2[\"Underscore\"]\n"));
    assert_non_null(strstr(m, "    graph_step{\"graph\"}\n")); /* no description: the id */
    assert_non_null(strstr(m, "    a_b -->|\"go #124; on\"| a_b_2\n"));
    assert_non_null(strstr(m, "    a_b_2 -.-> graph_step\n"));
    assert_non_null(strstr(m, "    graph_step -.->|\"yes\"| end_step\n"));
    assert_non_null(strstr(m, "    linkStyle 2 "));
    assert_non_null(strstr(m, "    class end_step succeed\n"));
    free(m);
    char *d = render(&g, HB_GRAPH_DOT);
    assert_non_null(strstr(d, "    \"a-b\" -> \"a_b\" [label=\"go | on\"];\n"));
    assert_non_null(strstr(d, "    \"a_b\" -> \"graph\" [style=dashed];\n"));
    free(d);
    hb_graph_free(&g);
}

static void dot_escapes_quotes_and_backslashes(void **state)
{
    (void)state;
    hb_graph g;
    memset(&g, 0, sizeof g);
    g.name = hb_xstrdup("say \"hi\"");
    hb_graph_add_node(&g, "n", "C:\\dir \"x\"\nnext", HB_SHAPE_WAIT)->mark = "changed";
    char *d = render(&g, HB_GRAPH_DOT);
    assert_non_null(strstr(d, "digraph \"say \\\"hi\\\"\" {"));
    assert_non_null(strstr(d, "label=\"C:\\\\dir \\\"x\\\"\\nnext\", shape=hexagon, "
                              "class=\"changed\""));
    free(d);
    char *m = render(&g, HB_GRAPH_MERMAID);
    assert_non_null(strstr(m, "n{{\"C:\\dir #quot;x#quot;<br>next\"}}"));
    assert_non_null(strstr(m, "classDef changed"));
    assert_non_null(strstr(m, "class n changed"));
    free(m);
    hb_graph_free(&g);
}

static void format_names(void **state)
{
    (void)state;
    hb_graph_format f;
    assert_int_equal(hb_graph_format_parse("dot", &f, NULL), HB_OK);
    assert_int_equal(f, HB_GRAPH_DOT);
    hb_err e;
    assert_int_equal(hb_graph_format_parse("png", &f, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "'png'"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(line_diff_marks_changes),
        cmocka_unit_test(line_diff_ignores_indentation),
        cmocka_unit_test(mermaid_ids_are_safe_and_distinct),
        cmocka_unit_test(dot_escapes_quotes_and_backslashes),
        cmocka_unit_test(format_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
