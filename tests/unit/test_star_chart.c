/* The handbook's star-validity chart (tests/fixtures/review/star-chart.mmd)
 * against `hb graph star-validity`: through the mapping table
 * star-chart-map.txt, every decision of the chart must be a decision of the
 * workflow, and every edge of the chart an edge of the workflow's graph with
 * the same label (case aside). Steps the workflow adds between two chart
 * nodes are allowed when the way through them is unlabelled (a task that
 * reads data before a decision).
 *
 * Runs on the fixture workflow always, and on workflows/star-validity.lua
 * once that exists. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hb/util.h"
#include "test_support.h"

#define MAX_ITEMS 128

typedef struct edge {
    char from[64], to[64], label[128]; /* label "" when unlabelled */
} edge;

typedef struct chart {
    edge edges[MAX_ITEMS];
    size_t nedges;
    char decisions[MAX_ITEMS][64]; /* chart nodes drawn as {diamonds} */
    size_t ndecisions;
} chart;

typedef struct mapping {
    char node[MAX_ITEMS][64];
    char step[MAX_ITEMS][64];
    size_t n;
} mapping;

static const char *skip_spaces(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

static const char *read_id(const char *p, char out[64])
{
    size_t n = 0;
    while ((isalnum((unsigned char)*p) || *p == '_') && n < 63)
        out[n++] = *p++;
    out[n] = '\0';
    return p;
}

/* Skips a node shape ([text], {text}, ...) and says whether it was {text}. */
static const char *read_shape(const char *p, bool *diamond)
{
    *diamond = *p == '{' && p[1] != '{';
    if (*p != '[' && *p != '{' && *p != '(')
        return p;
    char close = *p == '[' ? ']' : *p == '{' ? '}' : ')';
    const char *end = strchr(p, close);
    return end ? end + 1 : p + strlen(p);
}

static void add_decision(chart *c, const char *id)
{
    for (size_t i = 0; i < c->ndecisions; i++)
        if (!strcmp(c->decisions[i], id))
            return;
    snprintf(c->decisions[c->ndecisions++], 64, "%s", id);
}

/* One statement: ID[shape] --> |label| ID[shape] (also ---> and -.->). */
static bool parse_chart_line(const char *line, chart *c)
{
    edge e;
    memset(&e, 0, sizeof e);
    bool diamond;
    const char *p = read_id(skip_spaces(line), e.from);
    if (!*e.from)
        return false;
    p = read_shape(p, &diamond);
    if (diamond)
        add_decision(c, e.from);
    p = skip_spaces(p);
    if (*p != '-')
        return false;
    while (*p == '-' || *p == '.')
        p++;
    if (*p++ != '>')
        return false;
    p = skip_spaces(p);
    if (*p == '|') {
        const char *end = strchr(p + 1, '|');
        if (!end)
            return false;
        const char *l = p + 1;
        size_t n = (size_t)(end - l);
        if (n >= 2 && l[0] == '"' && l[n - 1] == '"') {
            l++;
            n -= 2;
        }
        snprintf(e.label, sizeof e.label, "%.*s", (int)n, l);
        p = skip_spaces(end + 1);
    }
    p = read_id(p, e.to);
    if (!*e.to)
        return false;
    read_shape(p, &diamond);
    if (diamond)
        add_decision(c, e.to);
    c->edges[c->nedges++] = e;
    return true;
}

static void parse_chart(const char *text, chart *c)
{
    memset(c, 0, sizeof *c);
    char *copy = hb_xstrdup(text), *save = NULL;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        const char *s = skip_spaces(l);
        if (!*s || !strncmp(s, "%%", 2) || !strncmp(s, "graph", 5) || !strncmp(s, "flowchart", 9))
            continue;
        parse_chart_line(s, c);
    }
    free(copy);
    /* A node with two or more labelled ways out is a decision too. */
    for (size_t i = 0; i < c->nedges; i++) {
        size_t labelled = 0;
        for (size_t k = 0; k < c->nedges; k++)
            labelled += !strcmp(c->edges[k].from, c->edges[i].from) && *c->edges[k].label;
        if (labelled >= 2)
            add_decision(c, c->edges[i].from);
    }
}

/* The graph hb prints: node lines "    id{"text"}" and edge lines. */
typedef struct graph {
    edge edges[MAX_ITEMS];
    size_t nedges;
    char decisions[MAX_ITEMS][64];
    size_t ndecisions;
    char nodes[MAX_ITEMS][64];
    size_t nnodes;
} graph;

static void parse_graph(const char *text, graph *g)
{
    memset(g, 0, sizeof *g);
    char *copy = hb_xstrdup(text), *save = NULL;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        char id[64];
        const char *p = read_id(skip_spaces(l), id);
        if (!*id || !strcmp(id, "classDef") || !strcmp(id, "class") || !strcmp(id, "linkStyle"))
            continue;
        if (*p == '[' || *p == '{' || *p == '(') {
            snprintf(g->nodes[g->nnodes++], 64, "%s", id);
            if (p[0] == '{' && p[1] == '"')
                snprintf(g->decisions[g->ndecisions++], 64, "%s", id);
            continue;
        }
        chart *one = hb_xcalloc(1, sizeof *one);
        if (parse_chart_line(l, one)) {
            /* A `when` helper's comparison follows the label: "Yes [trial == true]".
             * The chart's label is the part before it. */
            char *helper = strstr(one->edges[0].label, " [");
            if (helper)
                *helper = '\0';
            g->edges[g->nedges++] = one->edges[0];
        }
        free(one);
    }
    free(copy);
}

static void read_mapping(const char *path, int column, mapping *m)
{
    char *text = hb_read_file(path, NULL, NULL);
    assert_non_null(text);
    memset(m, 0, sizeof *m);
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (*l == '#')
            continue;
        char node[64], step[64], real[64];
        int n = sscanf(l, "%63s %63s %63s", node, step, real);
        if (n < 2)
            continue;
        snprintf(m->node[m->n], 64, "%s", node);
        snprintf(m->step[m->n], 64, "%s", column == 3 && n == 3 ? real : step);
        m->n++;
    }
    free(text);
}

static const char *mapped(const mapping *m, const char *node)
{
    for (size_t i = 0; i < m->n; i++)
        if (!strcmp(m->node[i], node))
            return m->step[i];
    return NULL;
}

/* Can `to` be reached from `from` by unlabelled edges only (or is it from)? */
static bool plain_path(const graph *g, const char *from, const char *to, int depth)
{
    if (!strcmp(from, to))
        return true;
    if (depth > 8)
        return false;
    for (size_t i = 0; i < g->nedges; i++)
        if (!strcmp(g->edges[i].from, from) && !*g->edges[i].label &&
            plain_path(g, g->edges[i].to, to, depth + 1))
            return true;
    return false;
}

/* Every chart edge and decision in the graph; the first miss is described
 * in `why`. */
static bool chart_in_graph(const chart *c, const mapping *m, const graph *g, char *why,
                           size_t whylen)
{
    for (size_t i = 0; i < c->ndecisions; i++) {
        const char *step = mapped(m, c->decisions[i]);
        bool found = false;
        for (size_t k = 0; step && k < g->ndecisions; k++)
            found = found || !strcmp(g->decisions[k], step);
        if (!found) {
            snprintf(why, whylen, "chart decision %s (step %s) is not a decision in the graph",
                     c->decisions[i], step ? step : "(unmapped)");
            return false;
        }
    }
    for (size_t i = 0; i < c->nedges; i++) {
        const edge *ce = &c->edges[i];
        const char *from = mapped(m, ce->from), *to = mapped(m, ce->to);
        if (!from || !to) {
            snprintf(why, whylen, "chart node %s has no step in the mapping table",
                     from ? ce->to : ce->from);
            return false;
        }
        if (!strcmp(from, to))
            continue;
        bool found = false;
        for (size_t k = 0; k < g->nedges && !found; k++) {
            const edge *ge = &g->edges[k];
            bool label_ok = !*ce->label || !strcasecmp(ce->label, ge->label);
            found = !strcmp(ge->from, from) && label_ok && plain_path(g, ge->to, to, 0);
        }
        if (!found) {
            snprintf(why, whylen, "chart edge %s -%s%s-> %s has no edge %s -> %s%s%s in the graph",
                     ce->from, *ce->label ? "|" : "", ce->label, ce->to, from, to,
                     *ce->label ? " labelled " : "", ce->label);
            return false;
        }
    }
    return true;
}

static char *hb_graph_of(const char *file)
{
    char *cmd = hb_xasprintf("'%s' graph '%s' --format mermaid", HB_TEST_BINARY, file);
    FILE *p = popen(cmd, "r");
    free(cmd);
    assert_non_null(p);
    hb_buf out;
    hb_buf_init(&out);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        hb_buf_append(&out, chunk, n);
    assert_int_equal(pclose(p), 0);
    return hb_buf_take(&out);
}

static void load_chart(chart *c)
{
    char *text = hb_read_file(HB_TEST_FIXTURES "/review/star-chart.mmd", NULL, NULL);
    assert_non_null(text);
    parse_chart(text, c);
    free(text);
    /* The seed's chart: 18 edges, 6 decisions (A and the five yes/no questions). */
    assert_int_equal(c->nedges, 18);
    assert_int_equal(c->ndecisions, 6);
}

static void check_workflow(const char *file, int map_column)
{
    chart c;
    load_chart(&c);
    mapping m;
    read_mapping(HB_TEST_FIXTURES "/review/star-chart-map.txt", map_column, &m);
    char *text = hb_graph_of(file);
    graph g;
    parse_graph(text, &g);
    free(text);
    char why[512] = "";
    if (!chart_in_graph(&c, &m, &g, why, sizeof why))
        fail_msg("%s: %s", file, why);
}

static void fixture_follows_chart(void **state)
{
    (void)state;
    check_workflow(HB_TEST_FIXTURES "/review/star-validity.lua", 2);
}

static void real_workflow_follows_chart(void **state)
{
    (void)state;
    const char *real = HB_SOURCE_DIR "/workflows/star-validity.lua";
    if (!hb_file_exists(real))
        skip();
    check_workflow(real, 3);
}

/* The check is not vacuous: a chart label or decision the graph lacks fails. */
static void check_catches_a_missing_label(void **state)
{
    (void)state;
    chart c;
    load_chart(&c);
    mapping m;
    read_mapping(HB_TEST_FIXTURES "/review/star-chart-map.txt", 2, &m);
    char *text = hb_graph_of(HB_TEST_FIXTURES "/review/star-validity.lua");
    graph g;
    parse_graph(text, &g);
    free(text);
    char why[512];
    snprintf(c.edges[0].label, sizeof c.edges[0].label, "Maybe");
    assert_false(chart_in_graph(&c, &m, &g, why, sizeof why));
    assert_non_null(strstr(why, "Maybe"));
    load_chart(&c);
    snprintf(c.decisions[0], 64, "C"); /* a task, not a decision */
    assert_false(chart_in_graph(&c, &m, &g, why, sizeof why));
    assert_non_null(strstr(why, "not a decision"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixture_follows_chart),
        cmocka_unit_test(real_workflow_follows_chart),
        cmocka_unit_test(check_catches_a_missing_label),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
