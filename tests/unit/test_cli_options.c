/* The option parser every command uses: values both ways, repeats, typed
 * and bounded values, positionals, "--", help made from the table, and
 * usage errors (exit 2) with a did-you-mean. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb/cli.h"
#include "hb/util.h"
#include "test_support.h"

/* What a parse printed on stdout and stderr. */
typedef struct printed {
    int rc;
    char *out;
    char *err;
} printed;

typedef struct opts {
    bool json;
    const char *actor;
    int64_t interval;
    int64_t wait_us;
    const char *format;
    const char *run;
    const char *extra;
    hb_cli_list answers;
    hb_cli_list rest;
} opts;

static hb_status only_kv(void *list, const char *text, hb_err *e)
{
    if (!strchr(text, '='))
        return hb_err_set(e, HB_EUSAGE, "--answer '%s' must be STEP=VALUE", text);
    return hb_cli_collect(list, text, e);
}

static char *slurp(int fd)
{
    lseek(fd, 0, SEEK_SET);
    hb_buf b;
    hb_buf_init(&b);
    char chunk[4096];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) > 0)
        hb_buf_append(&b, chunk, (size_t)n);
    close(fd);
    return hb_buf_take(&b);
}

/* Parses argv (NULL-terminated, argv[0] the command) against the test
 * command's table, capturing what it prints. */
static printed parse(opts *o, const char *const *args)
{
    memset(o, 0, sizeof *o);
    o->interval = 60;
    o->format = "text";
    const hb_option options[] = {
        HB_ARG("RUN", &o->run, "the run"),
        HB_ARG_OPTIONAL("EXTRA", &o->extra, NULL),
        HB_ARGS("MORE", hb_cli_collect, &o->rest, NULL),
        HB_FLAG("json", &o->json, "one JSON object"),
        HB_STRING("actor", &o->actor, "NAME", "who acts"),
        HB_INT("interval", &o->interval, "SECONDS", 1, 86400, "seconds between checks"),
        {.kind = HB_OPT_DURATION,
         .name = "wait",
         .value = &o->wait_us,
         .arg = "DURATION",
         .min = 1,
         .max = 3600,
         .help = "how long to wait"},
        HB_CHOICE("format", &o->format, "text|gitlab", "the output"),
        HB_EACH("answer", only_kv, &o->answers, "STEP=VALUE", "an answer (repeatable)"),
        HB_OPT_END_,
    };
    const hb_cli_spec spec = {.command = "try",
                              .about = "Tries the parser.\n",
                              .options = options,
                              .more = "exit: 0 ok\n"};
    int argc = 0;
    char *argv[32];
    while (args[argc]) {
        argv[argc] = (char *)args[argc];
        argc++;
    }
    argv[argc] = NULL;
    char *dir = hbt_tempdir();
    char *out_path = hb_path_join(dir, "out"), *err_path = hb_path_join(dir, "err");
    fflush(NULL);
    int saved_out = dup(1), saved_err = dup(2);
    int out = open(out_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    int err = open(err_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    dup2(out, 1);
    dup2(err, 2);
    printed p = {.rc = hb_cli_parse(&spec, argc, argv)};
    fflush(NULL);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(saved_out);
    close(saved_err);
    p.out = slurp(out);
    p.err = slurp(err);
    hbt_rmtree(dir);
    free(out_path);
    free(err_path);
    free(dir);
    return p;
}

static void done(printed *p, opts *o)
{
    free(p->out);
    free(p->err);
    hb_cli_list_free(&o->answers);
    hb_cli_list_free(&o->rest);
}

static void contains(const char *text, const char *needle)
{
    if (!strstr(text, needle))
        fail_msg("expected \"%s\" in:\n%s", needle, text);
}

static void values_both_ways(void **state)
{
    (void)state;
    opts o;
    printed p = parse(&o, (const char *[]){"try", "R1", "--actor", "ann", "--interval=5",
                                           "--format=gitlab", "--json", "--wait", "90s", NULL});
    assert_int_equal(p.rc, HB_CLI_GO);
    assert_string_equal(o.run, "R1");
    assert_string_equal(o.actor, "ann");
    assert_int_equal(o.interval, 5);
    assert_string_equal(o.format, "gitlab");
    assert_true(o.json);
    assert_int_equal(o.wait_us, 90LL * 1000000);
    assert_null(o.extra);
    done(&p, &o);

    p = parse(&o, (const char *[]){"try", "--actor=", "R1", NULL});
    assert_int_equal(p.rc, HB_CLI_GO);
    assert_string_equal(o.actor, "");
    done(&p, &o);
}

static void repeats_and_positionals(void **state)
{
    (void)state;
    opts o;
    printed p = parse(&o, (const char *[]){"try", "--answer", "a=1", "R1", "E", "--answer=b=2",
                                           "m1", "-5", "--", "--json", NULL});
    assert_int_equal(p.rc, HB_CLI_GO);
    assert_int_equal(o.answers.n, 2);
    assert_string_equal(o.answers.items[0], "a=1");
    assert_string_equal(o.answers.items[1], "b=2");
    assert_string_equal(o.run, "R1");
    assert_string_equal(o.extra, "E");
    /* A negative number is a value; after "--" nothing is an option. */
    assert_int_equal(o.rest.n, 3);
    assert_string_equal(o.rest.items[1], "-5");
    assert_string_equal(o.rest.items[2], "--json");
    assert_false(o.json);
    done(&p, &o);
}

static void bounded_and_typed_values(void **state)
{
    (void)state;
    static const char *const bad[][2] = {
        {"--interval", "abc"}, {"--interval", "0"},  {"--interval", "99999999999999999999"},
        {"--interval", " 5"},  {"--interval", "5s"}, {"--wait", "2h"},
        {"--wait", "soon"},    {"--format", "html"}, {"--answer", "noequals"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        opts o;
        printed p = parse(&o, (const char *[]){"try", "R1", bad[i][0], bad[i][1], NULL});
        if (p.rc != HB_EUSAGE)
            fail_msg("%s %s: rc %d", bad[i][0], bad[i][1], p.rc);
        contains(p.err, bad[i][0] + 2);
        contains(p.err, "usage: hb try RUN [EXTRA] [MORE...] [options]");
        done(&p, &o);
    }
    opts o;
    printed p = parse(&o, (const char *[]){"try", "R1", "--interval", "x", NULL});
    contains(p.err, "expected 1 to 86400");
    done(&p, &o);
    p = parse(&o, (const char *[]){"try", "R1", "--format", "html", NULL});
    contains(p.err, "use text or gitlab");
    done(&p, &o);
}

static void usage_errors(void **state)
{
    (void)state;
    opts o;
    printed p = parse(&o, (const char *[]){"try", "R1", "--jsno", NULL});
    assert_int_equal(p.rc, HB_EUSAGE);
    contains(p.err, "unknown option '--jsno' (did you mean --json?)");
    done(&p, &o);
    p = parse(&o, (const char *[]){"try", "R1", "--frobnicate", NULL});
    assert_int_equal(p.rc, HB_EUSAGE);
    contains(p.err, "unknown option '--frobnicate'");
    done(&p, &o);
    p = parse(&o, (const char *[]){"try", NULL});
    assert_int_equal(p.rc, HB_EUSAGE);
    contains(p.err, "missing RUN");
    done(&p, &o);
    p = parse(&o, (const char *[]){"try", "R1", "--actor", NULL});
    assert_int_equal(p.rc, HB_EUSAGE);
    contains(p.err, "--actor needs a value");
    done(&p, &o);
    p = parse(&o, (const char *[]){"try", "R1", "--json=yes", NULL});
    assert_int_equal(p.rc, HB_EUSAGE);
    contains(p.err, "--json takes no value");
    done(&p, &o);
    p = parse(&o, (const char *[]){"try", "R1", "-x", NULL});
    assert_int_equal(p.rc, HB_EUSAGE);
    done(&p, &o);
}

static void help_is_made_from_the_table(void **state)
{
    (void)state;
    opts o;
    printed p = parse(&o, (const char *[]){"try", "--frobnicate", "--help", NULL});
    assert_int_equal(p.rc, HB_OK);
    assert_string_equal(p.err, "");
    contains(p.out, "usage: hb try RUN [EXTRA] [MORE...] [options]\n\nTries the parser.\n");
    /* One column for the help, as wide as the widest option. */
    contains(p.out, "  --interval SECONDS    seconds between checks\n");
    contains(p.out, "  --format text|gitlab  the output\n");
    contains(p.out, "  --answer STEP=VALUE   an answer (repeatable)\n");
    contains(p.out, "  -h, --help ");
    contains(p.out, "\nexit: 0 ok\n");
    contains(p.out, "arguments:\n  RUN ");
    done(&p, &o);
}

static int sub_ok(int argc, char **argv)
{
    (void)argv;
    return argc == 2 ? 7 : 8;
}

static void subcommands(void **state)
{
    (void)state;
    static const hb_subcommand subs[] = {{"show", sub_ok, "shows"}, {NULL, NULL, NULL}};
    const hb_cli_spec group = {.command = "grp", .about = "A group.\n"};
    char *ok[] = {"grp", "show", "x", NULL};
    assert_int_equal(hb_cli_dispatch(&group, subs, 3, ok), 7);
    fflush(NULL);
    int saved = dup(2);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 2);
    char *typo[] = {"grp", "shwo", NULL};
    int rc_typo = hb_cli_dispatch(&group, subs, 2, typo);
    char *none[] = {"grp", NULL};
    int rc_none = hb_cli_dispatch(&group, subs, 1, none);
    fflush(NULL);
    dup2(saved, 2);
    close(saved);
    close(null);
    assert_int_equal(rc_typo, HB_EUSAGE);
    assert_int_equal(rc_none, HB_EUSAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(values_both_ways),
        cmocka_unit_test(repeats_and_positionals),
        cmocka_unit_test(bounded_and_typed_values),
        cmocka_unit_test(usage_errors),
        cmocka_unit_test(help_is_made_from_the_table),
        cmocka_unit_test(subcommands),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
