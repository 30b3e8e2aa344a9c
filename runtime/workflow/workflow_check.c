/* Graph validation: ids, targets, reachability and termination. The graph is
 * known statically because every transition names its target literally. */
#include <stdlib.h>
#include <string.h>

#include "workflow_internal.h"

static void check_target(const hb_workflow *wf, const hb_step *s, const char *target,
                         const char *what, hb_problems *p)
{
    if (target && hb_workflow_step_index(wf, target) < 0)
        hb_problem(p, s->file, s->line, "%s '%s': %s names unknown step '%s'",
                   hb_step_kind_name(s->kind), s->id, what, target);
}

/* Calls visit(target index) for every way out of step i. */
typedef void (*edge_fn)(size_t from, int to, void *ud);

static void each_edge(const hb_workflow *wf, size_t i, edge_fn fn, void *ud)
{
    const hb_step *s = &wf->steps[i];
    if (hb_step_is_terminal(s))
        return;
    if (s->kind == HB_STEP_CHOICE) {
        for (size_t k = 0; k < s->nedges; k++)
            fn(i, hb_workflow_step_index(wf, s->edges[k].target), ud);
        return;
    }
    bool all_options_routed = s->kind == HB_STEP_ASK && s->nedges > 0;
    for (size_t k = 0; k < s->nedges; k++) {
        if (s->edges[k].target)
            fn(i, hb_workflow_step_index(wf, s->edges[k].target), ud);
        else
            all_options_routed = false;
    }
    if (!all_options_routed) {
        const char *next = hb_step_default_next(wf, i);
        fn(i, next ? hb_workflow_step_index(wf, next) : -1, ud);
    }
    if (s->on_error)
        fn(i, hb_workflow_step_index(wf, s->on_error), ud);
    if (s->on_timeout)
        fn(i, hb_workflow_step_index(wf, s->on_timeout), ud);
}

/* The graph as edge lists, built once: forward and backward walks are then
 * linear in steps + edges. */
typedef struct graph {
    size_t n, nedges, cap;
    size_t *from, *to;
} graph;

static void collect_edge(size_t from, int to, void *ud)
{
    graph *g = ud;
    if (to < 0)
        return;
    if (g->nedges == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 64;
        g->from = hb_xrealloc(g->from, g->cap * sizeof *g->from);
        g->to = hb_xrealloc(g->to, g->cap * sizeof *g->to);
    }
    g->from[g->nedges] = from;
    g->to[g->nedges++] = (size_t)to;
}

/* Marks every step reachable from the marked ones, following edges forward
 * (from → to) or backward (to → from). */
static void spread(const graph *g, bool *mark, bool backward)
{
    size_t *start = hb_xcalloc(g->n + 1, sizeof *start);
    size_t *adj = hb_xcalloc(g->nedges ? g->nedges : 1, sizeof *adj);
    const size_t *src = backward ? g->to : g->from, *dst = backward ? g->from : g->to;
    for (size_t k = 0; k < g->nedges; k++)
        start[src[k] + 1]++;
    for (size_t i = 0; i < g->n; i++)
        start[i + 1] += start[i];
    size_t *fill = hb_xcalloc(g->n + 1, sizeof *fill);
    for (size_t k = 0; k < g->nedges; k++)
        adj[start[src[k]] + fill[src[k]]++] = dst[k];
    size_t *queue = hb_xcalloc(g->n + 1, sizeof *queue);
    size_t qlen = 0;
    for (size_t i = 0; i < g->n; i++)
        if (mark[i])
            queue[qlen++] = i;
    for (size_t head = 0; head < qlen; head++)
        for (size_t k = start[queue[head]]; k < start[queue[head] + 1]; k++)
            if (!mark[adj[k]]) {
                mark[adj[k]] = true;
                queue[qlen++] = adj[k];
            }
    free(start);
    free(adj);
    free(fill);
    free(queue);
}

void hb_workflow_check(const hb_workflow *wf, hb_problems *p)
{
    if (wf->nsteps == 0) {
        hb_problem(p, wf->file, wf->line, "workflow '%s' has no steps", wf->name);
        return;
    }
    size_t before = p->n;
    for (size_t i = 0; i < wf->nsteps; i++) {
        const hb_step *s = &wf->steps[i];
        int first = hb_workflow_step_index(wf, s->id); /* the first step with this id */
        if (first >= 0 && (size_t)first != i)
            hb_problem(p, s->file, s->line, "step id '%s' is used twice (first at line %d)", s->id,
                       wf->steps[first].line);
        check_target(wf, s, s->next, "next", p);
        check_target(wf, s, s->on_error, "on_error", p);
        check_target(wf, s, s->on_timeout, "on_timeout", p);
        for (size_t k = 0; k < s->nedges; k++)
            check_target(wf, s, s->edges[k].target,
                         s->kind == HB_STEP_CHOICE ? "a branch" : "an option", p);
        bool falls_through = !hb_step_is_terminal(s) && s->kind != HB_STEP_CHOICE && !s->next;
        if (s->kind == HB_STEP_ASK && s->nedges > 0) {
            falls_through = false;
            for (size_t k = 0; k < s->nedges; k++)
                falls_through = falls_through || !s->edges[k].target;
        }
        if (falls_through && i + 1 == wf->nsteps)
            hb_problem(p, s->file, s->line,
                       "%s '%s' is the last step but is not terminal: end with succeed or fail, "
                       "or give it next = \"step\"",
                       hb_step_kind_name(s->kind), s->id);
    }
    if (p->n > before)
        return; /* reachability over a broken graph would only repeat the errors above */

    graph g = {.n = wf->nsteps};
    for (size_t i = 0; i < wf->nsteps; i++)
        each_edge(wf, i, collect_edge, &g);
    bool *mark = hb_xcalloc(wf->nsteps, sizeof(bool));
    mark[0] = true;
    spread(&g, mark, false);
    for (size_t i = 0; i < wf->nsteps; i++)
        if (!mark[i])
            hb_problem(p, wf->steps[i].file, wf->steps[i].line,
                       "step '%s' is unreachable: no step leads to it", wf->steps[i].id);

    for (size_t i = 0; i < wf->nsteps; i++)
        mark[i] = hb_step_is_terminal(&wf->steps[i]);
    spread(&g, mark, true);
    for (size_t i = 0; i < wf->nsteps; i++)
        if (!mark[i])
            hb_problem(p, wf->steps[i].file, wf->steps[i].line,
                       "no succeed or fail step can be reached from step '%s' (a loop with no "
                       "way out)",
                       wf->steps[i].id);
    free(mark);
    free(g.from);
    free(g.to);
}
