/* Reads the editor types' `---` annotations (op_docs.h). A doc block is the
 * run of `---` lines right before a `function` line: its first plain line
 * (its lines up to the first `@`, joined) is the summary, `---@param name type` the parameters,
 * `---@return type` each value returned. Anything else in the file is passed over. */
#include <stdlib.h>
#include <string.h>

#include "hb/op_docs.h"
#include "hb/util.h"

typedef struct block {
    char *summary;
    hb_op_param *params;
    size_t nparams;
    hb_buf returns;
    bool in_tags; /* past the first @ line: no more summary */
} block;

static void block_clear(block *b)
{
    free(b->summary);
    for (size_t i = 0; i < b->nparams; i++) {
        free(b->params[i].name);
        free(b->params[i].type);
    }
    free(b->params);
    hb_buf_free(&b->returns);
    memset(b, 0, sizeof *b);
    hb_buf_init(&b->returns);
}

/* The next whitespace-separated word of *p (newly allocated), or NULL. A
 * type word keeps its brackets whole: "{ a: b }" and "fun(x: y)" may hold
 * spaces. */
static char *word(const char **p)
{
    const char *s = *p + strspn(*p, " \t");
    if (!*s)
        return NULL;
    const char *e = s;
    int depth = 0;
    for (; *e && (depth > 0 || (*e != ' ' && *e != '\t')); e++) {
        if (*e == '{' || *e == '(' || *e == '[' || *e == '<')
            depth++;
        else if ((*e == '}' || *e == ')' || *e == ']' || *e == '>') && depth > 0)
            depth--;
    }
    /* "fun(): zendesk.Comment" is one type: a word ending in ':' goes on. */
    while (e > s && e[-1] == ':' && *e == ' ' && e[1] && e[1] != ' ') {
        e++;
        while (*e && *e != ' ' && *e != '\t')
            e++;
    }
    *p = e;
    return hb_xstrndup(s, (size_t)(e - s));
}

static void doc_line(block *b, const char *text)
{
    if (!strncmp(text, "@param", 6)) {
        const char *p = text + 6;
        char *name = word(&p);
        if (!name)
            return;
        b->params = hb_xrealloc(b->params, (b->nparams + 1) * sizeof *b->params);
        b->params[b->nparams++] = (hb_op_param){.name = name, .type = word(&p)};
    } else if (!strncmp(text, "@return", 7)) {
        const char *p = text + 7;
        char *type = word(&p);
        if (type) {
            hb_buf_printf(&b->returns, "%s%s", b->returns.len ? ", " : "", type);
            free(type);
        }
    } else if (*text == '@') {
        b->in_tags = true;
    } else if (*text && !b->in_tags) {
        /* The summary is the first paragraph, its lines joined. */
        char *joined = b->summary ? hb_xasprintf("%s %s", b->summary, text) : hb_xstrdup(text);
        free(b->summary);
        b->summary = joined;
    }
}

/* "function zendesk.tickets.get(id) end" -> a doc of the block before it. */
static void function_line(hb_op_docs *d, block *b, const char *line)
{
    const char *name = line + strlen("function ");
    size_t n = strcspn(name, "( ");
    if (!n || name[n] != '(')
        return;
    d->items = hb_xrealloc(d->items, (d->n + 1) * sizeof *d->items);
    hb_op_doc *doc = &d->items[d->n++];
    memset(doc, 0, sizeof *doc);
    doc->name = hb_xstrndup(name, n);
    doc->summary = b->summary;
    doc->params = b->params;
    doc->nparams = b->nparams;
    doc->returns = b->returns.len ? hb_buf_take(&b->returns) : NULL;
    b->summary = NULL;
    b->params = NULL;
    b->nparams = 0;
    b->in_tags = false;
}

void hb_op_docs_read(hb_op_docs *d, const char *text)
{
    block b = {0};
    hb_buf_init(&b.returns);
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char *l = hb_xstrndup(line, len);
        size_t tl = strlen(l);
        while (tl && (l[tl - 1] == '\r' || l[tl - 1] == ' '))
            l[--tl] = '\0';
        if (!strncmp(l, "---", 3) && strncmp(l, "---@meta", 8))
            doc_line(&b, l + 3 + strspn(l + 3, " "));
        else if (!strncmp(l, "function ", 9))
            function_line(d, &b, l);
        if (strncmp(l, "---", 3))
            block_clear(&b); /* a doc block is only the lines right before */
        free(l);
        line = end ? end + 1 : NULL;
    }
    block_clear(&b);
    hb_buf_free(&b.returns);
}

const hb_op_doc *hb_op_docs_find(const hb_op_docs *d, const char *name)
{
    for (size_t i = 0; i < d->n; i++)
        if (!strcmp(d->items[i].name, name))
            return &d->items[i];
    return NULL;
}

void hb_op_docs_free(hb_op_docs *d)
{
    for (size_t i = 0; i < d->n; i++) {
        hb_op_doc *o = &d->items[i];
        free(o->name);
        free(o->summary);
        for (size_t k = 0; k < o->nparams; k++) {
            free(o->params[k].name);
            free(o->params[k].type);
        }
        free(o->params);
        free(o->returns);
    }
    free(d->items);
    memset(d, 0, sizeof *d);
}
