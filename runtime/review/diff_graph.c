/* The graph a merge request shows for a workflow change: the new version,
 * with added and changed steps marked, and removed steps kept in grey with
 * the edges they had, so a reviewer sees what disappeared and from where. */
#include "hb/diff.h"

static const char *fate_mark(hb_step_fate f)
{
    switch (f) {
    case HB_FATE_ADDED:
        return "added";
    case HB_FATE_CHANGED:
    case HB_FATE_RENAMED:
        return "changed";
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

void hb_diff_graph(const hb_diff_side *old_side, const hb_diff_side *new_side, const hb_diff *d,
                   hb_graph *g)
{
    const hb_workflow *o = old_side->wf, *n = new_side->wf;
    hb_graph_build(n, g);
    for (size_t j = 0; j < n->nsteps; j++)
        g->nodes[j].mark = fate_mark(d->new_fate[j]);
    bool any_removed = false;
    for (size_t i = 0; i < o->nsteps; i++) {
        if (d->old_fate[i] != HB_FATE_REMOVED)
            continue;
        hb_graph_node *node = hb_graph_add_node(g, o->steps[i].id, o->steps[i].description,
                                                hb_graph_shape_of(&o->steps[i]));
        node->mark = "removed";
        any_removed = true;
    }
    if (!any_removed)
        return;
    hb_graph old_graph;
    hb_graph_build(o, &old_graph);
    for (size_t k = 0; k < old_graph.nedges; k++) {
        const hb_graph_edge *edge = &old_graph.edges[k];
        int from = hb_workflow_step_index(o, edge->from);
        int to = hb_workflow_step_index(o, edge->to);
        bool touches_removed = (from >= 0 && d->old_fate[from] == HB_FATE_REMOVED) ||
                               (to >= 0 && d->old_fate[to] == HB_FATE_REMOVED);
        if (touches_removed)
            hb_graph_add_edge(g, node_id(old_side, new_side, d, edge->from),
                              node_id(old_side, new_side, d, edge->to), edge->label,
                              HB_EDGE_REMOVED);
    }
    hb_graph_free(&old_graph);
}
