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

typedef struct walk {
    bool *mark;
    size_t *queue;
    size_t qlen;
    const hb_workflow *wf;
    bool reverse_target; /* for the backwards walk: mark `from` when `to` is marked */
} walk;

static void forward(size_t from, int to, void *ud)
{
    walk *w = ud;
    (void)from;
    if (to >= 0 && !w->mark[to]) {
        w->mark[to] = true;
        w->queue[w->qlen++] = (size_t)to;
    }
}

static void backward(size_t from, int to, void *ud)
{
    walk *w = ud;
    if (to >= 0 && w->mark[to] && !w->mark[from]) {
        w->mark[from] = true;
        w->reverse_target = true; /* something changed: iterate again */
    }
}

void hb_workflow_check(const hb_workflow *wf, hb_problems *p)
{
    if (wf->nsteps == 0) {
        hb_problem(p, wf->file, wf->line, "workflow '%s' has no steps", wf->name);
        return;
    }
    int before = p->count;
    for (size_t i = 0; i < wf->nsteps; i++) {
        const hb_step *s = &wf->steps[i];
        for (size_t j = 0; j < i; j++)
            if (!strcmp(wf->steps[j].id, s->id))
                hb_problem(p, s->file, s->line, "step id '%s' is used twice (first at line %d)",
                           s->id, wf->steps[j].line);
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
    if (p->count > before)
        return; /* reachability over a broken graph would only repeat the errors above */

    walk w = {.mark = hb_xcalloc(wf->nsteps, sizeof(bool)),
              .queue = hb_xcalloc(wf->nsteps, sizeof(size_t)),
              .wf = wf};
    w.mark[0] = true;
    w.queue[w.qlen++] = 0;
    for (size_t head = 0; head < w.qlen; head++)
        each_edge(wf, w.queue[head], forward, &w);
    for (size_t i = 0; i < wf->nsteps; i++)
        if (!w.mark[i])
            hb_problem(p, wf->steps[i].file, wf->steps[i].line,
                       "step '%s' is unreachable: no step leads to it", wf->steps[i].id);

    memset(w.mark, 0, wf->nsteps * sizeof(bool));
    for (size_t i = 0; i < wf->nsteps; i++)
        w.mark[i] = hb_step_is_terminal(&wf->steps[i]);
    do {
        w.reverse_target = false;
        for (size_t i = 0; i < wf->nsteps; i++)
            each_edge(wf, i, backward, &w);
    } while (w.reverse_target);
    for (size_t i = 0; i < wf->nsteps; i++)
        if (!w.mark[i])
            hb_problem(p, wf->steps[i].file, wf->steps[i].line,
                       "no succeed or fail step can be reached from step '%s' (a loop with no "
                       "way out)",
                       wf->steps[i].id);
    free(w.mark);
    free(w.queue);
}
