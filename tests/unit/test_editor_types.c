/* The editor support stays true to what runs: every LuaLS annotation file is
 * a `---@meta` file that parses; every DSL constructor and every operation of
 * the C operation table has an annotation; .luarc.json
 * points the language server at them. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "hb/chunk_facts.h"
#include "hb/service_table.h"
#include "hb/util.h"
#include "hb/workflow.h"
#include "test_support.h"

#define TYPES HB_SOURCE_DIR "/stdlib/types"

static char *read_or_fail(const char *path)
{
    hb_err e;
    size_t len;
    char *text = hb_read_file(path, &len, &e);
    if (!text)
        fail_msg("%s", e.msg);
    return text;
}

static void annotation_files_parse(void **state)
{
    (void)state;
    DIR *d = opendir(TYPES);
    assert_non_null(d);
    int files = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!hb_str_ends_with(de->d_name, ".lua"))
            continue;
        char *path = hb_path_join(TYPES, de->d_name);
        char *text = read_or_fail(path);
        if (!hb_str_starts_with(text, "---@meta"))
            fail_msg("%s does not start with ---@meta", path);
        hb_chunk_facts f;
        hb_err e;
        if (hb_chunk_facts_read(path, text, strlen(text), &f, &e) != HB_OK)
            fail_msg("%s", e.msg);
        hb_chunk_facts_free(&f);
        free(text);
        free(path);
        files++;
    }
    closedir(d);
    assert_true(files >= 7);
}

static void dsl_constructors_are_annotated(void **state)
{
    (void)state;
    char *types = read_or_fail(TYPES "/workflow.lua");
    char *dsl = read_or_fail(HB_SOURCE_DIR "/stdlib/hb/workflow.lua");
    char *luarc = read_or_fail(HB_SOURCE_DIR "/.luarc.json");
    /* Every name the workflow language installs (runtime/workflow/). */
    for (const char *const *name = hb_dsl_globals; *name; name++) {
        char *fn = hb_xasprintf("function %s(", *name);
        char *field = hb_xasprintf("M.%s", *name);
        char *quoted = hb_xasprintf("\"%s\"", *name);
        if (!strstr(dsl, field) && !strstr(dsl, fn + 9) && !strstr(dsl, quoted))
            fail_msg("stdlib/hb/workflow.lua does not define %s", *name);
        if (!strstr(types, fn))
            fail_msg("stdlib/types/workflow.lua lacks %s", fn);
        if (!strstr(luarc, quoted))
            fail_msg(".luarc.json's diagnostics.globals lacks %s", quoted);
        free(quoted);
        free(field);
        free(fn);
    }
    free(luarc);
    free(types);
    free(dsl);
}

/* Every operation the C operation table offers workflows has an
 * annotation in its service's types file. */
static void service_operations_are_annotated(void **state)
{
    (void)state;
    for (size_t i = 0; i < hb_service_count; i++) {
        const char *service = hb_service_defs[i].name;
        char *types_path = hb_xasprintf("%s/%s.lua", TYPES, service);
        char *types = read_or_fail(types_path);
        int found = 0;
        for (size_t k = 0; k < hb_operation_count; k++) {
            const hb_operation_def *op = &hb_operation_defs[k];
            if (op->internal || strcmp(op->service, service))
                continue;
            char *fn = hb_xasprintf("function %s(", op->name);
            if (!strstr(types, fn))
                fail_msg("%s lacks %s (an operation of the table in service_table.c)", types_path,
                         fn);
            free(fn);
            found++;
        }
        assert_true(found > 0);
        free(types);
        free(types_path);
    }
}

static void luarc_points_at_the_types(void **state)
{
    (void)state;
    char *text = read_or_fail(HB_SOURCE_DIR "/.luarc.json");
    cJSON *rc = cJSON_Parse(text);
    assert_non_null(rc);
    cJSON *runtime = cJSON_GetObjectItem(rc, "runtime");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(runtime, "version")), "Lua 5.4");
    cJSON *library = cJSON_GetObjectItem(cJSON_GetObjectItem(rc, "workspace"), "library");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(library, 0)), "stdlib/types");
    cJSON *globals = cJSON_GetObjectItem(cJSON_GetObjectItem(rc, "diagnostics"), "globals");
    bool has_task = false;
    cJSON *g;
    cJSON_ArrayForEach(g, globals) has_task = has_task || !strcmp(cJSON_GetStringValue(g), "task");
    assert_true(has_task);
    cJSON_Delete(rc);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(annotation_files_parse),
        cmocka_unit_test(dsl_constructors_are_annotated),
        cmocka_unit_test(service_operations_are_annotated),
        cmocka_unit_test(luarc_points_at_the_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
