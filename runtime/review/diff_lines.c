/* A line diff for function bodies: longest common subsequence over lines
 * compared without their indentation, so re-indenting is not a change.
 * Bodies are small; past a size limit the diff shows old and new in full
 * rather than spending quadratic memory. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "hb/diff.h"

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

static void emit(hb_buf *out, const char *indent, const char *mark, const char *line)
{
    hb_buf_printf(out, "%s%s%s\n", indent, mark, line);
}

void hb_line_diff(char *const *a, size_t na, char *const *b, size_t nb, const char *indent,
                  hb_buf *out)
{
    if ((na + 1) * (nb + 1) > MAX_CELLS) {
        for (size_t i = 0; i < na; i++)
            emit(out, indent, "- ", a[i]);
        for (size_t j = 0; j < nb; j++)
            emit(out, indent, "+ ", b[j]);
        return;
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
        if (i < na && j < nb && same_line(a[i], b[j])) {
            emit(out, indent, "  ", b[j]);
            i++;
            j++;
        } else if (i < na && (j == nb || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])) {
            emit(out, indent, "- ", a[i++]); /* removals first, as diff(1) shows them */
        } else {
            emit(out, indent, "+ ", b[j++]);
        }
    }
    free(lcs);
}
