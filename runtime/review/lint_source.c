/* Positions in a workflow's source for lint messages: the bytecode gives
 * lines, the text gives columns and the lines of declarations. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lint_internal.h"

/* The text of a 1-based line (without its newline), or NULL. */
static const char *line_text(const lint_source *src, int line, size_t *len)
{
    if (line < 1)
        return NULL;
    const char *p = src->text, *end = src->text + src->len;
    for (int l = 1; l < line; l++) {
        p = memchr(p, '\n', (size_t)(end - p));
        if (!p)
            return NULL;
        p++;
    }
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    *len = (size_t)((nl ? nl : end) - p);
    return p;
}

static bool is_ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* Column of `name` used as a variable on the line: a whole word, not a field
 * (after '.' or ':'), outside simple string literals. 0 when not found. */
int hb_lint_column_of(const lint_source *src, int line, const char *name)
{
    size_t len, n = strlen(name);
    const char *text = line_text(src, line, &len);
    if (!text)
        return 0;
    char quote = 0;
    for (size_t i = 0; i + n <= len; i++) {
        char c = text[i];
        if (quote) {
            if (c == '\\')
                i++;
            else if (c == quote)
                quote = 0;
            continue;
        }
        if (c == '"' || c == '\'') {
            quote = c;
            continue;
        }
        if (c == '-' && i + 1 < len && text[i + 1] == '-')
            return 0; /* the rest is a comment */
        if (memcmp(text + i, name, n))
            continue;
        bool starts =
            i == 0 || (!is_ident_char(text[i - 1]) && text[i - 1] != '.' && text[i - 1] != ':');
        bool ends = i + n == len || !is_ident_char(text[i + n]);
        if (starts && ends)
            return (int)i + 1;
    }
    return 0;
}

/* First line at or after `from` whose text contains needle; else `from`. */
int hb_lint_line_containing(const lint_source *src, int from, const char *needle)
{
    for (int line = from > 0 ? from : 1;; line++) {
        size_t len;
        const char *text = line_text(src, line, &len);
        if (!text)
            return from;
        char *copy = hb_xstrndup(text, len);
        bool found = strstr(copy, needle) != NULL;
        free(copy);
        if (found)
            return line;
    }
}

/* First line at or after `from` that assigns the field `name` (`name =`);
 * else `from`. */
int hb_lint_line_assigning(const lint_source *src, int from, const char *name)
{
    size_t n = strlen(name);
    for (int line = from > 0 ? from : 1;; line++) {
        size_t len;
        const char *text = line_text(src, line, &len);
        if (!text)
            return from;
        for (size_t i = 0; i + n <= len; i++) {
            if (memcmp(text + i, name, n) || (i > 0 && is_ident_char(text[i - 1])))
                continue;
            size_t j = i + n;
            while (j < len && (text[j] == ' ' || text[j] == '\t'))
                j++;
            if (j < len && text[j] == '=' && (j + 1 == len || text[j + 1] != '='))
                return line;
        }
    }
}
