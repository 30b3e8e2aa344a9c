/* The command table. One line per command; the functions live in
 * runtime/cli/cli_<name>.c and are declared
 * in hb/cli.h. */
#include "hb/cli.h"

const hb_command hb_commands[] = {
    {"list", hb_cmd_list, "list the workflows on HB_WORKFLOW_PATH"},
    {"show", hb_cmd_show, "show a workflow's inputs, services and steps"},
    {"run", hb_cmd_run, "start a run of a workflow"},
    {"resume", hb_cmd_resume, "continue a waiting run (--answer, --event)"},
    {"cancel", hb_cmd_cancel, "cancel a waiting run"},
    {"retry", hb_cmd_retry, "continue a failed run without repeating its writes"},
    {"runs", hb_cmd_runs, "list runs and what waiting runs wait for"},
    {"audit", hb_cmd_audit, "show, head and verify the audit trail"},
    {"sandbox", hb_cmd_sandbox, "serve the built-in stand-ins of the services hb speaks to"},
    {"test", hb_cmd_test, "run the workflows' scenario tests against the sandbox"},
    {"worker", hb_cmd_worker, "advance runs whose timer or condition is due"},
    {"ops", hb_cmd_ops, "list every operation a workflow can call, with its signature"},
    {"call", hb_cmd_call, "run one service operation and print its JSON result"},
    {"graph", hb_cmd_graph, "draw a workflow's decision graph (Mermaid or DOT)"},
    {"lint", hb_cmd_lint, "check workflows for mistakes without running them"},
    {"diff", hb_cmd_diff, "compare two versions of a workflow step by step"},
    {"backtest", hb_cmd_backtest, "replay past runs under the version on disk: what it changes"},
    {"export", hb_cmd_export,
     "write a workflow's recorded runs as JSON Lines (hb backtest --from)"},
    {"migrate", hb_cmd_migrate, "move waiting runs onto the version of their workflow on disk"},
    {"doc", hb_cmd_doc, "write a workflow's Markdown handbook page"},
    {"config", hb_cmd_config, "print every setting, its value and where it came from"},
    {"version", hb_cmd_version, "print hb's version"},
    {NULL, NULL, NULL},
};
