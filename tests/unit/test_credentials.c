/* $HB_HOME/credentials: parsing, precedence, and refusing a readable file. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hb/credentials.h"
#include "hb/util.h"
#include "test_support.h"

static void reads_file_behind_environment(void **state)
{
    (void)state;
    char *dir = hbt_tempdir();
    char *path = hb_path_join(dir, "credentials");
    hbt_write(path, "# hb credentials\n\nGITLAB_URL=https://gitlab.example\n"
                    "export GITLAB_TOKEN = \"glpat-from-file\"\n"
                    "ZENDESK_EMAIL=ops@example.com\nEMPTY=\n");
    chmod(path, 0600);
    hb_credentials *c = NULL;
    hb_err e;
    assert_int_equal(hb_credentials_load(path, &c, &e), HB_OK);
    unsetenv("GITLAB_URL");
    setenv("GITLAB_TOKEN", "glpat-from-env", 1);
    assert_string_equal(hb_credentials_getvar(c, "GITLAB_URL"), "https://gitlab.example");
    assert_string_equal(hb_credentials_getvar(c, "GITLAB_TOKEN"), "glpat-from-env");
    unsetenv("GITLAB_TOKEN");
    assert_string_equal(hb_credentials_getvar(c, "GITLAB_TOKEN"), "glpat-from-file");
    assert_null(hb_credentials_getvar(c, "EMPTY"));
    assert_null(hb_credentials_getvar(c, "ZUORA_URL"));
    hb_credentials_free(c);
    hbt_rmtree(dir);
    free(path);
    free(dir);
}

static void refuses_readable_file(void **state)
{
    (void)state;
    char *dir = hbt_tempdir();
    char *path = hb_path_join(dir, "credentials");
    hbt_write(path, "GITLAB_TOKEN=glpat-visible\n");
    chmod(path, 0644);
    hb_credentials *c = NULL;
    hb_err e;
    assert_int_equal(hb_credentials_load(path, &c, &e), HB_EUSAGE);
    assert_null(c);
    assert_non_null(strstr(e.msg, "chmod 600"));
    assert_null(strstr(e.msg, "glpat-visible"));
    chmod(path, 0640);
    assert_int_equal(hb_credentials_load(path, &c, &e), HB_EUSAGE);
    hbt_rmtree(dir);
    free(path);
    free(dir);
}

static void missing_file_is_fine_bad_line_is_not(void **state)
{
    (void)state;
    char *dir = hbt_tempdir();
    char *path = hb_path_join(dir, "credentials");
    hb_credentials *c = NULL;
    hb_err e;
    assert_int_equal(hb_credentials_load(path, &c, &e), HB_OK);
    assert_non_null(c);
    hb_credentials_free(c);
    hbt_write(path, "A=1\nthis line has glpat-oops and no equals sign\n");
    chmod(path, 0600);
    assert_int_equal(hb_credentials_load(path, &c, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, ":2:"));
    assert_null(strstr(e.msg, "glpat-oops"));
    hbt_rmtree(dir);
    free(path);
    free(dir);
}

static void default_path_under_hb_home(void **state)
{
    (void)state;
    char *dir = hbt_tempdir();
    char *path = hb_path_join(dir, "credentials");
    hbt_write(path, "HBT_ONLY_IN_FILE=yes\n");
    chmod(path, 0600);
    hbt_setenv("HB_HOME", dir);
    hb_credentials *c = NULL;
    hb_err e;
    assert_int_equal(hb_credentials_load(NULL, &c, &e), HB_OK);
    assert_string_equal(hb_credentials_getvar(c, "HBT_ONLY_IN_FILE"), "yes");
    hb_credentials_free(c);
    hbt_unsetenv("HB_HOME");
    hbt_rmtree(dir);
    free(path);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_file_behind_environment),
        cmocka_unit_test(refuses_readable_file),
        cmocka_unit_test(missing_file_is_fine_bad_line_is_not),
        cmocka_unit_test(default_path_under_hb_home),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
