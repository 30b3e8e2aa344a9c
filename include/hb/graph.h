/* A workflow's decision graph, drawn from its static structure only (nothing
 * runs): `hb graph`, the graph section of `hb doc`, and the marked graph of
 * `hb diff --format mermaid` share it.
 *
 * The graph is a small model (nodes and labelled edges) built from an
 * hb_workflow, which callers may extend (the diff adds removed steps) before
 * rendering it as Mermaid (renders in GitLab merge requests and issues) or
 * Graphviz DOT. */
#ifndef HB_GRAPH_H
#define HB_GRAPH_H

#include <stdbool.h>
#include <stddef.h>

#include "hb/error.h"
#include "hb/util.h"
#include "hb/workflow.h"

typedef enum hb_graph_format {
    HB_GRAPH_MERMAID,
    HB_GRAPH_DOT,
} hb_graph_format;

/* How a node is drawn: the step kind decides, an ask that collects a value
 * (no options) is drawn as an input rather than a decision. */
typedef enum hb_graph_shape {
    HB_SHAPE_TASK,
    HB_SHAPE_DECISION, /* choice, or ask with options */
    HB_SHAPE_INPUT,    /* ask collecting a value */
    HB_SHAPE_WAIT,
    HB_SHAPE_SUCCEED,
    HB_SHAPE_FAIL,
} hb_graph_shape;

/* Edges that leave the normal path are drawn dashed. */
typedef enum hb_graph_edge_style {
    HB_EDGE_NORMAL,
    HB_EDGE_EXCEPTION, /* on_error, on_timeout */
    HB_EDGE_REMOVED,   /* an edge of a removed step, drawn by the diff */
    HB_EDGE_WAS,       /* where a changed transition used to go, drawn by the diff */
} hb_graph_edge_style;

typedef struct hb_graph_node {
    char *id;   /* the step id */
    char *text; /* its description, or its id when it has none */
    hb_graph_shape shape;
    const char *mark; /* NULL, or a class the diff sets: "added" "changed" "renamed" "removed" */
} hb_graph_node;

typedef struct hb_graph_edge {
    char *from;
    char *to;
    char *label; /* NULL for an unlabelled edge */
    hb_graph_edge_style style;
} hb_graph_edge;

typedef struct hb_graph {
    char *name;
    /* What the workflow's forbid refuses, in words, drawn as a note apart
     * from the steps ("Never: zendesk.delete (any HTTP DELETE to
     * zendesk)"); NULL when it forbids nothing. */
    char *forbid;
    hb_graph_node *nodes;
    size_t nnodes;
    hb_graph_edge *edges;
    size_t nedges;
    char *notes; /* changes no step shows (uses, forbid, modules...), one a line; or NULL */
    bool legend; /* draw a legend of the marks and edge styles used (the diff) */
} hb_graph;

/* "mermaid" or "dot"; HB_EUSAGE naming the accepted values otherwise. */
hb_status hb_graph_format_parse(const char *text, hb_graph_format *out, hb_err *e);

/* Nodes in the file's order; edges per step: choice branches and ask
 * options labelled with their label or value, `next` or the fall-through
 * unlabelled, on_timeout labelled "timeout", on_error labelled "error". */
void hb_graph_build(const hb_workflow *wf, hb_graph *g);

/* Appends a node or an edge (strings are copied). */
hb_graph_node *hb_graph_add_node(hb_graph *g, const char *id, const char *text,
                                 hb_graph_shape shape);
void hb_graph_add_edge(hb_graph *g, const char *from, const char *to, const char *label,
                       hb_graph_edge_style style);
hb_graph_node *hb_graph_find_node(hb_graph *g, const char *id);

/* The shape a step is drawn with. */
hb_graph_shape hb_graph_shape_of(const hb_step *s);

void hb_graph_render(const hb_graph *g, hb_graph_format f, hb_buf *out);
void hb_graph_free(hb_graph *g);

#endif
