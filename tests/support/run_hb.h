/* Runs the hb binary as a child process with a given environment and
 * captures what it prints, for tests of the command line. */
#ifndef HB_TEST_RUN_HB_H
#define HB_TEST_RUN_HB_H

typedef struct hbt_output {
    int status; /* exit code, or 128 + signal */
    char *out;  /* everything on stdout */
    char *err;  /* everything on stderr */
} hbt_output;

/* args: after "hb", NULL-terminated. env: "NAME=value", NULL-terminated;
 * the child gets only these (plus PATH and TMPDIR from this process). */
hbt_output hbt_run_hb(const char *const *args, const char *const *env);
void hbt_output_free(hbt_output *o);

#endif
