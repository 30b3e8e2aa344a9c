/* Static facts read from compiled Lua chunks: globals with their lines,
 * ctx.input reads, syntax errors. */
#include <stdlib.h>
#include <string.h>

#include "hb/chunk_facts.h"
#include "hb/util.h"
#include "test_support.h"

static hb_chunk_facts facts_of(const char *src)
{
    hb_chunk_facts f;
    hb_err e;
    hb_status st = hb_chunk_facts_read("t.lua", src, strlen(src), &f, &e);
    if (st != HB_OK)
        fail_msg("analysis failed: %s", e.msg);
    return f;
}

/* The use of `name` found at `line`, or NULL. */
static const hb_global_use *use_of(const hb_chunk_facts *f, const char *name, int line)
{
    for (size_t i = 0; i < f->nglobals; i++)
        if (!strcmp(f->globals[i].name, name) && f->globals[i].line == line)
            return &f->globals[i];
    return NULL;
}

static bool has_global(const hb_chunk_facts *f, const char *name)
{
    for (size_t i = 0; i < f->nglobals; i++)
        if (!strcmp(f->globals[i].name, name))
            return true;
    return false;
}

static bool read_input(const hb_chunk_facts *f, const char *name)
{
    for (size_t i = 0; i < f->ninput_fields; i++)
        if (!strcmp(f->input_fields[i], name))
            return true;
    return false;
}

static bool requires_module(const hb_chunk_facts *f, const char *name)
{
    for (size_t i = 0; i < f->nrequires; i++)
        if (!strcmp(f->requires[i], name))
            return true;
    return false;
}

/* The modules a chunk may load, found without running it: at the top level
 * and inside functions, in both call forms, once each; a computed name or a
 * local called require is not one. */
static void constant_requires(void **state)
{
    (void)state;
    hb_chunk_facts f =
        facts_of("local messages = require \"messages\"\n"
                 "local again = require(\"messages\")\n"
                 "local function later(ctx)\n"
                 "  local t = require(\"support.time\")\n"
                 "  local name = 'x' .. ctx.vars.n\n"
                 "  return require(name), t\n"
                 "end\n"
                 "local function other(require) return require \"not_a_module\" end\n"
                 "return { later, other, messages, again }\n");
    assert_int_equal(f.nrequires, 2);
    assert_true(requires_module(&f, "messages"));
    assert_true(requires_module(&f, "support.time"));
    assert_false(requires_module(&f, "not_a_module"));
    hb_chunk_facts_free(&f);
}

static void globals_with_lines(void **state)
{
    (void)state;
    hb_chunk_facts f = facts_of("local x = 1\n"                        /* 1 */
                                "print(x)\n"                           /* 2 */
                                "local function g(ctx)\n"              /* 3 */
                                "  local t = zendesk.tickets.get(1)\n" /* 4 */
                                "  counter = (counter or 0) + 1\n"     /* 5 */
                                "  return t\n"                         /* 6 */
                                "end\n"                                /* 7 */
                                "return g\n");
    const hb_global_use *u = use_of(&f, "print", 2);
    assert_non_null(u);
    assert_false(u->write);
    assert_false(u->in_function);
    u = use_of(&f, "zendesk", 4);
    assert_non_null(u);
    assert_true(u->in_function);
    assert_non_null(use_of(&f, "counter", 5));
    bool saw_write = false;
    for (size_t i = 0; i < f.nglobals; i++)
        saw_write = saw_write || (!strcmp(f.globals[i].name, "counter") && f.globals[i].write);
    assert_true(saw_write);
    /* Locals, parameters and fields are not globals. */
    assert_false(has_global(&f, "x"));
    assert_false(has_global(&f, "g"));
    assert_false(has_global(&f, "ctx"));
    assert_false(has_global(&f, "tickets"));
    assert_false(has_global(&f, "t"));
    hb_chunk_facts_free(&f);
}

static void shadowing_and_upvalues(void **state)
{
    (void)state;
    hb_chunk_facts f = facts_of("local json = {}\n"
                                "local function outer()\n"
                                "  return function() return json, gitlab end\n"
                                "end\n"
                                "for i, v in ipairs({}) do local z = i + v end\n"
                                "return outer\n");
    assert_false(has_global(&f, "json"));
    assert_false(has_global(&f, "i"));
    assert_non_null(use_of(&f, "gitlab", 3));
    assert_non_null(use_of(&f, "ipairs", 5));
    hb_chunk_facts_free(&f);
}

/* More than 255 constants make the compiler index _ENV from a register. */
static void many_constants(void **state)
{
    (void)state;
    hb_buf src;
    hb_buf_init(&src);
    hb_buf_puts(&src, "local t = {\n");
    for (int i = 0; i < 300; i++)
        hb_buf_printf(&src, "  k%d = \"v%d\",\n", i, i);
    hb_buf_puts(&src, "}\n"
                      "late_read = late_global\n"
                      "return t\n");
    hb_chunk_facts f = facts_of(src.data);
    assert_non_null(use_of(&f, "late_global", 303));
    bool saw_write = false;
    for (size_t i = 0; i < f.nglobals; i++)
        saw_write = saw_write || (!strcmp(f.globals[i].name, "late_read") && f.globals[i].write);
    assert_true(saw_write);
    hb_chunk_facts_free(&f);
    hb_buf_free(&src);
}

static void input_reads(void **state)
{
    (void)state;
    hb_chunk_facts f = facts_of("return {\n"
                                "  run = function(ctx)\n"
                                "    local n = ctx.input.ticket + 1\n"
                                "    local inp = ctx.input\n"
                                "    ctx.log(inp.note, ctx.vars.other)\n"
                                "    return function() return ctx.input.level end\n"
                                "  end,\n"
                                "}\n");
    assert_true(read_input(&f, "ticket"));
    assert_true(read_input(&f, "note"));
    assert_true(read_input(&f, "level"));
    assert_false(read_input(&f, "other"));
    assert_false(read_input(&f, "vars"));
    assert_false(f.input_opaque);
    hb_chunk_facts_free(&f);
}

static void input_opaque_when_ctx_escapes(void **state)
{
    (void)state;
    hb_chunk_facts f = facts_of("local helper = require('x')\n"
                                "return function(ctx) return helper(ctx) end\n");
    assert_true(f.input_opaque);
    hb_chunk_facts_free(&f);
    f = facts_of("return function(ctx, k) return ctx.input[k] end\n");
    assert_true(f.input_opaque);
    hb_chunk_facts_free(&f);
    /* A first parameter not named ctx is not taken for it. */
    f = facts_of("return function(s) return string.upper(s) end\n");
    assert_false(f.input_opaque);
    hb_chunk_facts_free(&f);
}

static bool has_field(const hb_chunk_facts *f, const char *global, const char *field, int line)
{
    for (size_t i = 0; i < f->nfields; i++)
        if (!strcmp(f->fields[i].global, global) && !strcmp(f->fields[i].field, field) &&
            f->fields[i].line == line)
            return true;
    return false;
}

static void library_members(void **state)
{
    (void)state;
    hb_chunk_facts f =
        facts_of("local rc = os.execute('x')\n"
                 "local s = string\n"
                 "local d = s.dump\n"
                 "return function(ctx) return math.floor(ctx.vars.n), ctx.x.y end\n");
    assert_true(has_field(&f, "os", "execute", 1));
    assert_true(has_field(&f, "string", "dump", 3));
    assert_true(has_field(&f, "math", "floor", 4));
    hb_chunk_facts_free(&f);
    /* A chain of fields keeps its path: the operation of a binding. */
    f = facts_of("return function(ctx) return zendesk.tickets.get(1) end\n");
    assert_true(has_field(&f, "zendesk", "tickets", 1));
    assert_true(has_field(&f, "zendesk.tickets", "get", 1));
    /* Fields of locals and parameters are not library members. */
    for (size_t i = 0; i < f.nfields; i++)
        assert_string_not_equal(f.fields[i].field, "y");
    hb_chunk_facts_free(&f);
}

static void syntax_error_has_line(void **state)
{
    (void)state;
    hb_chunk_facts f;
    hb_err e;
    const char *src = "local a = 1\nlocal = 2\n";
    assert_int_equal(hb_chunk_facts_read("dir/x.lua", src, strlen(src), &f, &e), HB_EUSAGE);
    assert_true(hb_str_starts_with(e.msg, "dir/x.lua:2:"));
}

/* Beyond 127 lines between instructions the line info stores an absolute
 * line; far-apart lines must still come out right. */
static void long_gaps_between_lines(void **state)
{
    (void)state;
    hb_buf src;
    hb_buf_init(&src);
    hb_buf_puts(&src, "local a = first\n");
    for (int i = 0; i < 400; i++)
        hb_buf_puts(&src, "-- filler\n");
    hb_buf_puts(&src, "local b = second\nreturn a, b\n");
    hb_chunk_facts f = facts_of(src.data);
    assert_non_null(use_of(&f, "first", 1));
    assert_non_null(use_of(&f, "second", 402));
    hb_chunk_facts_free(&f);
    hb_buf_free(&src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(globals_with_lines),
        cmocka_unit_test(constant_requires),
        cmocka_unit_test(shadowing_and_upvalues),
        cmocka_unit_test(many_constants),
        cmocka_unit_test(input_reads),
        cmocka_unit_test(input_opaque_when_ctx_escapes),
        cmocka_unit_test(library_members),
        cmocka_unit_test(syntax_error_has_line),
        cmocka_unit_test(long_gaps_between_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
