/* The operation table (service_table.h) is the one place that says what a
 * binding may do: it is consistent, the stdlib modules offer exactly its
 * operations and send no name it lacks, forbid entries and paths are read
 * as documented, and the sandbox serves every variable a service needs. */
#include <stdlib.h>
#include <string.h>

#include <lua.h>

#include "hb/paths.h"
#include "hb/sandbox.h"
#include "hb/service_table.h"
#include "hb/util.h"
#include "lua_fixture.h"
#include "test_support.h"

static void table_is_consistent(void **state)
{
    (void)state;
    for (size_t i = 0; i < hb_operation_count; i++) {
        const hb_operation_def *op = &hb_operation_defs[i];
        const hb_service_def *svc = hb_service_lookup(op->service);
        if (!svc)
            fail_msg("%s names an unknown service %s", op->name, op->service);
        size_t n = strlen(svc->name);
        if (strncmp(op->name, svc->name, n) || op->name[n] != '.')
            fail_msg("%s is not named after its service %s", op->name, svc->name);
        if (!op->methods || !op->paths || !op->paths[0])
            fail_msg("%s has no method or no path", op->name);
        for (const char *const *p = op->paths; *p; p++)
            if (strncmp(*p, svc->api_prefix, strlen(svc->api_prefix)))
                fail_msg("%s: %s is not below %s", op->name, *p, svc->api_prefix);
        for (size_t k = 0; k < i; k++)
            if (!strcmp(hb_operation_defs[k].name, op->name))
                fail_msg("%s is listed twice", op->name);
        assert_ptr_equal(hb_operation_lookup(op->name), op);
        if (!op->write)
            assert_int_equal(op->repeat, HB_REPEAT_NEVER);
    }
    for (size_t i = 0; i < hb_service_count; i++) {
        const hb_service_def *s = &hb_service_defs[i];
        assert_ptr_equal(hb_service_lookup(s->name), s);
        assert_string_equal(s->variables[0], s->url_var);
        assert_non_null(s->secrets[0]);
        assert_true(s->auth != HB_AUTH_CLIENT_CREDENTIALS || s->token_path);
    }
    assert_string_equal(hb_service_names_text(), "zendesk, gitlab, zuora, salesforce");
    assert_null(hb_service_lookup("jira"));
    assert_null(hb_operation_lookup("zendesk.tickets.delete"));
}

/* The functions of a module, "zendesk.tickets.get" ..., sorted, one a line. */
static const char WALK[] = "local name = ...\n"
                           "local out = {}\n"
                           "local function walk(t, prefix)\n"
                           "  for k, v in pairs(t) do\n"
                           "    if type(k) == 'string' and k:sub(1, 1) ~= '_' then\n"
                           "      if type(v) == 'function' then out[#out + 1] = prefix .. k\n"
                           "      elseif type(v) == 'table' then walk(v, prefix .. k .. '.') end\n"
                           "    end\n"
                           "  end\n"
                           "end\n"
                           "walk(require(name), name .. '.')\n"
                           "table.sort(out)\n"
                           "return table.concat(out, '\\n')\n";

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every operation offered to workflows is a function of its module and the
 * other way round; every operation name a module sends literally is one. */
static void modules_offer_the_table(void **state)
{
    (void)state;
    hb_lua_limits limits = hbt_lua_test_limits();
    hb_lua_modules mods = {.stdlib_dir = HB_SOURCE_DIR "/stdlib"};
    hb_err e;
    hb_lua *h = hb_lua_new(&limits, &mods, &e);
    assert_non_null(h);
    lua_State *L = hb_lua_state(h);
    for (size_t i = 0; i < hb_service_count; i++) {
        const char *service = hb_service_defs[i].name;
        assert_int_equal(hb_lua_load(h, "=walk", WALK, sizeof WALK - 1, true, &e), HB_OK);
        lua_pushstring(L, service);
        if (hb_lua_pcall(h, 1, 1, NULL, &e) != HB_OK)
            fail_msg("%s", e.msg);
        const char *names[64];
        size_t n = 0;
        for (size_t k = 0; k < hb_operation_count && n < 64; k++)
            if (!hb_operation_defs[k].internal && !strcmp(hb_operation_defs[k].service, service))
                names[n++] = hb_operation_defs[k].name;
        qsort(names, n, sizeof *names, compare_strings);
        hb_buf want;
        hb_buf_init(&want);
        hb_buf_puts(&want, "");
        for (size_t k = 0; k < n; k++)
            hb_buf_printf(&want, "%s%s", k ? "\n" : "", names[k]);
        if (strcmp(want.data, lua_tostring(L, -1)))
            fail_msg("stdlib/%s.lua offers\n%s\nbut the table has\n%s", service,
                     lua_tostring(L, -1), want.data);
        hb_buf_free(&want);
        lua_pop(L, 1);

        char *path = hb_xasprintf("%s/stdlib/%s.lua", HB_SOURCE_DIR, service);
        char *text = hb_read_file(path, NULL, &e);
        assert_non_null(text);
        for (const char *p = strstr(text, "request(\""); p; p = strstr(p + 1, "request(\"")) {
            const char *q = strchr(p + 9, '"');
            char *op = hb_xasprintf("%s.%.*s", service, (int)(q - p - 9), p + 9);
            if (!hb_operation_lookup(op))
                fail_msg("%s sends %s, which the operation table lacks", path, op);
            free(op);
        }
        free(text);
        free(path);
    }
    hb_lua_free(h);
}

static void forbid_entries(void **state)
{
    (void)state;
    assert_string_equal(hb_forbid_entry_kind("zendesk.tickets.update"), "operation");
    assert_string_equal(hb_forbid_entry_kind("zendesk.public_reply"), "capability");
    assert_string_equal(hb_forbid_entry_kind("gitlab.delete"), "capability");
    assert_string_equal(hb_forbid_entry_kind("salesforce.write"), "capability");
    assert_null(hb_forbid_entry_kind("zendesk.public_replies"));
    assert_null(hb_forbid_entry_kind("jira.delete"));
    assert_null(hb_forbid_entry_kind("gitlab.notes.list")); /* internal: not the workflow's */
    assert_null(hb_forbid_entry_kind("delete"));
    char out[128];
    assert_string_equal(hb_forbid_entry_meaning("zendesk.delete", out, sizeof out),
                        "any HTTP DELETE to zendesk");
    assert_string_equal(hb_forbid_entry_meaning("gitlab.write", out, sizeof out),
                        "any change to gitlab");
    assert_null(hb_forbid_entry_meaning("zendesk.nothing", out, sizeof out));
}

static void paths(void **state)
{
    (void)state;
    static const struct {
        const char *pattern, *path;
        bool match;
    } cases[] = {
        {"/api/v2/tickets/*.json", "/api/v2/tickets/12.json", true},
        {"/api/v2/tickets/*.json", "/api/v2/tickets/.json", false},
        {"/api/v2/tickets/*.json", "/api/v2/tickets/1/tags.json", false},
        {"/api/v2/tickets/*/tags.json", "/api/v2/tickets/1/tags.json", true},
        {"/api/v2/tickets/*/tags.json", "/api/v2/tickets/../tags.json", false},
        {"/api/v2/tickets/*/tags.json", "/api/v2/tickets/%2e%2E/tags.json", false},
        {"/api/v2/tickets/*/tags.json", "/api/v2/tickets/1\\/tags.json", false},
        {"/api/v4/projects/*/issues", "/api/v4/projects/group%2Fsub%2Fproj/issues", true},
        {"/api/v4/projects/*/issues", "/api/v4/projects/group/proj/issues", false},
        {"/api/v4/projects/*/issues/*", "/api/v4/projects/1/issues/2", true},
        {"/api/v4/projects/*/issues/*", "/api/v4/projects/1/issues/", false},
        {"/services/data/*/sobjects/*/*", "/services/data/v60.0/sobjects/Opportunity/006B", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (hb_path_matches(cases[i].pattern, cases[i].path, strlen(cases[i].path)) !=
            cases[i].match)
            fail_msg("%s against %s: expected %s", cases[i].path, cases[i].pattern,
                     cases[i].match ? "a match" : "no match");
    assert_true(hb_path_plain("/api/v2/search.json", 19));
    assert_false(hb_path_plain("/api/v2/../admin", 16));
    assert_false(hb_path_plain("/api/v2/./x", 11));
    assert_int_equal(hb_method_bit("DELETE"), HB_METHOD_DELETE);
    assert_int_equal(hb_method_bit("TRACE"), 0);
}

static void collect(const char *name, const char *value, void *ud)
{
    (void)value;
    hb_buf *b = ud;
    hb_buf_printf(b, " %s ", name);
}

/* The sandbox stands in for every service with every variable the table
 * says a service needs. */
static void sandbox_serves_every_variable(void **state)
{
    (void)state;
    char *dir = hbt_tempdir();
    char *state_path = hb_path_join(dir, "state.json");
    hb_sandbox_config cfg = {.state_path = state_path};
    hb_sandbox *sb = NULL;
    hb_err e;
    assert_int_equal(hb_sandbox_start(&cfg, &sb, &e), HB_OK);
    hb_buf vars;
    hb_buf_init(&vars);
    hb_sandbox_each_var(sb, collect, &vars);
    for (size_t i = 0; i < hb_service_count; i++)
        for (const char *const *v = hb_service_defs[i].variables; *v; v++) {
            char *word = hb_xasprintf(" %s ", *v);
            if (!strstr(vars.data, word))
                fail_msg("the sandbox does not serve %s", *v);
            free(word);
        }
    hb_buf_free(&vars);
    hb_sandbox_stop(sb);
    free(state_path);
    hbt_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_is_consistent),
        cmocka_unit_test(modules_offer_the_table),
        cmocka_unit_test(forbid_entries),
        cmocka_unit_test(paths),
        cmocka_unit_test(sandbox_serves_every_variable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
