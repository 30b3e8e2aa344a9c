/* The graph model: nodes and labelled edges read from a workflow's static
 * structure. Rendering lives in graph_render.c. */
#include <stdlib.h>
#include <string.h>

#include "hb/graph.h"
#include "hb/service_table.h"

hb_status hb_graph_format_parse(const char *text, hb_graph_format *out, hb_err *e)
{
    if (!strcmp(text, "mermaid")) {
        *out = HB_GRAPH_MERMAID;
        return HB_OK;
    }
    if (!strcmp(text, "dot")) {
        *out = HB_GRAPH_DOT;
        return HB_OK;
    }
    return hb_err_set(e, HB_EUSAGE, "unknown graph format '%s' (use mermaid or dot)", text);
}

hb_graph_shape hb_graph_shape_of(const hb_step *s)
{
    switch (s->kind) {
    case HB_STEP_TASK:
        return HB_SHAPE_TASK;
    case HB_STEP_CHOICE:
        return HB_SHAPE_DECISION;
    case HB_STEP_ASK:
        return s->nedges > 0 ? HB_SHAPE_DECISION : HB_SHAPE_INPUT;
    case HB_STEP_WAIT:
        return HB_SHAPE_WAIT;
    case HB_STEP_SUCCEED:
        return HB_SHAPE_SUCCEED;
    case HB_STEP_FAIL:
        return HB_SHAPE_FAIL;
    }
    return HB_SHAPE_TASK;
}

hb_graph_node *hb_graph_add_node(hb_graph *g, const char *id, const char *text,
                                 hb_graph_shape shape)
{
    g->nodes = hb_xrealloc(g->nodes, (g->nnodes + 1) * sizeof *g->nodes);
    hb_graph_node *n = &g->nodes[g->nnodes++];
    n->id = hb_xstrdup(id);
    n->text = hb_xstrdup(text && *text ? text : id);
    n->shape = shape;
    n->mark = NULL;
    return n;
}

void hb_graph_add_edge(hb_graph *g, const char *from, const char *to, const char *label,
                       hb_graph_edge_style style)
{
    g->edges = hb_xrealloc(g->edges, (g->nedges + 1) * sizeof *g->edges);
    hb_graph_edge *edge = &g->edges[g->nedges++];
    edge->from = hb_xstrdup(from);
    edge->to = hb_xstrdup(to);
    edge->label = label ? hb_xstrdup(label) : NULL;
    edge->style = style;
}

hb_graph_node *hb_graph_find_node(hb_graph *g, const char *id)
{
    for (size_t i = 0; i < g->nnodes; i++)
        if (!strcmp(g->nodes[i].id, id))
            return &g->nodes[i];
    return NULL;
}

static void add_step_edges(hb_graph *g, const hb_workflow *wf, size_t i)
{
    const hb_step *s = &wf->steps[i];
    if (hb_step_is_terminal(s))
        return;
    const char *fallthrough = hb_step_default_next(wf, i);
    if (s->nedges > 0) {
        /* Choice branches always name a target; an ask option without one
         * continues like the step would without options. */
        for (size_t k = 0; k < s->nedges; k++) {
            const hb_edge *edge = &s->edges[k];
            const char *to = edge->target ? edge->target : fallthrough;
            if (!to)
                continue;
            /* A `when` helper shows what it compares: "Yes [trial == true]". */
            char *label = edge->when_text ? hb_xasprintf("%s [%s]", edge->label ? edge->label : "",
                                                         edge->when_text)
                                          : NULL;
            hb_graph_add_edge(g, s->id, to, label ? label : edge->label, HB_EDGE_NORMAL);
            free(label);
        }
    } else if (fallthrough) {
        hb_graph_add_edge(g, s->id, fallthrough, NULL, HB_EDGE_NORMAL);
    }
    if (s->on_timeout)
        hb_graph_add_edge(g, s->id, s->on_timeout, "timeout", HB_EDGE_EXCEPTION);
    if (s->on_error)
        hb_graph_add_edge(g, s->id, s->on_error, "error", HB_EDGE_EXCEPTION);
}

void hb_graph_build(const hb_workflow *wf, hb_graph *g)
{
    memset(g, 0, sizeof *g);
    g->name = hb_xstrdup(wf->name ? wf->name : "workflow");
    for (size_t i = 0; i < wf->nsteps; i++)
        hb_graph_add_node(g, wf->steps[i].id, wf->steps[i].description,
                          hb_graph_shape_of(&wf->steps[i]));
    for (size_t i = 0; i < wf->nsteps; i++)
        add_step_edges(g, wf, i);
    if (wf->nforbid) {
        hb_buf b;
        hb_buf_init(&b);
        hb_buf_puts(&b, "Never: ");
        for (size_t i = 0; i < wf->nforbid; i++) {
            char meaning[160];
            hb_buf_printf(&b, "%s%s", i ? "; " : "", wf->forbid[i]);
            if (hb_forbid_entry_meaning(wf->forbid[i], meaning, sizeof meaning))
                hb_buf_printf(&b, " (%s)", meaning);
        }
        g->forbid = hb_buf_take(&b);
    }
}

void hb_graph_free(hb_graph *g)
{
    for (size_t i = 0; i < g->nnodes; i++) {
        free(g->nodes[i].id);
        free(g->nodes[i].text);
    }
    for (size_t i = 0; i < g->nedges; i++) {
        free(g->edges[i].from);
        free(g->edges[i].to);
        free(g->edges[i].label);
    }
    free(g->nodes);
    free(g->edges);
    free(g->name);
    free(g->forbid);
    free(g->notes);
    memset(g, 0, sizeof *g);
}
