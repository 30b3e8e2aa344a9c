/* What the editor types (stdlib/types/<service>.lua) say of each binding
 * operation: its parameters, what it returns and its first line of doc.
 * `hb ops` lists the operation table's operations with these words, so an
 * author learns what a binding offers without opening its source. The
 * reader is plain text: `---` lines before `function NAME(ARGS) end`. */
#ifndef HB_OP_DOCS_H
#define HB_OP_DOCS_H

#include <stddef.h>

typedef struct hb_op_param {
    char *name; /* "fields?" keeps the ? of an optional parameter */
    char *type; /* "integer|string", or NULL when the types do not say */
} hb_op_param;

typedef struct hb_op_doc {
    char *name;    /* "zendesk.tickets.get" */
    char *summary; /* the first doc line, or NULL */
    hb_op_param *params;
    size_t nparams;
    char *returns; /* "zendesk.Ticket|nil, hb.ServiceError|nil", or NULL */
} hb_op_doc;

typedef struct hb_op_docs {
    hb_op_doc *items;
    size_t n;
} hb_op_docs;

/* Adds the functions one types file declares. */
void hb_op_docs_read(hb_op_docs *d, const char *text);
/* By name, or NULL. */
const hb_op_doc *hb_op_docs_find(const hb_op_docs *d, const char *name);
void hb_op_docs_free(hb_op_docs *d);

#endif
