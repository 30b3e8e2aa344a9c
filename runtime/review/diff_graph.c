/* The graph a merge request shows for a workflow change: the new version,
 * with added, changed and renamed steps marked, removed steps kept in grey
 * with the edges they had, the old target of every changed transition drawn
 * as a grey "was" edge, so a reviewer sees what disappeared and where things
 * used to go; the changes no step shows (uses, forbid, inputs, modules) in a
 * note, and a legend. */
#include <stdlib.h>
#include <string.h>

#include "hb/diff.h"

static const char *fate_mark(hb_step_fate f)
{
    switch (f) {
    case HB_FATE_ADDED:
        return "added";
    case HB_FATE_CHANGED:
        return "changed";
    case HB_FATE_RENAMED:
        return "renamed";
    case HB_FATE_REMOVED:
        return "removed";
    case HB_FATE_SAME:
        break;
    }
    return NULL;
}

/* An old step's id in the new graph: its new id when it survived. */
static const char *node_id(const hb_diff_side *old_side, const hb_diff_side *new_side,
                           const hb_diff *d, const char *old_id)
{
    int i = hb_workflow_step_index(old_side->wf, old_id);
    if (i >= 0 && d->old_to_new[i] >= 0)
        return new_side->wf->steps[d->old_to_new[i]].id;
    return old_id;
}

static bool removed(const hb_workflow *o, const hb_diff *d, const char *id)
{
    int i = hb_workflow_step_index(o, id);
    return i >= 0 && d->old_fate[i] == HB_FATE_REMOVED;
}

/* Does the new graph have an edge from `from` to `to`? */
static bool has_edge(const hb_graph *g, size_t nedges, const char *from, const char *to)
{
    for (size_t k = 0; k < nedges; k++)
        if (!strcmp(g->edges[k].from, from) && !strcmp(g->edges[k].to, to))
            return true;
    return false;
}

/* Old edges: those of removed steps as they were, and, from a step that
 * survived, each old target it no longer goes to (labelled "was: ..."). */
static void add_old_edges(const hb_diff_side *old_side, const hb_diff_side *new_side,
                          const hb_diff *d, hb_graph *g)
{
    const hb_workflow *o = old_side->wf;
    size_t new_edges = g->nedges;
    hb_graph old_graph;
    hb_graph_build(o, &old_graph);
    for (size_t k = 0; k < old_graph.nedges; k++) {
        const hb_graph_edge *edge = &old_graph.edges[k];
        const char *from = node_id(old_side, new_side, d, edge->from);
        const char *to = node_id(old_side, new_side, d, edge->to);
        if (removed(o, d, edge->from) || removed(o, d, edge->to)) {
            hb_graph_add_edge(g, from, to, edge->label, HB_EDGE_REMOVED);
        } else if (!has_edge(g, new_edges, from, to) && hb_graph_find_node(g, to)) {
            char *label = hb_xasprintf("was: %s", edge->label ? edge->label : "next");
            hb_graph_add_edge(g, from, to, label, HB_EDGE_WAS);
            free(label);
        }
    }
    hb_graph_free(&old_graph);
}

void hb_diff_graph(const hb_diff_side *old_side, const hb_diff_side *new_side, const hb_diff *d,
                   hb_graph *g)
{
    const hb_workflow *o = old_side->wf, *n = new_side->wf;
    hb_graph_build(n, g);
    g->legend = true;
    if (d->outside.len)
        g->notes = hb_xstrndup(d->outside.data, d->outside.len - 1); /* without the last \n */
    if (!o)
        return; /* the old version read no steps: nothing to mark against */
    for (size_t j = 0; j < n->nsteps; j++) {
        g->nodes[j].mark = fate_mark(d->new_fate[j]);
        if (d->new_fate[j] == HB_FATE_RENAMED) {
            char *text = hb_xasprintf("%s\n(renamed from %s)", g->nodes[j].text,
                                      o->steps[d->new_to_old[j]].id);
            free(g->nodes[j].text);
            g->nodes[j].text = text;
        }
    }
    for (size_t i = 0; i < o->nsteps; i++) {
        if (d->old_fate[i] != HB_FATE_REMOVED)
            continue;
        hb_graph_node *node = hb_graph_add_node(g, o->steps[i].id, o->steps[i].description,
                                                hb_graph_shape_of(&o->steps[i]));
        node->mark = "removed";
    }
    add_old_edges(old_side, new_side, d, g);
}
