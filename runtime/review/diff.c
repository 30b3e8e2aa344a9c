/* Comparing two versions of a workflow step by step (see include/hb/diff.h).
 * Every finding is one line of the report, so a reviewer (or a test) reads
 * exactly what changed; a changed function body follows its line as an
 * indented line diff of its source. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff_internal.h"
#include "hb/service_table.h"

typedef struct differ {
    const hb_diff_side *old_side, *new_side;
    const hb_workflow *old, *new;
    step_facts *old_facts, *new_facts;
    hb_diff *d;
} differ;

/* One line of the report; a change of the workflow rather than of a step
 * (outside) is also kept for the note of the marked graph. */
static void vrecord(differ *c, bool outside, const char *fmt, va_list ap)
{
    char line[4096];
    vsnprintf(line, sizeof line, fmt, ap);
    hb_buf_printf(&c->d->text, "%s\n", line);
    if (outside)
        hb_buf_printf(&c->d->outside, "%s\n", line);
    c->d->nchanges++;
}

static void note(differ *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void outside_note(differ *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(differ *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vrecord(c, false, fmt, ap);
    va_end(ap);
}

static void outside_note(differ *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vrecord(c, true, fmt, ap);
    va_end(ap);
}

static const char *or_none(const char *s)
{
    return s ? s : "(none)";
}

/* ---- workflow-level changes --------------------------------------------- */

static bool listed(char **list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i], s))
            return true;
    return false;
}

static void compare_text_field(differ *c, const char *field, const char *a, const char *b)
{
    if (!hb_diff_same_str(a, b))
        outside_note(c, "%s: \"%s\" -> \"%s\"", field, or_none(a), or_none(b));
}

/* ": any HTTP DELETE to zendesk" for an entry naming a whole class of
 * requests, else "" (an operation or a capability says what it is). */
static const char *covers(const char *entry)
{
    static char text[200];
    char meaning[160];
    text[0] = '\0';
    if (hb_capability_is_class(entry) && hb_forbid_entry_meaning(entry, meaning, sizeof meaning))
        snprintf(text, sizeof text, ": %s", meaning);
    return text;
}

/* More services in `uses` is more reach; more entries in `forbid` is less. */
static void compare_capabilities(differ *c)
{
    for (size_t i = 0; i < c->new->nuses; i++)
        if (!listed(c->old->uses, c->old->nuses, c->new->uses[i]))
            outside_note(c, "uses: +%s (capability gained: the workflow may now call %s)",
                         c->new->uses[i], c->new->uses[i]);
    for (size_t i = 0; i < c->old->nuses; i++)
        if (!listed(c->new->uses, c->new->nuses, c->old->uses[i]))
            outside_note(c, "uses: -%s (capability lost: the workflow can no longer call %s)",
                         c->old->uses[i], c->old->uses[i]);
    for (size_t i = 0; i < c->new->nforbid; i++)
        if (!listed(c->old->forbid, c->old->nforbid, c->new->forbid[i]))
            outside_note(c, "forbid: +%s (capability lost: now refused%s)", c->new->forbid[i],
                         covers(c->new->forbid[i]));
    for (size_t i = 0; i < c->old->nforbid; i++)
        if (!listed(c->new->forbid, c->new->nforbid, c->old->forbid[i]))
            outside_note(c, "forbid: -%s (capability gained: no longer refused%s)",
                         c->old->forbid[i], covers(c->old->forbid[i]));
}

static const hb_input *find_input(const hb_workflow *wf, const char *name)
{
    for (size_t i = 0; i < wf->ninputs; i++)
        if (!strcmp(wf->inputs[i].name, name))
            return &wf->inputs[i];
    return NULL;
}

static void compare_inputs(differ *c)
{
    for (size_t i = 0; i < c->new->ninputs; i++) {
        const hb_input *n = &c->new->inputs[i];
        const hb_input *o = find_input(c->old, n->name);
        if (!o)
            outside_note(c, "input added: %s (%s%s)", n->name, n->type ? n->type : "?",
                         n->optional ? "?" : "");
        else if (!hb_diff_same_str(o->type, n->type) || o->optional != n->optional)
            outside_note(c, "input changed: %s: %s%s -> %s%s", n->name, o->type ? o->type : "?",
                         o->optional ? "?" : "", n->type ? n->type : "?", n->optional ? "?" : "");
    }
    for (size_t i = 0; i < c->old->ninputs; i++)
        if (!find_input(c->new, c->old->inputs[i].name))
            outside_note(c, "input removed: %s (%s%s)", c->old->inputs[i].name,
                         c->old->inputs[i].type ? c->old->inputs[i].type : "?",
                         c->old->inputs[i].optional ? "?" : "");
}

/* ---- pairing steps -------------------------------------------------------- */

static void pair_steps(differ *c)
{
    hb_diff *d = c->d;
    for (size_t i = 0; i < c->old->nsteps; i++) {
        int j = hb_workflow_step_index(c->new, c->old->steps[i].id);
        d->old_to_new[i] = j;
        if (j >= 0)
            d->new_to_old[j] = (int)i;
    }
    /* A rename keeps the body: pair leftovers with an identical body. */
    for (size_t i = 0; i < c->old->nsteps; i++) {
        if (d->old_to_new[i] >= 0)
            continue;
        for (size_t j = 0; j < c->new->nsteps; j++) {
            if (d->new_to_old[j] >= 0)
                continue;
            if (hb_step_same_body(&c->old->steps[i], &c->old_facts[i], &c->new->steps[j],
                                  &c->new_facts[j])) {
                d->old_to_new[i] = (int)j;
                d->new_to_old[j] = (int)i;
                d->old_fate[i] = d->new_fate[j] = HB_FATE_RENAMED;
                break;
            }
        }
    }
    for (size_t i = 0; i < c->old->nsteps; i++)
        if (d->old_to_new[i] < 0)
            d->old_fate[i] = HB_FATE_REMOVED;
    for (size_t j = 0; j < c->new->nsteps; j++)
        if (d->new_to_old[j] < 0)
            d->new_fate[j] = HB_FATE_ADDED;
}

/* The id an old step goes by in the new version (renamed or not), so that a
 * renamed target does not count as a changed transition. */
static const char *in_new_terms(const differ *c, const char *old_id)
{
    int i = hb_workflow_step_index(c->old, old_id);
    if (i >= 0 && c->d->old_to_new[i] >= 0)
        return c->new->steps[c->d->old_to_new[i]].id;
    return old_id;
}

/* ---- per-step changes ----------------------------------------------------- */

typedef struct step_pair {
    differ *c;
    size_t oi, ni;
    const hb_step *o, *n;
} step_pair;

static void step_note(step_pair *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void step_note(step_pair *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char what[3072];
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    note(p->c, "step changed: %s (%s): %s", p->n->id, hb_step_kind_name(p->n->kind), what);
    if (p->c->d->new_fate[p->ni] == HB_FATE_SAME) {
        p->c->d->new_fate[p->ni] = HB_FATE_CHANGED;
        p->c->d->old_fate[p->oi] = HB_FATE_CHANGED;
    }
}

static void body_diff(step_pair *p, const char *what, const fn_text *a, const fn_text *b)
{
    if (a->n == 0 && b->n == 0)
        return;
    if (a->n && b->n && hb_fn_same_body(a, b))
        return;
    if (a->comparison && b->comparison) {
        step_note(p, "%s %s -> %s", what, a->lines[0], b->lines[0]);
        return;
    }
    if (a->comparison || b->comparison) {
        const fn_text *helper = a->comparison ? a : b, *fn = a->comparison ? b : a;
        if (!fn->n)
            step_note(p, "%s %s %s", what,
                      a->comparison ? "removed, was" : "added:", helper->lines[0]);
        else if (a->comparison)
            step_note(p, "%s %s -> a function (lines %d-%d)", what, a->lines[0], b->first, b->last);
        else
            step_note(p, "%s a function (lines %d-%d) -> %s", what, a->first, a->last, b->lines[0]);
        if (fn->n)
            hb_line_diff(a->lines, a->n, b->lines, b->n, "    ", &p->c->d->text);
        return;
    }
    /* Lines of a lib module (a fragment's step) name the module. */
    char *at_a =
        hb_xasprintf("%s%s%d-%d", a->file ? a->file : "", a->file ? ":" : "", a->first, a->last);
    char *at_b =
        hb_xasprintf("%s%s%d-%d", b->file ? b->file : "", b->file ? ":" : "", b->first, b->last);
    if (!a->n)
        step_note(p, "%s added (lines %s)", what, at_b);
    else if (!b->n)
        step_note(p, "%s removed (was lines %s)", what, at_a);
    else
        step_note(p, "%s body changed (lines %s -> %s)", what, at_a, at_b);
    free(at_a);
    free(at_b);
    hb_line_diff(a->lines, a->n, b->lines, b->n, "    ", &p->c->d->text);
}

static void compare_target(step_pair *p, const char *what, const char *old_target,
                           const char *new_target)
{
    const char *mapped = old_target ? in_new_terms(p->c, old_target) : NULL;
    if (!hb_diff_same_str(mapped, new_target))
        step_note(p, "%s %s -> %s", what, or_none(mapped), or_none(new_target));
}

static const char *edge_target(const hb_workflow *wf, size_t step, const hb_edge *edge)
{
    return edge->target ? edge->target : hb_step_default_next(wf, step);
}

/* Branches (or options) are paired by label first, then the rest in order,
 * so a branch whose label and target both changed reads as one change. */
static void compare_edges(step_pair *p)
{
    const hb_step *o = p->o, *n = p->n;
    const char *noun = n->kind == HB_STEP_CHOICE ? "branch" : "option";
    int *old_of_new = hb_xcalloc(n->nedges ? n->nedges : 1, sizeof(int));
    bool *old_used = hb_xcalloc(o->nedges ? o->nedges : 1, sizeof(bool));
    for (size_t k = 0; k < n->nedges; k++) {
        old_of_new[k] = -1;
        for (size_t m = 0; m < o->nedges && old_of_new[k] < 0; m++)
            if (!old_used[m] && hb_diff_same_str(o->edges[m].label, n->edges[k].label)) {
                old_of_new[k] = (int)m;
                old_used[m] = true;
            }
    }
    size_t next_old = 0;
    for (size_t k = 0; k < n->nedges; k++) {
        while (old_of_new[k] < 0 && next_old < o->nedges && old_used[next_old])
            next_old++;
        if (old_of_new[k] < 0 && next_old < o->nedges) {
            old_of_new[k] = (int)next_old;
            old_used[next_old] = true;
        }
    }
    step_facts *of = &p->c->old_facts[p->oi], *nf = &p->c->new_facts[p->ni];
    for (size_t k = 0; k < n->nedges; k++) {
        const hb_edge *ne = &n->edges[k];
        const char *nt = edge_target(p->c->new, p->ni, ne);
        if (old_of_new[k] < 0) {
            step_note(p, "%s \"%s\" -> %s added", noun, or_none(ne->label), or_none(nt));
            continue;
        }
        const hb_edge *oe = &o->edges[old_of_new[k]];
        const char *ot = edge_target(p->c->old, p->oi, oe);
        const char *mapped = ot ? in_new_terms(p->c, ot) : NULL;
        bool label_changed = !hb_diff_same_str(oe->label, ne->label);
        bool target_changed = !hb_diff_same_str(mapped, nt);
        if (label_changed && target_changed)
            step_note(p, "%s %zu \"%s\" -> \"%s\", target %s -> %s", noun, k + 1,
                      or_none(oe->label), or_none(ne->label), or_none(mapped), or_none(nt));
        else if (label_changed)
            step_note(p, "%s %zu \"%s\" -> \"%s\"", noun, k + 1, or_none(oe->label),
                      or_none(ne->label));
        else if (target_changed)
            step_note(p, "%s \"%s\" target %s -> %s", noun, or_none(ne->label), or_none(mapped),
                      or_none(nt));
        char what[512];
        snprintf(what, sizeof what, "%s \"%s\" when", noun, or_none(ne->label));
        body_diff(p, what, &of->whens[old_of_new[k]], &nf->whens[k]);
    }
    for (size_t m = 0; m < o->nedges; m++)
        if (!old_used[m])
            step_note(p, "%s \"%s\" -> %s removed", noun, or_none(o->edges[m].label),
                      or_none(in_new_terms(p->c, edge_target(p->c->old, p->oi, &o->edges[m]))));
    free(old_of_new);
    free(old_used);
}

/* Does the step leave by its `next` / fall-through at all? */
static bool uses_default_next(const hb_step *s)
{
    if (hb_step_is_terminal(s) || s->kind == HB_STEP_CHOICE)
        return false;
    for (size_t k = 0; k < s->nedges; k++)
        if (!s->edges[k].target)
            return true;
    return s->nedges == 0;
}

static void compare_step(differ *c, size_t oi, size_t ni)
{
    step_pair p = {.c = c, .oi = oi, .ni = ni, .o = &c->old->steps[oi], .n = &c->new->steps[ni]};
    if (c->d->new_fate[ni] == HB_FATE_RENAMED)
        note(c, "step renamed: %s -> %s (%s)", p.o->id, p.n->id, hb_step_kind_name(p.n->kind));
    if (p.o->kind != p.n->kind)
        step_note(&p, "kind %s -> %s", hb_step_kind_name(p.o->kind), hb_step_kind_name(p.n->kind));
    if (!hb_diff_same_str(p.o->description, p.n->description))
        step_note(&p, "description \"%s\" -> \"%s\"", or_none(p.o->description),
                  or_none(p.n->description));
    if (uses_default_next(p.o) || uses_default_next(p.n))
        compare_target(&p, "next", uses_default_next(p.o) ? hb_step_default_next(c->old, oi) : NULL,
                       uses_default_next(p.n) ? hb_step_default_next(c->new, ni) : NULL);
    compare_target(&p, "on_error", p.o->on_error, p.n->on_error);
    compare_target(&p, "on_timeout", p.o->on_timeout, p.n->on_timeout);
    compare_edges(&p);
    step_facts *of = &c->old_facts[oi], *nf = &c->new_facts[ni];
    for (size_t i = 0; i < NSETTINGS; i++)
        if (!hb_diff_same_str(of->settings[i], nf->settings[i]))
            step_note(&p, "%s %s -> %s", nf->setting_names[i], or_none(of->settings[i]),
                      or_none(nf->settings[i]));
    for (size_t i = 0; i < nf->nfns; i++) {
        fn_text none = {0};
        const fn_text *before = &none;
        for (size_t k = 0; k < of->nfns; k++)
            if (!strcmp(of->fn_names[k], nf->fn_names[i]))
                before = &of->fns[k];
        body_diff(&p, nf->fn_names[i], before, &nf->fns[i]);
    }
    for (size_t k = 0; k < of->nfns; k++) {
        bool kept = false;
        for (size_t i = 0; i < nf->nfns; i++)
            kept = kept || !strcmp(of->fn_names[k], nf->fn_names[i]);
        if (!kept) {
            fn_text none = {0};
            body_diff(&p, of->fn_names[k], &of->fns[k], &none);
        }
    }
}

static void describe(differ *c, const char *verb, const hb_step *s, const char *where)
{
    note(c, "step %s: %s (%s)%s: \"%s\"", verb, s->id, hb_step_kind_name(s->kind), where,
         or_none(s->description));
}

static void compare_steps(const hb_diff_side *old_side, const hb_diff_side *new_side, hb_diff *d)
{
    const hb_workflow *o = old_side->wf, *n = new_side->wf;
    differ c = {.old_side = old_side, .new_side = new_side, .old = o, .new = n, .d = d};
    c.old_facts = hb_xcalloc(o->nsteps ? o->nsteps : 1, sizeof *c.old_facts);
    c.new_facts = hb_xcalloc(n->nsteps ? n->nsteps : 1, sizeof *c.new_facts);
    for (size_t i = 0; i < o->nsteps; i++)
        hb_step_facts_read(old_side, &o->steps[i], &c.old_facts[i]);
    for (size_t j = 0; j < n->nsteps; j++)
        hb_step_facts_read(new_side, &n->steps[j], &c.new_facts[j]);

    if (!hb_diff_same_str(o->name, n->name))
        outside_note(&c, "name: %s -> %s", o->name, n->name);
    compare_text_field(&c, "title", o->title, n->title);
    compare_text_field(&c, "handbook", o->handbook, n->handbook);
    compare_capabilities(&c);
    compare_inputs(&c);
    pair_steps(&c);
    for (size_t j = 0; j < n->nsteps; j++) {
        if (d->new_fate[j] == HB_FATE_ADDED) {
            char where[300];
            if (j > 0)
                snprintf(where, sizeof where, " after %s", n->steps[j - 1].id);
            else
                snprintf(where, sizeof where, " first");
            describe(&c, "added", &n->steps[j], where);
        } else {
            compare_step(&c, (size_t)d->new_to_old[j], j);
        }
    }
    for (size_t i = 0; i < o->nsteps; i++)
        if (d->old_fate[i] == HB_FATE_REMOVED)
            describe(&c, "removed", &o->steps[i], "");

    for (size_t i = 0; i < o->nsteps; i++)
        hb_step_facts_free(&c.old_facts[i], &o->steps[i]);
    for (size_t j = 0; j < n->nsteps; j++)
        hb_step_facts_free(&c.new_facts[j], &n->steps[j]);
    free(c.old_facts);
    free(c.new_facts);
}

void hb_diff_compare(const hb_diff_side *old_side, const hb_diff_side *new_side, hb_diff *d)
{
    memset(d, 0, sizeof *d);
    hb_buf_init(&d->text);
    hb_buf_init(&d->outside);
    size_t on = old_side->wf ? old_side->wf->nsteps : 0;
    size_t nn = new_side->wf ? new_side->wf->nsteps : 0;
    d->old_fate = hb_xcalloc(on ? on : 1, sizeof *d->old_fate);
    d->old_to_new = hb_xcalloc(on ? on : 1, sizeof *d->old_to_new);
    d->new_fate = hb_xcalloc(nn ? nn : 1, sizeof *d->new_fate);
    d->new_to_old = hb_xcalloc(nn ? nn : 1, sizeof *d->new_to_old);
    for (size_t j = 0; j < nn; j++)
        d->new_to_old[j] = -1;
    for (size_t i = 0; i < on; i++)
        d->old_to_new[i] = -1;
    d->steps_compared = old_side->wf && new_side->wf;
    if (d->steps_compared)
        compare_steps(old_side, new_side, d);
    hb_diff_compare_modules(old_side, new_side, d);
}

void hb_diff_free(hb_diff *d)
{
    hb_buf_free(&d->text);
    hb_buf_free(&d->outside);
    free(d->old_fate);
    free(d->old_to_new);
    free(d->new_fate);
    free(d->new_to_old);
    memset(d, 0, sizeof *d);
}
