/* hb doc: the handbook page generated from the workflow that actually runs.
 * Markdown with the title, handbook reference, inputs, services, forbidden
 * operations, every step in order with its description and where it leads,
 * and the Mermaid graph. */
#ifndef HB_DOC_H
#define HB_DOC_H

#include "hb/util.h"
#include "hb/workflow.h"

/* `source` is the path shown as the page's origin (may be NULL). */
void hb_doc_render(const hb_workflow *wf, const char *source, hb_buf *out);

#endif
