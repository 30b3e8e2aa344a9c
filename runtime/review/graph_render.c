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

/* The marks the diff sets, in the legend's order, with their styles. */
static const struct {
    const char *mark, *legend, *mermaid_style;
} MARKS[] = {
    {"added", "added step", "fill:#d0ebff,stroke:#1971c2,stroke-width:3px"},
    {"changed", "changed step", "fill:#fff3bf,stroke:#e67700,stroke-width:3px"},
    {"renamed", "renamed step (its old id below its text)",
     "fill:#e5dbff,stroke:#7048e8,stroke-width:3px"},
    {"removed", "removed step", "fill:#f1f3f5,stroke:#868e96,stroke-dasharray:5 5,color:#868e96"},
};
#define NMARKS (sizeof MARKS / sizeof MARKS[0])

static bool mark_used(const hb_graph *g, const char *mark)
{
    for (size_t i = 0; i < g->nnodes; i++)
        if (g->nodes[i].mark && !strcmp(g->nodes[i].mark, mark))
            return true;
    return false;
}

static bool grey_edges(const hb_graph *g)
{
    for (size_t i = 0; i < g->nedges; i++)
        if (g->edges[i].style == HB_EDGE_REMOVED || g->edges[i].style == HB_EDGE_WAS)
            return true;
    return false;
}

/* An id for a node beside the steps (the forbid note, the legend) that no
 * step's node has. */
static char *extra_id(char **ids, size_t n, const char *base)
{
    char *id = hb_xstrdup(base);
    for (bool taken = true; taken;) {
        taken = false;
        for (size_t i = 0; i < n && !taken; i++)
            taken = !strcmp(ids[i], id);
        if (taken) {
            char *longer = hb_xasprintf("%s_", id);
            free(id);
            id = longer;
        }
    }
    return id;
}

/* What the marks and the grey arrows mean, and the changes no step shows,
 * so a reviewer reading the merge request needs no other page. */
static void mermaid_legend(const hb_graph *g, char **ids, hb_buf *out)
{
    bool grey = grey_edges(g), any = grey || g->notes;
    for (size_t m = 0; m < NMARKS; m++)
        any = any || mark_used(g, MARKS[m].mark);
    if (!g->legend || !any)
        return;
    char *box = extra_id(ids, g->nnodes, "legend");
    hb_buf_printf(out, "    subgraph %s [\"Legend\"]\n", box);
    for (size_t m = 0; m < NMARKS; m++) {
        if (!mark_used(g, MARKS[m].mark))
            continue;
        char *base = hb_xasprintf("legend_%s", MARKS[m].mark);
        char *id = extra_id(ids, g->nnodes, base);
        hb_buf_printf(out, "        %s[", id);
        mermaid_text(out, MARKS[m].legend);
        hb_buf_printf(out, "]:::%s\n", MARKS[m].mark);
        free(id);
        free(base);
    }
    if (grey) {
        char *id = extra_id(ids, g->nnodes, "legend_edges");
        hb_buf_printf(out, "        %s[", id);
        mermaid_text(out, "grey dotted arrow: an edge of a removed step, or, labelled was, where "
                          "a changed transition used to go");
        hb_buf_puts(out, "]\n");
        free(id);
    }
    if (g->notes) {
        char *id = extra_id(ids, g->nnodes, "legend_notes");
        char *text = hb_xasprintf("changed outside the steps:\n%s", g->notes);
        hb_buf_printf(out, "        %s[", id);
        mermaid_text(out, text);
        hb_buf_puts(out, "]:::note\n");
        free(text);
        free(id);
    }
    hb_buf_puts(out, "    end\n");
    free(box);
}

static void render_mermaid(const hb_graph *g, hb_buf *out)
{
    char **ids = mermaid_ids(g);
    hb_buf_printf(out, "flowchart TD\n");
    for (size_t i = 0; i < g->nnodes; i++)
        mermaid_node(out, ids[i], &g->nodes[i]);
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
    }
    char *forbid_id = NULL;
    if (g->forbid) {
        /* A note apart from the steps, with an id no step was given. */
        forbid_id = extra_id(ids, g->nnodes, "forbid");
        hb_buf_printf(out, "    %s[", forbid_id);
        mermaid_text(out, g->forbid);
        hb_buf_puts(out, "]\n");
    }
    mermaid_legend(g, ids, out);
    hb_buf_puts(out, "    classDef succeed fill:#d3f9d8,stroke:#2b8a3e,color:#1b4332\n"
                     "    classDef fail fill:#ffe3e3,stroke:#c92a2a,color:#5c0011\n");
    if (forbid_id) {
        hb_buf_printf(out,
                      "    classDef forbid fill:#fff5f5,stroke:#c92a2a,stroke-dasharray:4 4\n"
                      "    class %s forbid\n",
                      forbid_id);
        free(forbid_id);
    }
    for (size_t m = 0; m < NMARKS; m++)
        if (mark_used(g, MARKS[m].mark))
            hb_buf_printf(out, "    classDef %s %s\n", MARKS[m].mark, MARKS[m].mermaid_style);
    if (g->legend && g->notes)
        hb_buf_puts(out, "    classDef note fill:#fff9db,stroke:#f08c00,color:#5c3c00\n");
    for (size_t i = 0; i < g->nnodes; i++) {
        if (g->nodes[i].shape == HB_SHAPE_SUCCEED || g->nodes[i].shape == HB_SHAPE_FAIL)
            hb_buf_printf(out, "    class %s %s\n", ids[i],
                          g->nodes[i].shape == HB_SHAPE_SUCCEED ? "succeed" : "fail");
    }
    for (size_t i = 0; i < g->nnodes; i++)
        if (g->nodes[i].mark)
            hb_buf_printf(out, "    class %s %s\n", ids[i], g->nodes[i].mark);
    /* Mermaid styles links by their position in the chart. */
    for (size_t i = 0; i < g->nedges; i++)
        if (g->edges[i].style == HB_EDGE_REMOVED || g->edges[i].style == HB_EDGE_WAS)
            hb_buf_printf(out, "    linkStyle %zu stroke:#adb5bd,stroke-dasharray:3 3\n", i);
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
                            : !strcmp(n->mark, "renamed") ? "#7048e8"
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
                            : edge->style == HB_EDGE_REMOVED || edge->style == HB_EDGE_WAS
                                ? "style=dotted, color=\"#adb5bd\""
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
