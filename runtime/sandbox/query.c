/* The small part of ZOQL and SOQL the bindings use:
 *
 *   SELECT f[, f…] FROM Object [WHERE cond [AND cond…]]
 *          [ORDER BY f [ASC|DESC]] [LIMIT n]
 *   cond = f (= | != | <> | LIKE) literal | f IN (literal[, literal…])
 *
 * Keywords and string comparisons ignore case, as both services do. Paging
 * locators carry the query and the offset themselves, so any process that
 * shares the state can continue a query another one started. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sandbox_internal.h"

typedef struct lexer {
    const char *text;
    const char *p;
} lexer;

static void skip_space(lexer *lx)
{
    while (isspace((unsigned char)*lx->p))
        lx->p++;
}

static bool is_ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '.';
}

/* Consumes keyword kw when it is the next word. */
static bool accept_word(lexer *lx, const char *kw)
{
    skip_space(lx);
    size_t n = strlen(kw);
    if (!strncasecmp(lx->p, kw, n) && !is_ident_char(lx->p[n])) {
        lx->p += n;
        return true;
    }
    return false;
}

static bool accept_char(lexer *lx, char c)
{
    skip_space(lx);
    if (*lx->p == c) {
        lx->p++;
        return true;
    }
    return false;
}

static char *read_ident(lexer *lx)
{
    skip_space(lx);
    const char *start = lx->p;
    if (!isalpha((unsigned char)*start) && *start != '_')
        return NULL;
    while (is_ident_char(*lx->p))
        lx->p++;
    return hb_xstrndup(start, (size_t)(lx->p - start));
}

static hb_status syntax_error(lexer *lx, const char *expected, hb_err *e)
{
    skip_space(lx);
    const char *near = *lx->p ? lx->p : "the end";
    return hb_err_set(e, HB_EUSAGE, "expected %s at position %ld, near '%.20s'", expected,
                      (long)(lx->p - lx->text) + 1, near);
}

static cJSON *read_literal(lexer *lx)
{
    skip_space(lx);
    if (*lx->p == '\'') {
        hb_buf b;
        hb_buf_init(&b);
        lx->p++;
        while (*lx->p && *lx->p != '\'') {
            if (*lx->p == '\\' && lx->p[1])
                lx->p++;
            hb_buf_putc(&b, *lx->p++);
        }
        if (*lx->p != '\'') {
            hb_buf_free(&b);
            return NULL;
        }
        lx->p++;
        cJSON *s = cJSON_CreateString(b.data ? b.data : "");
        hb_buf_free(&b);
        return s;
    }
    if (accept_word(lx, "true"))
        return cJSON_CreateTrue();
    if (accept_word(lx, "false"))
        return cJSON_CreateFalse();
    if (accept_word(lx, "null"))
        return cJSON_CreateNull();
    char *end;
    double d = strtod(lx->p, &end);
    if (end == lx->p)
        return NULL;
    lx->p = end;
    return cJSON_CreateNumber(d);
}

static hb_status parse_cond(lexer *lx, sb_cond *c, hb_err *e)
{
    c->field = read_ident(lx);
    if (!c->field)
        return syntax_error(lx, "a field name", e);
    c->values = cJSON_CreateArray();
    if (accept_word(lx, "IN")) {
        c->cmp = SB_CMP_IN;
        if (!accept_char(lx, '('))
            return syntax_error(lx, "'('", e);
        do {
            cJSON *v = read_literal(lx);
            if (!v)
                return syntax_error(lx, "a value", e);
            cJSON_AddItemToArray(c->values, v);
        } while (accept_char(lx, ','));
        if (!accept_char(lx, ')'))
            return syntax_error(lx, "')'", e);
        return HB_OK;
    }
    skip_space(lx);
    if (accept_word(lx, "LIKE")) {
        c->cmp = SB_CMP_LIKE;
    } else if (!strncmp(lx->p, "!=", 2) || !strncmp(lx->p, "<>", 2)) {
        c->cmp = SB_CMP_NE;
        lx->p += 2;
    } else if (*lx->p == '=') {
        c->cmp = SB_CMP_EQ;
        lx->p++;
    } else {
        return syntax_error(lx, "=, !=, LIKE or IN", e);
    }
    cJSON *v = read_literal(lx);
    if (!v)
        return syntax_error(lx, "a value ('text', a number, true, false or null)", e);
    cJSON_AddItemToArray(c->values, v);
    return HB_OK;
}

static hb_status parse_tail(lexer *lx, sb_sql *q, hb_err *e)
{
    if (accept_word(lx, "WHERE")) {
        do {
            q->conds = hb_xrealloc(q->conds, (q->nconds + 1) * sizeof *q->conds);
            memset(&q->conds[q->nconds], 0, sizeof *q->conds);
            if (parse_cond(lx, &q->conds[q->nconds++], e) != HB_OK)
                return HB_EUSAGE;
        } while (accept_word(lx, "AND"));
    }
    if (accept_word(lx, "ORDER")) {
        if (!accept_word(lx, "BY") || !(q->order_by = read_ident(lx)))
            return syntax_error(lx, "ORDER BY field", e);
        if (accept_word(lx, "DESC"))
            q->order_desc = true;
        else
            accept_word(lx, "ASC");
    }
    if (accept_word(lx, "LIMIT")) {
        skip_space(lx);
        char *end;
        long long n = strtoll(lx->p, &end, 10);
        if (end == lx->p || n < 0)
            return syntax_error(lx, "a number after LIMIT", e);
        q->limit = n;
        lx->p = end;
    }
    skip_space(lx);
    if (*lx->p)
        return syntax_error(lx, "WHERE, AND, ORDER BY, LIMIT or the end of the query", e);
    return HB_OK;
}

hb_status sb_sql_parse(const char *text, sb_sql *q, hb_err *e)
{
    memset(q, 0, sizeof *q);
    q->limit = -1;
    lexer lx = {text, text};
    if (!accept_word(&lx, "SELECT"))
        return syntax_error(&lx, "SELECT", e);
    do {
        char *f = read_ident(&lx);
        if (!f)
            return syntax_error(&lx, "a field name", e);
        q->fields = hb_xrealloc(q->fields, (q->nfields + 1) * sizeof *q->fields);
        q->fields[q->nfields++] = f;
    } while (accept_char(&lx, ','));
    if (!accept_word(&lx, "FROM") || !(q->object = read_ident(&lx)))
        return syntax_error(&lx, "FROM and an object name", e);
    return parse_tail(&lx, q, e);
}

void sb_sql_free(sb_sql *q)
{
    for (size_t i = 0; i < q->nfields; i++)
        free(q->fields[i]);
    free(q->fields);
    free(q->object);
    for (size_t i = 0; i < q->nconds; i++) {
        free(q->conds[i].field);
        cJSON_Delete(q->conds[i].values);
    }
    free(q->conds);
    free(q->order_by);
    memset(q, 0, sizeof *q);
}

static bool like(const char *s, const char *pat)
{
    if (!*pat)
        return !*s;
    if (*pat == '%') {
        for (const char *t = s;; t++) {
            if (like(t, pat + 1))
                return true;
            if (!*t)
                return false;
        }
    }
    if (*pat == '_')
        return *s && like(s + 1, pat + 1);
    return *s && tolower((unsigned char)*s) == tolower((unsigned char)*pat) && like(s + 1, pat + 1);
}

static bool value_equals(const cJSON *value, const cJSON *lit)
{
    bool missing = !value || cJSON_IsNull(value);
    if (cJSON_IsNull(lit))
        return missing;
    if (missing)
        return false;
    if (cJSON_IsBool(lit))
        return cJSON_IsBool(value) && cJSON_IsTrue(value) == cJSON_IsTrue(lit);
    if (cJSON_IsNumber(lit) && cJSON_IsNumber(value))
        return value->valuedouble == lit->valuedouble;
    char buf[64];
    const char *text = NULL;
    if (cJSON_IsString(value)) {
        text = value->valuestring;
    } else if (cJSON_IsNumber(value)) {
        snprintf(buf, sizeof buf, "%.17g", value->valuedouble);
        text = buf;
    }
    if (!text)
        return false;
    if (cJSON_IsString(lit))
        return !strcasecmp(text, lit->valuestring);
    snprintf(buf, sizeof buf, "%.17g", lit->valuedouble);
    return !strcmp(text, buf);
}

bool sb_sql_matches(const sb_sql *q, const cJSON *record,
                    cJSON *(*lookup)(const cJSON *record, const char *field, void *ud), void *ud)
{
    for (size_t i = 0; i < q->nconds; i++) {
        const sb_cond *c = &q->conds[i];
        cJSON *value = lookup(record, c->field, ud);
        bool ok = false;
        const cJSON *lit;
        switch (c->cmp) {
        case SB_CMP_EQ:
            ok = value_equals(value, c->values->child);
            break;
        case SB_CMP_NE:
            ok = !value_equals(value, c->values->child);
            break;
        case SB_CMP_IN:
            cJSON_ArrayForEach(lit, c->values) ok = ok || value_equals(value, lit);
            break;
        case SB_CMP_LIKE:
            ok = cJSON_IsString(value) && cJSON_IsString(c->values->child) &&
                 like(value->valuestring, c->values->child->valuestring);
            break;
        }
        if (!ok)
            return false;
    }
    return true;
}

char *sb_locator_make(const char *query_text, int64_t offset)
{
    hb_buf b;
    hb_buf_init(&b);
    hb_buf_puts(&b, "01g");
    for (const unsigned char *p = (const unsigned char *)query_text; *p; p++)
        hb_buf_printf(&b, "%02x", *p);
    hb_buf_printf(&b, "-%lld", (long long)offset);
    return hb_buf_take(&b);
}

bool sb_locator_parse(const char *locator, char **query_text, int64_t *offset)
{
    if (!hb_str_starts_with(locator, "01g"))
        return false;
    const char *hex = locator + 3;
    const char *dash = strrchr(hex, '-');
    if (!dash || (dash - hex) % 2 != 0 || !sb_parse_int(dash + 1, offset) || *offset < 0)
        return false;
    size_t n = (size_t)(dash - hex) / 2;
    char *text = hb_xmalloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (!isxdigit((unsigned char)hex[2 * i]) || !isxdigit((unsigned char)hex[2 * i + 1]) ||
            sscanf(hex + 2 * i, "%2x", &v) != 1) {
            free(text);
            return false;
        }
        text[i] = (char)v;
    }
    text[n] = '\0';
    *query_text = text;
    return true;
}
