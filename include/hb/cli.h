/* The command-line commands, one file each (runtime/cli/cli_<name>.c). Each takes
 * argv with argv[0] the command name and returns the process exit code of
 * the README's exit-code contract (hb_status values). */
#ifndef HB_CLI_H
#define HB_CLI_H

#include <stdbool.h>
#include <stdio.h>

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
int hb_cmd_runs(int argc, char **argv);
int hb_cmd_audit(int argc, char **argv);
int hb_cmd_sandbox(int argc, char **argv);
int hb_cmd_test(int argc, char **argv);
int hb_cmd_worker(int argc, char **argv);
int hb_cmd_call(int argc, char **argv);
int hb_cmd_version(int argc, char **argv);
int hb_cmd_graph(int argc, char **argv);
int hb_cmd_lint(int argc, char **argv);
int hb_cmd_diff(int argc, char **argv);
int hb_cmd_doc(int argc, char **argv);

/* The table main() dispatches on, terminated by a NULL name. */
extern const hb_command hb_commands[];

/* True when argv holds -h or --help; commands print their usage then. */
bool hb_cli_wants_help(int argc, char **argv);

struct hb_workflow;

/* Finds NAME|FILE on HB_WORKFLOW_PATH and loads it, printing what went
 * wrong (file:line lines) on stderr. On HB_OK, *file_out (may be NULL) and
 * *wf_out are the caller's to free. */
int hb_cli_load_workflow(const char *target, char **file_out, struct hb_workflow **wf_out);

/* Prints "hb: <message>" to stderr. */
void hb_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
