/* string.find, string.match, string.gmatch and string.gsub with Lua's
 * pattern language, on a matcher of hb's own that a step's limits reach.
 *
 * Lua's matcher is one C call: the count hook never fires inside it, so a
 * pattern that backtracks ("a*a*a*a*b" against a long run of a's) runs for
 * as long as it takes, past HB_STEP_TIMEOUT_MS and HB_STEP_INSTRUCTIONS.
 * This one charges every step of the match (each attempt at a position,
 * each character a repetition takes) to the running call's instruction
 * budget and looks at its deadline as it goes (hb_lua_charge), so the
 * limits stop it like any loop of Lua code.
 *
 * The language is Lua 5.4's (reference manual 6.4.1): classes %a %c %d %g
 * %l %p %s %u %w %x (and %z) and their complements, '.', sets [...] with ranges and
 * [^...], the repetitions * + - ?, anchors ^ and $, captures (...) and (),
 * %b, %f and back-references %1-%9; gsub's replacement string, table or
 * function; gmatch's init and the rule that an empty match cannot follow a
 * match at the same place. All memory is on the C stack or Lua's, so an
 * error (or a tripped limit) raised at any depth leaks nothing. */
#include <ctype.h>
#include <string.h>

#include <lauxlib.h>

#include "lua_host_internal.h"

#define MAX_CAPTURES   32
#define MAX_DEPTH      200 /* nested matcher calls: Lua's own bound */
#define CHARGE_EVERY   1000
#define CAP_OPEN       (-1) /* a capture whose ')' is not reached yet */
#define CAP_POSITION   (-2) /* () */
#define SPECIALS       "^$*+?.([%-"
#define PATTERN_ESCAPE '%'

typedef struct matcher {
    lua_State *L;
    const char *src, *src_end; /* the subject */
    const char *pat_end;
    int depth;
    int budget; /* steps left before the next charge */
    int ncap;
    struct {
        const char *start;
        ptrdiff_t len; /* or CAP_OPEN / CAP_POSITION */
    } cap[MAX_CAPTURES];
} matcher;

static void step(matcher *m)
{
    if (--m->budget > 0)
        return;
    m->budget = CHARGE_EVERY;
    hb_lua_charge(m->L, CHARGE_EVERY);
}

static void reset(matcher *m)
{
    m->ncap = 0;
    m->depth = 0;
}

/* The end of the single-character class starting at p. */
static const char *item_end(matcher *m, const char *p)
{
    char c = *p++;
    if (c == PATTERN_ESCAPE) {
        if (p >= m->pat_end)
            luaL_error(m->L, "malformed pattern (ends with '%%')");
        return p + 1;
    }
    if (c == '[') {
        if (p < m->pat_end && *p == '^')
            p++;
        /* The first character of a set is itself, even ']'. */
        do {
            if (p >= m->pat_end)
                luaL_error(m->L, "malformed pattern (missing ']')");
            if (*p++ == PATTERN_ESCAPE && p < m->pat_end)
                p++;
        } while (p >= m->pat_end || *p != ']');
        return p + 1;
    }
    return p;
}

static bool in_class(unsigned char c, unsigned char cls)
{
    bool yes;
    switch (tolower(cls)) {
    case 'a':
        yes = isalpha(c);
        break;
    case 'c':
        yes = iscntrl(c);
        break;
    case 'd':
        yes = isdigit(c);
        break;
    case 'g':
        yes = isgraph(c);
        break;
    case 'l':
        yes = islower(c);
        break;
    case 'p':
        yes = ispunct(c);
        break;
    case 's':
        yes = isspace(c);
        break;
    case 'u':
        yes = isupper(c);
        break;
    case 'w':
        yes = isalnum(c);
        break;
    case 'x':
        yes = isxdigit(c);
        break;
    case 'z': /* NUL: gone from the manual, still in Lua's matcher */
        yes = c == '\0';
        break;
    default:
        return cls == c; /* an escaped character stands for itself */
    }
    return isupper(cls) ? !yes : yes;
}

/* c against the set [ ... ] that runs from p ('[') to last (its ']'). */
static bool in_set(unsigned char c, const char *p, const char *last)
{
    bool want = true;
    if (p[1] == '^') {
        want = false;
        p++;
    }
    for (p++; p < last; p++) {
        if (*p == PATTERN_ESCAPE) {
            p++;
            if (in_class(c, (unsigned char)*p))
                return want;
        } else if (p[1] == '-' && p + 2 < last) {
            if ((unsigned char)p[0] <= c && c <= (unsigned char)p[2])
                return want;
            p += 2;
        } else if ((unsigned char)*p == c) {
            return want;
        }
    }
    return !want;
}

/* Does the character at s match the class from p to end? */
static bool one_matches(const matcher *m, const char *s, const char *p, const char *end)
{
    if (s >= m->src_end)
        return false;
    unsigned char c = (unsigned char)*s;
    switch (*p) {
    case '.':
        return true;
    case PATTERN_ESCAPE:
        return in_class(c, (unsigned char)p[1]);
    case '[':
        return in_set(c, p, end - 1);
    default:
        return (unsigned char)*p == c;
    }
}

static const char *match_here(matcher *m, const char *s, const char *p);

/* As many as possible, then fewer, until the rest matches. */
static const char *longest(matcher *m, const char *s, const char *p, const char *end)
{
    ptrdiff_t n = 0;
    while (one_matches(m, s + n, p, end)) {
        step(m);
        n++;
    }
    for (; n >= 0; n--) {
        const char *r = match_here(m, s + n, end + 1);
        if (r)
            return r;
    }
    return NULL;
}

/* As few as possible, more only while the rest does not match. */
static const char *shortest(matcher *m, const char *s, const char *p, const char *end)
{
    for (;;) {
        const char *r = match_here(m, s, end + 1);
        if (r)
            return r;
        if (!one_matches(m, s, p, end))
            return NULL;
        s++;
    }
}

static const char *open_capture(matcher *m, const char *s, const char *p, ptrdiff_t kind)
{
    if (m->ncap >= MAX_CAPTURES)
        luaL_error(m->L, "too many captures");
    m->cap[m->ncap].start = s;
    m->cap[m->ncap].len = kind;
    m->ncap++;
    const char *r = match_here(m, s, p);
    if (!r)
        m->ncap--;
    return r;
}

static const char *close_capture(matcher *m, const char *s, const char *p)
{
    int open = m->ncap - 1;
    while (open >= 0 && m->cap[open].len != CAP_OPEN)
        open--;
    if (open < 0)
        luaL_error(m->L, "invalid pattern capture");
    m->cap[open].len = s - m->cap[open].start;
    const char *r = match_here(m, s, p);
    if (!r)
        m->cap[open].len = CAP_OPEN;
    return r;
}

/* %bxy: from an x to its balancing y. */
static const char *balanced(matcher *m, const char *s, const char *p)
{
    if (p + 1 >= m->pat_end)
        luaL_error(m->L, "malformed pattern (missing arguments to '%%b')");
    if (s >= m->src_end || *s != p[0])
        return NULL;
    int open = 1;
    while (++s < m->src_end) {
        step(m);
        if (*s == p[1]) {
            if (--open == 0)
                return s + 1;
        } else if (*s == p[0]) {
            open++;
        }
    }
    return NULL;
}

/* %1..%9: the same text as a closed capture. */
static const char *same_as_capture(matcher *m, const char *s, char digit)
{
    int i = digit - '1';
    if (i < 0 || i >= m->ncap || m->cap[i].len == CAP_OPEN)
        luaL_error(m->L, "invalid capture index %%%d", i + 1);
    ptrdiff_t len = m->cap[i].len;
    if (len < 0 || m->src_end - s < len || memcmp(m->cap[i].start, s, (size_t)len) != 0)
        return NULL;
    return s + len;
}

/* The end of a match of p[..pat_end) starting at s, or NULL. */
static const char *match_here(matcher *m, const char *s, const char *p)
{
    if (++m->depth > MAX_DEPTH)
        luaL_error(m->L, "pattern too complex");
    const char *r = NULL;
    for (;;) {
        step(m);
        if (p >= m->pat_end) {
            r = s;
            break;
        }
        if (*p == '(') {
            r = p + 1 < m->pat_end && p[1] == ')' ? open_capture(m, s, p + 2, CAP_POSITION)
                                                  : open_capture(m, s, p + 1, CAP_OPEN);
            break;
        }
        if (*p == ')') {
            r = close_capture(m, s, p + 1);
            break;
        }
        if (*p == '$' && p + 1 == m->pat_end) {
            r = s == m->src_end ? s : NULL;
            break;
        }
        if (*p == PATTERN_ESCAPE && p + 1 < m->pat_end && p[1] == 'b') {
            s = balanced(m, s, p + 2);
            if (!s)
                break;
            p += 4;
            continue;
        }
        if (*p == PATTERN_ESCAPE && p + 1 < m->pat_end && p[1] == 'f') {
            p += 2;
            if (p >= m->pat_end || *p != '[')
                luaL_error(m->L, "missing '[' after '%%f' in pattern");
            const char *end = item_end(m, p);
            unsigned char before = s == m->src ? '\0' : (unsigned char)s[-1];
            unsigned char here = s < m->src_end ? (unsigned char)*s : '\0';
            if (in_set(before, p, end - 1) || !in_set(here, p, end - 1))
                break;
            p = end;
            continue;
        }
        if (*p == PATTERN_ESCAPE && p + 1 < m->pat_end && isdigit((unsigned char)p[1])) {
            s = same_as_capture(m, s, p[1]);
            if (!s)
                break;
            p += 2;
            continue;
        }
        const char *end = item_end(m, p);
        char rep = end < m->pat_end ? *end : '\0';
        if (!one_matches(m, s, p, end)) {
            if (rep == '*' || rep == '?' || rep == '-') {
                p = end + 1; /* zero of them is fine */
                continue;
            }
            break;
        }
        if (rep == '?') {
            r = match_here(m, s + 1, end + 1);
            if (r)
                break;
            p = end + 1;
            continue;
        }
        if (rep == '+') {
            r = longest(m, s + 1, p, end);
            break;
        }
        if (rep == '*') {
            r = longest(m, s, p, end);
            break;
        }
        if (rep == '-') {
            r = shortest(m, s, p, end);
            break;
        }
        s++;
        p = end;
    }
    m->depth--;
    return r;
}

/* Pushes capture i of the match s..e (the whole match for i 0 when the
 * pattern has none). */
static void push_capture(matcher *m, int i, const char *s, const char *e)
{
    if (i >= m->ncap) {
        if (i != 0)
            luaL_error(m->L, "invalid capture index %%%d", i + 1);
        lua_pushlstring(m->L, s, (size_t)(e - s));
        return;
    }
    ptrdiff_t len = m->cap[i].len;
    if (len == CAP_OPEN)
        luaL_error(m->L, "unfinished capture");
    if (len == CAP_POSITION)
        lua_pushinteger(m->L, (lua_Integer)(m->cap[i].start - m->src) + 1);
    else
        lua_pushlstring(m->L, m->cap[i].start, (size_t)len);
}

static int push_captures(matcher *m, const char *s, const char *e, bool whole_if_none)
{
    int n = m->ncap == 0 && whole_if_none ? 1 : m->ncap;
    luaL_checkstack(m->L, n, "too many captures");
    for (int i = 0; i < n; i++)
        push_capture(m, i, s, e);
    return n;
}

static void start(matcher *m, lua_State *L, const char *s, size_t ls, const char *p, size_t lp)
{
    m->L = L;
    m->src = s;
    m->src_end = s + ls;
    m->pat_end = p + lp;
    m->budget = CHARGE_EVERY;
    reset(m);
}

/* A 1-based position that may count from the end, as a 0-based offset
 * (string.find's and gmatch's init). */
static size_t offset_of(lua_Integer pos, size_t len)
{
    if (pos > 0)
        return (size_t)pos - 1;
    if (pos == 0 || pos < -(lua_Integer)len)
        return 0;
    return len - (size_t)(-pos);
}

static const char *find_plain(const char *s, size_t ls, const char *p, size_t lp)
{
    if (lp == 0)
        return s;
    for (size_t i = 0; lp <= ls && i <= ls - lp; i++)
        if (s[i] == p[0] && !memcmp(s + i, p, lp))
            return s + i;
    return NULL;
}

/* True when p (with its embedded NULs) has none of the special characters:
 * find then looks for the text as it is. */
static bool plain_text(const char *p, size_t lp)
{
    for (size_t at = 0; at <= lp; at += strlen(p + at) + 1)
        if (strpbrk(p + at, SPECIALS))
            return false;
    return true;
}

static int find_or_match(lua_State *L, bool find)
{
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t init = offset_of(luaL_optinteger(L, 3, 1), ls);
    if (init > ls) {
        luaL_pushfail(L);
        return 1;
    }
    if (find && (lua_toboolean(L, 4) || plain_text(p, lp))) {
        const char *at = find_plain(s + init, ls - init, p, lp);
        if (!at) {
            luaL_pushfail(L);
            return 1;
        }
        lua_pushinteger(L, (lua_Integer)(at - s) + 1);
        lua_pushinteger(L, (lua_Integer)(at - s + (ptrdiff_t)lp));
        return 2;
    }
    matcher m;
    bool anchored = lp > 0 && *p == '^';
    if (anchored) {
        p++;
        lp--;
    }
    start(&m, L, s, ls, p, lp);
    const char *at = s + init;
    do {
        reset(&m);
        const char *e = match_here(&m, at, p);
        if (e) {
            if (!find)
                return push_captures(&m, at, e, true);
            lua_pushinteger(L, (lua_Integer)(at - s) + 1);
            lua_pushinteger(L, (lua_Integer)(e - s));
            return push_captures(&m, NULL, NULL, false) + 2;
        }
    } while (at++ < m.src_end && !anchored);
    luaL_pushfail(L);
    return 1;
}

static int bounded_find(lua_State *L)
{
    return find_or_match(L, true);
}

static int bounded_match(lua_State *L)
{
    return find_or_match(L, false);
}

/* The iterator gmatch returns. Upvalues: the subject, the pattern, and the
 * offsets of where to look next and of the end of the last match (-1). */
static int gmatch_next(lua_State *L)
{
    size_t ls, lp;
    const char *s = lua_tolstring(L, lua_upvalueindex(1), &ls);
    const char *p = lua_tolstring(L, lua_upvalueindex(2), &lp);
    lua_Integer from = lua_tointeger(L, lua_upvalueindex(3));
    lua_Integer last = lua_tointeger(L, lua_upvalueindex(4));
    matcher m;
    start(&m, L, s, ls, p, lp);
    for (const char *at = s + from; at <= m.src_end; at++) {
        reset(&m);
        const char *e = match_here(&m, at, p);
        if (e && e - s != last) {
            lua_pushinteger(L, e - s);
            lua_pushvalue(L, -1);
            lua_replace(L, lua_upvalueindex(3));
            lua_replace(L, lua_upvalueindex(4));
            return push_captures(&m, at, e, true);
        }
    }
    lua_pushinteger(L, (lua_Integer)ls + 1);
    lua_replace(L, lua_upvalueindex(3)); /* done: later calls find nothing */
    return 0;
}

static int bounded_gmatch(lua_State *L)
{
    size_t ls;
    luaL_checklstring(L, 1, &ls);
    luaL_checkstring(L, 2);
    size_t init = offset_of(luaL_optinteger(L, 3, 1), ls);
    if (init > ls)
        init = ls + 1;
    lua_settop(L, 2);
    lua_pushinteger(L, (lua_Integer)init);
    lua_pushinteger(L, -1);
    lua_pushcclosure(L, gmatch_next, 4);
    return 1;
}

/* gsub's replacement string: %0-%9 and %%. */
static void add_template(matcher *m, luaL_Buffer *b, const char *s, const char *e)
{
    size_t len;
    const char *t = lua_tolstring(m->L, 3, &len);
    const char *end = t + len;
    for (; t < end; t++) {
        if (*t != PATTERN_ESCAPE) {
            luaL_addchar(b, *t);
            continue;
        }
        t++;
        if (t < end && *t == PATTERN_ESCAPE) {
            luaL_addchar(b, PATTERN_ESCAPE);
        } else if (t < end && isdigit((unsigned char)*t)) {
            if (*t == '0')
                lua_pushlstring(m->L, s, (size_t)(e - s));
            else
                push_capture(m, *t - '1', s, e);
            luaL_tolstring(m->L, -1, NULL);
            lua_remove(m->L, -2);
            luaL_addvalue(b);
        } else {
            luaL_error(m->L, "invalid use of '%c' in replacement string", PATTERN_ESCAPE);
        }
    }
}

static void add_replacement(matcher *m, luaL_Buffer *b, const char *s, const char *e, int kind)
{
    lua_State *L = m->L;
    if (kind == LUA_TSTRING || kind == LUA_TNUMBER) {
        add_template(m, b, s, e);
        return;
    }
    if (kind == LUA_TFUNCTION) {
        lua_pushvalue(L, 3);
        int n = push_captures(m, s, e, true);
        lua_call(L, n, 1);
    } else {
        push_capture(m, 0, s, e);
        lua_gettable(L, 3);
    }
    if (!lua_toboolean(L, -1)) {
        lua_pop(L, 1);
        luaL_addlstring(b, s, (size_t)(e - s)); /* keep the original text */
        return;
    }
    if (!lua_isstring(L, -1))
        luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
    luaL_addvalue(b);
}

static int bounded_gsub(lua_State *L)
{
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    int kind = lua_type(L, 3);
    lua_Integer max = luaL_optinteger(L, 4, (lua_Integer)ls + 1);
    luaL_argexpected(L,
                     kind == LUA_TNUMBER || kind == LUA_TSTRING || kind == LUA_TFUNCTION ||
                         kind == LUA_TTABLE,
                     3, "string/function/table");
    bool anchored = lp > 0 && *p == '^';
    if (anchored) {
        p++;
        lp--;
    }
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    matcher m;
    start(&m, L, s, ls, p, lp);
    const char *at = s, *last = NULL;
    lua_Integer n = 0;
    while (n < max) {
        reset(&m);
        const char *e = match_here(&m, at, p);
        if (e && e != last) {
            n++;
            add_replacement(&m, &b, at, e, kind);
            at = last = e;
        } else if (at < m.src_end) {
            step(&m);
            luaL_addchar(&b, *at++);
        } else {
            break;
        }
        if (anchored)
            break;
    }
    luaL_addlstring(&b, at, (size_t)(m.src_end - at));
    luaL_pushresult(&b);
    lua_pushinteger(L, n);
    return 2;
}

void hb_lua_bound_patterns(lua_State *L, int string_lib)
{
    string_lib = lua_absindex(L, string_lib);
    static const luaL_Reg fns[] = {{"find", bounded_find},
                                   {"match", bounded_match},
                                   {"gmatch", bounded_gmatch},
                                   {"gsub", bounded_gsub},
                                   {NULL, NULL}};
    for (const luaL_Reg *f = fns; f->name; f++) {
        lua_pushcfunction(L, f->func);
        lua_setfield(L, string_lib, f->name);
    }
}
