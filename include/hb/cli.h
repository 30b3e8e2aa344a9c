/* The command-line commands, one file each (runtime/cli/cli_<name>.c). Each takes
 * argv with argv[0] the command name and returns the process exit code of
 * the README's exit-code contract (hb_status values). */
#ifndef HB_CLI_H
#define HB_CLI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hb/engine.h"
#include "hb/error.h"

typedef int (*hb_cmd_fn)(int argc, char **argv);

typedef struct hb_command {
    const char *name;
    hb_cmd_fn fn;
    const char *summary; /* one line for `hb --help` */
} hb_command;

/* The commands, one per file runtime/cli/cli_<name>.c. */
int hb_cmd_list(int argc, char **argv);
int hb_cmd_show(int argc, char **argv);
int hb_cmd_run(int argc, char **argv);
int hb_cmd_resume(int argc, char **argv);
int hb_cmd_cancel(int argc, char **argv);
int hb_cmd_retry(int argc, char **argv);
int hb_cmd_runs(int argc, char **argv);
int hb_cmd_audit(int argc, char **argv);
int hb_cmd_sandbox(int argc, char **argv);
int hb_cmd_test(int argc, char **argv);
int hb_cmd_worker(int argc, char **argv);
int hb_cmd_call(int argc, char **argv);
int hb_cmd_ops(int argc, char **argv);
int hb_cmd_version(int argc, char **argv);
int hb_cmd_graph(int argc, char **argv);
int hb_cmd_lint(int argc, char **argv);
int hb_cmd_diff(int argc, char **argv);
int hb_cmd_backtest(int argc, char **argv);
int hb_cmd_migrate(int argc, char **argv);
int hb_cmd_export(int argc, char **argv);
int hb_cmd_doc(int argc, char **argv);
int hb_cmd_config(int argc, char **argv);

/* The table main() dispatches on, terminated by a NULL name. */
extern const hb_command hb_commands[];

/* True when argv holds -h or --help before any "--". */
bool hb_cli_wants_help(int argc, char **argv);

/* ---- The option parser: a table per command, as git's parse_options ----
 *
 * A command describes its options and positional arguments in a table of
 * hb_option ending with HB_OPT_END; hb_cli_parse fills the variables the
 * rows point at, and writes `--help` from the same table. Every option
 * takes `--name VALUE` and `--name=VALUE`; `--` ends the options. */
typedef enum hb_opt_kind {
    HB_OPT_END = 0,
    HB_OPT_FLAG,     /* --name: *(bool *)value = true */
    HB_OPT_STRING,   /* --name TEXT: *(const char **)value (the last one given) */
    HB_OPT_INT,      /* --name N: *(int64_t *)value, within [min, max] */
    HB_OPT_DURATION, /* --name 90s: *(int64_t *)value in microseconds; bounds in seconds */
    HB_OPT_CHOICE,   /* --name WORD: *(const char **)value, one of choices ("a|b") */
    HB_OPT_EACH,     /* --name TEXT, repeatable: fn(value, TEXT) for each */
    HB_OPT_ARG,      /* a positional argument: *(const char **)value */
    HB_OPT_ARGS,     /* every further positional argument: fn(value, TEXT) */
} hb_opt_kind;

#define HB_OPT_OPTIONAL 1u /* an HB_OPT_ARG that may be left out; HB_OPT_ARGS that may be empty */

typedef hb_status (*hb_opt_fn)(void *ud, const char *text, hb_err *e);

typedef struct hb_option {
    hb_opt_kind kind;
    const char *name; /* "answer" for --answer; a positional's placeholder ("RUN") */
    char short_name;  /* 'v' for -v, or 0 */
    void *value;      /* where the value goes, or fn's ud */
    const char *arg;  /* the value's placeholder in --help ("STEP=VALUE") */
    const char *help;
    hb_opt_fn fn;        /* HB_OPT_EACH, HB_OPT_ARGS */
    int64_t min, max;    /* HB_OPT_INT, HB_OPT_DURATION */
    const char *choices; /* HB_OPT_CHOICE */
    unsigned flags;      /* HB_OPT_OPTIONAL */
} hb_option;

#define HB_FLAG(n, ptr, h)                                                                         \
    {                                                                                              \
        .kind = HB_OPT_FLAG, .name = (n), .value = (ptr), .help = (h)                              \
    }
#define HB_STRING(n, ptr, a, h)                                                                    \
    {                                                                                              \
        .kind = HB_OPT_STRING, .name = (n), .value = (ptr), .arg = (a), .help = (h)                \
    }
#define HB_INT(n, ptr, a, lo, hi, h)                                                               \
    {                                                                                              \
        .kind = HB_OPT_INT, .name = (n), .value = (ptr), .arg = (a), .min = (lo), .max = (hi),     \
        .help = (h)                                                                                \
    }
#define HB_CHOICE(n, ptr, c, h)                                                                    \
    {                                                                                              \
        .kind = HB_OPT_CHOICE, .name = (n), .value = (ptr), .choices = (c), .help = (h)            \
    }
#define HB_EACH(n, f, ud, a, h)                                                                    \
    {                                                                                              \
        .kind = HB_OPT_EACH, .name = (n), .fn = (f), .value = (ud), .arg = (a), .help = (h)        \
    }
#define HB_ARG(n, ptr, h)                                                                          \
    {                                                                                              \
        .kind = HB_OPT_ARG, .name = (n), .value = (ptr), .help = (h)                               \
    }
#define HB_ARG_OPTIONAL(n, ptr, h)                                                                 \
    {                                                                                              \
        .kind = HB_OPT_ARG, .name = (n), .value = (ptr), .help = (h), .flags = HB_OPT_OPTIONAL     \
    }
#define HB_ARGS(n, f, ud, h)                                                                       \
    {                                                                                              \
        .kind = HB_OPT_ARGS, .name = (n), .fn = (f), .value = (ud), .help = (h),                   \
        .flags = HB_OPT_OPTIONAL                                                                   \
    }
/* The NAME|FILE argument of every command that reads one workflow. */
#define HB_WORKFLOW_ARG(ptr)                                                                       \
    HB_ARG("NAME|FILE", (ptr), "a workflow on HB_WORKFLOW_PATH, or its file")
/* --actor NAME, which every command that acts on a run takes. */
#define HB_ACTOR_OPT(ptr)                                                                          \
    HB_STRING("actor", (ptr), "NAME",                                                              \
              "who acts, for the audit trail (default $HB_ACTOR or the login name)")
/* --since DURATION and --runs N: which recorded runs (hb backtest, hb
 * export runs); since defaults to HB_RUNS_SINCE_DEFAULT_US. */
#define HB_RUNS_SINCE_DEFAULT_US (30LL * 86400 * 1000000)
#define HB_RUNS_SINCE_OPTS(since_ptr, runs_ptr, since_help)                                        \
    {.kind = HB_OPT_DURATION,                                                                      \
     .name = "since",                                                                              \
     .value = (since_ptr),                                                                         \
     .arg = "DURATION",                                                                            \
     .min = 1,                                                                                     \
     .max = HB_DURATION_MAX_S,                                                                     \
     .help = (since_help)},                                                                        \
        HB_INT("runs", (runs_ptr), "N", 1, 1000000,                                                \
               "the latest N runs instead, whatever their age")
#define HB_OPT_END_                                                                                \
    {                                                                                              \
        .kind = HB_OPT_END                                                                         \
    }

typedef struct hb_cli_spec {
    const char *command; /* "run", "audit show" */
    /* The usage lines after "usage: ", when the one made from the table
     * does not say it well (two forms of one command); NULL: made. */
    const char *usage;
    const char *about; /* what the command does, after the usage line */
    const hb_option *options;
    const char *more; /* after the options: exit codes, examples, formats */
} hb_cli_spec;

/* hb_cli_parse's "go on": any other value is the exit code to return now
 * (0 after printing --help; HB_EUSAGE after printing the problem, the usage
 * line and, for an unknown option, a "did you mean"). */
#define HB_CLI_GO (-1)
int hb_cli_parse(const hb_cli_spec *spec, int argc, char **argv);
/* Prints "hb: <message>" and the usage line to stderr; returns HB_EUSAGE. */
int hb_cli_usage_error(const hb_cli_spec *spec, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The whole --help text. */
void hb_cli_print_help(const hb_cli_spec *spec, FILE *out);

/* Whether argv (before any "--") gives --NAME, as --NAME or --NAME=VALUE:
 * for an option whose default applies only when it is left out. */
bool hb_cli_given(int argc, char **argv, const char *name);

/* A list of the texts given to a repeatable option or to HB_OPT_ARGS:
 * HB_EACH("x", hb_cli_collect, &list, ...). The texts are argv's. */
typedef struct hb_cli_list {
    const char **items;
    size_t n;
} hb_cli_list;
hb_status hb_cli_collect(void *list, const char *text, hb_err *e);
void hb_cli_list_free(hb_cli_list *l);

/* A command made of subcommands (hb audit show|head|verify). */
typedef struct hb_subcommand {
    const char *name;
    hb_cmd_fn fn;
    const char *summary;
} hb_subcommand;
/* Runs the subcommand argv[1] names (with argv shifted by one); prints the
 * group's help for --help, and a usage error (with a "did you mean") for a
 * missing or unknown one. subs ends with a NULL name. */
int hb_cli_dispatch(const hb_cli_spec *group, const hb_subcommand *subs, int argc, char **argv);

struct hb_workflow;

/* Finds NAME|FILE on HB_WORKFLOW_PATH and loads it, printing what went
 * wrong (file:line lines) on stderr. On HB_OK, *file_out (may be NULL) and
 * *wf_out are the caller's to free. */
int hb_cli_load_workflow(const char *target, char **file_out, struct hb_workflow **wf_out);
/* hb_cli_parse, then hb_cli_load_workflow of *target (which an HB_WORKFLOW_ARG
 * row fills): HB_CLI_GO with the workflow loaded, else the exit code. */
int hb_cli_parse_workflow(const hb_cli_spec *spec, int argc, char **argv, const char *const *target,
                          char **file_out, struct hb_workflow **wf_out);

/* ---- The engine as the command line runs it (cli_engine.c, cli_report.c) */

/* The engine configured from the settings (hb/engine.h says what it needs):
 * HB_NOW's clock, the Lua limits, HB_LEASE_SECONDS, HB_STDLIB, HB_HOME and
 * HB_SANDBOX_FAULTS; with open_store, the store $HB_HOME/hb.db. eng points
 * into the struct: do not copy it. */
typedef struct hb_cli_engine {
    hb_engine eng;
    hb_clock clock;
    char *stdlib_dir;
    char *home;
    char *faults;
} hb_cli_engine;
hb_status hb_cli_engine_init(hb_cli_engine *c, bool open_store, hb_err *e);
void hb_cli_engine_free(hb_cli_engine *c);

/* One request of a command that starts or continues a run (hb run, resume,
 * cancel, retry): fn on the engine as the settings configure it, the run
 * printed as the command line prints runs (json: --json). */
typedef hb_status (*hb_cli_engine_fn)(const hb_engine *eng, hb_run_request *req, hb_err *e);
hb_status hb_cli_engine_go(hb_cli_engine_fn fn, hb_run_request *req, bool json, hb_err *e);

/* The terminal as the engine's ask: a prompt on stderr read from stdin,
 * when stdin is a terminal, CI is unset and --no-input was not given;
 * otherwise nobody (an unanswered ask pauses the run). */
hb_engine_ask hb_cli_terminal_ask(bool no_input);

/* The reporter that prints runs as the README's command-line contract says
 * (trace on stderr, result on stdout), or hb call's value. */
typedef struct hb_cli_report {
    bool json; /* the result (or the call's value) as one line of JSON */
    bool call; /* hb call: only the run's id and the operation's value */
} hb_cli_report;
hb_engine_reporter hb_cli_reporter(hb_cli_report *r);
/* A run as the JSON of `run --json` and `runs --json` begins: run,
 * workflow, status, step, target (the caller adds the rest). */
cJSON *hb_cli_run_json(const hb_run *run);

/* hb backtest and hb export runs (cli_backtest.c): where the links a run
 * built pointed, by target, never a secret. Live: the *_URL and *_WEB_URL
 * of the environment and home/credentials; sandbox: HB_SANDBOX_WEB_URL. */
struct hb_service_vars;
/* cb for each name: every service's *_URL and *_WEB_URL. */
void hb_cli_each_link_var(void (*cb)(const char *name, void *ud), void *ud);
void hb_cli_live_link_vars(struct hb_service_vars *v, const char *home);
void hb_cli_sandbox_link_vars(struct hb_service_vars *v);

/* Prints "hb: <message>" to stderr. */
void hb_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hb_cli_verror(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
