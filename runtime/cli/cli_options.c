/* The option parser of every command (hb/cli.h): one table per command
 * gives the options, their values and the positional arguments; the same
 * table writes --help, so the two cannot drift apart. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/cli.h"
#include "hb/clock.h"
#include "hb/util.h"

static bool is_positional(hb_opt_kind k)
{
    return k == HB_OPT_ARG || k == HB_OPT_ARGS;
}

static bool takes_value(hb_opt_kind k)
{
    return k != HB_OPT_FLAG && !is_positional(k);
}

static void print_usage_lines(const hb_cli_spec *spec, FILE *out)
{
    if (spec->usage) {
        fprintf(out, "usage: %s\n", spec->usage);
        return;
    }
    fprintf(out, "usage: hb %s", spec->command);
    bool has_options = false;
    for (const hb_option *o = spec->options; o && o->kind != HB_OPT_END; o++) {
        if (!is_positional(o->kind)) {
            has_options = true;
            continue;
        }
        bool optional = o->flags & HB_OPT_OPTIONAL;
        const char *dots = o->kind == HB_OPT_ARGS ? "..." : "";
        fprintf(out, optional ? " [%s%s]" : " %s%s", o->name, dots);
    }
    fprintf(out, "%s\n", has_options ? " [options]" : "");
}

static char *option_label(const hb_option *o)
{
    char *arg = NULL;
    if (o->kind == HB_OPT_CHOICE) {
        arg = hb_xstrdup(o->choices);
    } else if (takes_value(o->kind)) {
        arg = hb_xstrdup(o->arg ? o->arg : "VALUE");
    }
    char *label = o->short_name ? hb_xasprintf("-%c, --%s%s%s", o->short_name, o->name,
                                               arg ? " " : "", arg ? arg : "")
                                : hb_xasprintf("--%s%s%s", o->name, arg ? " " : "", arg ? arg : "");
    free(arg);
    return label;
}

/* Help texts may hold newlines: continuation lines line up with the first. */
static void print_row(FILE *out, const char *label, const char *help, int width)
{
    int len = (int)strlen(label);
    fprintf(out, "  %s", label);
    if (!help || !*help) {
        fputc('\n', out);
        return;
    }
    if (len > width)
        fprintf(out, "\n  %*s", width, "");
    else
        fprintf(out, "%*s", width - len, "");
    for (const char *p = help; *p; p++) {
        fputc(*p, out);
        if (*p == '\n')
            fprintf(out, "  %*s", width, "");
    }
    fputc('\n', out);
}

void hb_cli_print_help(const hb_cli_spec *spec, FILE *out)
{
    print_usage_lines(spec, out);
    if (spec->about)
        fprintf(out, "\n%s", spec->about);
    int width = 0;
    bool any_arg_help = false;
    for (const hb_option *o = spec->options; o && o->kind != HB_OPT_END; o++) {
        char *label = is_positional(o->kind) ? hb_xstrdup(o->name) : option_label(o);
        int len = (int)strlen(label);
        if (len <= 22 && len > width)
            width = len;
        any_arg_help = any_arg_help || (is_positional(o->kind) && o->help);
        free(label);
    }
    width += 2;
    if (width < 12)
        width = 12; /* room for "-h, --help" */
    if (any_arg_help) {
        fprintf(out, "\narguments:\n");
        for (const hb_option *o = spec->options; o && o->kind != HB_OPT_END; o++)
            if (is_positional(o->kind) && o->help)
                print_row(out, o->name, o->help, width);
    }
    fprintf(out, "\noptions:\n");
    for (const hb_option *o = spec->options; o && o->kind != HB_OPT_END; o++) {
        if (is_positional(o->kind))
            continue;
        char *label = option_label(o);
        print_row(out, label, o->help, width);
        free(label);
    }
    print_row(out, "-h, --help", "print this help", width);
    if (spec->more)
        fprintf(out, "\n%s", spec->more);
}

int hb_cli_usage_error(const hb_cli_spec *spec, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hb_cli_verror(fmt, ap);
    va_end(ap);
    print_usage_lines(spec, stderr);
    fprintf(stderr, "(`hb %s --help` describes every option)\n", spec->command);
    return HB_EUSAGE;
}

bool hb_cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return true;
        if (!strcmp(argv[i], "--"))
            break;
    }
    return false;
}

static int unknown_option(const hb_cli_spec *spec, const char *arg)
{
    const char *names[64];
    size_t n = 0;
    for (const hb_option *o = spec->options; o->kind != HB_OPT_END && n < 63; o++)
        if (!is_positional(o->kind))
            names[n++] = o->name;
    names[n++] = "help";
    size_t len = strcspn(arg + 2, "=");
    char *name = hb_xstrndup(arg + 2, len);
    const char *near = arg[1] == '-' ? hb_closest_name(names, n, name, len > 4 ? 3 : 2) : NULL;
    free(name);
    if (near)
        return hb_cli_usage_error(spec, "unknown option '%s' (did you mean --%s?)", arg, near);
    return hb_cli_usage_error(spec, "unknown option '%s'", arg);
}

static const hb_option *find_long(const hb_cli_spec *spec, const char *name, size_t len)
{
    for (const hb_option *o = spec->options; o->kind != HB_OPT_END; o++)
        if (!is_positional(o->kind) && strlen(o->name) == len && !strncmp(o->name, name, len))
            return o;
    return NULL;
}

static const hb_option *find_short(const hb_cli_spec *spec, char c)
{
    for (const hb_option *o = spec->options; o->kind != HB_OPT_END; o++)
        if (!is_positional(o->kind) && o->short_name == c)
            return o;
    return NULL;
}

/* Stores one value; prints the problem and returns HB_EUSAGE when it is
 * not one the row accepts. */
static int apply(const hb_cli_spec *spec, const hb_option *o, const char *text)
{
    hb_err e;
    int64_t n = 0;
    switch (o->kind) {
    case HB_OPT_FLAG:
        *(bool *)o->value = true;
        return HB_OK;
    case HB_OPT_STRING:
    case HB_OPT_ARG:
        *(const char **)o->value = text;
        return HB_OK;
    case HB_OPT_INT:
        switch (hb_parse_int(text, o->min, o->max, &n)) {
        case HB_INT_OK:
            *(int64_t *)o->value = n;
            return HB_OK;
        case HB_INT_NOT_A_NUMBER:
            return hb_cli_usage_error(spec,
                                      "--%s '%s' is not a whole number (expected %lld to %lld)",
                                      o->name, text, (long long)o->min, (long long)o->max);
        case HB_INT_OUT_OF_RANGE:
            return hb_cli_usage_error(spec, "--%s '%s' is out of range (expected %lld to %lld)",
                                      o->name, text, (long long)o->min, (long long)o->max);
        }
        return HB_EUSAGE;
    case HB_OPT_DURATION:
        if (hb_duration_parse(text, &n, &e) != HB_OK)
            return hb_cli_usage_error(spec, "--%s: %s", o->name, e.msg);
        if (n < o->min * 1000000 || n > o->max * 1000000) {
            char *lo = hb_duration_text(o->min * 1000000), *hi = hb_duration_text(o->max * 1000000);
            int rc = hb_cli_usage_error(spec, "--%s '%s' is out of range (expected %s to %s)",
                                        o->name, text, lo, hi);
            free(lo);
            free(hi);
            return rc;
        }
        *(int64_t *)o->value = n;
        return HB_OK;
    case HB_OPT_CHOICE: {
        if (hb_choice_index(o->choices, text, false) >= 0) {
            *(const char **)o->value = text;
            return HB_OK;
        }
        char *list = hb_choices_text(o->choices);
        int rc = hb_cli_usage_error(spec, "unknown --%s '%s' (use %s)", o->name, text, list);
        free(list);
        return rc;
    }
    case HB_OPT_EACH:
    case HB_OPT_ARGS:
        /* fn says what is wrong with the text. */
        hb_err_set(&e, HB_EUSAGE, "%s '%s' is not understood", o->name, text);
        if (o->fn(o->value, text, &e) != HB_OK)
            return hb_cli_usage_error(spec, "%s", e.msg);
        return HB_OK;
    case HB_OPT_END:
        break;
    }
    return HB_EUSAGE;
}

/* An argument that is an option: "--x", or "-c" for a known short name.
 * "-" and "-5" are positional (a negative number is a value). */
static bool looks_like_option(const char *a)
{
    return a[0] == '-' && a[1] && !(a[1] >= '0' && a[1] <= '9');
}

/* Handles the option at argv[*i]; returns HB_OK or the exit code. */
static int take_option(const hb_cli_spec *spec, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    const hb_option *o;
    const char *inline_value = NULL;
    if (a[1] == '-') {
        size_t len = strcspn(a + 2, "=");
        o = find_long(spec, a + 2, len);
        if (a[2 + len] == '=')
            inline_value = a + 3 + len;
    } else {
        o = a[2] ? NULL : find_short(spec, a[1]);
    }
    if (!o)
        return unknown_option(spec, a);
    if (!takes_value(o->kind)) {
        if (inline_value)
            return hb_cli_usage_error(spec, "--%s takes no value", o->name);
        return apply(spec, o, NULL);
    }
    if (inline_value)
        return apply(spec, o, inline_value);
    if (*i + 1 >= argc) {
        char *label = option_label(o);
        int rc = hb_cli_usage_error(spec, "--%s needs a value (%s)", o->name, label);
        free(label);
        return rc;
    }
    return apply(spec, o, argv[++*i]);
}

int hb_cli_parse(const hb_cli_spec *spec, int argc, char **argv)
{
    if (hb_cli_wants_help(argc, argv)) {
        hb_cli_print_help(spec, stdout);
        return HB_OK;
    }
    const hb_option *pos = spec->options;
    while (pos->kind != HB_OPT_END && !is_positional(pos->kind))
        pos++;
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int rc;
        if (!options_done && !strcmp(a, "--")) {
            options_done = true;
            continue;
        }
        if (!options_done && looks_like_option(a)) {
            rc = take_option(spec, argc, argv, &i);
        } else if (pos->kind == HB_OPT_END) {
            return hb_cli_usage_error(spec, "unexpected argument '%s'", a);
        } else {
            rc = apply(spec, pos, a);
            if (pos->kind == HB_OPT_ARG)
                do
                    pos++;
                while (pos->kind != HB_OPT_END && !is_positional(pos->kind));
        }
        if (rc != HB_OK)
            return rc;
    }
    for (; pos->kind != HB_OPT_END; pos++)
        if (is_positional(pos->kind) && !(pos->flags & HB_OPT_OPTIONAL))
            return hb_cli_usage_error(spec, "missing %s%s%s", pos->name, pos->help ? ": " : "",
                                      pos->help ? pos->help : "");
    return HB_CLI_GO;
}

hb_status hb_cli_collect(void *list, const char *text, hb_err *e)
{
    (void)e;
    hb_cli_list *l = list;
    l->items = hb_xrealloc(l->items, (l->n + 1) * sizeof *l->items);
    l->items[l->n++] = text;
    return HB_OK;
}

void hb_cli_list_free(hb_cli_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

static void print_group_help(const hb_cli_spec *group, const hb_subcommand *subs, FILE *out)
{
    print_usage_lines(group, out);
    if (group->about)
        fprintf(out, "\n%s", group->about);
    fprintf(out, "\ncommands:\n");
    for (const hb_subcommand *s = subs; s->name; s++)
        fprintf(out, "  %-8s %s\n", s->name, s->summary);
    if (group->more)
        fprintf(out, "\n%s", group->more);
}

int hb_cli_dispatch(const hb_cli_spec *group, const hb_subcommand *subs, int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : NULL;
    if (sub && (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help"))) {
        print_group_help(group, subs, stdout);
        return HB_OK;
    }
    const char *names[32];
    size_t n = 0;
    for (const hb_subcommand *s = subs; s->name && n < 32; s++) {
        if (sub && !strcmp(s->name, sub))
            return s->fn(argc - 1, argv + 1);
        names[n++] = s->name;
    }
    if (!sub) {
        print_group_help(group, subs, stderr);
        return HB_EUSAGE;
    }
    const char *near = hb_closest_name(names, n, sub, 2);
    if (near)
        return hb_cli_usage_error(group, "unknown %s command '%s' (did you mean %s?)",
                                  group->command, sub, near);
    return hb_cli_usage_error(group, "unknown %s command '%s'", group->command, sub);
}

bool hb_cli_given(int argc, char **argv, const char *name)
{
    size_t n = strlen(name);
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
        if (!strncmp(argv[i], "--", 2) && !strncmp(argv[i] + 2, name, n) &&
            (argv[i][2 + n] == '\0' || argv[i][2 + n] == '='))
            return true;
    return false;
}
