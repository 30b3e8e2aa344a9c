/* hb's pattern matcher (lua_patterns.c) against Lua's own: the same
 * results, captures and errors for a corpus of patterns and for thousands
 * of random ones; and the limits stop a pattern that backtracks, which
 * Lua's matcher would run to its end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "hb/clock.h"
#include "hb/util.h"
#include "lua_fixture.h"
#include "test_support.h"

/* Serialises every result, so two runs compare as text. */
static const char PRELUDE[] =
    "local function S(...)\n"
    "  local t = {}\n"
    "  for i = 1, select('#', ...) do\n"
    "    local v = select(i, ...)\n"
    "    t[i] = type(v) .. ':' .. tostring(v)\n"
    "  end\n"
    "  return table.concat(t, '|')\n"
    "end\n"
    "local function G(s, p, init)\n"
    "  local out = {}\n"
    "  local ok, err = pcall(function()\n"
    "    for a, b, c in string.gmatch(s, p, init) do\n"
    "      out[#out + 1] = S(a, b, c)\n"
    "      if #out > 50 then break end\n"
    "    end\n"
    "  end)\n"
    "  if not ok then\n"
    "    local at = string.find(err, ': ', 1, true)\n" /* without the chunk's name */
    "    return 'error:' .. string.sub(err, at + 2)\n"
    "  end\n"
    "  return table.concat(out, ';')\n"
    "end\n";

/* Lua's own result: a bare state with the standard string library. */
static char *reference(const char *body)
{
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    char *src = hb_xasprintf("%s%s", PRELUDE, body);
    int rc = luaL_loadstring(L, src);
    if (rc == LUA_OK)
        rc = lua_pcall(L, 0, 1, 0);
    char *out = hb_xstrdup(rc == LUA_OK ? lua_tostring(L, -1) : "(chunk failed)");
    if (rc != LUA_OK)
        fail_msg("reference chunk failed: %s\n%s", lua_tostring(L, -1), body);
    lua_close(L);
    free(src);
    return out;
}

static char *sandboxed(hbt_lua *t, const char *body)
{
    char *src = hb_xasprintf("%s%s", PRELUDE, body);
    char *out = hbt_lua_eval(t, src);
    free(src);
    if (!out)
        fail_msg("sandboxed chunk failed: %s\n%s", t->e.msg, body);
    return out;
}

static void expect_same(hbt_lua *t, const char *body)
{
    char *want = reference(body);
    char *got = sandboxed(t, body);
    if (strcmp(want, got))
        fail_msg("differs from Lua for:\n%s\nLua: %s\nhb:  %s", body, want, got);
    free(want);
    free(got);
}

/* A Lua string literal of any bytes. */
static char *quoted(const char *s, size_t len)
{
    hb_buf b;
    hb_buf_init(&b);
    hb_buf_putc(&b, '"');
    for (size_t i = 0; i < len; i++)
        hb_buf_printf(&b, "\\%03u", (unsigned char)s[i]);
    hb_buf_putc(&b, '"');
    return hb_buf_take(&b);
}

/* find, match, gmatch and gsub (string, table and function replacements)
 * of one subject and pattern, errors included. */
static void compare_all(hbt_lua *t, const char *s, size_t ls, const char *p, size_t lp)
{
    char *qs = quoted(s, ls), *qp = quoted(p, lp);
    char *body = hb_xasprintf(
        "local s, p = %s, %s\n"
        "local r = {}\n"
        "r[#r+1] = S(pcall(string.find, s, p))\n"
        "r[#r+1] = S(pcall(string.find, s, p, 2))\n"
        "r[#r+1] = S(pcall(string.find, s, p, -3))\n"
        "r[#r+1] = S(pcall(string.find, s, p, 1, true))\n"
        "r[#r+1] = S(pcall(string.match, s, p))\n"
        "r[#r+1] = S(pcall(string.match, s, p, 3))\n"
        "r[#r+1] = G(s, p)\n"
        "r[#r+1] = G(s, p, 2)\n"
        "r[#r+1] = S(pcall(string.gsub, s, p, '<%%0>'))\n"
        "r[#r+1] = S(pcall(string.gsub, s, p, '[%%1]', 2))\n"
        "r[#r+1] = S(pcall(string.gsub, s, p, { a = 'A', [''] = false }))\n"
        "r[#r+1] = S(pcall(string.gsub, s, p, function(x) return x and #tostring(x) end))\n"
        "return table.concat(r, '\\n')\n",
        qs, qp);
    expect_same(t, body);
    free(body);
    free(qs);
    free(qp);
}

static void same_as_lua_on_a_corpus(void **state)
{
    (void)state;
    hbt_lua *t = hbt_lua_open(NULL);
    static const char *const cases[][2] = {
        {"hello world", "o"},
        {"hello world", "l+"},
        {"hello world", "^h"},
        {"hello world", "^w"},
        {"hello world", "d$"},
        {"hello world", "o$"},
        {"hello world", "(o)(r)"},
        {"hello world", "()ll()"},
        {"hello world", "%w+"},
        {"hello world", "%W"},
        {"  trim me  ", "^%s*(.-)%s*$"},
        {"key = value", "(%w+)%s*=%s*(%w+)"},
        {"a,b,,c", "([^,]*)"},
        {"a,b,,c", ","},
        {"THE (quick) fox", "%((%a+)%)"},
        {"f(a(b)c)d", "%b()"},
        {"[[x]]", "%b[]"},
        {"THE (quick) fox", "%f[%a]%a+"},
        {"hello", ""},
        {"", ""},
        {"", "a*"},
        {"abc", "a-b"},
        {"aaab", "a-b"},
        {"aaab", "a*"},
        {"aaab", "a?a?b"},
        {"x=1, y=2", "(%w+)=(%w+)"},
        {"abcabc", "(abc)%1"},
        {"abab", "(a)(b)%2"},
        {"1.5e10", "^[+-]?%d+%.?%d*[eE]?%d*$"},
        {"a]b", "[]]"},
        {"a-b", "[a-]"},
        {"a^b", "[%^]"},
        {"a^b", "[^^]"},
        {"hello", "[^%a]"},
        {"0x1F", "%x+"},
        {"tab\there", "%c"},
        {"Hello", "%u%l+"},
        {"a.b", "%."},
        {"a.b", "."},
        {"$x$", "%$"},
        {"a$b", "$b"},
        {"^^", "^^"},
        {"(", "("},
        {"x", "%"},
        {"x", "[a"},
        {"x", "[%"},
        {"x", "%b"},
        {"x", "%bx"},
        {"x", "%f"},
        {"x", "%fx"},
        {"x", "(()"},
        {"x", "x)"},
        {"x", "%1"},
        {"x", "(x)%2"},
        {"x", "%0"},
        {"abc", "((a)(b))"},
        {"date 2026-11-22", "(%d+)-(%d+)-(%d+)"},
        {"gitlab-com/support", "^([^/]+)/(.*)$"},
        {"<a href=\"x\">", "<([^>]+)>"},
        {"aaa", "a-"},
        {"aaa", "a-$"},
        {"banana", "(an)+"},
        {"banana", "an"},
        {"banana", "(a)(n)"},
        {"the end", "%f[%w]%w+%f[%W]"},
        {"ééé", "[\xc3][\x80-\xbf]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        compare_all(t, cases[i][0], strlen(cases[i][0]), cases[i][1], strlen(cases[i][1]));
    /* Embedded NULs in subject and pattern. */
    compare_all(t, "a\0b\0c", 5, "\0", 1);
    compare_all(t, "a\0b\0c", 5, "%z", 2);
    compare_all(t, "a\0b+c", 5, "b+", 2);
    compare_all(t, "a\0b+c", 5, "\0b+", 3);
    /* Replacement strings and values. */
    expect_same(t, "return S(pcall(string.gsub, 'abc', '%w', '%%'))");
    expect_same(t, "return S(pcall(string.gsub, 'abc', '%w', '%x'))");
    expect_same(t, "return S(pcall(string.gsub, 'abc', '%w', '%1'))");
    expect_same(t, "return S(pcall(string.gsub, 'abc', '(%w)', '%2'))");
    expect_same(t, "return S(pcall(string.gsub, 'abc', '()', '%1'))");
    expect_same(t, "return S(pcall(string.gsub, 'abc', '%w', 7))");
    expect_same(t, "return S(pcall(string.gsub, 'abc', '%w', true))");
    expect_same(t, "return S(pcall(string.gsub, 'abc', '%w', {a = {}}))");
    expect_same(t, "return S(pcall(string.gsub, 'abc', '%w', function() return {} end))");
    expect_same(t, "return S(pcall(string.gsub, 'abc', '%w', function(c) return c:upper() end))");
    expect_same(t, "return S(pcall(string.gsub, 'abc', '', '-'))");
    expect_same(t, "return S(pcall(string.gsub, 'abc', '^', '-'))");
    expect_same(t, "return S(pcall(string.gsub, 'abc', 'x*', '-'))");
    expect_same(t, "return S(pcall(string.gsub, 'abc', '%w', '-', 0))");
    expect_same(t, "return S(pcall(string.gsub, 'abc', '%w', '-', -1))");
    expect_same(t, "return S(pcall(string.find, 'abc', 'b', 10))");
    expect_same(t, "return S(pcall(string.find, 'abc', '', 4))");
    expect_same(t, "return S(pcall(string.find, 'abc', '', 5))");
    expect_same(t, "return S(pcall(string.find, 'abc', 'c', -100))");
    expect_same(t, "return S(pcall(string.match, 'abc', '(a)', 0))");
    expect_same(t, "return G('abc', '', 10)");
    expect_same(t, "return G('hello world from lua', '%a+')");
    expect_same(t, "return G('k1=v1, k2=v2', '(%w+)=(%w+)')");
    /* As methods, through the string metatable. */
    expect_same(t, "local s = 'a1b2' return S(s:find('%d'), s:match('%a(%d)'), s:gsub('%d', ''))");
    expect_same(t, "return S(pcall(string.rep('(', 40) .. 'a' .. string.rep(')', 40) .. 'x'))");
    expect_same(t, "local p = string.rep('(a)', 33) return S(pcall(string.find, "
                   "string.rep('a', 40), p))");
    hbt_lua_close(t);
}

static uint32_t next_random(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

/* Random patterns over the language's special characters and a few
 * letters, against random subjects: any difference from Lua fails. */
static void same_as_lua_on_random_patterns(void **state)
{
    (void)state;
    hbt_lua *t = hbt_lua_open(NULL);
    static const char *const atoms[] = {
        "a",    "b",   ".",      "%a", "%d", "%s", "%w", "%A", "[ab]", "[^a]", "[a-c]",
        "%b()", "%fa", "%f[%w]", "(",  ")",  "()", "%1", "*",  "+",    "-",    "?",
        "^",    "$",   "%",      "[",  "]",  "%.", "x",  "1",  " ",    "(a)",  "(%w+)"};
    static const char subject_chars[] = "aab b(c)1 x.a";
    uint32_t seed = 0x2545F491u;
    for (int n = 0; n < 2000; n++) {
        char pat[64] = "", subj[32];
        int atoms_n = 1 + (int)(next_random(&seed) % 6);
        for (int i = 0; i < atoms_n; i++) {
            const char *a = atoms[next_random(&seed) % (sizeof atoms / sizeof atoms[0])];
            if (strlen(pat) + strlen(a) < sizeof pat)
                strcat(pat, a);
        }
        size_t ls = next_random(&seed) % 12;
        for (size_t i = 0; i < ls; i++)
            subj[i] = subject_chars[next_random(&seed) % (sizeof subject_chars - 1)];
        subj[ls] = '\0';
        compare_all(t, subj, ls, pat, strlen(pat));
    }
    hbt_lua_close(t);
}

/* A pattern that backtracks exponentially stops at the step's time limit
 * (Lua's matcher would take hours), caught or not. */
static void limits_stop_a_backtracking_pattern(void **state)
{
    (void)state;
    hb_lua_limits l = {.instructions = 100000000000LL, .wall_ms = 300, .memory_bytes = 64 << 20};
    hbt_lua *t = hbt_lua_open(&l);
    static const char *const attacks[] = {
        "return string.find(string.rep('a', 40), string.rep('a*', 20) .. 'b')",
        "return (string.rep('a', 40)):match(string.rep('a-', 20) .. 'b')",
        "local n = 0 for _ in string.gmatch(string.rep('a', 40), string.rep('a*', 20) .. 'b') "
        "do n = n + 1 end return n",
        "return string.gsub(string.rep('a', 40), string.rep('a?', 30) .. 'b', '')",
        "while true do pcall(string.find, string.rep('a', 40), string.rep('a*', 20) .. 'b') end",
    };
    for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++) {
        int64_t t0 = hb_clock_monotonic_us();
        hbt_lua_expect_error(t, attacks[i], "time limit", "flow.lua:");
        int64_t ms = (hb_clock_monotonic_us() - t0) / 1000;
        if (ms > 3000)
            fail_msg("stopped after %lld ms, limit 300 ms: %s", (long long)ms, attacks[i]);
        char *out = hbt_lua_eval(t, "return ('ok'):find('k')");
        assert_string_equal(out, "2");
        free(out);
    }
    hbt_lua_close(t);
    /* The instruction budget counts matcher steps too. */
    l = (hb_lua_limits){.instructions = 200000, .wall_ms = 60000, .memory_bytes = 64 << 20};
    t = hbt_lua_open(&l);
    hbt_lua_expect_error(t, "return string.find(string.rep('a', 40), string.rep('a*', 20) .. 'b')",
                         "instruction limit", NULL);
    hbt_lua_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_as_lua_on_a_corpus),
        cmocka_unit_test(same_as_lua_on_random_patterns),
        cmocka_unit_test(limits_stop_a_backtracking_pattern),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
