/* Spawning hb for command-line tests (see run_hb.h). */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hb/util.h"
#include "run_hb.h"
#include "test_support.h"

static char *slurp(FILE *f)
{
    hb_buf b;
    hb_buf_init(&b);
    hb_buf_puts(&b, "");
    rewind(f);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        hb_buf_append(&b, chunk, n);
    fclose(f);
    return hb_buf_take(&b);
}

hbt_output hbt_run_hb(const char *const *args, const char *const *env)
{
    size_t nargs = 0, nenv = 0;
    while (args[nargs])
        nargs++;
    while (env[nenv])
        nenv++;
    char **argv = hb_xcalloc(nargs + 2, sizeof *argv);
    argv[0] = (char *)HB_TEST_BINARY;
    for (size_t i = 0; i < nargs; i++)
        argv[i + 1] = (char *)args[i];
    char **envp = hb_xcalloc(nenv + 3, sizeof *envp);
    size_t k = 0;
    for (size_t i = 0; i < nenv; i++)
        envp[k++] = (char *)env[i];
    char *path = hb_xasprintf("PATH=%s", getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    envp[k++] = path;
    char *tmp = getenv("TMPDIR") ? hb_xasprintf("TMPDIR=%s", getenv("TMPDIR")) : NULL;
    if (tmp)
        envp[k++] = tmp;

    FILE *out = tmpfile(), *err = tmpfile();
    if (!out || !err)
        fail_msg("tmpfile failed");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fileno(out), STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, fileno(err), STDERR_FILENO);
    pid_t pid;
    if (posix_spawn(&pid, HB_TEST_BINARY, &fa, NULL, argv, envp) != 0)
        fail_msg("cannot start %s", HB_TEST_BINARY);
    posix_spawn_file_actions_destroy(&fa);
    int ws = 0;
    waitpid(pid, &ws, 0);
    hbt_output o = {.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws)};
    o.out = slurp(out);
    o.err = slurp(err);
    free(argv);
    free(envp);
    free(path);
    free(tmp);
    return o;
}

void hbt_output_free(hbt_output *o)
{
    free(o->out);
    free(o->err);
    o->out = o->err = NULL;
}
