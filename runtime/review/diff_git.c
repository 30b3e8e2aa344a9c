/* git for hb diff: a file as it was at a revision, and the top of the work
 * tree a folder belongs to. git runs through fork/exec with an argv, never a
 * shell, so a revision or path cannot inject commands. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diff_internal.h"

#define GIT_OUTPUT_MAX (16u * 1024 * 1024)

/* Reads the child's stdout and stderr together so neither pipe can fill up
 * and stall it. */
static void drain(int out_fd, int err_fd, hb_buf *out, hb_buf *err)
{
    struct pollfd fds[2] = {{.fd = out_fd, .events = POLLIN}, {.fd = err_fd, .events = POLLIN}};
    hb_buf *bufs[2] = {out, err};
    int open_fds = 2;
    while (open_fds > 0) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char chunk[8192];
            ssize_t n = read(fds[i].fd, chunk, sizeof chunk);
            if (n > 0 && bufs[i]->len < GIT_OUTPUT_MAX) {
                hb_buf_append(bufs[i], chunk, (size_t)n);
            } else if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
            }
        }
    }
}

static void trim_newlines(hb_buf *b)
{
    while (b->len && (b->data[b->len - 1] == '\n' || b->data[b->len - 1] == '\r'))
        b->data[--b->len] = '\0';
}

/* `git -C dir ARGS...`: stdout into out, stderr (trimmed) into err. The exit
 * status, or -1 when git could not be started at all (e says why), 127 when
 * it is not installed. */
static int run_git(const char *dir, const char *const *args, hb_buf *out, hb_buf *err, hb_err *e)
{
    int out_pipe[2], err_pipe[2];
    if (pipe(out_pipe) < 0) {
        hb_err_set(e, HB_EINTERNAL, "cannot run git: %s", strerror(errno));
        return -1;
    }
    if (pipe(err_pipe) < 0) {
        close(out_pipe[0]);
        close(out_pipe[1]);
        hb_err_set(e, HB_EINTERNAL, "cannot run git: %s", strerror(errno));
        return -1;
    }
    const char *argv[16] = {"git", "-C", dir};
    size_t n = 3;
    for (size_t i = 0; args[i] && n < sizeof argv / sizeof argv[0] - 1; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out_pipe[1], STDOUT_FILENO);
        dup2(err_pipe[1], STDERR_FILENO);
        close(out_pipe[0]);
        close(out_pipe[1]);
        close(err_pipe[0]);
        close(err_pipe[1]);
        execvp("git", (char *const *)argv);
        _exit(127);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (pid < 0) {
        close(out_pipe[0]);
        close(err_pipe[0]);
        hb_err_set(e, HB_EINTERNAL, "cannot run git: %s", strerror(errno));
        return -1;
    }
    drain(out_pipe[0], err_pipe[0], out, err);
    trim_newlines(err);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

hb_status hb_git_show(const char *dir, const char *rev, const char *file, const char *shown,
                      hb_buf *out, hb_err *e)
{
    char *object = hb_xasprintf("%s:./%s", rev, file);
    const char *args[] = {"show", "--no-textconv", object, NULL};
    hb_buf err;
    hb_buf_init(&err);
    int rc = run_git(dir, args, out, &err, e);
    hb_status st = HB_OK;
    if (rc < 0)
        st = HB_EINTERNAL;
    else if (rc == 127 && !err.len)
        st = hb_err_set(e, HB_EUSAGE, "cannot read %s at %s: git is not installed", shown, rev);
    else if (rc != 0)
        st = hb_err_set(e, HB_EUSAGE, "cannot read %s at revision %s: %s", shown, rev,
                        err.len ? err.data : "git show failed");
    else if (out->len >= GIT_OUTPUT_MAX)
        st = hb_err_set(e, HB_EUSAGE, "%s at %s is too large for a workflow", shown, rev);
    hb_buf_free(&err);
    free(object);
    return st;
}

char *hb_git_toplevel(const char *dir)
{
    const char *args[] = {"rev-parse", "--show-toplevel", NULL};
    hb_buf out, err;
    hb_buf_init(&out);
    hb_buf_init(&err);
    hb_err e;
    int rc = run_git(dir, args, &out, &err, &e);
    hb_buf_free(&err);
    trim_newlines(&out);
    if (rc != 0 || !out.len) {
        hb_buf_free(&out);
        return NULL;
    }
    return hb_buf_take(&out);
}
