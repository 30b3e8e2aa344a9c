/* Drawing the graph model as Mermaid or Graphviz DOT text.
 *
 * Mermaid is picky: some words cannot be node ids ("end" closes a subgraph),
 * and quotes, '#', '<', '|' inside a label need entity codes. Step ids are
 * therefore turned into safe node ids (kept as they are whenever they are
 * already safe), and every label is quoted and escaped. DOT quotes
 * everything, so only '"', '\' and newlines need care there. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/graph.h"

static const char *const MERMAID_RESERVED[] = {
    "end",   "graph",     "flowchart", "subgraph", "style", "class", "classDef",
    "click", "linkStyle", "direction", "default",  "call",  "href",  NULL,
};

static bool is_reserved(const char *id)
{
    for (const char *const *r = MERMAID_RESERVED; *r; r++)
        if (!strcmp(*r, id))
            return true;
    return false;
}

/* Safe Mermaid ids for the nodes, in node order: letters, digits and '_'
 * only, no keyword, no duplicates. */
static char **mermaid_ids(const hb_graph *g)
{
    char **ids = hb_xcalloc(g->nnodes ? g->nnodes : 1, sizeof *ids);
    for (size_t i = 0; i < g->nnodes; i++) {
        hb_buf b;
        hb_buf_init(&b);
        for (const char *p = g->nodes[i].id; *p; p++)
            hb_buf_putc(&b, isalnum((unsigned char)*p) || *p == '_' ? *p : '_');
        if (b.len == 0 || is_reserved(b.data))
            hb_buf_puts(&b, "_step");
        size_t base_len = b.len;
        for (int n = 2;; n++) {
            bool taken = false;
            for (size_t k = 0; k < i && !taken; k++)
                taken = !strcmp(ids[k], b.data);
            if (!taken)
                break;
            b.len = base_len;
            b.data[b.len] = '\0';
            hb_buf_printf(&b, "_%d", n);
        }
        ids[i] = hb_buf_take(&b);
    }
    return ids;
}

static const char *mermaid_id_of(const hb_graph *g, char **ids, const char *step_id)
{
    for (size_t i = 0; i < g->nnodes; i++)
        if (!strcmp(g->nodes[i].id, step_id))
            return ids[i];
    return NULL;
}

static void mermaid_text(hb_buf *out, const char *text)
{
    hb_buf_putc(out, '"');
    for (const char *p = text; *p; p++) {
        switch (*p) {
        case '"':
            hb_buf_puts(out, "#quot;");
            break;
        case '#':
            hb_buf_puts(out, "#35;");
            break;
        case '<':
            hb_buf_puts(out, "#lt;");
            break;
        case '>':
            hb_buf_puts(out, "#gt;");
            break;
        case '|':
            hb_buf_puts(out, "#124;");
            break;
        case '`':
            hb_buf_puts(out, "#96;");
            break;
        case '\r':
            break;
        case '\n':
            hb_buf_puts(out, "<br>");
            break;
        default:
            hb_buf_putc(out, *p);
        }
    }
    hb_buf_putc(out, '"');
}

static void mermaid_node(hb_buf *out, const char *id, const hb_graph_node *n)
{
    static const char *const OPEN[] = {"[", "{", "[/", "{{", "([", "(["};
    static const char *const CLOSE[] = {"]", "}", "/]", "}}", "])", "])"};
    hb_buf_printf(out, "    %s%s", id, OPEN[n->shape]);
    mermaid_text(out, n->text);
    hb_buf_printf(out, "%s\n", CLOSE[n->shape]);
}

/* An edge's end that is not a node (cannot happen for a validated workflow)
 * still gets a safe id so the chart parses. */
static void mermaid_endpoint(hb_buf *out, const hb_graph *g, char **ids, const char *step_id)
{
    const char *id = mermaid_id_of(g, ids, step_id);
    if (id) {
        hb_buf_puts(out, id);
        return;
    }
    hb_buf_puts(out, "missing_");
    for (const char *p = step_id; *p; p++)
        hb_buf_putc(out, isalnum((unsigned char)*p) ? *p : '_');
}

static void render_mermaid(const hb_graph *g, hb_buf *out)
{
    char **ids = mermaid_ids(g);
    hb_buf_printf(out, "flowchart TD\n");
    for (size_t i = 0; i < g->nnodes; i++)
        mermaid_node(out, ids[i], &g->nodes[i]);
    bool any_removed_edge = false;
    for (size_t i = 0; i < g->nedges; i++) {
        const hb_graph_edge *edge = &g->edges[i];
        hb_buf_puts(out, "    ");
        mermaid_endpoint(out, g, ids, edge->from);
        hb_buf_puts(out, edge->style == HB_EDGE_NORMAL ? " -->" : " -.->");
        if (edge->label) {
            hb_buf_putc(out, '|');
            mermaid_text(out, edge->label);
            hb_buf_putc(out, '|');
        }
        hb_buf_putc(out, ' ');
        mermaid_endpoint(out, g, ids, edge->to);
        hb_buf_putc(out, '\n');
        any_removed_edge = any_removed_edge || edge->style == HB_EDGE_REMOVED;
    }
    char *forbid_id = NULL;
    if (g->forbid) {
        /* A note apart from the steps, with an id no step was given. */
        hb_buf b;
        hb_buf_init(&b);
        hb_buf_puts(&b, "forbid");
        for (int n = 2;; n++) {
            bool taken = false;
            for (size_t k = 0; k < g->nnodes && !taken; k++)
                taken = !strcmp(ids[k], b.data);
            if (!taken)
                break;
            b.len = 0;
            hb_buf_printf(&b, "forbid_%d", n);
        }
        forbid_id = hb_buf_take(&b);
        hb_buf_printf(out, "    %s[", forbid_id);
        mermaid_text(out, g->forbid);
        hb_buf_puts(out, "]\n");
    }
    hb_buf_puts(out, "    classDef succeed fill:#d3f9d8,stroke:#2b8a3e,color:#1b4332\n"
                     "    classDef fail fill:#ffe3e3,stroke:#c92a2a,color:#5c0011\n");
    if (forbid_id) {
        hb_buf_printf(out,
                      "    classDef forbid fill:#fff5f5,stroke:#c92a2a,stroke-dasharray:4 4\n"
                      "    class %s forbid\n",
                      forbid_id);
        free(forbid_id);
    }
    bool any_mark = false;
    for (size_t i = 0; i < g->nnodes; i++)
        any_mark = any_mark || g->nodes[i].mark;
    if (any_mark)
        hb_buf_puts(out, "    classDef added fill:#d0ebff,stroke:#1971c2,stroke-width:3px\n"
                         "    classDef changed fill:#fff3bf,stroke:#e67700,stroke-width:3px\n"
                         "    classDef removed fill:#f1f3f5,stroke:#868e96,"
                         "stroke-dasharray:5 5,color:#868e96\n");
    for (size_t i = 0; i < g->nnodes; i++) {
        if (g->nodes[i].shape == HB_SHAPE_SUCCEED || g->nodes[i].shape == HB_SHAPE_FAIL)
            hb_buf_printf(out, "    class %s %s\n", ids[i],
                          g->nodes[i].shape == HB_SHAPE_SUCCEED ? "succeed" : "fail");
    }
    for (size_t i = 0; i < g->nnodes; i++)
        if (g->nodes[i].mark)
            hb_buf_printf(out, "    class %s %s\n", ids[i], g->nodes[i].mark);
    if (any_removed_edge) {
        /* Mermaid styles links by their position in the chart. */
        for (size_t i = 0; i < g->nedges; i++)
            if (g->edges[i].style == HB_EDGE_REMOVED)
                hb_buf_printf(out, "    linkStyle %zu stroke:#adb5bd,stroke-dasharray:3 3\n", i);
    }
    for (size_t i = 0; i < g->nnodes; i++)
        free(ids[i]);
    free(ids);
}

static void dot_string(hb_buf *out, const char *text)
{
    hb_buf_putc(out, '"');
    for (const char *p = text; *p; p++) {
        if (*p == '"' || *p == '\\')
            hb_buf_putc(out, '\\');
        if (*p == '\n')
            hb_buf_puts(out, "\\n");
        else if (*p != '\r')
            hb_buf_putc(out, *p);
    }
    hb_buf_putc(out, '"');
}

static void dot_node(hb_buf *out, const hb_graph_node *n)
{
    static const char *const SHAPE[] = {
        "shape=box",
        "shape=diamond",
        "shape=parallelogram",
        "shape=hexagon",
        "shape=box, style=\"rounded,filled\", fillcolor=\"#d3f9d8\", color=\"#2b8a3e\"",
        "shape=box, style=\"rounded,filled\", fillcolor=\"#ffe3e3\", color=\"#c92a2a\"",
    };
    hb_buf_puts(out, "    ");
    dot_string(out, n->id);
    hb_buf_puts(out, " [label=");
    dot_string(out, n->text);
    hb_buf_printf(out, ", %s", SHAPE[n->shape]);
    if (n->mark) {
        const char *color = !strcmp(n->mark, "added")     ? "#1971c2"
                            : !strcmp(n->mark, "changed") ? "#e67700"
                                                          : "#868e96";
        hb_buf_printf(out, ", class=\"%s\", penwidth=3, color=\"%s\"", n->mark, color);
        if (!strcmp(n->mark, "removed"))
            hb_buf_puts(out, ", fontcolor=\"#868e96\"");
    }
    hb_buf_puts(out, "];\n");
}

static void render_dot(const hb_graph *g, hb_buf *out)
{
    hb_buf_puts(out, "digraph ");
    dot_string(out, g->name);
    hb_buf_puts(out, " {\n"
                     "    rankdir=TB;\n"
                     "    node [fontname=\"Helvetica\", fontsize=11];\n"
                     "    edge [fontname=\"Helvetica\", fontsize=10];\n");
    for (size_t i = 0; i < g->nnodes; i++)
        dot_node(out, &g->nodes[i]);
    if (g->forbid) {
        /* Quoted ids: a space makes one no step id can be. */
        hb_buf_puts(out, "    \"hb forbid\" [label=");
        dot_string(out, g->forbid);
        hb_buf_puts(out, ", shape=note, color=\"#c92a2a\"];\n");
    }
    for (size_t i = 0; i < g->nedges; i++) {
        const hb_graph_edge *edge = &g->edges[i];
        hb_buf_puts(out, "    ");
        dot_string(out, edge->from);
        hb_buf_puts(out, " -> ");
        dot_string(out, edge->to);
        const char *style = edge->style == HB_EDGE_EXCEPTION ? "style=dashed"
                            : edge->style == HB_EDGE_REMOVED ? "style=dotted, color=\"#adb5bd\""
                                                             : NULL;
        if (edge->label || style) {
            hb_buf_puts(out, " [");
            if (edge->label) {
                hb_buf_puts(out, "label=");
                dot_string(out, edge->label);
            }
            if (style)
                hb_buf_printf(out, "%s%s", edge->label ? ", " : "", style);
            hb_buf_putc(out, ']');
        }
        hb_buf_puts(out, ";\n");
    }
    hb_buf_puts(out, "}\n");
}

void hb_graph_render(const hb_graph *g, hb_graph_format f, hb_buf *out)
{
    if (f == HB_GRAPH_DOT)
        render_dot(g, out);
    else
        render_mermaid(g, out);
}
