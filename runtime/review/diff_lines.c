/* Line diffs: longest common subsequence over lines compared without their
 * indentation, so re-indenting is not a change. Function bodies print whole;
 * modules print in hunks around their changes. Past a size limit the edit
 * script is "all old lines out, all new lines in" rather than spending
 * quadratic memory. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "diff_internal.h"

#define MAX_CELLS (4u * 1024 * 1024)

static bool same_line(const char *a, const char *b)
{
    while (isspace((unsigned char)*a))
        a++;
    while (isspace((unsigned char)*b))
        b++;
    size_t la = strlen(a), lb = strlen(b);
    while (la && isspace((unsigned char)a[la - 1]))
        la--;
    while (lb && isspace((unsigned char)b[lb - 1]))
        lb--;
    return la == lb && !memcmp(a, b, la);
}

size_t hb_line_edits(char *const *a, size_t na, char *const *b, size_t nb, hb_line_edit **out)
{
    hb_line_edit *ed = hb_xcalloc(na + nb + 1, sizeof *ed);
    size_t n = 0;
    if ((na + 1) * (nb + 1) > MAX_CELLS) {
        for (size_t i = 0; i < na; i++)
            ed[n++] = (hb_line_edit){.op = '-', .a = i, .b = 0};
        for (size_t j = 0; j < nb; j++)
            ed[n++] = (hb_line_edit){.op = '+', .a = na, .b = j};
        *out = ed;
        return n;
    }
    /* lcs[i][j]: length of the common subsequence of a[i..] and b[j..]. */
    size_t w = nb + 1;
    unsigned *lcs = hb_xcalloc((na + 1) * w, sizeof *lcs);
    for (size_t i = na; i-- > 0;)
        for (size_t j = nb; j-- > 0;)
            lcs[i * w + j] = same_line(a[i], b[j]) ? lcs[(i + 1) * w + j + 1] + 1
                                                   : (lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]
                                                          ? lcs[(i + 1) * w + j]
                                                          : lcs[i * w + j + 1]);
    size_t i = 0, j = 0;
    while (i < na || j < nb) {
        if (i < na && j < nb && same_line(a[i], b[j]))
            ed[n++] = (hb_line_edit){.op = ' ', .a = i++, .b = j++};
        else if (i < na && (j == nb || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]))
            ed[n++] = (hb_line_edit){.op = '-', .a = i++, .b = j}; /* removals first, as diff(1) */
        else
            ed[n++] = (hb_line_edit){.op = '+', .a = i, .b = j++};
    }
    free(lcs);
    *out = ed;
    return n;
}

void hb_line_diff(char *const *a, size_t na, char *const *b, size_t nb, const char *indent,
                  hb_buf *out)
{
    hb_line_edit *ed;
    size_t n = hb_line_edits(a, na, b, nb, &ed);
    for (size_t k = 0; k < n; k++)
        hb_buf_printf(out, "%s%c %s\n", indent, ed[k].op,
                      ed[k].op == '-' ? a[ed[k].a] : b[ed[k].b]);
    free(ed);
}
